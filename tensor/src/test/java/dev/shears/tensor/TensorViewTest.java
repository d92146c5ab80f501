package dev.shears.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.testing.Operands;
import dev.shears.testing.Reference;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TensorViewTest {

    private static Tensor range(int... dims) {
        return Tensor.arange(Shape.of(dims).numel()).reshape(dims);
    }

    @Test
    void reshapeInfersMinusOne() {
        Tensor t = range(2, 3, 4);
        assertEquals(Shape.of(6, 4), t.reshape(-1, 4).shape());
        assertEquals(Shape.of(2, 12), t.reshape(2, -1).shape());
        assertEquals(Shape.of(24), t.reshape(-1).shape());
        assertEquals(Shape.of(24), t.flatten().shape());
        assertEquals(Shape.of(1, 24, 1), t.reshape(1, -1, 1).shape());
        assertEquals(Shape.of(0, 5), Tensor.zeros(0, 3).reshape(-1, 5).shape());
        assertArrayEquals(t.toFloatArray(), t.reshape(4, -1).toFloatArray());
        assertEquals(Shape.scalar(), Tensor.full(3f, 1, 1).reshape().shape());
    }

    @Test
    void reshapeErrors() {
        Tensor t = range(2, 3);
        ShapeException e = assertThrows(ShapeException.class, () -> t.reshape(4, 2));
        assertEquals("reshape: cannot view [2, 3] (6 elements) as [4, 2] (8 elements)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> t.reshape(-1, 4));
        assertEquals("reshape: cannot view [2, 3] (6 elements) as [-1, 4] (4 elements)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> t.reshape(-1, -1));
        assertEquals("reshape: more than one -1 in [-1, -1]", e.getMessage());
        e = assertThrows(ShapeException.class, () -> t.reshape(-2, -3));
        assertEquals("reshape: size -2 in [-2, -3] is negative", e.getMessage());
        e = assertThrows(ShapeException.class, () -> t.view(7));
        assertEquals("view: cannot view [2, 3] (6 elements) as [7] (7 elements)", e.getMessage());
    }

    @Test
    void reshapeOfContiguousIsAViewSharingStorage() {
        Tensor base = range(2, 6);
        Tensor r = base.reshape(3, 4);
        assertSame(base.storage(), r.storage());
        r.narrow(0, 1, 1).fill(-1f);
        float[] expected = base.toFloatArray();
        assertArrayEquals(new float[] {0, 1, 2, 3, -1, -1, -1, -1, 8, 9, 10, 11}, expected,
                "writing through the reshaped view is visible in the base");
    }

    @Test
    void reshapeOfTransposedCopiesAndViewRefuses() {
        Tensor base = range(3, 4);
        Tensor t = base.t();
        Tensor r = t.reshape(12);
        assertNotSame(base.storage(), r.storage(), "a transposed matrix cannot be flattened in place");
        assertArrayEquals(Reference.permute(base.toFloatArray(), base.shape(), 1, 0), r.toFloatArray());
        r.fill(5f);
        assertEquals(11f, base.toFloatArray()[11], "the copy shares nothing with the base");
        ShapeException e = assertThrows(ShapeException.class, () -> t.view(12));
        assertEquals("view: cannot view Layout[4, 3] strides [1, 4] offset 0 as [12] without copying;"
                + " call contiguous() or reshape()", e.getMessage());
        Tensor split = t.view(2, 2, 3);
        assertSame(base.storage(), split.storage(), "splitting the leading axis is a view");
        assertArrayEquals(t.toFloatArray(), split.toFloatArray());
    }

    @Test
    void narrowAndSlice() {
        Tensor base = range(4, 5);
        float[] v = base.toFloatArray();
        Tensor n = base.narrow(1, 1, 3);
        assertEquals(Shape.of(4, 3), n.shape());
        assertFalse(n.isContiguous());
        assertArrayEquals(Reference.narrow(v, base.shape(), 1, 1, 3), n.toFloatArray());
        assertArrayEquals(n.toFloatArray(), base.slice(1, 1, 4).toFloatArray());
        assertArrayEquals(n.toFloatArray(), base.slice(-1, -4, -1).toFloatArray(), "negative bounds count from the end");
        assertArrayEquals(Reference.narrow(v, base.shape(), 0, 2, 2), base.slice(0, 2, 4).toFloatArray());
        assertEquals(Shape.of(4, 0), base.slice(1, 3, 3).shape());
        n.fill(0f);
        float[] after = base.toFloatArray();
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 5; c++) {
                float expected = c >= 1 && c < 4 ? 0f : r * 5 + c;
                assertEquals(expected, after[r * 5 + c], "element " + r + "," + c + " after writing through narrow");
            }
        }
    }

    @Test
    void sliceErrorsNameSliceAndTheRange() {
        Tensor t = range(4, 5);
        ShapeException e = assertThrows(ShapeException.class, () -> t.slice(1, 2, 7));
        assertEquals("slice: [2, 7) is not a range of axis 1 with size 5 (shape [4, 5])", e.getMessage());
        e = assertThrows(ShapeException.class, () -> t.slice(0, 3, 1));
        assertEquals("slice: [3, 1) is not a range of axis 0 with size 4 (shape [4, 5])", e.getMessage());
        e = assertThrows(ShapeException.class, () -> t.slice(2, 0, 1));
        assertTrue(e.getMessage().startsWith("slice: axis 2 is out of range for shape [4, 5]"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> t.narrow(0, 3, 2));
        assertEquals("narrow: range [3, 5) is outside axis 0 of size 4 (shape [4, 5])", e.getMessage());
    }

    @Test
    void transposePermuteAndT() {
        Tensor base = range(2, 3, 4);
        float[] v = base.toFloatArray();
        assertArrayEquals(Reference.permute(v, base.shape(), 2, 1, 0), base.transpose(0, 2).toFloatArray());
        assertArrayEquals(Reference.permute(v, base.shape(), 0, 2, 1), base.transpose(-1, -2).toFloatArray());
        assertArrayEquals(Reference.permute(v, base.shape(), 1, 2, 0), base.permute(1, 2, 0).toFloatArray());
        assertEquals(Shape.of(3, 4, 2), base.permute(1, 2, 0).shape());
        assertSame(base.storage(), base.permute(2, 0, 1).storage());
        Tensor m = range(2, 3);
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, m.t().toFloatArray());
        ShapeException e = assertThrows(ShapeException.class, () -> base.t());
        assertEquals("t: expected a matrix of rank 2, got shape [2, 3, 4]", e.getMessage());
        // Writing through a transposed view lands at the transposed positions.
        m.t().narrow(0, 2, 1).fill(-1f); // column 2 of m
        assertArrayEquals(new float[] {0, 1, -1, 3, 4, -1}, m.toFloatArray());
    }

    @Test
    void expandAndBroadcastTo() {
        Tensor col = Tensor.of(new float[] {1, 2, 3}, 3, 1);
        Tensor e = col.expand(2, 3, 4);
        assertEquals(Shape.of(2, 3, 4), e.shape());
        assertSame(col.storage(), e.storage(), "expand never copies");
        assertArrayEquals(Reference.expand(col.toFloatArray(), col.shape(), e.shape()), e.toFloatArray());
        assertEquals(Shape.of(3, 4), col.expand(-1, 4).shape(), "-1 keeps a size");
        assertEquals(Shape.of(5, 3, 4), col.broadcastTo(Shape.of(5, 3, 4)).shape());
        ShapeException ex = assertThrows(ShapeException.class, () -> col.expand(-1, 3, 4));
        assertEquals("expand: -1 at new leading axis 0 of [-1, 3, 4]", ex.getMessage());
        ex = assertThrows(ShapeException.class, () -> col.expand(4, 4));
        assertEquals("expand: cannot expand [3, 1] to [4, 4] (axis 0: 3 vs 4; only size-1 axes can be expanded)",
                ex.getMessage());
    }

    @Test
    void squeezeAndUnsqueeze() {
        Tensor t = range(1, 3, 1, 2);
        assertEquals(Shape.of(3, 2), t.squeeze().shape());
        assertEquals(Shape.of(3, 1, 2), t.squeeze(0).shape());
        assertEquals(Shape.of(1, 3, 2), t.squeeze(-2).shape());
        assertEquals(Shape.of(1, 3, 1, 2, 1), t.unsqueeze(-1).shape());
        assertEquals(Shape.of(1, 1, 3, 1, 2), t.unsqueeze(1).shape());
        assertArrayEquals(t.toFloatArray(), t.squeeze().unsqueeze(0).toFloatArray());
        assertSame(t.storage(), t.squeeze().storage());
        ShapeException e = assertThrows(ShapeException.class, () -> t.squeeze(1));
        assertEquals("squeeze: axis 1 has size 3, not 1 (shape [1, 3, 1, 2])", e.getMessage());
        e = assertThrows(ShapeException.class, () -> t.unsqueeze(6));
        assertEquals("unsqueeze: axis 6 is out of range for shape [1, 3, 1, 2] (the result has rank 5; valid axes -5..4)",
                e.getMessage());
        Tensor s = Tensor.scalar(3f);
        assertEquals(Shape.of(1), s.unsqueeze(0).shape());
        assertEquals(3f, s.unsqueeze(0).unsqueeze(0).item());
    }

    @Test
    void contiguousReturnsItselfOrAFreshCopy() {
        Tensor base = range(3, 4);
        assertSame(base, base.contiguous());
        Tensor t = base.t();
        Tensor c = t.contiguous();
        assertTrue(c.isContiguous());
        assertNotSame(base.storage(), c.storage());
        assertArrayEquals(t.toFloatArray(), c.toFloatArray());
        Tensor rows = base.narrow(0, 1, 2);
        assertTrue(rows.isContiguous(), "a row block is contiguous but starts at an offset");
        Tensor rc = rows.contiguous();
        assertNotSame(rows, rc, "contiguous() of an offset view compacts it");
        assertEquals(0, rc.layout().offset());
        assertArrayEquals(rows.toFloatArray(), rc.toFloatArray());
        Tensor copy = base.copy();
        copy.fill(9f);
        assertEquals(0f, base.toFloatArray()[0], "copy() shares nothing");
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {21, 22, 23, 24, 25, 26})
    void randomViewChainsReadTheRightElements(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int trial = 0; trial < 40; trial++) {
            int rank = 1 + rnd.nextInt(4);
            int[] dims = new int[rank];
            for (int i = 0; i < rank; i++) {
                dims[i] = 1 + rnd.nextInt(6);
            }
            Shape s = Shape.of(dims);
            float[] values = Operands.gaussian(rnd, s.numel());
            Tensor t = Tensor.of(values, dims);
            float[] expected = values;
            StringBuilder ops = new StringBuilder(s.toString());
            for (int step = 0; step < 4; step++) {
                int r = s.rank();
                switch (rnd.nextInt(4)) {
                    case 0 -> {
                        int[] order = Operands.randomPermutation(rnd, r);
                        expected = Reference.permute(expected, s, order);
                        t = t.permute(order);
                        int[] nd = new int[r];
                        for (int i = 0; i < r; i++) {
                            nd[i] = s.dim(order[i]);
                        }
                        s = Shape.of(nd);
                        ops.append(" permute").append(java.util.Arrays.toString(order));
                    }
                    case 1 -> {
                        int a = rnd.nextInt(r);
                        int len = 1 + rnd.nextInt(s.dim(a));
                        int start = rnd.nextInt(s.dim(a) - len + 1);
                        expected = Reference.narrow(expected, s, a, start, len);
                        t = t.narrow(a, start, len);
                        s = s.with(a, len);
                        ops.append(" narrow(").append(a).append(',').append(start).append(',').append(len).append(')');
                    }
                    case 2 -> {
                        int a = rnd.nextInt(r);
                        if (s.dim(a) == 1) {
                            Shape target = s.with(a, 2 + rnd.nextInt(3));
                            expected = Reference.expand(expected, s, target);
                            t = t.broadcastTo(target);
                            s = target;
                            ops.append(" expand").append(target);
                        }
                    }
                    default -> {
                        int a = rnd.nextInt(r + 1);
                        t = t.unsqueeze(a);
                        int[] nd = new int[r + 1];
                        for (int i = 0, j = 0; i <= r; i++) {
                            nd[i] = i == a ? 1 : s.dim(j++);
                        }
                        s = Shape.of(nd);
                        ops.append(" unsqueeze(").append(a).append(')');
                    }
                }
            }
            String ctx = "seed " + seed + " trial " + trial + ": " + ops;
            assertEquals(s, t.shape(), ctx);
            assertArrayEquals(expected, t.toFloatArray(), ctx);
            assertArrayEquals(expected, t.contiguous().toFloatArray(), ctx + " contiguous()");
            assertArrayEquals(expected, t.reshape(-1).toFloatArray(), ctx + " reshape(-1)");
            assertArrayEquals(expected, t.copy().toFloatArray(), ctx + " copy()");
        }
    }
}

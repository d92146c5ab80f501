package dev.shears.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.shears.testing.Reference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LayoutTest {

    @Test
    void contiguousLayout() {
        Layout l = Layout.contiguous(Shape.of(2, 3, 4));
        assertArrayEquals(new int[] {12, 4, 1}, l.strides());
        assertEquals(0, l.offset());
        assertTrue(l.isContiguous());
        assertEquals(24, l.extent());
        assertEquals(1 * 12 + 2 * 4 + 3, l.indexOf(1, 2, 3));
        assertEquals(4, l.stride(-2));
        assertTrue(Layout.contiguous(Shape.scalar()).isContiguous());
        assertEquals(1, Layout.contiguous(Shape.scalar()).extent());
        assertEquals(0, Layout.contiguous(Shape.of(3, 0)).extent());
    }

    @Test
    void explicitLayoutIsValidated() {
        Layout l = Layout.of(Shape.of(2, 3), new int[] {1, 2}, 5);
        assertFalse(l.isContiguous());
        assertEquals(5 + 1 + 2 * 2 + 1, l.extent());
        ShapeException e = assertThrows(ShapeException.class, () -> Layout.of(Shape.of(2, 3), new int[] {1}, 0));
        assertEquals("Layout: 1 strides for shape [2, 3]", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Layout.of(Shape.of(2, 3), new int[] {3, 1}, -1));
        assertEquals("Layout: offset -1 is negative", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Layout.of(Shape.of(2, 3), new int[] {3, -1}, 0));
        assertEquals("Layout: stride -1 at axis 1 is negative", e.getMessage());
        int[] strides = {3, 1};
        Layout copy = Layout.of(Shape.of(2, 3), strides, 0);
        strides[0] = 100;
        assertEquals(3, copy.stride(0), "strides are copied");
    }

    @Test
    void contiguityIgnoresSizeOneAxes() {
        assertTrue(Layout.of(Shape.of(3, 1, 4), new int[] {4, 999, 1}, 2).isContiguous());
        assertFalse(Layout.of(Shape.of(3, 4), new int[] {1, 3}, 0).isContiguous());
        assertFalse(Layout.of(Shape.of(3, 4), new int[] {5, 1}, 0).isContiguous());
        assertFalse(Layout.of(Shape.of(3, 4), new int[] {0, 1}, 0).isContiguous());
    }

    @Test
    void transposeAndPermute() {
        Layout l = Layout.contiguous(Shape.of(2, 3, 4));
        Layout t = l.transpose(0, -1);
        assertEquals(Shape.of(4, 3, 2), t.shape());
        assertArrayEquals(new int[] {1, 4, 12}, t.strides());
        assertFalse(t.isContiguous());
        Layout p = l.permute(1, 2, 0);
        assertEquals(Shape.of(3, 4, 2), p.shape());
        assertArrayEquals(new int[] {4, 1, 12}, p.strides());
        assertEquals(l.indexOf(1, 2, 3), p.indexOf(2, 3, 1));
        assertEquals(l, l.permute(-3, -2, -1));
        assertEquals(l, t.transpose(0, 2), "transposing twice gives the original layout");
    }

    @Test
    void permuteErrors() {
        Layout l = Layout.contiguous(Shape.of(2, 3, 4));
        ShapeException e = assertThrows(ShapeException.class, () -> l.permute(0, 1));
        assertEquals("permute: [0, 1] has 2 axes but shape [2, 3, 4] has rank 3", e.getMessage());
        e = assertThrows(ShapeException.class, () -> l.permute(0, 1, -2));
        assertEquals("permute: axis -2 appears twice in [0, 1, -2]", e.getMessage());
        e = assertThrows(ShapeException.class, () -> l.permute(0, 1, 3));
        assertEquals("permute: axis 3 is out of range for shape [2, 3, 4] (rank 3; valid axes -3..2)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> l.transpose(0, 5));
        assertEquals("transpose: axis 5 is out of range for shape [2, 3, 4] (rank 3; valid axes -3..2)", e.getMessage());
    }

    @Test
    void narrowMovesOffsetAndKeepsStrides() {
        Layout l = Layout.contiguous(Shape.of(4, 6));
        Layout n = l.narrow(1, 2, 3);
        assertEquals(Shape.of(4, 3), n.shape());
        assertArrayEquals(new int[] {6, 1}, n.strides());
        assertEquals(2, n.offset());
        assertFalse(n.isContiguous());
        assertEquals(2 + 3 * 6 + 2 + 1, n.extent());
        Layout rows = l.narrow(0, 1, 2);
        assertEquals(6, rows.offset());
        assertTrue(rows.isContiguous(), "a narrowed leading axis stays contiguous");
        Layout empty = l.narrow(-1, 6, 0);
        assertEquals(Shape.of(4, 0), empty.shape());
        assertEquals(0, empty.shape().numel());
    }

    @Test
    void narrowErrors() {
        Layout l = Layout.contiguous(Shape.of(4, 6));
        ShapeException e = assertThrows(ShapeException.class, () -> l.narrow(1, 4, 3));
        assertEquals("narrow: range [4, 7) is outside axis 1 of size 6 (shape [4, 6])", e.getMessage());
        e = assertThrows(ShapeException.class, () -> l.narrow(0, -1, 2));
        assertEquals("narrow: range [-1, 1) is outside axis 0 of size 4 (shape [4, 6])", e.getMessage());
        e = assertThrows(ShapeException.class, () -> l.narrow(0, 0, -1));
        assertTrue(e.getMessage().startsWith("narrow: range [0, -1) is outside axis 0 of size 4"), e.getMessage());
        assertThrows(ShapeException.class, () -> l.narrow(0, Integer.MAX_VALUE, 2), "start + length must not overflow");
    }

    @Test
    void expandUsesStrideZero() {
        Layout l = Layout.contiguous(Shape.of(3, 1));
        Layout e = l.expand(Shape.of(2, 3, 5));
        assertEquals(Shape.of(2, 3, 5), e.shape());
        assertArrayEquals(new int[] {0, 1, 0}, e.strides());
        assertEquals(3, e.extent(), "an expanded view touches only the original elements");
        assertEquals(l.indexOf(2, 0), e.indexOf(1, 2, 4));
        assertEquals(l, l.expand(Shape.of(3, 1)));
        Layout fromScalar = Layout.contiguous(Shape.scalar()).expand(Shape.of(4, 4));
        assertArrayEquals(new int[] {0, 0}, fromScalar.strides());
    }

    @Test
    void expandErrors() {
        Layout l = Layout.contiguous(Shape.of(3, 2));
        ShapeException e = assertThrows(ShapeException.class, () -> l.expand(Shape.of(3, 4)));
        assertEquals("expand: cannot expand [3, 2] to [3, 4] (axis 1: 2 vs 4; only size-1 axes can be expanded)",
                e.getMessage());
        e = assertThrows(ShapeException.class, () -> l.expand(Shape.of(6)));
        assertEquals("expand: cannot expand [3, 2] to lower rank [6]", e.getMessage());
        e = assertThrows(ShapeException.class, () -> l.expand(Shape.of(5, 2, 2)));
        assertEquals("expand: cannot expand [3, 2] to [5, 2, 2] (axis 1: 3 vs 2; only size-1 axes can be expanded)",
                e.getMessage());
    }

    @Test
    void unsqueezeAndSqueeze() {
        Layout l = Layout.contiguous(Shape.of(2, 3));
        assertEquals(Shape.of(1, 2, 3), l.unsqueeze(0).shape());
        assertEquals(Shape.of(2, 1, 3), l.unsqueeze(1).shape());
        assertEquals(Shape.of(2, 3, 1), l.unsqueeze(2).shape());
        assertEquals(Shape.of(2, 3, 1), l.unsqueeze(-1).shape());
        assertEquals(Shape.of(1, 2, 3), l.unsqueeze(-3).shape());
        for (int a = -3; a < 3; a++) {
            Layout u = l.unsqueeze(a);
            assertTrue(u.isContiguous(), "unsqueeze(" + a + ") of a contiguous layout stays contiguous");
            assertEquals(l, u.squeeze(a), "squeeze undoes unsqueeze(" + a + ")");
        }
        Layout t = l.transpose(0, 1).unsqueeze(1);
        assertEquals(Shape.of(3, 1, 2), t.shape());
        assertEquals(l.indexOf(1, 2), t.indexOf(2, 0, 1));
        Layout many = Layout.contiguous(Shape.of(1, 4, 1, 1, 5, 1));
        assertEquals(Shape.of(4, 5), many.squeeze().shape());
        assertArrayEquals(new int[] {5, 1}, many.squeeze().strides());
        assertEquals(Shape.scalar(), Layout.contiguous(Shape.of(1, 1)).squeeze().shape());
    }

    @Test
    void squeezeAndUnsqueezeErrors() {
        Layout l = Layout.contiguous(Shape.of(2, 1, 3));
        ShapeException e = assertThrows(ShapeException.class, () -> l.squeeze(0));
        assertEquals("squeeze: axis 0 has size 2, not 1 (shape [2, 1, 3])", e.getMessage());
        e = assertThrows(ShapeException.class, () -> l.squeeze(3));
        assertEquals("squeeze: axis 3 is out of range for shape [2, 1, 3] (rank 3; valid axes -3..2)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> l.unsqueeze(4));
        assertEquals("unsqueeze: axis 4 is out of range for shape [2, 1, 3] (the result has rank 4; valid axes -4..3)", e.getMessage());
        assertTrue(e.getMessage().contains("[2, 1, 3]"), "the message names the tensor's shape: " + e.getMessage());
        assertTrue(e.getMessage().contains("-4..3"), e.getMessage());
        assertThrows(ShapeException.class, () -> l.unsqueeze(-5));
    }

    // ---- viewAs ----------------------------------------------------------------------------------

    @Test
    void viewAsOfContiguousLayoutKeepsOffset() {
        Layout l = Layout.contiguous(Shape.of(4, 6)).narrow(0, 1, 2);
        Layout v = l.viewAs(Shape.of(3, 4));
        assertNotNull(v);
        assertEquals(6, v.offset());
        assertArrayEquals(new int[] {4, 1}, v.strides());
    }

    @Test
    void viewAsOfTransposed() {
        Layout t = Layout.contiguous(Shape.of(3, 4)).transpose(0, 1); // [4, 3] strides [1, 4]
        assertNull(t.viewAs(Shape.of(12)), "a transposed matrix cannot be flattened without a copy");
        assertNull(t.viewAs(Shape.of(3, 4)));
        Layout split = t.viewAs(Shape.of(2, 2, 3));
        assertNotNull(split, "splitting the leading axis of a transposed matrix is a view");
        assertArrayEquals(new int[] {2, 1, 4}, split.strides());
        Layout ones = t.viewAs(Shape.of(4, 1, 3, 1));
        assertNotNull(ones, "inserting size-1 axes is always a view");
        assertViewMatches(t, Shape.of(4, 1, 3, 1), ones);
    }

    @Test
    void viewAsOfNarrowed() {
        Layout n = Layout.contiguous(Shape.of(4, 6)).narrow(1, 1, 3); // [4, 3] strides [6, 1] offset 1
        assertNull(n.viewAs(Shape.of(12)), "narrowed rows have gaps between them");
        Layout v = n.viewAs(Shape.of(2, 2, 3));
        assertNotNull(v);
        assertArrayEquals(new int[] {12, 6, 1}, v.strides());
        assertEquals(1, v.offset());
        assertNull(n.viewAs(Shape.of(6, 2)), "[6, 2] splits a row");
        Layout cols = Layout.contiguous(Shape.of(4, 6)).narrow(1, 2, 1); // [4, 1] strides [6, 1] offset 2
        Layout flat = cols.viewAs(Shape.of(4));
        assertNotNull(flat, "a single narrowed column is a strided vector");
        assertArrayEquals(new int[] {6}, flat.strides());
        assertEquals(2, flat.offset());
    }

    @Test
    void viewAsOfExpanded() {
        Layout e = Layout.contiguous(Shape.of(4)).expand(Shape.of(3, 4)); // strides [0, 1]
        assertNull(e.viewAs(Shape.of(12)));
        Layout v = e.viewAs(Shape.of(3, 2, 2));
        assertNotNull(v);
        assertArrayEquals(new int[] {0, 2, 1}, v.strides());
        Layout all = Layout.contiguous(Shape.scalar()).expand(Shape.of(2, 6));
        assertViewMatches(all, Shape.of(3, 4), all.viewAs(Shape.of(3, 4)));
    }

    /**
     * The exact oracle: a view of {@code target} exists iff the storage positions, listed in
     * row-major order, are an affine function of the target's multi-index; the strides that
     * function would need are read off the positions of the unit steps.
     */
    private static int[] oracleStrides(Layout l, Shape target) {
        Shape s = l.shape();
        int n = s.numel();
        int[] pos = new int[n];
        for (int f = 0; f < n; f++) {
            pos[f] = l.indexOf(Reference.unflatten(f, s));
        }
        int[] st = new int[target.rank()];
        int[] unit = Reference.strides(target);
        for (int a = 0; a < target.rank(); a++) {
            st[a] = target.dim(a) > 1 ? pos[unit[a]] - pos[0] : 0;
        }
        for (int f = 0; f < n; f++) {
            int[] idx = Reference.unflatten(f, target);
            int p = pos[0];
            for (int a = 0; a < idx.length; a++) {
                p += idx[a] * st[a];
            }
            if (p != pos[f]) {
                return null;
            }
        }
        return st;
    }

    private static void assertViewMatches(Layout from, Shape target, Layout view) {
        assertNotNull(view, from + " as " + target);
        assertEquals(target, view.shape());
        Shape s = from.shape();
        for (int f = 0; f < s.numel(); f++) {
            int expected = from.indexOf(Reference.unflatten(f, s));
            int actual = view.indexOf(Reference.unflatten(f, target));
            if (expected != actual) {
                fail(from + " viewed as " + view + ": element " + f + " at storage " + actual + ", expected " + expected);
            }
        }
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {11, 12, 13, 14, 15, 16, 17, 18})
    void viewAsAgreesWithExactOracleOnRandomViews(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int views = 0;
        int nulls = 0;
        for (int trial = 0; trial < 300; trial++) {
            Layout l = randomView(rnd);
            Shape s = l.shape();
            if (s.numel() == 0) {
                continue;
            }
            Shape target = randomFactorisation(rnd, s.numel());
            Layout v = l.viewAs(target);
            int[] oracle = oracleStrides(l, target);
            String ctx = "seed " + seed + " trial " + trial + ": " + l + " as " + target;
            if (oracle == null) {
                assertNull(v, ctx + " has no view but viewAs returned " + v);
                nulls++;
            } else {
                assertNotNull(v, ctx + " is a view with strides " + Arrays.toString(oracle) + " but viewAs returned null");
                assertViewMatches(l, target, v);
                views++;
            }
        }
        assertTrue(views > 20 && nulls > 20, "both outcomes exercised: " + views + " views, " + nulls + " copies");
    }

    private static Layout randomView(SplittableRandom rnd) {
        int rank = 1 + rnd.nextInt(4);
        int[] dims = new int[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = 1 + rnd.nextInt(5);
        }
        Layout l = Layout.contiguous(Shape.of(dims));
        int steps = rnd.nextInt(4);
        for (int s = 0; s < steps; s++) {
            int r = l.shape().rank();
            switch (rnd.nextInt(5)) {
                case 0 -> {
                    int[] order = new int[r];
                    List<Integer> axes = new ArrayList<>();
                    for (int i = 0; i < r; i++) {
                        axes.add(i);
                    }
                    for (int i = 0; i < r; i++) {
                        order[i] = axes.remove(rnd.nextInt(axes.size()));
                    }
                    l = l.permute(order);
                }
                case 1 -> {
                    int a = rnd.nextInt(r);
                    int size = l.shape().dim(a);
                    int len = 1 + rnd.nextInt(size);
                    l = l.narrow(a, rnd.nextInt(size - len + 1), len);
                }
                case 2 -> l = l.unsqueeze(rnd.nextInt(r + 1));
                case 3 -> {
                    int a = rnd.nextInt(r);
                    if (l.shape().dim(a) == 1) {
                        l = l.expand(l.shape().with(a, 1 + rnd.nextInt(3)));
                    }
                }
                default -> {
                    if (r >= 2) {
                        l = l.transpose(rnd.nextInt(r), rnd.nextInt(r));
                    }
                }
            }
        }
        return l;
    }

    private static Shape randomFactorisation(SplittableRandom rnd, int n) {
        List<Integer> dims = new ArrayList<>();
        int rest = n;
        while (rest > 1) {
            List<Integer> divisors = new ArrayList<>();
            for (int d = 2; d <= rest; d++) {
                if (rest % d == 0) {
                    divisors.add(d);
                }
            }
            int d = divisors.get(rnd.nextInt(divisors.size()));
            dims.add(d);
            rest /= d;
            if (rnd.nextInt(4) == 0) {
                dims.add(1);
            }
        }
        if (dims.isEmpty() || rnd.nextInt(3) == 0) {
            dims.add(rnd.nextInt(dims.size() + 1), 1);
        }
        return Shape.of(dims.stream().mapToInt(Integer::intValue).toArray());
    }
}

package dev.shears.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShapeTest {

    @Test
    void sizesRankAndNegativeAxes() {
        Shape s = Shape.of(2, 3, 5);
        assertEquals(3, s.rank());
        assertEquals(2, s.dim(0));
        assertEquals(5, s.dim(2));
        assertEquals(5, s.dim(-1));
        assertEquals(3, s.dim(-2));
        assertEquals(2, s.dim(-3));
        assertEquals(30, s.numel());
        assertEquals(2, s.axis(-1, "op"));
        assertEquals(0, s.axis(-3, "op"));
        assertEquals("[2, 3, 5]", s.toString());
    }

    @Test
    void scalarAndEmptyShapes() {
        assertSame(Shape.scalar(), Shape.of());
        assertEquals(0, Shape.scalar().rank());
        assertEquals(1, Shape.scalar().numel());
        assertEquals("[]", Shape.scalar().toString());
        assertEquals(0, Shape.of(3, 0, 4).numel());
        assertEquals(0, Shape.of(0).numel());
        ShapeException e = assertThrows(ShapeException.class, () -> Shape.scalar().dim(0));
        assertEquals("Shape.dim: axis 0 is out of range for shape [] (rank 0; a scalar has no axes)", e.getMessage());
    }

    @Test
    void dimsAreCopiedInAndOut() {
        int[] dims = {4, 5};
        Shape s = Shape.of(dims);
        dims[0] = 99;
        assertEquals(4, s.dim(0), "changing the argument array must not change the shape");
        int[] out = s.dims();
        out[1] = 99;
        assertEquals(5, s.dim(1), "changing dims() must not change the shape");
        assertArrayEquals(new int[] {4, 5}, s.dims());
    }

    @Test
    void axisOutOfRangeNamesOpShapeAndValidRange() {
        Shape s = Shape.of(2, 3);
        ShapeException e = assertThrows(ShapeException.class, () -> s.axis(2, "sum"));
        assertEquals("sum: axis 2 is out of range for shape [2, 3] (rank 2; valid axes -2..1)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> s.axis(-3, "softmax"));
        assertEquals("softmax: axis -3 is out of range for shape [2, 3] (rank 2; valid axes -2..1)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> s.dim(7));
        assertEquals("Shape.dim: axis 7 is out of range for shape [2, 3] (rank 2; valid axes -2..1)", e.getMessage());
    }

    @Test
    void negativeSizeIsRejected() {
        ShapeException e = assertThrows(ShapeException.class, () -> Shape.of(2, -3));
        assertEquals("Shape: size -3 at axis 1 is negative in [2, -3]", e.getMessage());
    }

    @Test
    void numelOverflowIsRejected() {
        // 46340² fits in an int, 46341² does not.
        assertEquals(46340 * 46340, Shape.of(46340, 46340).numel());
        ShapeException e = assertThrows(ShapeException.class, () -> Shape.of(46341, 46341));
        assertEquals("Shape: [46341, 46341] has more than 2147483647 elements", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Shape.of(65536, 65536, 2));
        assertEquals("Shape: [65536, 65536, 2] has more than 2147483647 elements", e.getMessage());
        assertEquals(Integer.MAX_VALUE, Shape.of(Integer.MAX_VALUE).numel());
        assertThrows(ShapeException.class, () -> Shape.of(Integer.MAX_VALUE, 2));
        assertEquals(0, Shape.of(65536, 65536, 0).numel(), "a zero size anywhere makes an empty shape, not an overflow");
    }

    @Test
    void contiguousStrides() {
        assertArrayEquals(new int[] {20, 5, 1}, Shape.of(3, 4, 5).contiguousStrides());
        assertArrayEquals(new int[] {}, Shape.scalar().contiguousStrides());
        assertArrayEquals(new int[] {1}, Shape.of(7).contiguousStrides());
        // A zero-size axis must not zero out the strides of the axes before it.
        assertArrayEquals(new int[] {4, 4, 1}, Shape.of(2, 0, 4).contiguousStrides());
    }

    @Test
    void removeAndWith() {
        Shape s = Shape.of(2, 3, 4);
        assertEquals(Shape.of(2, 4), s.remove(1));
        assertEquals(Shape.of(2, 3), s.remove(-1));
        assertEquals(Shape.of(2, 7, 4), s.with(1, 7));
        assertEquals(Shape.of(2, 3, 0), s.with(-1, 0));
        assertEquals(Shape.of(2, 3, 4), s, "remove/with must not change the receiver");
        assertThrows(ShapeException.class, () -> s.remove(3));
        assertThrows(ShapeException.class, () -> s.with(1, -1));
    }

    @Test
    void equalityIsByValue() {
        assertEquals(Shape.of(2, 3), Shape.of(2, 3));
        assertEquals(Shape.of(2, 3).hashCode(), Shape.of(new int[] {2, 3}).hashCode());
        assertNotEquals(Shape.of(2, 3), Shape.of(3, 2));
        assertNotEquals(Shape.of(2, 3), Shape.of(2, 3, 1));
        assertNotEquals(Shape.of(1), Shape.scalar());
    }

    @Test
    void broadcastRules() {
        assertBroadcast(Shape.of(2, 3), Shape.of(2, 3), Shape.of(2, 3));
        assertBroadcast(Shape.of(2, 3), Shape.of(3), Shape.of(2, 3));
        assertBroadcast(Shape.of(2, 3), Shape.scalar(), Shape.of(2, 3));
        assertBroadcast(Shape.of(2, 1, 4), Shape.of(3, 1), Shape.of(2, 3, 4));
        assertBroadcast(Shape.of(1, 1), Shape.of(5), Shape.of(1, 5));
        assertBroadcast(Shape.of(1), Shape.of(0), Shape.of(0));
        assertBroadcast(Shape.of(0, 1), Shape.of(1, 5), Shape.of(0, 5));
        assertBroadcast(Shape.of(7, 1, 1, 2), Shape.of(1, 6, 1), Shape.of(7, 1, 6, 2));
        assertBroadcast(Shape.scalar(), Shape.scalar(), Shape.scalar());
    }

    private static void assertBroadcast(Shape a, Shape b, Shape expected) {
        assertEquals(expected, Shape.broadcast(a, b, "op"), a + " with " + b);
        assertEquals(expected, Shape.broadcast(b, a, "op"), b + " with " + a);
    }

    @Test
    void broadcastErrorNamesOpShapesAndAxis() {
        ShapeException e = assertThrows(ShapeException.class,
                () -> Shape.broadcast(Shape.of(2, 3), Shape.of(4), "add"));
        assertEquals("add: shapes [2, 3] and [4] cannot be broadcast (axis -1: 3 vs 4)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Shape.broadcast(Shape.of(2, 3, 4), Shape.of(5, 4), "mul"));
        assertEquals("mul: shapes [2, 3, 4] and [5, 4] cannot be broadcast (axis -2: 3 vs 5)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Shape.broadcast(Shape.of(0), Shape.of(2), "where"));
        assertEquals("where: shapes [0] and [2] cannot be broadcast (axis -1: 0 vs 2)", e.getMessage());
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void broadcastMatchesElementwiseRule(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int trial = 0; trial < 200; trial++) {
            int ra = rnd.nextInt(5);
            int rb = rnd.nextInt(5);
            int[] a = new int[ra];
            int[] b = new int[rb];
            for (int i = 0; i < ra; i++) {
                a[i] = rnd.nextInt(4);
            }
            for (int i = 0; i < rb; i++) {
                b[i] = rnd.nextInt(4);
            }
            int r = Math.max(ra, rb);
            int[] out = new int[r];
            boolean ok = true;
            for (int i = 0; i < r; i++) {
                int da = i < r - ra ? 1 : a[i - (r - ra)];
                int db = i < r - rb ? 1 : b[i - (r - rb)];
                if (da == db || db == 1) {
                    out[i] = da;
                } else if (da == 1) {
                    out[i] = db;
                } else {
                    ok = false;
                }
            }
            Shape sa = Shape.of(a);
            Shape sb = Shape.of(b);
            String ctx = "seed " + seed + " trial " + trial + ": " + sa + " with " + sb;
            if (ok) {
                assertEquals(Shape.of(out), Shape.broadcast(sa, sb, "op"), ctx);
            } else {
                assertThrows(ShapeException.class, () -> Shape.broadcast(sa, sb, "op"), ctx);
            }
        }
    }
}

package dev.shears.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.tensor.DType;
import dev.shears.tensor.DTypeException;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Shape;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MaskTest {

    /** A mask keeping each element with probability 1/2, from the seed. */
    private static Mask coinFlips(Shape shape, long seed) {
        Rng rng = Rng.seeded(seed);
        byte[] b = new byte[shape.numel()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) rng.nextInt(2);
        }
        return Mask.of(Tensor.ofBytes(b, shape.dims()));
    }

    @Test
    void onesAndZerosCountEveryElement() {
        Shape s = Shape.of(3, 5);
        Mask ones = Mask.ones(s);
        Mask zeros = Mask.zeros(s);
        assertEquals(15, ones.numel());
        assertEquals(15, ones.keptCount());
        assertEquals(1.0, ones.density());
        assertEquals(0.0, ones.sparsity());
        assertEquals(0, zeros.keptCount());
        assertEquals(1.0, zeros.sparsity());
        assertEquals(s, zeros.shape());
        assertEquals(1.0, Mask.zeros(Shape.of(0, 4)).density(), "an empty mask prunes nothing");
    }

    @Test
    void fromKeptIndicesKeepsExactlyThoseIndices() {
        Mask m = Mask.fromKeptIndices(Shape.of(2, 4), new int[] {6, 1, 3});
        assertEquals(3, m.keptCount());
        assertEquals(0.375, m.density());
        assertArrayEquals(new int[] {1, 3, 6}, m.keptIndices(), "ascending, whatever the input order");
        for (int i = 0; i < 8; i++) {
            assertEquals(i == 1 || i == 3 || i == 6, m.isKept(i), "index " + i);
        }
        assertArrayEquals(new float[] {0, 1, 0, 1, 0, 0, 1, 0}, m.toF32().toFloatArray());
    }

    @Test
    void fromKeptIndicesRejectsOutOfRangeAndRepeatedIndices() {
        var e = assertThrows(IllegalArgumentException.class, () -> Mask.fromKeptIndices(Shape.of(2, 2), new int[] {0, 4}));
        assertEquals("Mask.fromKeptIndices: index 4 (position 1) is outside [0, 4) for shape [2, 2]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Mask.fromKeptIndices(Shape.of(2, 2), new int[] {2, -1}));
        assertTrue(e.getMessage().contains("index -1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Mask.fromKeptIndices(Shape.of(5), new int[] {3, 1, 3}));
        assertEquals("Mask.fromKeptIndices: index 3 appears twice (again at position 2) for shape [5]", e.getMessage());
    }

    @Test
    void isKeptRejectsIndicesOutsideTheShape() {
        var e = assertThrows(IndexOutOfBoundsException.class, () -> Mask.ones(Shape.of(2, 3)).isKept(6));
        assertEquals("Mask.isKept: index 6 is outside [0, 6) for shape [2, 3]", e.getMessage());
    }

    @Test
    void ofAcceptsZeroOneTensorsOfEveryMaskDtype() {
        Mask expected = Mask.fromKeptIndices(Shape.of(2, 2), new int[] {0, 3});
        assertEquals(expected, Mask.of(Tensor.ofBytes(new byte[] {1, 0, 0, 1}, 2, 2)));
        assertEquals(expected, Mask.of(Tensor.ofInts(new int[] {1, 0, 0, 1}, 2, 2)));
        assertEquals(expected, Mask.of(Tensor.of(new float[] {1, -0f, 0, 1}, 2, 2)), "-0.0 counts as 0");
    }

    @Test
    void ofNamesTheFirstValueThatIsNotZeroOrOne() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Mask.of(Tensor.of(new float[] {1, 0, 0, 0.5f, 2}, 5)));
        assertEquals("Mask.of: value 0.5 at flat index 3 is not 0 or 1 (shape [5], F32)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Mask.of(Tensor.of(new float[] {0, Float.NaN}, 2)));
        assertEquals("Mask.of: value NaN at flat index 1 is not 0 or 1 (shape [2], F32)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Mask.of(Tensor.ofInts(new int[] {0, 1, -1}, 3)));
        assertEquals("Mask.of: value -1 at flat index 2 is not 0 or 1 (shape [3], I32)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Mask.of(Tensor.ofBytes(new byte[] {(byte) 255}, 1, 1)));
        assertEquals("Mask.of: value 255 at flat index 0 is not 0 or 1 (shape [1, 1], U8)", e.getMessage());
    }

    @Test
    void tensorRoundTripsThroughOf() {
        Mask m = coinFlips(Shape.of(3, 7), 11);
        Tensor t = m.tensor();
        assertEquals(DType.U8, t.dtype());
        assertEquals(m.shape(), t.shape());
        assertEquals(m, Mask.of(t));
        assertEquals(m, Mask.of(m.toF32()));
        assertEquals(DType.F32, m.toF32().dtype());
    }

    @Test
    void algebraFollowsTheTruthTables() {
        Shape s = Shape.of(2, 2);
        Mask a = Mask.fromKeptIndices(s, new int[] {0, 1});
        Mask b = Mask.fromKeptIndices(s, new int[] {1, 2});
        assertEquals(Mask.fromKeptIndices(s, new int[] {1}), a.and(b));
        assertEquals(Mask.fromKeptIndices(s, new int[] {0, 1, 2}), a.or(b));
        assertEquals(Mask.fromKeptIndices(s, new int[] {2, 3}), a.not());
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {1, 2, 3})
    void algebraLawsHoldOnRandomMasks(long seed) {
        Shape s = Shape.of(17, 3);
        Mask a = coinFlips(s, seed);
        Mask b = coinFlips(s, seed + 100);
        assertEquals(a.and(b).not(), a.not().or(b.not()), "De Morgan, seed " + seed);
        assertEquals(a, a.not().not());
        assertEquals(Mask.zeros(s), a.and(a.not()));
        assertEquals(Mask.ones(s), a.or(a.not()));
        assertEquals(a.keptCount() + b.keptCount(), a.and(b).keptCount() + a.or(b).keptCount(), "inclusion-exclusion");
        assertEquals(s.numel() - a.keptCount(), a.not().keptCount());
    }

    @Test
    void algebraRejectsMasksOfAnotherShapeNamingBoth() {
        Mask a = Mask.ones(Shape.of(2, 3));
        Mask b = Mask.ones(Shape.of(3, 2));
        var e = assertThrows(ShapeException.class, () -> a.and(b));
        assertEquals("Mask.and: this mask [2, 3] and the other mask [3, 2] must have the same shape", e.getMessage());
        e = assertThrows(ShapeException.class, () -> a.or(b));
        assertTrue(e.getMessage().startsWith("Mask.or: this mask [2, 3] and the other mask [3, 2]"), e.getMessage());
    }

    @Test
    void applyZeroesThePrunedElements() {
        Mask m = Mask.fromKeptIndices(Shape.of(2, 3), new int[] {0, 4, 5});
        Tensor w = Tensor.of(new float[] {1, -2, Float.POSITIVE_INFINITY, Float.NaN, 5, -6}, 2, 3);
        assertArrayEquals(new float[] {1, 0, 0, 0, 5, -6}, m.apply(w).toFloatArray(),
                "pruned elements are +0.0, even -2, infinity and NaN");
        assertArrayEquals(new float[] {1, -2, Float.POSITIVE_INFINITY, Float.NaN, 5, -6}, w.toFloatArray(),
                "the input is unchanged");
    }

    @Test
    void applyRejectsAnotherShapeOrDtype() {
        Mask m = Mask.ones(Shape.of(2, 3));
        var e = assertThrows(ShapeException.class, () -> m.apply(Tensor.zeros(3, 2)));
        assertEquals("Mask.apply: value [3, 2] and mask [2, 3] must have the same shape", e.getMessage());
        var d = assertThrows(DTypeException.class, () -> m.apply(Tensor.zeros(DType.I32, 2, 3)));
        assertTrue(d.getMessage().startsWith("Mask.apply: expected F32, got I32"), d.getMessage());
    }

    @Test
    void equalityComparesShapeAndPattern() {
        Mask a = Mask.fromKeptIndices(Shape.of(2, 3), new int[] {1});
        assertEquals(a, Mask.fromKeptIndices(Shape.of(2, 3), new int[] {1}));
        assertEquals(a.hashCode(), Mask.fromKeptIndices(Shape.of(2, 3), new int[] {1}).hashCode());
        assertNotEquals(a, Mask.fromKeptIndices(Shape.of(2, 3), new int[] {2}));
        assertNotEquals(a, Mask.fromKeptIndices(Shape.of(3, 2), new int[] {1}), "same bits, other shape");
        assertFalse(a.equals(a.tensor()));
        assertEquals("Mask[2, 3] kept 1/6 (density 0.1667)", a.toString());
    }
}

package dev.shears.sparse.select;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.sparse.Mask;
import dev.shears.tensor.DType;
import dev.shears.tensor.DTypeException;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Shape;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class TopKTest {
    private static final int[][] SHAPES = {{1}, {7}, {1, 5}, {3, 4}, {17, 20}, {2, 3, 12}, {4, 3, 3, 3}};

    private static float[] scores(Rng rng, int n, boolean ties) {
        return ties ? SelectReference.tied(rng, n) : SelectReference.gaussian(rng, n);
    }

    private static void assertMatchesReference(float[] v, int off, int n, int k, Mask m, String ctx) {
        boolean[] expected = SelectReference.topK(v, off, n, k);
        for (int i = 0; i < n; i++) {
            if (expected[i] != m.isKept(off + i)) {
                throw new AssertionError(ctx + ": flat index " + (off + i) + " (score " + v[off + i] + ") expected "
                        + (expected[i] ? "kept" : "pruned"));
            }
        }
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {10, 11, 12, 13})
    void keepsExactlyTheKHighestOfTheTensor(long seed) {
        Rng rng = Rng.seeded(seed);
        boolean ties = seed % 2 == 0;
        for (int[] dims : SHAPES) {
            Shape s = Shape.of(dims);
            float[] v = scores(rng, s.numel(), ties);
            for (int k : new int[] {0, 1, s.numel() / 2, s.numel() - 1, s.numel()}) {
                if (k < 0) {
                    continue;
                }
                Mask m = TopK.keep(Tensor.of(v, dims), k);
                String ctx = "seed " + seed + " shape " + s + " k " + k;
                assertEquals(s, m.shape(), ctx);
                assertEquals(k, m.keptCount(), ctx);
                assertMatchesReference(v, 0, s.numel(), k, m, ctx);
            }
        }
    }

    @Test
    void equalScoresKeepTheLowerIndexFirst() {
        Tensor s = Tensor.of(new float[] {3, 1, 3, 3, 0, 3}, 6);
        assertArrayEquals(new int[] {0, 2}, TopK.keep(s, 2).keptIndices());
        assertArrayEquals(new int[] {0, 1, 2, 3, 5}, TopK.keep(s, 5).keptIndices());
        assertArrayEquals(new int[] {0, 1, 2}, TopK.keep(Tensor.full(7f, 5), 3).keptIndices(), "all equal");
        assertArrayEquals(new int[] {1}, TopK.keep(Tensor.of(new float[] {-1e-30f, -0f, 0f}, 3), 1).keptIndices(),
                "-0.0 and 0.0 are equal scores, so the lower index wins");
    }

    @Test
    void infinitiesAreOrdinaryScores() {
        Tensor s = Tensor.of(new float[] {Float.NEGATIVE_INFINITY, 2, Float.POSITIVE_INFINITY, -5}, 4);
        assertArrayEquals(new int[] {1, 2}, TopK.keep(s, 2).keptIndices());
        assertArrayEquals(new int[] {1, 2, 3}, TopK.keep(s, 3).keptIndices());
    }

    @Test
    void densityKeepsTheRoundedCount() {
        Tensor s = Tensor.randn(Rng.seeded(5), 4, 5);
        assertEquals(10, TopK.atDensity(s, 0.5).keptCount());
        assertEquals(3, TopK.atDensity(Tensor.randn(Rng.seeded(5), 10), 0.25).keptCount(), "2.5 rounds up");
        assertEquals(2, TopK.atDensity(s, 0.1).keptCount());
        assertEquals(0, TopK.atDensity(s, 0).keptCount());
        assertEquals(20, TopK.atDensity(s, 1).keptCount());
        assertEquals(2, TopK.atDensity(Tensor.randn(Rng.seeded(5), 10), 1 - 0.8).keptCount(),
                "1 - 0.8 is 0.19999999999999996, still 2 of 10");
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {20, 21})
    void keepAmongSelectsOnlyFromTheEligibleElements(long seed) {
        Rng rng = Rng.seeded(seed);
        Shape s = Shape.of(17, 9);
        float[] v = scores(rng, s.numel(), seed == 20);
        Mask among = RandomSelector.atDensity(s, 0.4, rng.split());
        int k = among.keptCount() / 3;
        Mask m = TopK.keep(Tensor.of(v, 17, 9), among, k);
        assertEquals(k, m.keptCount());
        assertEquals(m, m.and(among), "kept elements are eligible");
        // Reference: the eligible scores in index order, top k of them.
        int[] eligible = among.keptIndices();
        float[] sub = new float[eligible.length];
        for (int j = 0; j < sub.length; j++) {
            sub[j] = v[eligible[j]];
        }
        boolean[] expected = SelectReference.topK(sub, 0, sub.length, k);
        for (int j = 0; j < sub.length; j++) {
            assertEquals(expected[j], m.isKept(eligible[j]), "seed " + seed + " eligible index " + eligible[j]);
        }
    }

    @Test
    void pruneAndRegrowKeepTheActiveCount() {
        // GraNet's step: drop r of the active weights by |w|, regrow r inactive ones by |grad|.
        Rng rng = Rng.seeded(31);
        Shape s = Shape.of(12, 20);
        Mask current = RandomSelector.atDensity(s, 0.3, rng.split());
        Tensor w = Tensor.randn(rng.split(), 12, 20);
        Tensor grad = Tensor.randn(rng.split(), 12, 20);
        int r = 10;
        Mask survivors = TopK.keep(w.abs(), current, current.keptCount() - r);
        Mask regrown = TopK.keep(grad.abs(), current.not(), r);
        Mask next = survivors.or(regrown);
        assertEquals(current.keptCount(), next.keptCount());
        assertEquals(Mask.zeros(s), survivors.and(regrown));
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {40, 41})
    void perRowKeepsTheSameCountInEveryRow(long seed) {
        Rng rng = Rng.seeded(seed);
        boolean ties = seed == 40;
        for (int[] dims : SHAPES) {
            Shape s = Shape.of(dims);
            int cols = s.dim(-1);
            int rows = s.numel() / cols;
            float[] v = scores(rng, s.numel(), ties);
            for (int k : new int[] {0, 1, cols / 2, cols}) {
                Mask m = TopK.keepPerRow(Tensor.of(v, dims), k);
                String ctx = "seed " + seed + " shape " + s + " k " + k;
                assertEquals(rows * k, m.keptCount(), ctx);
                for (int r = 0; r < rows; r++) {
                    assertMatchesReference(v, r * cols, cols, k, m, ctx + " row " + r);
                }
            }
        }
    }

    @Test
    void perRowDensityRoundsPerRow() {
        Mask m = TopK.atDensityPerRow(Tensor.randn(Rng.seeded(3), 3, 5), 0.5);
        assertEquals(9, m.keptCount(), "round(2.5) = 3 per row, 3 rows");
    }

    @Test
    void perRowTiesKeepTheLowerColumn() {
        Tensor s = Tensor.of(new float[] {1, 1, 1, 0, 2, 2, 5, 5}, 2, 4);
        assertArrayEquals(new int[] {0, 1, 6, 7}, TopK.keepPerRow(s, 2).keptIndices());
    }

    @Test
    void errorsNameTheOffendingValue() {
        Tensor s = Tensor.of(new float[] {1, 2, Float.NaN, 4, Float.NaN}, 5);
        var e = assertThrows(IllegalArgumentException.class, () -> TopK.keep(s, 2));
        assertEquals("TopK.keep: scores has NaN at flat index 2 (shape [5]); scores must be numbers", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TopK.keepPerRow(s.reshape(1, 5), 1));
        assertTrue(e.getMessage().contains("NaN at flat index 2"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> TopK.keep(Tensor.zeros(2, 3), 7));
        assertEquals("TopK.keep: k = 7 is outside [0, 6] (eligible scores: 6 of 6)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TopK.keepPerRow(Tensor.zeros(2, 3), 4));
        assertEquals("TopK.keepPerRow: k = 4 is outside [0, 3] (per row of 3, shape [2, 3])", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TopK.atDensity(Tensor.zeros(2, 3), 1.5));
        assertEquals("TopK.atDensity: density 1.5 is outside [0, 1]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TopK.atDensity(Tensor.zeros(2, 3), Double.NaN));
        assertTrue(e.getMessage().contains("density NaN"), e.getMessage());

        var d = assertThrows(DTypeException.class, () -> TopK.keep(Tensor.zeros(DType.I32, 4), 1));
        assertTrue(d.getMessage().startsWith("TopK.keep (scores): expected F32, got I32"), d.getMessage());
        var sh = assertThrows(ShapeException.class, () -> TopK.keepPerRow(Tensor.scalar(1f), 1));
        assertEquals("TopK.keepPerRow: scores are a scalar; per-row selection needs rank >= 1", sh.getMessage());
        sh = assertThrows(ShapeException.class, () -> TopK.keep(Tensor.zeros(2, 3), Mask.ones(Shape.of(3, 2)), 1));
        assertEquals("TopK.keep: scores [2, 3] and its mask [3, 2] must have the same shape", sh.getMessage());
    }
}

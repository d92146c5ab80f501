package dev.shears.sparse;

import static dev.shears.sparse.SparseTestData.assertBitwise;
import static dev.shears.sparse.SparseTestData.assertContains;
import static dev.shears.sparse.SparseTestData.assertDense;
import static dev.shears.sparse.SparseTestData.message;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.tensor.DType;
import dev.shears.tensor.DTypeException;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Shape;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SemiStructured24Test {

    static Stream<Arguments> shapes() {
        List<Arguments> cases = new ArrayList<>();
        long seed = 100;
        for (int rows : new int[] {1, 3, 17}) {
            for (int cols : new int[] {4, 12, 20, 36, 100}) {
                for (double sparsity : new double[] {0, 0.5, 1}) {
                    cases.add(Arguments.of(rows, cols, sparsity, seed++));
                }
            }
        }
        return cases.stream();
    }

    /** The kept positions of each group by the definition: the 2 highest scores, lower column first among equals. */
    static boolean[] referenceTopTwo(float[] scores) {
        boolean[] keep = new boolean[scores.length];
        for (int base = 0; base < scores.length; base += 4) {
            List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3));
            int b = base;
            order.sort(Comparator.comparingDouble((Integer p) -> -scores[b + p]).thenComparingInt(p -> p));
            keep[base + order.get(0)] = true;
            keep[base + order.get(1)] = true;
        }
        return keep;
    }

    static float[] keepOnly(float[] w, boolean[] keep) {
        float[] out = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            out[i] = keep[i] ? w[i] : 0f;
        }
        return out;
    }

    /** Checks every invariant of the canonical and kernel layouts against an independent decoding. */
    static void assertWellFormed(SemiStructured24 s, String context) {
        int rows = s.rows();
        int cols = s.cols();
        assertEquals(Shape.of(rows, cols / 2), s.values().shape(), context + ": values shape");
        assertEquals(Shape.of(rows, cols / 4), s.meta().shape(), context + ": meta shape");
        assertEquals(DType.U8, s.meta().dtype(), context);
        assertEquals(rows * cols / 2, s.nnz(), context + ": nnz");
        byte[] meta = s.meta().toByteArray();
        char[] masks = s.laneMasks();
        int perRow = (cols + 15) / 16;
        assertEquals(perRow, s.masksPerRow(), context);
        assertEquals(rows * perRow, masks.length, context + ": lane mask count");
        assertBitwise(s.values().toFloatArray(), s.packedValues(), context + ": packed values");
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < cols / 4; g++) {
                int m = meta[r * (cols / 4) + g] & 0xFF;
                int first = m & 3;
                int second = (m >> 2) & 3;
                assertEquals(0, m >> 4, context + ": upper bits of meta[" + r + ", " + g + "]");
                assertTrue(first < second, context + ": meta[" + r + ", " + g + "] = " + m + " not ascending");
                int c = 4 * g;
                int word = masks[r * perRow + c / 16];
                int nibble = (word >> (c % 16)) & 0xF;
                assertEquals((1 << first) | (1 << second), nibble, context + ": lane mask of row " + r + ", group " + g);
                assertEquals(2, Integer.bitCount(nibble), context + ": exactly 2 of 4 kept");
            }
            int usedBits = cols - 16 * (perRow - 1);
            if (perRow > 0 && usedBits < 16) {
                assertEquals(0, masks[r * perRow + perRow - 1] >>> usedBits, context + ": unused lane bits of row " + r);
            }
        }
    }

    @ParameterizedTest(name = "[{0}, {1}] sparsity {2} seed {3}")
    @MethodSource("shapes")
    void fromDenseKeepsTheTwoLargestMagnitudes(int rows, int cols, double sparsity, long seed) {
        float[] w = SparseTestData.sparseValues(Rng.seeded(seed), rows, cols, sparsity, true);
        float[] magnitudes = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            magnitudes[i] = Math.abs(w[i]);
        }
        SemiStructured24 s = SemiStructured24.fromDense(Tensor.of(w, rows, cols));
        String context = "[" + rows + ", " + cols + "] seed " + seed;
        assertWellFormed(s, context);
        assertDense(keepOnly(w, referenceTopTwo(magnitudes)), rows, cols, s, context);
        assertEquals(0.5, s.density(), 0.0);
    }

    @ParameterizedTest(name = "[{0}, {1}] sparsity {2} seed {3}")
    @MethodSource("shapes")
    void fromDenseWithScoresKeepsTheTwoHighestScores(int rows, int cols, double sparsity, long seed) {
        Rng rng = Rng.seeded(seed);
        float[] w = SparseTestData.sparseValues(rng, rows, cols, sparsity, true);
        float[] scores = SparseTestData.sparseValues(rng, rows, cols, 0.3, false); // negative scores and ties too
        SemiStructured24 s = SemiStructured24.fromDense(Tensor.of(w, rows, cols), Tensor.of(scores, rows, cols));
        String context = "[" + rows + ", " + cols + "] seed " + seed;
        assertWellFormed(s, context);
        assertDense(keepOnly(w, referenceTopTwo(scores)), rows, cols, s, context);
    }

    @ParameterizedTest(name = "[{0}, {1}] sparsity {2} seed {3}")
    @MethodSource("shapes")
    void fromDenseAndMaskKeepsTheMaskAndPadsShortGroupsWithZeros(int rows, int cols, double sparsity, long seed) {
        Rng rng = Rng.seeded(seed);
        float[] w = SparseTestData.sparseValues(rng, rows, cols, sparsity, false);
        byte[] mask = new byte[rows * cols];
        for (int base = 0; base < mask.length; base += 4) {
            int keep = rng.nextInt(3); // 0, 1 or 2 positions per group
            for (int k = 0; k < keep; k++) {
                mask[base + rng.nextInt(4)] = 1; // may hit the same position twice: fewer kept
            }
        }
        SemiStructured24 s = SemiStructured24.fromDenseAndMask(Tensor.of(w, rows, cols), Tensor.ofBytes(mask, rows, cols));
        String context = "[" + rows + ", " + cols + "] seed " + seed;
        assertWellFormed(s, context);
        assertDense(SparseTestData.masked(w, mask), rows, cols, s, context);
        // Padding takes the lowest positions the mask leaves free, so the pattern is the mask plus those.
        byte[] meta = s.meta().toByteArray();
        for (int g = 0; g < meta.length; g++) {
            int expected = 0;
            int kept = 0;
            for (int p = 0; p < 4; p++) {
                if (mask[4 * g + p] != 0) {
                    expected |= 1 << p;
                    kept++;
                }
            }
            for (int p = 0; kept < 2; p++) {
                if ((expected & 1 << p) == 0) {
                    expected |= 1 << p;
                    kept++;
                }
            }
            int m = meta[g];
            assertEquals(expected, (1 << (m & 3)) | (1 << ((m >> 2) & 3)), context + ": group " + g);
        }
    }

    @Test
    void tiesGoToTheLowerColumn() {
        float[] w = {1, -1, 1, 0.5f, 0, 3, -3, 3, 0, 0, 0, 0, 2, 1, 1, 2};
        SemiStructured24 s = SemiStructured24.fromDense(Tensor.of(w, 1, 16));
        assertArrayEquals(new byte[] {0x04, 0x09, 0x04, 0x0C}, s.meta().toByteArray());
        assertArrayEquals(new float[] {1, -1, 3, -3, 0, 0, 2, 2}, s.values().toFloatArray());
        assertArrayEquals(new char[] {(char) 0x9363}, s.laneMasks());
    }

    @Test
    void scoresMayBeInfiniteAndOnlyKeptWeightsMustBeFinite() {
        float[] w = {Float.NaN, 1, 2, Float.POSITIVE_INFINITY};
        float[] scores = {0, Float.POSITIVE_INFINITY, 1, Float.NEGATIVE_INFINITY};
        SemiStructured24 s = SemiStructured24.fromDense(Tensor.of(w, 1, 4), Tensor.of(scores, 1, 4));
        assertArrayEquals(new float[] {0, 1, 2, 0}, s.toDense().toFloatArray());
    }

    @Test
    void lastLaneMaskWordCoversOnlyTheRemainingColumns() {
        float[] w = new float[2 * 20];
        for (int i = 0; i < w.length; i++) {
            w[i] = i % 4 >= 2 ? 1 : 0; // keeps positions 2 and 3 of every group
        }
        SemiStructured24 s = SemiStructured24.fromDense(Tensor.of(w, 2, 20));
        assertEquals(2, s.masksPerRow());
        assertArrayEquals(new char[] {0xCCCC, 0x000C, 0xCCCC, 0x000C}, s.laneMasks());
        assertSame(s.laneMasks(), s.laneMasks(), "cached");
    }

    @Test
    void ofRebuildsTheSameMatrixAndCopiesItsInputs() {
        Rng rng = Rng.seeded(7);
        SemiStructured24 s = SemiStructured24.fromDense(Tensor.randn(rng, 5, 24));
        Tensor values = s.values().copy();
        Tensor meta = s.meta().copy();
        SemiStructured24 t = SemiStructured24.of(values, meta, 24);
        values.fill(0f);
        assertBitwise(s.toDense().toFloatArray(), t.toDense().toFloatArray(), "of");
        assertArrayEquals(s.laneMasks(), t.laneMasks());

        Tensor w = Tensor.randn(rng, 2, 8);
        SemiStructured24 u = SemiStructured24.fromDense(w);
        float[] before = u.toDense().toFloatArray();
        w.fill(5f);
        assertBitwise(before, u.toDense().toFloatArray(), "fromDense copies w");
    }

    @Test
    void withValuesKeepsThePatternAndItsKernelLayout() {
        Rng rng = Rng.seeded(11);
        SemiStructured24 s = SemiStructured24.fromDense(Tensor.randn(rng, 3, 36));
        char[] masks = s.laneMasks();
        Tensor newValues = Tensor.randn(rng, 3, 18);
        SemiStructured24 t = s.withValues(newValues);
        assertSame(s.meta(), t.meta());
        assertSame(masks, t.laneMasks());
        assertBitwise(newValues.toFloatArray(), t.packedValues(), "new values");
        assertWellFormed(t, "withValues");
        float[] dense = t.toDense().toFloatArray();
        float[] old = s.toDense().toFloatArray();
        for (int i = 0; i < dense.length; i++) {
            assertEquals(old[i] == 0, dense[i] == 0, "pattern at " + i); // randn values are never exactly 0
        }
    }

    @Test
    void emptyMatricesAreAllowed() {
        SemiStructured24 noRows = SemiStructured24.fromDense(Tensor.zeros(0, 8));
        assertEquals(0, noRows.nnz());
        assertEquals(Shape.of(0, 8), noRows.toDense().shape());
        SemiStructured24 noCols = SemiStructured24.fromDense(Tensor.zeros(3, 0));
        assertEquals(0, noCols.masksPerRow());
        assertEquals(0.0, noCols.density());
        assertEquals(Shape.of(3, 0), noCols.toDense().shape());
    }

    @Test
    void toStringNamesFormatShapeNnzAndDensity() {
        SemiStructured24 s = SemiStructured24.fromDense(Tensor.ones(4, 8));
        assertEquals("SemiStructured24[4, 8] nnz 16 density 0.5000 cpu", s.toString());
    }

    // ==== validation ============================================================================

    @Test
    void colsMustBeAMultipleOfFour() {
        String m = message(SparseFormatException.class, () -> SemiStructured24.fromDense(Tensor.zeros(64, 30)));
        assertContains(m, "SemiStructured24.fromDense", "cols = 30", "[64, 30]", "pad", "32", "CsrMatrix");
        m = message(SparseFormatException.class,
                () -> SemiStructured24.of(Tensor.zeros(2, 3), Tensor.zeros(DType.U8, 2, 1), 6));
        assertContains(m, "SemiStructured24.of", "cols = 6", "8");
        m = message(ShapeException.class, () -> SemiStructured24.of(Tensor.zeros(2, 3), Tensor.zeros(DType.U8, 2, 1), -4));
        assertContains(m, "cols = -4");
    }

    @Test
    void badMetaBytesAreNamed() {
        Tensor values = Tensor.ones(2, 4);
        byte[][] cases = {{0x04, 0x04, 0x04, 0x14}, {0x04, 0x05, 0x04, 0x04}, {0x04, 0x04, 0x06, 0x04}};
        String[][] expected = {
            {"meta[1, 1] = 0x14", "upper bits 7:4"},
            {"meta[0, 1] = 0x05", "position 1 twice"},
            {"meta[1, 0] = 0x06", "(2, 1) out of order", "0x09"},
        };
        for (int i = 0; i < cases.length; i++) {
            byte[] meta = cases[i];
            String m = message(SparseFormatException.class,
                    () -> SemiStructured24.of(values, Tensor.ofBytes(meta, 2, 2), 8));
            assertContains(m, expected[i]);
        }
    }

    @Test
    void nonFiniteValuesAreNamedWithTheirPosition() {
        float[] v = new float[8];
        v[5] = Float.NaN; // row 1, compressed column 1: group 0's second kept position
        String m = message(SparseFormatException.class,
                () -> SemiStructured24.of(Tensor.of(v, 2, 4), Tensor.ofBytes(new byte[] {4, 4, 0x0D, 4}, 2, 2), 8));
        assertContains(m, "values[5] = NaN", "row 1, column 3", "not finite");

        float[] w = {1, 2, 3, 4, 1, Float.POSITIVE_INFINITY, 0, 0};
        m = message(SparseFormatException.class, () -> SemiStructured24.fromDense(Tensor.of(w, 2, 4)));
        assertContains(m, "w[1, 1] = Infinity", "not finite");
        float[] nan = {1, 2, Float.NaN, 0};
        m = message(SparseFormatException.class, () -> SemiStructured24.fromDense(Tensor.of(nan, 1, 4)));
        assertContains(m, "w[0, 2] = NaN");

        SemiStructured24 s = SemiStructured24.fromDense(Tensor.ones(1, 8));
        float[] bad = {0, 0, 0, Float.NEGATIVE_INFINITY};
        m = message(SparseFormatException.class, () -> s.withValues(Tensor.of(bad, 1, 4)));
        assertContains(m, "SemiStructured24.withValues", "values[3] = -Infinity", "row 0, column 5");
    }

    @Test
    void shapeAndDTypeMismatchesAreNamed() {
        String m = message(ShapeException.class,
                () -> SemiStructured24.of(Tensor.zeros(2, 4), Tensor.zeros(DType.U8, 2, 3), 8));
        assertContains(m, "meta has shape [2, 3]", "[rows, cols/4] = [2, 2]");
        m = message(ShapeException.class, () -> SemiStructured24.of(Tensor.zeros(2, 3), Tensor.zeros(DType.U8, 2, 2), 8));
        assertContains(m, "values has shape [2, 3]", "[rows, cols/2] = [2, 4]");
        m = message(DTypeException.class, () -> SemiStructured24.of(Tensor.zeros(2, 4), Tensor.zeros(2, 2), 8));
        assertContains(m, "meta must be U8, got F32");
        m = message(ShapeException.class, () -> SemiStructured24.fromDense(Tensor.zeros(8)));
        assertContains(m, "w", "rank 2", "[8]");
        m = message(ShapeException.class,
                () -> SemiStructured24.fromDense(Tensor.zeros(2, 8), Tensor.zeros(2, 4)));
        assertContains(m, "scores has shape [2, 4]", "the weight's shape [2, 8]");
        SemiStructured24 s = SemiStructured24.fromDense(Tensor.ones(2, 8));
        m = message(ShapeException.class, () -> s.withValues(Tensor.zeros(2, 8)));
        assertContains(m, "SemiStructured24.withValues", "[2, 8]", "[2, 4]");
        m = message(NullPointerException.class, () -> s.withValues(null));
        assertContains(m, "SemiStructured24.withValues", "values must not be null");
    }

    @Test
    void badScoresAndMasksAreNamed() {
        float[] scores = {1, 2, 3, 4, 5, Float.NaN, 7, 8};
        String m = message(IllegalArgumentException.class,
                () -> SemiStructured24.fromDense(Tensor.ones(1, 8), Tensor.of(scores, 1, 8)));
        assertContains(m, "scores[0, 5] is NaN");

        byte[] three = {1, 1, 0, 0, 0, 1, 1, 1};
        m = message(SparseFormatException.class,
                () -> SemiStructured24.fromDenseAndMask(Tensor.ones(1, 8), Tensor.ofBytes(three, 1, 8)));
        assertContains(m, "keeps 3 of 4", "row 0, group 1", "columns 4..7", "at most 2");

        float[] half = {1, 0.5f, 0, 0};
        m = message(SparseFormatException.class,
                () -> SemiStructured24.fromDenseAndMask(Tensor.ones(1, 4), Tensor.of(half, 1, 4)));
        assertContains(m, "mask[0, 1] = 0.5", "0 (pruned) or 1 (kept)");
        byte[] two = {1, 2, 0, 0};
        m = message(SparseFormatException.class,
                () -> SemiStructured24.fromDenseAndMask(Tensor.ones(1, 4), Tensor.ofBytes(two, 1, 4)));
        assertContains(m, "mask[0, 1] = 2");
        m = message(DTypeException.class,
                () -> SemiStructured24.fromDenseAndMask(Tensor.ones(1, 4), Tensor.ofInts(new int[4], 1, 4)));
        assertContains(m, "mask must be U8 or F32, got I32");
        m = message(ShapeException.class,
                () -> SemiStructured24.fromDenseAndMask(Tensor.ones(1, 4), Tensor.zeros(DType.U8, 1, 8)));
        assertContains(m, "mask has shape [1, 8]", "the weight's shape [1, 4]");
    }
}

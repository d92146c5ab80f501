package dev.shears.sparse;

import static dev.shears.sparse.SparseTestData.assertBitwise;
import static dev.shears.sparse.SparseTestData.assertContains;
import static dev.shears.sparse.SparseTestData.assertDense;
import static dev.shears.sparse.SparseTestData.message;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.shears.tensor.DType;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Shape;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BitmapMatrixTest {

    static Stream<Arguments> shapes() {
        List<Arguments> cases = new ArrayList<>();
        long seed = 500;
        for (int rows : new int[] {1, 3, 17}) {
            for (int cols : new int[] {1, 7, 8, 16, 17, 65, 130}) {
                for (double sparsity : new double[] {0, 0.5, 0.9, 1}) {
                    cases.add(Arguments.of(rows, cols, sparsity, seed++));
                }
            }
        }
        return cases.stream();
    }

    static Tensor ints(int... v) {
        return Tensor.ofInts(v, v.length);
    }

    static Tensor floats(float... v) {
        return Tensor.of(v, v.length);
    }

    static Tensor bitmap(int rows, int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return Tensor.ofBytes(b, rows, b.length / rows);
    }

    /** Checks bitmap, offsets and lane masks against the kept positions {@code keep}, by definition. */
    static void assertStructure(BitmapMatrix m, boolean[] keep, String context) {
        int rows = m.rows();
        int cols = m.cols();
        int perRow = (cols + 7) / 8;
        assertEquals(Shape.of(rows, perRow), m.bitmap().shape(), context);
        byte[] bits = m.bitmap().toByteArray();
        int[] offsets = m.rowOffsets().toIntArray();
        char[] masks = m.laneMasks();
        int words = (cols + 15) / 16;
        assertEquals(words, m.masksPerRow(), context);
        assertEquals(rows * words, masks.length, context);
        assertEquals(0, offsets[0], context);
        for (int r = 0; r < rows; r++) {
            int count = 0;
            for (int c = 0; c < 16 * words; c++) {
                boolean expected = c < cols && keep[r * cols + c];
                if (c < 8 * perRow) {
                    assertEquals(expected, (bits[r * perRow + c / 8] >> (c % 8) & 1) == 1, context + ": bitmap bit " + c);
                }
                assertEquals(expected, (masks[r * words + c / 16] >> (c % 16) & 1) == 1, context + ": lane bit " + c);
                count += expected ? 1 : 0;
            }
            assertEquals(offsets[r] + count, offsets[r + 1], context + ": offsets of row " + r);
        }
        assertArrayEquals(offsets, m.rowOffsetsArray(), context);
        assertBitwise(m.values().toFloatArray(), m.valuesArray(), context);
        assertSame(masks, m.laneMasks(), context + ": cached");
    }

    @ParameterizedTest(name = "[{0}, {1}] sparsity {2} seed {3}")
    @MethodSource("shapes")
    void fromDenseStoresExactlyTheNonZeros(int rows, int cols, double sparsity, long seed) {
        float[] w = SparseTestData.sparseValues(Rng.seeded(seed), rows, cols, sparsity, true);
        BitmapMatrix m = BitmapMatrix.fromDense(Tensor.of(w, rows, cols));
        String context = "[" + rows + ", " + cols + "] seed " + seed;
        assertDense(w, rows, cols, m, context);
        boolean[] keep = new boolean[w.length];
        List<Float> values = new ArrayList<>();
        for (int i = 0; i < w.length; i++) {
            keep[i] = w[i] != 0;
            if (keep[i]) {
                values.add(w[i]);
            }
        }
        float[] expected = new float[values.size()];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = values.get(i);
        }
        assertBitwise(expected, m.valuesArray(), context + ": values row by row, ascending columns");
        assertStructure(m, keep, context);
    }

    @ParameterizedTest(name = "[{0}, {1}] keep {2} seed {3}")
    @MethodSource("shapes")
    void fromDenseAndMaskStoresEveryMaskedPositionZerosIncluded(int rows, int cols, double keep, long seed) {
        Rng rng = Rng.seeded(seed);
        float[] w = SparseTestData.sparseValues(rng, rows, cols, 0.3, false);
        byte[] mask = SparseTestData.randomMask(rng, rows, cols, keep);
        BitmapMatrix m = BitmapMatrix.fromDenseAndMask(Tensor.of(w, rows, cols), Tensor.ofBytes(mask, rows, cols));
        String context = "[" + rows + ", " + cols + "] seed " + seed;
        assertDense(SparseTestData.masked(w, mask), rows, cols, m, context);
        boolean[] kept = new boolean[mask.length];
        for (int i = 0; i < mask.length; i++) {
            kept[i] = mask[i] != 0;
        }
        assertStructure(m, kept, context);
    }

    @Test
    void laneMasksMatchThoseOfTheSame24Pattern() {
        Rng rng = Rng.seeded(21);
        for (int cols : new int[] {4, 20, 36, 100}) {
            SemiStructured24 s = SemiStructured24.fromDense(Tensor.randn(rng, 5, cols));
            Tensor pattern = s.toDense().ne(0f); // randn values are never exactly 0
            BitmapMatrix b = BitmapMatrix.fromDenseAndMask(s.toDense(), pattern);
            assertArrayEquals(s.laneMasks(), b.laneMasks(), "cols " + cols);
            assertBitwise(s.packedValues(), b.valuesArray(), "cols " + cols);
        }
    }

    @Test
    void withValuesKeepsThePatternAndItsKernelLayout() {
        Rng rng = Rng.seeded(9);
        BitmapMatrix m = BitmapMatrix.fromDense(Tensor.of(SparseTestData.sparseValues(rng, 4, 40, 0.6, true), 4, 40));
        char[] masks = m.laneMasks();
        Tensor v = Tensor.randn(rng, m.nnz());
        BitmapMatrix n = m.withValues(v);
        assertSame(m.bitmap(), n.bitmap());
        assertSame(m.rowOffsets(), n.rowOffsets());
        assertSame(masks, n.laneMasks());
        assertBitwise(v.toFloatArray(), n.valuesArray(), "values");
    }

    @Test
    void ofRebuildsTheSameMatrixAndHandlesEmptyOnes() {
        BitmapMatrix m = BitmapMatrix.of(2, 10, bitmap(2, 0b1000_0001, 0b10, 0, 0b01), ints(0, 3, 4), floats(1, 2, 3, 4));
        float[] expected = new float[20];
        expected[0] = 1;
        expected[7] = 2;
        expected[9] = 3;
        expected[18] = 4;
        assertArrayEquals(expected, m.toDense().toFloatArray());
        assertArrayEquals(new char[] {0x0281, 0x0100}, m.laneMasks());
        assertEquals("BitmapMatrix[2, 10] nnz 4 density 0.2000 cpu", m.toString());

        BitmapMatrix noCols = BitmapMatrix.of(2, 0, Tensor.zeros(DType.U8, 2, 0), ints(0, 0, 0), floats());
        assertEquals(Shape.of(2, 0), noCols.toDense().shape());
        assertEquals(0, noCols.laneMasks().length);
        BitmapMatrix noRows = BitmapMatrix.fromDense(Tensor.zeros(0, 9));
        assertEquals(Shape.of(0, 2), noRows.bitmap().shape());
    }

    // ==== validation ============================================================================

    @Test
    void bitsPastTheLastColumnAreRejected() {
        String m = message(SparseFormatException.class,
                () -> BitmapMatrix.of(1, 12, bitmap(1, 0x01, 0x10), ints(0, 2), floats(1, 2)));
        assertContains(m, "BitmapMatrix.of", "bitmap[0, 1] = 0x10", "columns 12..15", "past cols = 12", "must be zero");
    }

    @Test
    void offsetsMustMatchTheBitCounts() {
        String m = message(SparseFormatException.class,
                () -> BitmapMatrix.of(2, 8, bitmap(2, 0b111, 0b1), ints(0, 2, 3), floats(1, 2, 3)));
        assertContains(m, "row 0 has 3 bits set in bitmap", "rowOffsets[1] - rowOffsets[0] = 2 - 0 = 2");
        m = message(SparseFormatException.class,
                () -> BitmapMatrix.of(1, 8, bitmap(1, 0b11), ints(1, 3), floats(1, 2)));
        assertContains(m, "rowOffsets[0] = 1 must be 0");
        m = message(SparseFormatException.class,
                () -> BitmapMatrix.of(1, 8, bitmap(1, 0b11), ints(0, 2), floats(1, 2, 3)));
        assertContains(m, "rowOffsets[1] = 2", "must equal nnz = 3");
        m = message(ShapeException.class, () -> BitmapMatrix.of(1, 9, bitmap(1, 0b11), ints(0, 2), floats(1, 2)));
        assertContains(m, "bitmap has shape [1, 1]", "[rows, ceil(cols/8)] = [1, 2]");
    }

    @Test
    void nonFiniteValuesAreNamedWithTheirPosition() {
        String m = message(SparseFormatException.class,
                () -> BitmapMatrix.of(2, 9, bitmap(2, 0, 0, 0b0101_0000, 0b1), ints(0, 0, 3),
                        floats(1, 2, Float.POSITIVE_INFINITY)));
        assertContains(m, "values[2] = Infinity", "row 1, column 8", "not finite");
        BitmapMatrix ok = BitmapMatrix.fromDense(Tensor.ones(2, 3));
        m = message(SparseFormatException.class, () -> ok.withValues(floats(1, 1, 1, 1, Float.NaN, 1)));
        assertContains(m, "BitmapMatrix.withValues", "values[4] = NaN", "row 1, column 1");
        float[] w = {0, 0, Float.NaN, 1};
        m = message(SparseFormatException.class, () -> BitmapMatrix.fromDense(Tensor.of(w, 2, 2)));
        assertContains(m, "BitmapMatrix.fromDense", "w[1, 0] = NaN");
    }
}

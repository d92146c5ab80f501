package dev.shears.sparse;

import static dev.shears.sparse.SparseTestData.assertBitwise;
import static dev.shears.sparse.SparseTestData.assertContains;
import static dev.shears.sparse.SparseTestData.assertDense;
import static dev.shears.sparse.SparseTestData.message;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.tensor.DTypeException;
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

class CsrMatrixTest {

    /** Unstructured shapes: any cols >= 1, sparsity 0 to 1, every third row empty. */
    static Stream<Arguments> shapes() {
        List<Arguments> cases = new ArrayList<>();
        long seed = 300;
        for (int rows : new int[] {1, 3, 17}) {
            for (int cols : new int[] {1, 7, 16, 65, 130}) {
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

    @ParameterizedTest(name = "[{0}, {1}] sparsity {2} seed {3}")
    @MethodSource("shapes")
    void fromDenseStoresExactlyTheNonZeros(int rows, int cols, double sparsity, long seed) {
        float[] w = SparseTestData.sparseValues(Rng.seeded(seed), rows, cols, sparsity, true);
        CsrMatrix m = CsrMatrix.fromDense(Tensor.of(w, rows, cols));
        String context = "[" + rows + ", " + cols + "] seed " + seed;
        assertDense(w, rows, cols, m, context);
        // The structure by definition: row by row, the columns of the non-zeros in order.
        List<Integer> rowPtr = new ArrayList<>(List.of(0));
        List<Integer> colIdx = new ArrayList<>();
        List<Float> values = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                if (w[r * cols + c] != 0) {
                    colIdx.add(c);
                    values.add(w[r * cols + c]);
                }
            }
            rowPtr.add(colIdx.size());
        }
        assertArrayEquals(rowPtr.stream().mapToInt(Integer::intValue).toArray(), m.rowPtr().toIntArray(), context);
        assertArrayEquals(colIdx.stream().mapToInt(Integer::intValue).toArray(), m.colIdx().toIntArray(), context);
        assertEquals(values.size(), m.nnz(), context);
        assertEquals(values.size() / (double) (rows * cols), m.density(), 1e-12, context);
        assertKernelLayout(m, context);
    }

    @ParameterizedTest(name = "[{0}, {1}] keep {2} seed {3}")
    @MethodSource("shapes")
    void fromDenseAndMaskStoresEveryMaskedPositionZerosIncluded(int rows, int cols, double keep, long seed) {
        Rng rng = Rng.seeded(seed);
        float[] w = SparseTestData.sparseValues(rng, rows, cols, 0.3, false);
        byte[] mask = SparseTestData.randomMask(rng, rows, cols, keep);
        CsrMatrix m = CsrMatrix.fromDenseAndMask(Tensor.of(w, rows, cols), Tensor.ofBytes(mask, rows, cols));
        String context = "[" + rows + ", " + cols + "] seed " + seed;
        assertDense(SparseTestData.masked(w, mask), rows, cols, m, context);
        int kept = 0;
        for (byte b : mask) {
            kept += b;
        }
        assertEquals(kept, m.nnz(), context + ": nnz counts explicit zeros");
        assertKernelLayout(m, context);
    }

    static void assertKernelLayout(CsrMatrix m, String context) {
        assertArrayEquals(m.rowPtr().toIntArray(), m.rowPtrArray(), context);
        assertBitwise(m.values().toFloatArray(), m.valuesArray(), context);
        int[] colIdx = m.colIdx().toIntArray();
        assertArrayEquals(colIdx, m.colIdx32(), context);
        assertTrue(m.hasShortIndices(), context);
        char[] shortIdx = m.colIdx16();
        assertEquals(colIdx.length, shortIdx.length, context);
        for (int i = 0; i < colIdx.length; i++) {
            assertEquals(colIdx[i], shortIdx[i], context + ": colIdx16[" + i + "]");
        }
        assertSame(shortIdx, m.colIdx16(), context + ": cached");
    }

    @Test
    void sixteenBitIndicesReachColumn65535AndWiderMatricesUse32Bits() {
        float[] w = new float[65536];
        w[65535] = 2;
        w[3] = 1;
        CsrMatrix m = CsrMatrix.fromDense(Tensor.of(w, 1, 65536));
        assertTrue(m.hasShortIndices());
        assertArrayEquals(new char[] {3, 65535}, m.colIdx16());

        CsrMatrix wide = CsrMatrix.of(2, 70_000, ints(0, 1, 2), ints(69_999, 65_536), floats(1, 2));
        assertFalse(wide.hasShortIndices());
        assertArrayEquals(new int[] {69_999, 65_536}, wide.colIdx32());
        String msg = message(IllegalStateException.class, wide::colIdx16);
        assertContains(msg, "cols = 70000", "65536", "colIdx32()");
        assertEquals(2f, wide.toDense().toFloatArray()[70_000 + 65_536]);
    }

    @Test
    void withValuesKeepsThePatternAndItsKernelLayout() {
        Rng rng = Rng.seeded(5);
        float[] w = SparseTestData.sparseValues(rng, 6, 33, 0.7, true);
        CsrMatrix m = CsrMatrix.fromDense(Tensor.of(w, 6, 33));
        char[] idx = m.colIdx16();
        Tensor v = Tensor.randn(rng, m.nnz());
        CsrMatrix n = m.withValues(v);
        assertSame(m.rowPtr(), n.rowPtr());
        assertSame(m.colIdx(), n.colIdx());
        assertSame(idx, n.colIdx16());
        assertBitwise(v.toFloatArray(), n.valuesArray(), "values");
        String msg = message(ShapeException.class, () -> m.withValues(Tensor.zeros(m.nnz() + 1)));
        assertContains(msg, "CsrMatrix.withValues", "values has shape [" + (m.nnz() + 1) + "]", "[nnz] = [" + m.nnz() + "]");
    }

    @Test
    void ofCopiesItsInputsAndHandlesEmptyMatrices() {
        Tensor values = floats(1, 2, 3);
        CsrMatrix m = CsrMatrix.of(3, 4, ints(0, 2, 2, 3), ints(0, 3, 1), values);
        values.fill(9f);
        assertArrayEquals(new float[] {1, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0}, m.toDense().toFloatArray());
        assertEquals("CsrMatrix[3, 4] nnz 3 density 0.2500 cpu", m.toString());

        CsrMatrix empty = CsrMatrix.of(0, 5, ints(0), ints(), floats());
        assertEquals(Shape.of(0, 5), empty.toDense().shape());
        assertEquals(0.0, empty.density());
        CsrMatrix noCols = CsrMatrix.fromDense(Tensor.zeros(2, 0));
        assertArrayEquals(new int[] {0, 0, 0}, noCols.rowPtrArray());
    }

    // ==== validation ============================================================================

    @Test
    void badRowPointersAreNamed() {
        String m = message(SparseFormatException.class, () -> CsrMatrix.of(2, 4, ints(1, 1, 2), ints(0, 1), floats(1, 2)));
        assertContains(m, "CsrMatrix.of", "rowPtr[0] = 1 must be 0");
        m = message(SparseFormatException.class, () -> CsrMatrix.of(3, 4, ints(0, 2, 1, 2), ints(0, 1), floats(1, 2)));
        assertContains(m, "rowPtr decreases at row 1", "rowPtr[2] = 1 < rowPtr[1] = 2");
        m = message(SparseFormatException.class, () -> CsrMatrix.of(2, 4, ints(0, 1, 1), ints(0, 1), floats(1, 2)));
        assertContains(m, "rowPtr[2] = 1", "must equal nnz = 2");
        m = message(ShapeException.class, () -> CsrMatrix.of(3, 4, ints(0, 1, 2), ints(0, 1), floats(1, 2)));
        assertContains(m, "rowPtr has shape [3]", "[rows + 1] = [4]");
        m = message(ShapeException.class, () -> CsrMatrix.of(-1, 4, ints(0), ints(), floats()));
        assertContains(m, "rows = -1");
    }

    @Test
    void badColumnIndicesAreNamed() {
        String m = message(SparseFormatException.class, () -> CsrMatrix.of(2, 4, ints(0, 1, 2), ints(0, 4), floats(1, 2)));
        assertContains(m, "colIdx[1] = 4 (row 1) is out of range [0, 4)");
        m = message(SparseFormatException.class, () -> CsrMatrix.of(1, 4, ints(0, 1), ints(-1), floats(1)));
        assertContains(m, "colIdx[0] = -1 (row 0) is out of range");
        m = message(SparseFormatException.class, () -> CsrMatrix.of(1, 4, ints(0, 2), ints(2, 2), floats(1, 2)));
        assertContains(m, "colIdx[1] = 2 (row 0) follows colIdx[0] = 2", "strictly ascending");
        m = message(SparseFormatException.class, () -> CsrMatrix.of(1, 4, ints(0, 2), ints(3, 1), floats(1, 2)));
        assertContains(m, "colIdx[1] = 1 (row 0) follows colIdx[0] = 3");
        // Descending across a row boundary is fine.
        CsrMatrix.of(2, 4, ints(0, 1, 2), ints(3, 1), floats(1, 2));
    }

    @Test
    void badValuesAndDTypesAreNamed() {
        String m = message(SparseFormatException.class,
                () -> CsrMatrix.of(3, 4, ints(0, 1, 1, 3), ints(2, 0, 3), floats(1, 2, Float.NaN)));
        assertContains(m, "values[2] = NaN", "row 2, column 3", "not finite");
        m = message(ShapeException.class, () -> CsrMatrix.of(1, 4, ints(0, 2), ints(0, 1), floats(1)));
        assertContains(m, "values has shape [1]", "[2]");
        m = message(DTypeException.class, () -> CsrMatrix.of(1, 4, floats(0, 1), ints(0), floats(1)));
        assertContains(m, "rowPtr must be I32, got F32");
        float[] w = {0, 1, 0, Float.NEGATIVE_INFINITY};
        m = message(SparseFormatException.class, () -> CsrMatrix.fromDense(Tensor.of(w, 2, 2)));
        assertContains(m, "CsrMatrix.fromDense", "w[1, 1] = -Infinity");
        float[] nanPruned = {Float.NaN, 1};
        CsrMatrix kept = CsrMatrix.fromDenseAndMask(Tensor.of(nanPruned, 1, 2), Tensor.ofBytes(new byte[] {0, 1}, 1, 2));
        assertEquals(1, kept.nnz(), "a pruned NaN is simply dropped");
    }
}

package dev.shears.sparse;

import static dev.shears.sparse.SparseTestData.assertBitwise;
import static dev.shears.sparse.SparseTestData.assertContains;
import static dev.shears.sparse.SparseTestData.assertDense;
import static dev.shears.sparse.SparseTestData.message;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shears.tensor.DTypeException;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Shape;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BlockDiagonalTest {

    /** A dense n×n matrix, n = nb·b, random inside the diagonal blocks and zero outside. */
    static float[] blockDiagonalDense(Rng rng, int nb, int b) {
        int n = nb * b;
        float[] d = new float[n * n];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                if (r / b == c / b) {
                    d[r * n + c] = (float) rng.nextGaussian();
                }
            }
        }
        return d;
    }

    @ParameterizedTest(name = "{0} blocks of {1} seed {2}")
    @CsvSource({"1, 1, 1", "1, 7, 2", "3, 1, 3", "3, 4, 4", "5, 3, 5", "2, 17, 6"})
    void fromDenseRoundTripsAndLaysBlocksOutRowMajor(int nb, int b, long seed) {
        int n = nb * b;
        float[] d = blockDiagonalDense(Rng.seeded(seed), nb, b);
        BlockDiagonal m = BlockDiagonal.fromDense(Tensor.of(d, n, n), b);
        String context = nb + "×" + b + " seed " + seed;
        assertEquals(nb, m.blockCount(), context);
        assertEquals(b, m.blockSize(), context);
        assertEquals(Shape.of(nb, b, b), m.blocks().shape(), context);
        assertEquals(nb * b * b, m.nnz(), context);
        assertEquals(1.0 / nb, m.density(), 1e-12, context);
        assertDense(d, n, n, m, context);
        float[] blocks = m.blocksArray();
        for (int i = 0; i < nb; i++) {
            for (int r = 0; r < b; r++) {
                for (int c = 0; c < b; c++) {
                    assertEquals(d[(i * b + r) * n + i * b + c], blocks[(i * b + r) * b + c], context);
                }
            }
        }
        assertBitwise(m.blocks().toFloatArray(), blocks, context);
        assertDense(d, n, n, BlockDiagonal.of(m.blocks().copy()), context + ": of");
    }

    @Test
    void identityIsTheIdentity() {
        BlockDiagonal id = BlockDiagonal.identity(3, 4);
        float[] eye = new float[144];
        for (int i = 0; i < 12; i++) {
            eye[i * 12 + i] = 1;
        }
        assertDense(eye, 12, 12, id, "identity");
        assertEquals("BlockDiagonal[12, 12] nnz 48 density 0.3333 cpu blocks 3×4×4", id.toString());
    }

    @Test
    void withValuesKeepsTheBlockStructure() {
        Rng rng = Rng.seeded(3);
        BlockDiagonal id = BlockDiagonal.identity(2, 3);
        Tensor blocks = Tensor.randn(rng, 2, 3, 3);
        BlockDiagonal m = id.withValues(blocks);
        assertBitwise(blocks.toFloatArray(), m.blocksArray(), "blocks");
        blocks.fill(0f);
        assertEquals(Shape.of(6, 6), m.toDense().shape());
        assertEquals(0, Float.compare(1f, id.blocksArray()[0]), "the original is unchanged");
        String msg = message(ShapeException.class, () -> id.withValues(Tensor.zeros(3, 3, 3)));
        assertContains(msg, "BlockDiagonal.withValues", "blocks has shape [3, 3, 3]", "= [2, 3, 3]");
    }

    // ==== validation ============================================================================

    @Test
    void entriesOutsideTheBlocksAreNamed() {
        float[] d = blockDiagonalDense(Rng.seeded(1), 3, 4);
        d[3 * 12 + 9] = 0.5f;
        d[10 * 12 + 0] = 2f;
        String m = message(SparseFormatException.class, () -> BlockDiagonal.fromDense(Tensor.of(d, 12, 12), 4));
        assertContains(m, "BlockDiagonal.fromDense", "square[3, 9] = 0.5", "row 3 is in block 0, column 9 in block 2");
        float[] nan = new float[4];
        nan[3] = Float.NaN;
        m = message(SparseFormatException.class, () -> BlockDiagonal.fromDense(Tensor.of(nan, 2, 2), 1));
        assertContains(m, "square[1, 1] = NaN", "not finite");
    }

    @Test
    void badShapesAreNamed() {
        String m = message(ShapeException.class, () -> BlockDiagonal.fromDense(Tensor.zeros(10, 10), 4));
        assertContains(m, "n = 10", "not a multiple of blockSize = 4");
        m = message(ShapeException.class, () -> BlockDiagonal.fromDense(Tensor.zeros(4, 8), 4));
        assertContains(m, "square has shape [4, 8]", "square");
        m = message(ShapeException.class, () -> BlockDiagonal.fromDense(Tensor.zeros(4, 4), 0));
        assertContains(m, "blockSize = 0");
        m = message(ShapeException.class, () -> BlockDiagonal.of(Tensor.zeros(2, 3, 4)));
        assertContains(m, "blocks has shape [2, 3, 4]", "square blocks");
        m = message(ShapeException.class, () -> BlockDiagonal.of(Tensor.zeros(0, 3, 3)));
        assertContains(m, "blockCount = 0");
        m = message(ShapeException.class, () -> BlockDiagonal.identity(2, -1));
        assertContains(m, "BlockDiagonal.identity", "blockSize = -1");
        m = message(ShapeException.class, () -> BlockDiagonal.of(Tensor.zeros(4, 4)));
        assertContains(m, "rank 3");
        m = message(DTypeException.class, () -> BlockDiagonal.of(Tensor.ofInts(new int[4], 1, 2, 2)));
        assertContains(m, "blocks must be F32, got I32");
    }

    @Test
    void nonFiniteBlockEntriesAreNamedWithTheirPosition() {
        float[] b = new float[2 * 3 * 3];
        b[9 + 5] = Float.NEGATIVE_INFINITY; // block 1, local row 1, local column 2
        String m = message(SparseFormatException.class, () -> BlockDiagonal.of(Tensor.of(b, 2, 3, 3)));
        assertContains(m, "blocks[14] = -Infinity", "block 1, row 4, column 5");
    }
}

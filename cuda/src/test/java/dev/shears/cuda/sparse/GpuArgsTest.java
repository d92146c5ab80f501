package dev.shears.cuda.sparse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.sparse.CsrMatrix;
import dev.shears.sparse.SparseFormatException;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The checks that run before any upload or launch, so they need no GPU. */
class GpuArgsTest {
    @Test
    void badStrideNamesTheStrideAndTheFix() {
        ShapeException e = assertThrows(ShapeException.class, () -> GpuArgs.stride("GpuSemiStructured24.gemm", 100, 128, 8));
        assertEquals("GpuSemiStructured24.gemm: input row stride ldx = 100 must be >= 128 and a multiple of 8"
                + " (pad the input rows with zeros)", e.getMessage());
    }

    @Test
    void emptyBatchIsRejected() {
        ShapeException e = assertThrows(ShapeException.class, () -> GpuArgs.batch("GpuCsr.linear", 0));
        assertTrue(e.getMessage().contains("batch n = 0"), e.getMessage());
    }

    @Test
    void csrWiderThan16BitIndicesIsRejected() {
        CsrMatrix wide = CsrMatrix.fromDense(Tensor.of(new float[65_537], 1, 65_537));
        SparseFormatException e = assertThrows(SparseFormatException.class, () -> GpuCsr.requireShortIndices(wide));
        assertTrue(e.getMessage().contains("cols = 65537"), e.getMessage());
    }

    @Test
    void halfRowsPadsWithZerosAndRounds() {
        short[] rows = HalfRows.pack(GpuHalf.BF16, new float[] {1f, 1.00390625f, -2f, 3f}, 2, 2, 8);
        assertEquals(16, rows.length);
        assertEquals(1f, GpuHalf.BF16.decode(rows[1]), "1 + 2^-8 rounds to even in bf16");
        assertEquals(3f, GpuHalf.BF16.decode(rows[9]));
        assertEquals(0, rows[2] | rows[7] | rows[10] | rows[15]);
    }
}

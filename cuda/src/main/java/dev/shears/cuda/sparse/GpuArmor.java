package dev.shears.cuda.sparse;

import dev.shears.cuda.CudaDevice;
import dev.shears.cuda.DeviceMemory;
import dev.shears.sparse.BlockDiagonal;
import dev.shears.sparse.SemiStructured24;
import dev.shears.sparse.SparseOps;
import dev.shears.tensor.ShapeException;
import java.util.Set;

/**
 * The ARMOR weight {@code A · S · B} on a GPU (A [out, out] and B [in, in] block-diagonal, S 2:4)
 * with the product {@code Y[n, out] = X[n, in] · (A·S·B)ᵀ} ({@code armor.cu}): U = X·Bᵀ as halves,
 * then for n <= 8 one fused pass of the 2:4 core with A's block applied in shared memory, above
 * that the 2:4 GEMM and the block-diagonal product. X is halves {@code [n, ldx]}, {@code ldx >= in};
 * Y fp32 {@code [n, out]}.
 */
public final class GpuArmor implements AutoCloseable {
    /** Block sizes the fused kernel splits into whole 16-row tiles over 8 warps. */
    public static final Set<Integer> BLOCK_SIZES = Set.of(16, 32, 64, 128);

    private final CudaDevice device;
    private final GpuBlockDiagonal a;
    private final GpuSemiStructured24 s;
    private final GpuBlockDiagonal b;

    private GpuArmor(CudaDevice device, GpuBlockDiagonal a, GpuSemiStructured24 s, GpuBlockDiagonal b) {
        this.device = device;
        this.a = a;
        this.s = s;
        this.b = b;
    }

    /**
     * A, S and B rounded to {@code half}, uploaded to {@code device}.
     *
     * @throws ShapeException if the three do not compose ({@link SparseOps#checkArmor}) or the block
     *                        size is not one of {@link #BLOCK_SIZES}
     */
    public static GpuArmor upload(CudaDevice device, BlockDiagonal a, SemiStructured24 s, BlockDiagonal b,
            GpuHalf half) {
        String op = "GpuArmor.upload";
        SparseOps.checkArmor(op, a, s, b);
        if (!BLOCK_SIZES.contains(a.blockSize())) {
            throw new ShapeException(op + ": block size " + a.blockSize() + " is not one of " + BLOCK_SIZES
                    + " (the fused kernel gives each 16-row tile of a block whole warps)");
        }
        return new GpuArmor(device, GpuBlockDiagonal.upload(device, a, half), GpuSemiStructured24.upload(device, s, half),
                GpuBlockDiagonal.upload(device, b, half));
    }

    public int rows() {
        return s.rows();
    }

    public int cols() {
        return s.cols();
    }

    /** {@code Y[n, out] = X[n, in] · (A·S·B)ᵀ}. */
    public void linear(DeviceMemory x, int n, int ldx, DeviceMemory y) {
        String op = "GpuArmor.linear";
        GpuArgs.gridBatch(op, n, GpuBlockDiagonal.MAX_BATCH);
        GpuArgs.linear(op, device, x, n, ldx, cols(), 1, 2, y, rows());
        GpuHalf half = s.half();
        int ldu = s.inputStride();
        int block = a.blockSize();
        // Launches are ordered on the default stream, so the pool may hand U and V out again once closed.
        try (DeviceMemory u = device.allocate(2L * n * ldu)) {
            SparseLaunch.perColumn(device, "armor", "armor_in", half, ldu, n, b.blocks(), x, u, cols(), block, ldx, ldu);
            if (n <= GpuSemiStructured24.GEMV_MAX_BATCH) { // one CTA per diagonal block of A
                SparseLaunch.ctas(device, "armor", "armor", half, rows() / block, a.blocks(), s.values(), s.meta(), u, y,
                        n, ldu, ldu, rows(), block);
                return;
            }
            try (DeviceMemory v = device.allocate(4L * n * rows())) {
                s.gemm(u, n, ldu, v);
                a.linear(v, n, rows(), y);
            }
        }
    }

    @Override
    public void close() {
        a.close();
        s.close();
        b.close();
    }
}

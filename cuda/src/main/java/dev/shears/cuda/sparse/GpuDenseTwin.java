package dev.shears.cuda.sparse;

import dev.shears.cuda.CudaDevice;
import dev.shears.cuda.DeviceMemory;
import dev.shears.cuda.Kernels;
import dev.shears.cuda.Launch;
import jcuda.driver.CUfunction;

/**
 * A dense weight W [rows, cols] padded as {@link Layout24} pads a 2:4 one, with the dense twins of
 * the 2:4 kernels: {@code gemm_twin} (spmm24.cu's tiling on {@code mma.sync}) and
 * {@code gemv_twin} (gemv24.cu's split). Comparing a 2:4 kernel with its twin isolates the sparse
 * gain (kernels.md §4 G2); the operands are those of {@link GpuSemiStructured24}.
 */
public final class GpuDenseTwin implements AutoCloseable {
    static final int SHARED_BYTES = 3 * 32_768;

    private final CudaDevice device;
    private final int rows;
    private final int paddedCols;
    private final GpuHalf half;
    private final DeviceMemory values;

    private GpuDenseTwin(CudaDevice device, int rows, int paddedCols, GpuHalf half, DeviceMemory values) {
        this.device = device;
        this.rows = rows;
        this.paddedCols = paddedCols;
        this.half = half;
        this.values = values;
    }

    /** {@code w [rows, cols]} row-major, rounded to {@code half}, rows padded to 16 and columns to 64 with zeros. */
    public static GpuDenseTwin upload(CudaDevice device, float[] w, int rows, int cols, GpuHalf half) {
        int paddedCols = Layout24.roundUp(cols, Layout24.COL_MULTIPLE);
        short[] padded = new short[Math.multiplyExact(Layout24.roundUp(rows, Layout24.ROW_TILE), paddedCols)];
        short[] packed = HalfRows.pack(half, w, rows, cols, paddedCols);
        System.arraycopy(packed, 0, padded, 0, packed.length);
        return new GpuDenseTwin(device, rows, paddedCols, half, DeviceMemory.upload(device, padded));
    }

    /** The least row stride of X. */
    public int inputStride() {
        return paddedCols;
    }

    /** {@code Y[n, rows] = X · Wᵀ} with the tiled {@code mma.sync} GEMM. */
    public void gemm(DeviceMemory x, int n, int ldx, DeviceMemory y) {
        String op = "GpuDenseTwin.gemm";
        check(op, x, n, ldx, y);
        CUfunction f = Kernels.function(device, "spmm24", half.entry("gemm_twin"));
        GpuSemiStructured24.allowSharedBytes(f, SHARED_BYTES, op);
        Launch.run(f, Math.ceilDiv(rows, GpuSemiStructured24.SPMM_TILE), Math.ceilDiv(n, GpuSemiStructured24.SPMM_TILE),
                1, GpuSemiStructured24.SPMM_THREADS, 1, 1, SHARED_BYTES, values, x, y, rows, n, paddedCols, ldx, rows);
    }

    /** {@code Y[n, rows] = X · Wᵀ}, batch 1..8, with the decode GEMV. */
    public void gemv(DeviceMemory x, int n, int ldx, DeviceMemory y) {
        String op = "GpuDenseTwin.gemv";
        check(op, x, n, ldx, y);
        if (n > GpuSemiStructured24.GEMV_MAX_BATCH) {
            throw new IllegalArgumentException(op + ": batch n = " + n + " exceeds "
                    + GpuSemiStructured24.GEMV_MAX_BATCH + "; use gemm");
        }
        Launch.run(Kernels.function(device, "gemv24", half.entry("gemv_twin")), Layout24.roundUp(rows, 16) / 16, 1, 1,
                256, 1, 1, 0, values, x, y, rows, n, paddedCols, ldx, rows);
    }

    private void check(String op, DeviceMemory x, int n, int ldx, DeviceMemory y) {
        GpuArgs.batch(op, n);
        if (rows == 0) {
            throw new IllegalArgumentException(op + ": the weight has 0 rows");
        }
        GpuArgs.stride(op, ldx, paddedCols, 8);
        GpuArgs.holds(op, "x", x, device, n, ldx, 2);
        GpuArgs.holds(op, "y", y, device, n, rows, 4);
    }

    @Override
    public void close() {
        values.close();
    }
}

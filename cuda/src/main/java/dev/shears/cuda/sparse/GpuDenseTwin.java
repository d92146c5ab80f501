package dev.shears.cuda.sparse;

import dev.shears.cuda.CudaDevice;
import dev.shears.cuda.DeviceMemory;

/**
 * A dense weight W [rows, cols] padded as {@link Layout24} pads a 2:4 one, with the dense twins of
 * the 2:4 kernels: {@code gemm_twin} (spmm24.cu's tiling on {@code mma.sync}) and
 * {@code gemv_twin} (gemv24.cu's split). Comparing a 2:4 kernel with its twin isolates the sparse
 * gain (kernels.md §4 G2); the operands are those of {@link GpuSemiStructured24}.
 */
public final class GpuDenseTwin implements AutoCloseable {
    /** gemm_twin's dynamic shared memory: 3 pipeline stages of 32,768 bytes. */
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
        return new GpuDenseTwin(device, rows, Layout24.roundUp(cols, Layout24.COL_MULTIPLE), half,
                DeviceMemory.upload(device, padded(half, w, rows, cols)));
    }

    /** What {@link #upload} uploads: {@code w} rounded, as {@code [rows rounded up to 16, cols rounded up to 64]}. */
    static short[] padded(GpuHalf half, float[] w, int rows, int cols) {
        int paddedCols = Layout24.roundUp(cols, Layout24.COL_MULTIPLE);
        short[] padded = new short[Math.multiplyExact(Layout24.roundUp(rows, Layout24.ROW_TILE), paddedCols)];
        short[] packed = HalfRows.pack(half, w, rows, cols, paddedCols);
        System.arraycopy(packed, 0, padded, 0, packed.length);
        return padded;
    }

    /** The least row stride of X. */
    public int inputStride() {
        return paddedCols;
    }

    /** {@code Y[n, rows] = X · Wᵀ} with the tiled {@code mma.sync} GEMM. */
    public void gemm(DeviceMemory x, int n, int ldx, DeviceMemory y) {
        String op = "GpuDenseTwin.gemm";
        check(op, x, n, ldx, y);
        SparseLaunch.tiledGemm(device, "gemm_twin", half, op, SHARED_BYTES, rows, n, values, x, y, rows, n, paddedCols,
                ldx, rows);
    }

    /** {@code Y[n, rows] = X · Wᵀ}, batch 1..8, with the decode GEMV. */
    public void gemv(DeviceMemory x, int n, int ldx, DeviceMemory y) {
        String op = "GpuDenseTwin.gemv";
        check(op, x, n, ldx, y);
        if (n > GpuSemiStructured24.GEMV_MAX_BATCH) {
            throw new IllegalArgumentException(op + ": batch n = " + n + " exceeds "
                    + GpuSemiStructured24.GEMV_MAX_BATCH + "; use gemm");
        }
        SparseLaunch.ctas(device, "gemv24", "gemv_twin", half, Math.ceilDiv(rows, SparseLaunch.GEMV_ROWS), values, x, y,
                rows, n, paddedCols, ldx, rows);
    }

    private void check(String op, DeviceMemory x, int n, int ldx, DeviceMemory y) {
        GpuArgs.linear(op, device, x, n, ldx, paddedCols, 8, 2, y, rows);
        if (rows == 0) {
            throw new IllegalArgumentException(op + ": the weight has 0 rows");
        }
    }

    @Override
    public void close() {
        values.close();
    }
}

package dev.shears.cuda.sparse;

import dev.shears.cuda.CudaDevice;
import dev.shears.cuda.DeviceMemory;
import dev.shears.cuda.Kernels;
import dev.shears.cuda.Launch;
import dev.shears.sparse.CsrMatrix;
import dev.shears.sparse.SparseFormatException;

/**
 * A CSR weight W [rows, cols] on a GPU: int32 row pointers, 16-bit column indices and 16-bit
 * values (kernels.md §1.5), with {@code Y[n, rows] = X[n, cols] · Wᵀ} by {@code spmm_csr.cu}
 * (SpMV at n = 1, SpMM above). X is halves {@code [n, ldx]}, {@code ldx >= cols}; Y fp32 {@code [n, rows]}.
 */
public final class GpuCsr implements AutoCloseable {
    private static final int ROWS_PER_CTA = 8;
    private static final int BATCH_PER_CTA = 8;

    private final CudaDevice device;
    private final int rows;
    private final int cols;
    private final GpuHalf half;
    private final DeviceMemory rowPtr;
    private final DeviceMemory colIdx;
    private final DeviceMemory values;

    private GpuCsr(CudaDevice device, CsrMatrix w, GpuHalf half) {
        this.device = device;
        this.rows = w.rows();
        this.cols = w.cols();
        this.half = half;
        char[] idx = w.colIdx16();
        short[] shortIdx = new short[Math.max(1, idx.length)]; // at least one element: no zero-byte uploads
        for (int i = 0; i < idx.length; i++) {
            shortIdx[i] = (short) idx[i];
        }
        float[] v = w.valuesArray();
        short[] halves = new short[Math.max(1, v.length)];
        for (int i = 0; i < v.length; i++) {
            halves[i] = half.encode(v[i]);
        }
        this.rowPtr = DeviceMemory.upload(device, w.rowPtrArray());
        this.colIdx = DeviceMemory.upload(device, shortIdx);
        this.values = DeviceMemory.upload(device, halves);
    }

    /**
     * {@code w} with values rounded to {@code half}, uploaded to {@code device}.
     *
     * @throws SparseFormatException if {@code w.cols() > 65536}: the GPU kernel takes 16-bit column indices
     */
    public static GpuCsr upload(CudaDevice device, CsrMatrix w, GpuHalf half) {
        requireShortIndices(w);
        return new GpuCsr(device, w, half);
    }

    static void requireShortIndices(CsrMatrix w) {
        if (!w.hasShortIndices()) {
            throw new SparseFormatException("GpuCsr.upload: cols = " + w.cols() + " exceeds "
                    + CsrMatrix.MAX_SHORT_INDEX_COLS + "; the GPU CSR kernel takes 16-bit column indices");
        }
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** {@code Y[n, rows] = X[n, cols] · Wᵀ}; a warp per row, 8 batch entries per CTA. */
    public void linear(DeviceMemory x, int n, int ldx, DeviceMemory y) {
        String op = "GpuCsr.linear";
        GpuArgs.batch(op, n);
        GpuArgs.stride(op, ldx, cols, 1);
        GpuArgs.holds(op, "x", x, device, n, ldx, 2);
        GpuArgs.holds(op, "y", y, device, n, rows, 4);
        if (rows == 0) {
            return;
        }
        Launch.run(Kernels.function(device, "spmm_csr", half.entry("spmm_csr")), Math.ceilDiv(rows, ROWS_PER_CTA),
                Math.ceilDiv(n, BATCH_PER_CTA), 1, 32 * ROWS_PER_CTA, 1, 1, 0, rowPtr, colIdx, values, x, y, rows, n,
                ldx, rows);
    }

    @Override
    public void close() {
        rowPtr.close();
        colIdx.close();
        values.close();
    }
}

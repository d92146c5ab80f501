package dev.shears.cuda.sparse;

import dev.shears.cuda.CudaDevice;
import dev.shears.cuda.DeviceMemory;
import dev.shears.sparse.CsrMatrix;
import dev.shears.sparse.SparseFormatException;

/**
 * A CSR weight W [rows, cols] on a GPU: int32 row pointers, 16-bit column indices and 16-bit
 * values (kernels.md §1.5), with {@code Y[n, rows] = X[n, cols] · Wᵀ} by {@code spmm_csr.cu}
 * (SpMV at n = 1, SpMM above). X is halves {@code [n, ldx]}, {@code ldx >= cols}; Y fp32 {@code [n, rows]}.
 */
public final class GpuCsr implements AutoCloseable {
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
        GpuArgs.linear("GpuCsr.linear", device, x, n, ldx, cols, 1, 2, y, rows);
        if (rows == 0) {
            return;
        }
        SparseLaunch.warpPerRow(device, "spmm_csr", half, rows, n, rowPtr, colIdx, values, x, y, rows, n, ldx, rows);
    }

    @Override
    public void close() {
        rowPtr.close();
        colIdx.close();
        values.close();
    }
}

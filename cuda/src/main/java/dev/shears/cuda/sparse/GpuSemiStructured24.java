package dev.shears.cuda.sparse;

import dev.shears.cuda.CudaDevice;
import dev.shears.cuda.DeviceMemory;
import dev.shears.sparse.SemiStructured24;

/**
 * A 2:4 weight W [rows, cols] on a GPU in the {@link Layout24} form, with the sparse tensor-core
 * products of a linear layer: {@code Y[n, rows] = X[n, cols] · Wᵀ}. X is 16-bit halves of W's
 * type, {@code [n, ldx]} row-major with {@code ldx >= inputStride()}, a multiple of 8, and columns
 * cols..ldx-1 zero ({@link HalfRows}); Y is fp32 {@code [n, rows]}. Launches are asynchronous.
 */
public final class GpuSemiStructured24 implements AutoCloseable {
    /** Largest batch of the decode GEMV (the MMA's n = 8). */
    public static final int GEMV_MAX_BATCH = 8;
    /** spmm24.cu's dynamic shared memory: 3 pipeline stages of 25,600 bytes. */
    static final int SPMM_SHARED_BYTES = 3 * 25_600;

    private final CudaDevice device;
    private final int rows;
    private final int cols;
    private final int paddedCols;
    private final GpuHalf half;
    private final DeviceMemory values;
    private final DeviceMemory meta;

    private GpuSemiStructured24(CudaDevice device, Layout24 layout) {
        this.device = device;
        this.rows = layout.rows();
        this.cols = layout.cols();
        this.paddedCols = layout.paddedCols();
        this.half = layout.half();
        this.values = DeviceMemory.upload(device, layout.values());
        this.meta = DeviceMemory.upload(device, layout.meta());
    }

    /** {@code w} with its values rounded to {@code half}, uploaded to {@code device}. */
    public static GpuSemiStructured24 upload(CudaDevice device, SemiStructured24 w, GpuHalf half) {
        return upload(device, Layout24.of(w, half));
    }

    /** An already built layout, uploaded to {@code device}. */
    public static GpuSemiStructured24 upload(CudaDevice device, Layout24 layout) {
        return new GpuSemiStructured24(device, layout);
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public GpuHalf half() {
        return half;
    }

    public CudaDevice device() {
        return device;
    }

    /** The least row stride of X: cols rounded up to 64. */
    public int inputStride() {
        return paddedCols;
    }

    /** {@link #gemv} for {@code n <= 8} (decode), else {@link #gemm}. */
    public void linear(DeviceMemory x, int n, int ldx, DeviceMemory y) {
        if (n <= GEMV_MAX_BATCH) {
            gemv(x, n, ldx, y);
        } else {
            gemm(x, n, ldx, y);
        }
    }

    /** The tiled {@code mma.sp} GEMM ({@code spmm24.cu}), any batch. */
    public void gemm(DeviceMemory x, int n, int ldx, DeviceMemory y) {
        String op = "GpuSemiStructured24.gemm";
        check(op, x, n, ldx, y);
        if (rows == 0) {
            return;
        }
        SparseLaunch.tiledGemm(device, "spmm24", half, op, SPMM_SHARED_BYTES, rows, n, values, meta, x, y, rows, n,
                paddedCols, ldx, rows);
    }

    /** The decode GEMV ({@code gemv24.cu}): one CTA per 16 rows, batch 1..8. */
    public void gemv(DeviceMemory x, int n, int ldx, DeviceMemory y) {
        String op = "GpuSemiStructured24.gemv";
        check(op, x, n, ldx, y);
        if (n > GEMV_MAX_BATCH) {
            throw new IllegalArgumentException(op + ": batch n = " + n + " exceeds " + GEMV_MAX_BATCH
                    + "; use gemm (or linear, which picks it)");
        }
        if (rows == 0) {
            return;
        }
        SparseLaunch.ctas(device, "gemv24", "gemv24", half, Math.ceilDiv(rows, SparseLaunch.GEMV_ROWS), values, meta, x,
                y, rows, n, paddedCols, ldx, rows);
    }

    /** The values and metadata, for kernels that take W as an operand ({@link GpuArmor}). */
    DeviceMemory values() {
        return values;
    }

    DeviceMemory meta() {
        return meta;
    }

    /** X is read as 128-bit (8-half) chunks of whole padded rows, hence the multiple of 8. */
    private void check(String op, DeviceMemory x, int n, int ldx, DeviceMemory y) {
        GpuArgs.linear(op, device, x, n, ldx, paddedCols, 8, 2, y, rows);
    }

    @Override
    public void close() {
        values.close();
        meta.close();
    }
}

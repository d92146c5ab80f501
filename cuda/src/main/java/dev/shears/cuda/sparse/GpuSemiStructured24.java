package dev.shears.cuda.sparse;

import static jcuda.driver.CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES;
import static jcuda.driver.JCudaDriver.cuFuncSetAttribute;

import dev.shears.cuda.CudaDevice;
import dev.shears.cuda.CudaException;
import dev.shears.cuda.DeviceMemory;
import dev.shears.cuda.Kernels;
import dev.shears.cuda.Launch;
import dev.shears.sparse.SemiStructured24;
import jcuda.driver.CUfunction;
import jcuda.driver.CUresult;

/**
 * A 2:4 weight W [rows, cols] on a GPU in the {@link Layout24} form, with the sparse tensor-core
 * products of a linear layer: {@code Y[n, rows] = X[n, cols] · Wᵀ}. X is 16-bit halves of W's
 * type, {@code [n, ldx]} row-major with {@code ldx >= inputStride()}, a multiple of 8, and columns
 * cols..ldx-1 zero ({@link HalfRows}); Y is fp32 {@code [n, rows]}. Launches are asynchronous.
 */
public final class GpuSemiStructured24 implements AutoCloseable {
    /** Largest batch of the decode GEMV (the MMA's n = 8). */
    public static final int GEMV_MAX_BATCH = 8;
    static final int SPMM_TILE = 128;
    static final int SPMM_THREADS = 256;
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
        CUfunction f = Kernels.function(device, "spmm24", half.entry("spmm24"));
        allowSharedBytes(f, SPMM_SHARED_BYTES, op);
        Launch.run(f, Math.ceilDiv(rows, SPMM_TILE), Math.ceilDiv(n, SPMM_TILE), 1, SPMM_THREADS, 1, 1,
                SPMM_SHARED_BYTES, values, meta, x, y, rows, n, paddedCols, ldx, rows);
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
        Launch.run(Kernels.function(device, "gemv24", half.entry("gemv24")), Layout24.roundUp(rows, 16) / 16, 1, 1,
                256, 1, 1, 0, values, meta, x, y, rows, n, paddedCols, ldx, rows);
    }

    /** The values and metadata, for kernels that take W as an operand ({@link GpuArmor}). */
    DeviceMemory values() {
        return values;
    }

    DeviceMemory meta() {
        return meta;
    }

    private void check(String op, DeviceMemory x, int n, int ldx, DeviceMemory y) {
        GpuArgs.batch(op, n);
        GpuArgs.stride(op, ldx, paddedCols, 8);
        GpuArgs.holds(op, "x", x, device, n, ldx, 2);
        GpuArgs.holds(op, "y", y, device, n, rows, 4);
    }

    /** Kernels above 48 KB of dynamic shared memory must opt in, per function. */
    static void allowSharedBytes(CUfunction f, int bytes, String op) {
        int rc = cuFuncSetAttribute(f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes);
        if (rc != CUresult.CUDA_SUCCESS) {
            throw new CudaException(op + ": cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES, " + bytes + ") failed: "
                    + CUresult.stringFor(rc));
        }
    }

    @Override
    public void close() {
        values.close();
        meta.close();
    }
}

package dev.shears.cuda.sparse;

import static jcuda.driver.CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES;
import static jcuda.driver.JCudaDriver.cuFuncSetAttribute;

import dev.shears.cuda.CudaDevice;
import dev.shears.cuda.CudaException;
import dev.shears.cuda.Kernels;
import dev.shears.cuda.Launch;
import jcuda.driver.CUfunction;
import jcuda.driver.CUresult;

/**
 * The launch shapes of the sparse kernels, one per CTA layout; each mirrors the {@code Launch:}
 * comment above the kernel's entry points. An entry is {@code <kernel>_<half suffix>}, e.g.
 * {@code spmm24_bf16}. Every CTA is 8 warps.
 */
final class SparseLaunch {
    static final int THREADS = 256;
    /** spmm_csr.cu and spmm_bitmap.cu: a warp per row, so WARPS rows and BATCH batch entries per CTA. */
    static final int WARP_ROWS = 8;
    static final int WARP_BATCH = 8;
    /** spmm24.cu's output tile, BM = BN. */
    static final int GEMM_TILE = 128;
    /** gemv24.cu and armor.cu: one CTA per tile of this many rows (the MMA's m = 16). */
    static final int GEMV_ROWS = 16;

    private SparseLaunch() {}

    static CUfunction kernel(CudaDevice device, String module, String kernel, GpuHalf half) {
        return Kernels.function(device, module, half.entry(kernel));
    }

    /** A warp per output row: grid (ceil(rows / 8), ceil(n / 8)). */
    static void warpPerRow(CudaDevice device, String module, GpuHalf half, int rows, int n, Object... args) {
        Launch.run(kernel(device, module, module, half), Math.ceilDiv(rows, WARP_ROWS), Math.ceilDiv(n, WARP_BATCH), 1,
                THREADS, 1, 1, 0, args);
    }

    /** A thread per output column, the grid's y over the batch: grid (ceil(cols / 256), n). */
    static void perColumn(CudaDevice device, String module, String kernel, GpuHalf half, int cols, int n,
            Object... args) {
        Launch.run(kernel(device, module, kernel, half), Math.ceilDiv(cols, THREADS), n, 1, THREADS, 1, 1, 0, args);
    }

    /** spmm24.cu's tiled GEMMs: grid (ceil(rows / 128), ceil(n / 128)) with {@code sharedBytes} of dynamic shared memory. */
    static void tiledGemm(CudaDevice device, String kernel, GpuHalf half, String op, int sharedBytes, int rows, int n,
            Object... args) {
        CUfunction f = kernel(device, "spmm24", kernel, half);
        allowSharedBytes(f, sharedBytes, op);
        Launch.run(f, Math.ceilDiv(rows, GEMM_TILE), Math.ceilDiv(n, GEMM_TILE), 1, THREADS, 1, 1, sharedBytes, args);
    }

    /** {@code ctas} CTAs of 8 warps, no dynamic shared memory (gemv24.cu, armor.cu). */
    static void ctas(CudaDevice device, String module, String kernel, GpuHalf half, int ctas, Object... args) {
        Launch.run(kernel(device, module, kernel, half), ctas, 1, 1, THREADS, 1, 1, 0, args);
    }

    /**
     * Kernels above 48 KB of dynamic shared memory must opt in, per function; setting it again is
     * harmless, so it is done before every launch rather than tracked.
     */
    static void allowSharedBytes(CUfunction f, int bytes, String op) {
        int rc = cuFuncSetAttribute(f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes);
        if (rc != CUresult.CUDA_SUCCESS) {
            throw new CudaException(op + ": cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES, " + bytes + ") failed: "
                    + CUresult.stringFor(rc));
        }
    }
}

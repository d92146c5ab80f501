package dev.shears.cuda;

import static jcuda.driver.JCudaDriver.cuFuncSetAttribute;

import dev.shears.tensor.DType;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;

/**
 * The dense GEMM kernels of {@code gemm.cu} on raw device memory, for the backend and the GPU
 * benchmark: the tensor-core {@code C = A·Bᵀ} with F16 or BF16 inputs and F32 accumulation, and
 * the F32 tiled kernel.
 */
public final class CudaGemm {
    /** Tile sizes and pipeline depth of hgemm_nt_* (gemm.cu). */
    private static final int HG_BM = 128;
    private static final int HG_BN = 256;
    private static final int HG_BK = 32;
    private static final int HG_STAGES = 4;
    private static final int HG_THREADS = 256;
    private static final int HG_SHARED = HG_STAGES * (HG_BM + HG_BN) * HG_BK * 2;
    private static final int SG_TILE = 64;

    private CudaGemm() {}

    /**
     * {@code c[m, n] (F32) = a[m, k] · b[n, k]ᵀ}, a and b row-major {@code dtype} (F16 or BF16), on
     * the tensor cores (mma.sync m16n8k16, F32 accumulation). Asynchronous.
     *
     * @throws IllegalArgumentException if k is not a multiple of 8, a buffer is too small, or dtype is not 16-bit
     */
    public static void tensorCoreNt(CudaDevice device, DType dtype, DeviceMemory a, DeviceMemory b, DeviceMemory c,
                                    int m, int n, int k) {
        String entry = switch (dtype) {
            case F16 -> "hgemm_nt_f16";
            case BF16 -> "hgemm_nt_bf16";
            default -> throw new IllegalArgumentException("CudaGemm.tensorCoreNt: dtype " + dtype
                    + " is not F16 or BF16");
        };
        if (m <= 0 || n <= 0 || k <= 0 || k % 8 != 0) {
            throw new IllegalArgumentException("CudaGemm.tensorCoreNt: m = " + m + ", n = " + n + ", k = " + k
                    + " must be positive with k a multiple of 8 (16-byte rows)");
        }
        requireBytes("a", a, 2L * m * k);
        requireBytes("b", b, 2L * n * k);
        requireBytes("c", c, 4L * m * n);
        CUfunction f = Kernels.function(device, "gemm", entry);
        // 96 KiB of dynamic shared memory is above the default 48 KiB limit; setting it is idempotent.
        CudaException.check(cuFuncSetAttribute(f, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                HG_SHARED), "cuFuncSetAttribute(gemm." + entry + ", " + HG_SHARED + " B shared)");
        Launch.run(f, ceilDiv(n, HG_BN), ceilDiv(m, HG_BM), 1, HG_THREADS, 1, 1, HG_SHARED, a, b, c, m, n, k);
    }

    /**
     * Batched F32 {@code C[i] = A[i]·B[i]} for strided operands: element (i, r, p) of A at
     * {@code aOff + i·sab + r·sam + p·sak} (likewise B), C contiguous [batch, m, n]. Asynchronous.
     */
    static void sgemm(CudaDevice device, CudaStorage a, int aOff, int sab, int sam, int sak, CudaStorage b, int bOff,
                      int sbb, int sbk, int sbn, CudaStorage c, int batch, int m, int n, int k) {
        CUfunction f = Kernels.function(device, "gemm", "sgemm_f32");
        Launch.run(f, ceilDiv(n, SG_TILE), ceilDiv(m, SG_TILE), Math.min(batch, 65535), 256, 1, 1, 0,
                a, aOff, sab, sam, sak, b, bOff, sbb, sbk, sbn, c, batch, m, n, k);
    }

    /** {@code c[m, n] = a[m, k] · b[k, n]}, all row-major F32 (the benchmark's F32 baseline). Asynchronous. */
    public static void sgemm(CudaDevice device, DeviceMemory a, DeviceMemory b, DeviceMemory c, int m, int n, int k) {
        requireBytes("a", a, 4L * m * k);
        requireBytes("b", b, 4L * k * n);
        requireBytes("c", c, 4L * m * n);
        CUfunction f = Kernels.function(device, "gemm", "sgemm_f32");
        Launch.run(f, ceilDiv(n, SG_TILE), ceilDiv(m, SG_TILE), 1, 256, 1, 1, 0,
                a, 0, 0, k, 1, b, 0, 0, n, 1, c, 1, m, n, k);
    }

    private static void requireBytes(String name, DeviceMemory mem, long needed) {
        if (mem.bytes() < needed) {
            throw new IllegalArgumentException("CudaGemm: " + name + " holds " + mem.bytes() + " bytes, needs "
                    + needed);
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}

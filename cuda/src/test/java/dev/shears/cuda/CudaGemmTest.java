package dev.shears.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.tensor.DType;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The tensor-core and F32 GEMM entry points of {@link CudaGemm} against a double-precision
 * product of the same (rounded) inputs, at awkward sizes (1, primes, non-multiples of the 128×256
 * tile and of 16/32), and raw device memory round trips.
 */
@Tag("gpu")
class CudaGemmTest {
    private CudaDevice gpu;

    @BeforeEach
    void requireGpu() {
        Assumptions.assumeTrue(CudaProbe.available(), () -> "no usable CUDA device: " + CudaProbe.reason());
        gpu = CudaDevice.get(0);
    }

    @Test
    void memoryRoundTripsEveryElementType() {
        float[] f = {1.5f, -0f, Float.NaN, Float.MIN_VALUE, 3e38f};
        int[] i = {Integer.MIN_VALUE, -1, 0, 7};
        short[] s = {(short) 0x8000, 1, 0x7fff};
        byte[] b = {-128, 0, 127};
        float[] f2 = new float[f.length];
        int[] i2 = new int[i.length];
        short[] s2 = new short[s.length];
        byte[] b2 = new byte[b.length];
        DeviceMemory.upload(gpu, f).download(f2);
        DeviceMemory.upload(gpu, i).download(i2);
        DeviceMemory.upload(gpu, s).download(s2);
        DeviceMemory.upload(gpu, b).download(b2);
        assertArrayEquals(f, f2);
        assertArrayEquals(i, i2);
        assertArrayEquals(s, s2);
        assertArrayEquals(b, b2);
    }

    @ParameterizedTest(name = "{0}: m={1} n={2} k={3}, seed=81")
    @CsvSource({"F16, 1, 1, 8", "F16, 7, 13, 24", "F16, 129, 257, 40", "F16, 300, 520, 1000", "BF16, 1, 300, 8",
            "BF16, 131, 17, 136", "BF16, 256, 512, 512"})
    void tensorCoreProductMatchesDoubleReference(DType dtype, int m, int n, int k) {
        SplittableRandom rnd = new SplittableRandom(81);
        short[] a = halves(dtype, rnd, m * k);
        short[] b = halves(dtype, rnd, n * k);
        DeviceMemory c = gpu.allocate(4L * m * n);
        CudaGemm.tensorCoreNt(gpu, dtype, DeviceMemory.upload(gpu, a), DeviceMemory.upload(gpu, b), c, m, n, k);
        assertMatchesDoubleReference(dtype + " m=" + m + " n=" + n + " k=" + k + " seed=81", c, m, n, k,
                (r, j, p) -> (double) toFloat(dtype, a[r * k + p]) * toFloat(dtype, b[j * k + p]));
    }

    @Test
    void f32ProductMatchesDoubleReference() {
        int m = 67;
        int n = 33;
        int k = 129;
        SplittableRandom rnd = new SplittableRandom(82);
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) rnd.nextGaussian();
        }
        DeviceMemory c = gpu.allocate(4L * m * n);
        CudaGemm.sgemm(gpu, DeviceMemory.upload(gpu, a), DeviceMemory.upload(gpu, b), c, m, n, k);
        assertMatchesDoubleReference("F32 seed=82", c, m, n, k, (r, j, p) -> (double) a[r * k + p] * b[p * n + j]);
    }

    /** The term A(r, p)·B(p, j) of C[r, j], in double. */
    private interface Term {
        double at(int r, int j, int p);
    }

    /**
     * Every C[r, j] of {@code c [m, n]} (downloaded) equals Σ_p term(r, j, p) in double within
     * 2(k+2)u·Σ|terms|, the bound of F32 accumulation of exactly representable products.
     */
    private static void assertMatchesDoubleReference(String what, DeviceMemory c, int m, int n, int k, Term term) {
        float[] got = new float[m * n];
        c.download(got);
        for (int r = 0; r < m; r++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                double abs = 0;
                for (int p = 0; p < k; p++) {
                    double t = term.at(r, j, p);
                    sum += t;
                    abs += Math.abs(t);
                }
                int row = r;
                int col = j;
                assertEquals(sum, got[r * n + j], 2 * (k + 2) * 0x1p-24 * abs + 1e-30,
                        () -> what + ": C[" + row + ", " + col + "]");
            }
        }
    }

    @Test
    void kMustBeAMultipleOf8() {
        DeviceMemory x = gpu.allocate(1024);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CudaGemm.tensorCoreNt(gpu, DType.F16, x, x, x, 4, 4, 12));
        assertTrue(e.getMessage().contains("k = 12"), e.getMessage());
    }

    private static short[] halves(DType dtype, SplittableRandom rnd, int n) {
        short[] h = new short[n];
        for (int i = 0; i < n; i++) {
            float v = (float) rnd.nextGaussian();
            h[i] = dtype == DType.F16 ? Float.floatToFloat16(v) : (short) (Float.floatToRawIntBits(v) >>> 16);
        }
        return h;
    }

    private static float toFloat(DType dtype, short h) {
        return dtype == DType.F16 ? Float.float16ToFloat(h) : Float.intBitsToFloat((h & 0xffff) << 16);
    }
}

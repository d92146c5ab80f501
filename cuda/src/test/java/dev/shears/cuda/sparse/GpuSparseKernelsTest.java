package dev.shears.cuda.sparse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shears.cuda.CudaDevice;
import dev.shears.cuda.DeviceMemory;
import dev.shears.sparse.BitmapMatrix;
import dev.shears.sparse.BlockDiagonal;
import dev.shears.sparse.CsrMatrix;
import dev.shears.sparse.SemiStructured24;
import dev.shears.sparse.cpu.ArmorKernel;
import dev.shears.sparse.cpu.BlockDiagMatmulKernel;
import dev.shears.sparse.cpu.Spmm24Kernel;
import dev.shears.sparse.cpu.SpmmBitmapKernel;
import dev.shears.sparse.cpu.SpmmCsrKernel;
import dev.shears.tensor.Backends;
import dev.shears.tensor.Device;
import dev.shears.tensor.Tensor;
import dev.shears.tensor.spi.Availability;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The sparse GPU kernels against the CPU kernels of {@code dev.shears.sparse.cpu} on random inputs
 * of awkward sizes. Both sides see the same 16-bit-rounded inputs and accumulate in fp32, so they
 * differ only by summation order (ARMOR also rounds its intermediate U to 16 bits on the GPU).
 * Without a usable GPU every test is skipped with the probe's reason.
 */
@Tag("gpu")
class GpuSparseKernelsTest {
    private static CudaDevice device;

    /** Per test, so that each reports itself skipped with the reason. */
    @BeforeEach
    void requireGpu() {
        Availability a = Backends.availability(Device.Kind.CUDA);
        assumeTrue(a.ok(), () -> "no usable CUDA device: " + a.reason());
        device = CudaDevice.get(0);
    }

    static Stream<Arguments> sizes() {
        return Stream.of(Arguments.of(1, 4, 1), Arguments.of(7, 28, 2), Arguments.of(17, 36, 5),
                Arguments.of(33, 100, 8), Arguments.of(33, 100, 9), Arguments.of(130, 260, 131),
                Arguments.of(257, 1028, 17));
    }

    @ParameterizedTest(name = "M {0}, K {1}, N {2}")
    @MethodSource("sizes")
    void spmm24MatchesTheCpuWithAPatternPerRowAndGroup(int m, int k, int n) {
        for (GpuHalf h : GpuHalf.values()) {
            SemiStructured24 w = rounded(Fixtures.random24(m, k, 101L * m + k), h);
            float[] x = round(Fixtures.uniform(n * k, n), h);
            float[] expected = new float[n * m];
            Spmm24Kernel.run(n, m, k, w.packedValues(), w.laneMasks(), x, 0, expected, 0, false);
            try (GpuSemiStructured24 g = GpuSemiStructured24.upload(device, w, h);
                    DeviceMemory dx = HalfRows.upload(device, h, x, n, k, g.inputStride())) {
                assertClose(expected, gemm(g, dx, n, m, true), k, h + " spmm24");
                if (n <= GpuSemiStructured24.GEMV_MAX_BATCH) {
                    assertClose(expected, gemm(g, dx, n, m, false), k, h + " gemv24");
                }
            }
        }
    }

    @ParameterizedTest(name = "M {0}, K {1}, N {2}")
    @MethodSource("sizes")
    void denseTwinsMatchTheCpu(int m, int k, int n) {
        GpuHalf h = GpuHalf.F16;
        float[] w = round(Fixtures.uniform(m * k, 5), h);
        float[] x = round(Fixtures.uniform(n * k, 6), h);
        float[] expected = new float[n * m];
        SpmmCsrKernel.reference(n, m, k, denseRowPtr(m, k), denseColIdx(m, k), w, x, 0, expected, 0, false);
        try (GpuDenseTwin g = GpuDenseTwin.upload(device, w, m, k, h);
                DeviceMemory dx = HalfRows.upload(device, h, x, n, k, g.inputStride());
                DeviceMemory y = device.allocate(4L * n * m)) {
            g.gemm(dx, n, g.inputStride(), y);
            assertClose(expected, download(y, n * m), k, "gemm_twin");
            if (n <= GpuSemiStructured24.GEMV_MAX_BATCH) {
                g.gemv(dx, n, g.inputStride(), y);
                assertClose(expected, download(y, n * m), k, "gemv_twin");
            }
        }
    }

    @ParameterizedTest(name = "M {0}, K {1}, N {2}")
    @MethodSource("sizes")
    void csrAndBitmapMatchTheCpu(int m, int k, int n) {
        for (double sparsity : new double[] {0.0, 0.5, 0.9, 1.0}) {
            GpuHalf h = GpuHalf.F16;
            float[] dense = round(BitmapLayoutTest.randomBitmap(m, k, sparsity, 3).toDense().toFloatArray(), h);
            float[] x = round(Fixtures.uniform(n * k, 9), h);
            CsrMatrix csr = CsrMatrix.fromDense(Tensor.of(dense, m, k));
            BitmapMatrix bitmap = BitmapMatrix.fromDense(Tensor.of(dense, m, k));
            float[] expected = new float[n * m];
            SpmmCsrKernel.run(n, m, k, csr.rowPtrArray(), csr.colIdx16(), csr.valuesArray(), x, 0, expected, 0, false);
            float[] viaBitmap = new float[n * m];
            SpmmBitmapKernel.run(n, m, k, bitmap.valuesArray(), bitmap.laneMasks(), bitmap.rowOffsetsArray(), x, 0,
                    viaBitmap, 0, false);
            try (GpuCsr gc = GpuCsr.upload(device, csr, h); GpuBitmap gb = GpuBitmap.upload(device, bitmap, h);
                    DeviceMemory dx = HalfRows.upload(device, h, x, n, k, k);
                    DeviceMemory y = device.allocate(4L * n * m)) {
                gc.linear(dx, n, k, y);
                assertClose(expected, download(y, n * m), k, "csr at sparsity " + sparsity);
                gb.linear(dx, n, k, y);
                assertClose(viaBitmap, download(y, n * m), k, "bitmap at sparsity " + sparsity);
            }
        }
    }

    @ParameterizedTest(name = "block {0}, blocks {1}, N {2}")
    @MethodSource("blockCases")
    void blockDiagonalAndArmorMatchTheCpu(int block, int blocks, int n) {
        GpuHalf h = GpuHalf.F16;
        int size = block * blocks;
        int in = block * (blocks + 1); // the core is not square
        BlockDiagonal a = blockDiagonal(blocks, block, h, 1);
        BlockDiagonal b = blockDiagonal(blocks + 1, block, h, 2);
        SemiStructured24 s = rounded(Fixtures.random24(size, in, 4), h);
        float[] x = round(Fixtures.uniform(n * in, 7), h);
        float[] viaA = new float[n * size];
        BlockDiagMatmulKernel.run(n, blocks, block, a.blocksArray(), x, 0, viaA, 0, false);
        float[] viaArmor = new float[n * size];
        ArmorKernel.run(n, size, in, block, a.blocksArray(), s.packedValues(), s.laneMasks(), b.blocksArray(), x, 0,
                viaArmor, 0, false);
        try (GpuBlockDiagonal ga = GpuBlockDiagonal.upload(device, a, h);
                GpuArmor armor = GpuArmor.upload(device, a, s, b, h);
                DeviceMemory fx = DeviceMemory.upload(device, x);
                DeviceMemory hx = HalfRows.upload(device, h, x, n, in, in);
                DeviceMemory y = device.allocate(4L * n * size)) {
            ga.linear(fx, n, in, y);
            assertClose(viaA, download(y, n * size), block, "block-diagonal");
            armor.linear(hx, n, in, y);
            float[] actual = download(y, n * size);
            for (int i = 0; i < actual.length; i++) { // U is rounded to fp16 on the GPU: fp16 tolerance
                assertEquals(viaArmor[i], actual[i], 2e-2 * (1 + Math.abs(viaArmor[i])), "armor at " + i);
            }
        }
    }

    static Stream<Arguments> blockCases() {
        return Stream.of(Arguments.of(16, 3, 1), Arguments.of(32, 2, 3), Arguments.of(32, 5, 8),
                Arguments.of(64, 2, 12), Arguments.of(128, 1, 2));
    }

    @Test
    void gemvRejectsABatchAboveEight() {
        try (GpuSemiStructured24 g = GpuSemiStructured24.upload(device, Fixtures.random24(16, 64, 1), GpuHalf.F16);
                DeviceMemory x = device.allocate(2L * 9 * 64); DeviceMemory y = device.allocate(4L * 9 * 16)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.gemv(x, 9, 64, y));
            assertTrue(e.getMessage().contains("batch n = 9"), e.getMessage());
        }
    }

    private static float[] gemm(GpuSemiStructured24 g, DeviceMemory x, int n, int m, boolean tiled) {
        try (DeviceMemory y = device.allocate(4L * n * m)) {
            if (tiled) {
                g.gemm(x, n, g.inputStride(), y);
            } else {
                g.gemv(x, n, g.inputStride(), y);
            }
            return download(y, n * m);
        }
    }

    private static float[] download(DeviceMemory y, int count) {
        float[] out = new float[count];
        y.download(out);
        return out;
    }

    /** fp32 sums of up to {@code depth} products of values in [-1, 1], in different orders. */
    private static void assertClose(float[] expected, float[] actual, int depth, String what) {
        double atol = 1e-5 * depth;
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], atol + 1e-4 * Math.abs(expected[i]), what + " at " + i);
        }
    }

    private static float[] round(float[] v, GpuHalf h) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = h.round(v[i]);
        }
        return out;
    }

    private static SemiStructured24 rounded(SemiStructured24 w, GpuHalf h) {
        return w.withValues(Tensor.of(round(w.packedValues(), h), w.rows(), w.cols() / 2));
    }

    private static BlockDiagonal blockDiagonal(int count, int size, GpuHalf h, long seed) {
        return BlockDiagonal.of(Tensor.of(round(Fixtures.uniform(count * size * size, seed), h), count, size, size));
    }

    private static int[] denseRowPtr(int m, int k) {
        int[] p = new int[m + 1];
        for (int r = 0; r <= m; r++) {
            p[r] = r * k;
        }
        return p;
    }

    private static int[] denseColIdx(int m, int k) {
        int[] c = new int[m * k];
        for (int i = 0; i < c.length; i++) {
            c[i] = i % k;
        }
        return c;
    }
}

package dev.shears.sparse.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.shears.sparse.cpu.SparseFixture.Expected;
import dev.shears.sparse.cpu.SparseFixture.Weights;
import dev.shears.tensor.Rng;
import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link ArmorKernel}: {@code X · (A · S · B)ᵀ} against its reference and against a dense
 * double-precision product with the composed dense weight, for block sizes 4 to 32, the fused
 * single-row path and batches, on 1-3 threads.
 */
@Tag("kernel")
class ArmorKernelTest {
    private static final int OFFSET = 1;

    @Test
    void blockSizesAndBatches() {
        long seed = 50;
        int[][] shapes = {{4, 8, 12}, {8, 24, 40}, {4, 36, 4}, {32, 64, 96}, {32, 160, 64}};
        for (int[] s : shapes) {
            for (int n : new int[] {1, 3, 20}) {
                check(n, s[1], s[2], s[0], seed % 2 == 0, seed++);
            }
        }
    }

    private static void check(int n, int m, int k, int b, boolean accumulate, long seed) {
        Rng rng = Rng.seeded(seed);
        String context = "ARMOR n=" + n + " m=" + m + " k=" + k + " b=" + b + (accumulate ? " accumulate" : "")
                + " seed " + seed + " (" + Simd.describe() + ")";
        float[] a = SparseFixture.random(m * b, rng);
        float[] bb = SparseFixture.random(k * b, rng);
        Weights s = SparseFixture.semi24(m, k, rng);
        float[] x = SparseFixture.random(OFFSET + n * k, rng);
        float[] y = SparseFixture.random(OFFSET + n * m + 2, rng);
        // The composed weight A·S·B and |A|·|S|·|B| (its error scale) in double.
        double[][] w = compose(m, k, b, a, s.dense, bb);
        double[] wx = SparseFixture.widen(x);
        Expected exact = SparseFixture.product(n, m, k, wx, OFFSET, k, 1, w[0], 0, 1, k, y, OFFSET, accumulate);
        double[] absX = new double[wx.length];
        for (int i = 0; i < wx.length; i++) {
            absX[i] = Math.abs(wx[i]);
        }
        double[] scale = SparseFixture.product(n, m, k, absX, OFFSET, k, 1, w[1], 0, 1, k, y, OFFSET, accumulate).value();
        for (int i = 0; i < scale.length; i++) {
            scale[i] = Math.abs(scale[i]);
        }
        Expected expected = new Expected(exact.value(), scale, k + 2 * b);
        float[] ref = y.clone();
        ArmorKernel.reference(n, m, k, b, a, s.values, s.masks, bb, x, OFFSET, ref, OFFSET, accumulate);
        expected.assertMatches(ref, 1, context + ": reference vs dense double");
        float[] first = null;
        for (int threads = 1; threads <= 3; threads++) {
            float[] got = y.clone();
            Parallel.withThreads(threads, () ->
                    ArmorKernel.run(n, m, k, b, a, s.values, s.masks, bb, x, OFFSET, got, OFFSET, accumulate));
            expected.assertMatches(got, 2, context + ": run on " + threads + " thread(s) vs dense double");
            if (first == null) {
                first = got;
            } else {
                assertArrayEquals(first, got, context + ": " + threads + " threads differ from 1");
            }
        }
    }

    /** {A·S·B, |A|·|S|·|B|} as dense [m, k] doubles, A and B from their blocks. */
    private static double[][] compose(int m, int k, int b, float[] aBlocks, float[] s, float[] bBlocks) {
        double[][] out = {new double[m * k], new double[m * k]};
        for (int sign = 0; sign < 2; sign++) {
            boolean abs = sign == 1;
            double[] as = new double[m * k];
            for (int r = 0; r < m; r++) {
                int blk = r / b;
                for (int c = 0; c < k; c++) {
                    double sum = 0;
                    for (int q = 0; q < b; q++) {
                        double av = aBlocks[blk * b * b + (r % b) * b + q];
                        double sv = s[(blk * b + q) * k + c];
                        sum += abs ? Math.abs(av) * Math.abs(sv) : av * sv;
                    }
                    as[r * k + c] = sum;
                }
            }
            for (int r = 0; r < m; r++) {
                for (int c = 0; c < k; c++) {
                    int blk = c / b;
                    double sum = 0;
                    for (int q = 0; q < b; q++) {
                        double bv = bBlocks[blk * b * b + q * b + (c % b)];
                        double v = as[r * k + blk * b + q];
                        sum += abs ? v * Math.abs(bv) : v * bv;
                    }
                    out[sign][r * k + c] = sum;
                }
            }
        }
        return out;
    }
}

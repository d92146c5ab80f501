package dev.shears.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.tensor.Shape;
import dev.shears.tensor.simd.Simd;
import dev.shears.testing.ArrayAssert;
import dev.shears.testing.AwkwardSizes;
import dev.shears.testing.Operands;
import dev.shears.testing.Reference;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("kernel")
class SoftmaxKernelTest {
    private static final int OFF = 2;

    @FunctionalInterface
    interface Kernel {
        void run(float[] src, int off, int outer, int n, int inner, boolean log, float[] dst, int dstOff);
    }

    private static void check(Kernel kernel, String which, int outer, int n, int inner, boolean log, float[] data, String seed) {
        Shape s = Shape.of(outer, n, inner);
        float[] src = new float[OFF + data.length + 3];
        Arrays.fill(src, Float.NaN);
        System.arraycopy(data, 0, src, OFF, data.length);
        float[] dst = new float[1 + data.length + 1];
        Arrays.fill(dst, -7777.5f);
        kernel.run(src, OFF, outer, n, inner, log, dst, 1);
        String ctx = which + (log ? " logSoftmax " : " softmax ") + s + " seed " + seed + " bits " + Simd.BITS;
        ArrayAssert.assertClose(Reference.softmax(data, s, 1, log), Arrays.copyOfRange(dst, 1, 1 + data.length), 2e-6,
                log ? 2e-6 : 1e-9, ctx);
        assertEquals(-7777.5f, dst[0], ctx + ": wrote before dstOff");
        assertEquals(-7777.5f, dst[dst.length - 1], ctx + ": wrote past the output");
    }

    private static void sweep(Kernel kernel, String which, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (boolean log : new boolean[] {false, true}) {
            for (int n : AwkwardSizes.all()) {
                float[] d = Operands.gaussian(rnd, 2 * n);
                for (int i = 0; i < d.length; i++) {
                    d[i] *= 5;
                }
                check(kernel, which, 2, n, 1, log, d, String.valueOf(seed));
            }
            for (int outer : new int[] {1, 3}) {
                for (int n : AwkwardSizes.small()) {
                    for (int inner : new int[] {2, 7, Simd.LANES + 1}) {
                        check(kernel, which, outer, n, inner, log, Operands.gaussian(rnd, outer * n * inner),
                                String.valueOf(seed));
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {3000, 3001})
    void runMatchesReference(long seed) {
        sweep(SoftmaxKernel::run, "run", seed);
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {3100})
    void referenceMatchesDefinition(long seed) {
        sweep(SoftmaxKernel::reference, "reference", seed);
    }

    @Test
    void largeLogitsStayFinite() {
        SplittableRandom rnd = new SplittableRandom(3200);
        for (int n : new int[] {2, Simd.LANES - 1 > 0 ? Simd.LANES - 1 : 1, Simd.LANES + 1, 4 * Simd.LANES + 3, 257}) {
            for (int inner : new int[] {1, 3}) {
                float[] d = new float[n * inner];
                for (int i = 0; i < d.length; i++) {
                    d[i] = rnd.nextBoolean() ? 1e4f - rnd.nextInt(50) : -1e4f + rnd.nextInt(50);
                }
                for (boolean log : new boolean[] {false, true}) {
                    float[] out = new float[d.length];
                    SoftmaxKernel.run(d, 0, 1, n, inner, log, out, 0);
                    for (float f : out) {
                        assertTrue(Float.isFinite(f), "finite for ±1e4, n " + n + " inner " + inner + " log " + log);
                    }
                    ArrayAssert.assertClose(Reference.softmax(d, Shape.of(1, n, inner), 1, log), out, 1e-6, log ? 1e-3 : 1e-30,
                            "±1e4 logits n " + n + " inner " + inner + " log " + log + " seed 3200");
                }
            }
        }
    }

    @Test
    void nonFiniteRowsFollowTheDefinition() {
        int n = Simd.LANES + 3;
        float[] d = new float[3 * n];
        Arrays.fill(d, 0, n, Float.NEGATIVE_INFINITY); // fully masked row: NaN
        Arrays.fill(d, n, 2 * n, 1f);
        d[n + 2] = Float.NEGATIVE_INFINITY;            // one masked entry: probability 0
        Arrays.fill(d, 2 * n, 3 * n, 2f);
        d[2 * n + n - 1] = Float.NaN;                  // a NaN poisons its row
        float[] out = new float[3 * n];
        SoftmaxKernel.run(d, 0, 3, n, 1, false, out, 0);
        for (int j = 0; j < n; j++) {
            assertTrue(Float.isNaN(out[j]), "all -inf row at " + j);
            assertEquals(j == 2 ? 0f : 1f / (n - 1), out[n + j], 1e-7f, "masked entry row at " + j);
            assertTrue(Float.isNaN(out[2 * n + j]), "NaN row at " + j);
        }
        float[] logOut = new float[3 * n];
        SoftmaxKernel.run(d, 0, 3, n, 1, true, logOut, 0);
        assertEquals(Float.NEGATIVE_INFINITY, logOut[n + 2], "log-probability of a masked entry");
        assertEquals((float) -Math.log(n - 1), logOut[n], 1e-6f);
    }
}

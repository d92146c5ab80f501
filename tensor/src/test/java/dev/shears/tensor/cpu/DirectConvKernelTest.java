package dev.shears.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import dev.shears.testing.ArrayAssert;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("kernel")
class DirectConvKernelTest {

    /** A direct-convolution case: batch, channels in and out, image, window, padding. */
    record Geo(int n, int c, int o, int h, int w, int kh, int kw, int ph, int pw) {
        int outH() {
            return h + 2 * ph - kh + 1;
        }

        int outW() {
            return w + 2 * pw - kw + 1;
        }
    }

    /** LeNet-5's first layer, 1-wide images and windows, odd and prime sizes, rows longer than a vector. */
    private static List<Geo> geometries() {
        int l = Simd.LANES;
        return List.of(
                new Geo(3, 1, 6, 28, 28, 5, 5, 2, 2),
                new Geo(1, 1, 1, 1, 1, 1, 1, 0, 0),
                new Geo(2, 2, 5, 7, 3 * l + 5, 3, 3, 1, 1),
                new Geo(5, 3, 7, 5, 13, 2, 3, 0, 2),
                new Geo(1, 1, 3, 17, 1, 5, 1, 2, 0),
                new Geo(4, 2, 2, 3, 4, 4, 4, 1, 1),
                new Geo(2, 1, 9, 11, l - 1, 1, 5, 0, 2));
    }

    private static float[] random(int n, SplittableRandom rng) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return v;
    }

    @Test
    void forwardMatchesReference() {
        assumeTrue(Simd.ENABLED, "the direct kernel is only taken with SIMD on");
        SplittableRandom rng = new SplittableRandom(31);
        for (int threads : new int[] {1, 2, 3}) {
            for (Geo g : geometries()) {
                int xOff = rng.nextInt(3);
                int wOff = rng.nextInt(3);
                float[] x = random(xOff + g.n * g.c * g.h * g.w, rng);
                float[] wt = random(wOff + g.o * g.c * g.kh * g.kw, rng);
                int yLen = g.n * g.o * g.outH() * g.outW();
                float[] expected = new float[yLen];
                DirectConvKernel.referenceForward(x, xOff, g.n, g.c, g.h, g.w, wt, wOff, g.o, g.kh, g.kw, g.ph, g.pw,
                        expected, 0);
                float[] got = random(yLen, rng); // garbage: every element must be written
                Parallel.withThreads(threads, () -> DirectConvKernel.forward(x, xOff, g.n, g.c, g.h, g.w, wt, wOff, g.o,
                        g.kh, g.kw, g.ph, g.pw, got, 0));
                ArrayAssert.assertClose(expected, got, 1e-5, 1e-5, g + " threads " + threads);
            }
        }
    }

    @Test
    void weightGradientMatchesReferenceAndThreadCounts() {
        assumeTrue(Simd.ENABLED, "the direct kernel is only taken with SIMD on");
        SplittableRandom rng = new SplittableRandom(32);
        for (Geo g : geometries()) {
            float[] x = random(g.n * g.c * g.h * g.w, rng);
            int gyOff = rng.nextInt(3);
            float[] gy = random(gyOff + g.n * g.o * g.outH() * g.outW(), rng);
            int dwLen = g.o * g.c * g.kh * g.kw;
            float[] expected = new float[dwLen];
            DirectConvKernel.referenceWeightGrad(x, 0, g.n, g.c, g.h, g.w, gy, gyOff, g.o, g.kh, g.kw, g.ph, g.pw,
                    expected, 0);
            float[] first = null;
            for (int threads : new int[] {1, 2, 3}) {
                float[] got = random(dwLen, rng);
                Parallel.withThreads(threads, () -> DirectConvKernel.weightGrad(x, 0, g.n, g.c, g.h, g.w, gy, gyOff, g.o,
                        g.kh, g.kw, g.ph, g.pw, got, 0, false));
                ArrayAssert.assertClose(expected, got, 1e-4, 1e-4, g + " threads " + threads);
                if (first == null) {
                    first = got;
                } else {
                    assertArrayEquals(first, got, g + ": results differ between thread counts");
                }
            }
            float[] base = random(dwLen, rng);
            float[] summed = base.clone();
            DirectConvKernel.weightGrad(x, 0, g.n, g.c, g.h, g.w, gy, gyOff, g.o, g.kh, g.kw, g.ph, g.pw, summed, 0, true);
            for (int i = 0; i < dwLen; i++) {
                expected[i] += base[i];
            }
            ArrayAssert.assertClose(expected, summed, 1e-4, 1e-4, g + " accumulate");
        }
    }

    @Test
    void suitsOnlyFewTapsAtUnitStrideAndDilation() {
        assumeTrue(Simd.ENABLED);
        assertTrue(DirectConvKernel.suits(1, 5, 5, 1, 1, 1, 1));
        assertFalse(DirectConvKernel.suits(6, 5, 5, 1, 1, 1, 1), "150 taps go through im2col");
        assertFalse(DirectConvKernel.suits(1, 3, 3, 2, 1, 1, 1), "stride 2");
        assertFalse(DirectConvKernel.suits(1, 3, 3, 1, 1, 1, 2), "dilation 2");
    }

    /** Lanes past the output row meet real inputs: an Inf there must not reach other taps' gradients. */
    @Test
    void infiniteInputOutsideEveryWindowDoesNotPoisonTheGradient() {
        assumeTrue(Simd.ENABLED);
        for (int w : new int[] {6, Simd.LANES + 4}) { // outW = w - 2: part of a vector, the rest past the row
            checkInfOutsideWindows(4, w, 3);
        }
    }

    private static void checkInfOutsideWindows(int h, int w, int kw) {
        float[] x = new float[h * w];
        java.util.Arrays.fill(x, 1f);
        x[w - 1] = Float.POSITIVE_INFINITY; // only the last tap's windows reach the last column
        int outW = w - kw + 1;
        float[] gy = new float[h * outW];
        java.util.Arrays.fill(gy, 1f);
        float[] expected = new float[kw];
        DirectConvKernel.referenceWeightGrad(x, 0, 1, 1, h, w, gy, 0, 1, 1, kw, 0, 0, expected, 0);
        float[] got = new float[kw];
        DirectConvKernel.weightGrad(x, 0, 1, 1, h, w, gy, 0, 1, 1, kw, 0, 0, got, 0, false);
        assertArrayEquals(expected, got, "w " + w + ", reference " + java.util.Arrays.toString(expected));
    }
}

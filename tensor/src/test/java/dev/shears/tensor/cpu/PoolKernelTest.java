package dev.shears.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import dev.shears.testing.ArrayAssert;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("kernel")
class PoolKernelTest {

    /** Pooling geometry; padding at most half the window, as the Tensor layer (and PyTorch) require. */
    record Geo(int n, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw) {
        int outH() {
            return Im2ColKernel.outSize(h, kh, sh, ph, 1);
        }

        int outW() {
            return Im2ColKernel.outSize(w, kw, sw, pw, 1);
        }

        int inLen() {
            return n * c * h * w;
        }

        int outLen() {
            return n * c * outH() * outW();
        }
    }

    private static List<Geo> geometries(long seed) {
        int l = Simd.LANES;
        List<Geo> g = new ArrayList<>(List.of(
                new Geo(1, 1, 1, 1, 1, 1, 1, 1, 0, 0),
                new Geo(2, 3, 8, 8, 2, 2, 2, 2, 0, 0),
                new Geo(1, 2, 7, 9, 2, 2, 2, 2, 0, 0),          // 2x2 fast path, odd sizes drop the last row/column
                new Geo(2, 2, 28, 27, 2, 2, 2, 2, 0, 0),        // 2x2: vectors across row ends, plus a tail
                new Geo(1, 2, 7, l + 1, 3, 3, 2, 2, 1, 1),
                new Geo(1, 1, 17, l - 1, 3, 2, 1, 1, 1, 1),
                new Geo(2, 1, 5, 9, 5, 9, 1, 1, 2, 4),          // window = input, half padding
                new Geo(1, 3, 31, 33, 7, 3, 3, 2, 3, 1),
                new Geo(3, 2, 2, 17, 2, 5, 3, 4, 1, 2)));
        SplittableRandom rng = new SplittableRandom(seed);
        while (g.size() < 40) {
            int kh = 1 + rng.nextInt(4);
            int kw = 1 + rng.nextInt(4);
            Geo c = new Geo(1 + rng.nextInt(2), 1 + rng.nextInt(3), 1 + rng.nextInt(12), 1 + rng.nextInt(2 * l + 3),
                    kh, kw, 1 + rng.nextInt(3), 1 + rng.nextInt(3), rng.nextInt(kh / 2 + 1), rng.nextInt(kw / 2 + 1));
            if (c.outH() >= 1 && c.outW() >= 1) {
                g.add(c);
            }
        }
        return g;
    }

    /** Few distinct values (ties), and with {@code nan} an occasional NaN and -Infinity. */
    private static float[] values(int n, boolean nan, SplittableRandom rng) {
        float[] v = new float[n];
        for (int j = 0; j < n; j++) {
            int r = rng.nextInt(40);
            v[j] = nan && r == 0 ? Float.NaN
                    : nan && r == 1 ? Float.NEGATIVE_INFINITY
                    : r == 2 ? -0.0f
                    : rng.nextInt(7) - 3 + (rng.nextBoolean() ? 0f : 0.5f);
        }
        return v;
    }

    private static float[] randomFloats(int n, SplittableRandom rng) {
        float[] v = new float[n];
        for (int j = 0; j < n; j++) {
            v[j] = (float) (rng.nextDouble() * 2 - 1);
        }
        return v;
    }

    private static void assertBitsEqual(float[] expected, float[] actual, String ctx) {
        assertEquals(expected.length, actual.length, ctx);
        for (int j = 0; j < expected.length; j++) {
            if (Float.floatToRawIntBits(expected[j]) != Float.floatToRawIntBits(actual[j])) {
                throw new AssertionError(ctx + ": at " + j + " expected " + expected[j] + " but was " + actual[j]);
            }
        }
    }

    /** Flat in-plane positions of window (oy, ox) inside the input, in row-major scan order. */
    private static int[] window(Geo g, int oy, int ox) {
        List<Integer> pos = new ArrayList<>();
        for (int y = oy * g.sh - g.ph; y < oy * g.sh - g.ph + g.kh; y++) {
            for (int x = ox * g.sw - g.pw; x < ox * g.sw - g.pw + g.kw; x++) {
                if (y >= 0 && y < g.h && x >= 0 && x < g.w) {
                    pos.add(y * g.w + x);
                }
            }
        }
        return pos.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Naive argmax: the first NaN if any, else the first position holding the window maximum. */
    private static int[] naiveArgmax(Geo g, float[] x) {
        int oh = g.outH();
        int ow = g.outW();
        int[] arg = new int[g.outLen()];
        for (int p = 0; p < g.n * g.c; p++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int[] win = window(g, oy, ox);
                    int chosen = -1;
                    for (int q : win) {
                        if (Float.isNaN(x[p * g.h * g.w + q])) {
                            chosen = q;
                            break;
                        }
                    }
                    if (chosen < 0) {
                        double max = Double.NEGATIVE_INFINITY;
                        for (int q : win) {
                            max = Math.max(max, x[p * g.h * g.w + q]);
                        }
                        for (int q : win) {
                            if (x[p * g.h * g.w + q] == max) {
                                chosen = q;
                                break;
                            }
                        }
                    }
                    arg[(p * oh + oy) * ow + ox] = chosen;
                }
            }
        }
        return arg;
    }

    // ---------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {501, 502, 503})
    void maxPoolMatchesReferenceAndNaiveArgmax(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (Geo g : geometries(seed)) {
            for (boolean nan : new boolean[] {false, true}) {
                String ctx = "seed " + seed + " nan " + nan + " " + g;
                int off = rng.nextInt(3);
                float[] x = values(off + g.inLen(), nan, rng);
                float[] refOut = new float[g.outLen()];
                int[] refArg = new int[g.outLen()];
                PoolKernel.referenceMaxPool2d(x, off, g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw,
                        refOut, refArg);
                float[] out = new float[g.outLen()];
                int[] arg = new int[g.outLen()];
                PoolKernel.maxPool2d(x, off, g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, out, arg);
                assertBitsEqual(refOut, out, ctx);
                assertArrayEquals(refArg, arg, ctx);

                int[] naive = naiveArgmax(g, Arrays.copyOfRange(x, off, off + g.inLen()));
                assertArrayEquals(naive, refArg, ctx + " reference vs naive");
                int planeOut = g.outH() * g.outW();
                for (int o = 0; o < refOut.length; o++) {
                    int p = o / planeOut;
                    assertEquals(Float.floatToRawIntBits(x[off + p * g.h * g.w + naive[o]]),
                            Float.floatToRawIntBits(refOut[o]), ctx + " value at " + o);
                }

                // With output and argmax offsets, and no argmax.
                int outOff = 1 + rng.nextInt(3);
                float[] out2 = new float[outOff + g.outLen()];
                int[] arg2 = new int[outOff + g.outLen()];
                PoolKernel.maxPool2d(x, off, g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, out2, outOff,
                        arg2, outOff);
                assertBitsEqual(refOut, Arrays.copyOfRange(out2, outOff, out2.length), ctx + " offsets");
                assertArrayEquals(refArg, Arrays.copyOfRange(arg2, outOff, arg2.length), ctx + " offsets");
                float[] out3 = new float[g.outLen()];
                PoolKernel.maxPool2d(x, off, g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, out3, 0, null, 0);
                assertBitsEqual(refOut, out3, ctx + " without argmax");
            }
        }
    }

    @Test
    void maxPoolNaNAndTieRules() {
        // One 2x3 window over a 2x3 plane.
        float[] ties = {1f, 5f, 5f, 2f, 5f, 0f};
        float[] out = new float[1];
        int[] arg = new int[1];
        PoolKernel.maxPool2d(ties, 0, 1, 1, 2, 3, 2, 3, 1, 1, 0, 0, out, arg);
        assertEquals(5f, out[0]);
        assertEquals(1, arg[0]);
        float[] nans = {1f, 9f, Float.NaN, 2f, Float.NaN, 0f};
        PoolKernel.maxPool2d(nans, 0, 1, 1, 2, 3, 2, 3, 1, 1, 0, 0, out, arg);
        assertEquals(Float.NaN, out[0]);
        assertEquals(2, arg[0]);
        float[] negInf = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
        PoolKernel.maxPool2d(negInf, 0, 1, 1, 1, 2, 1, 2, 1, 1, 0, 0, out, arg);
        assertEquals(Float.NEGATIVE_INFINITY, out[0]);
        assertEquals(0, arg[0]); // a real element, never -1, even when everything is -Infinity
        // The 2x2 stride-2 fast path keeps the same rules.
        PoolKernel.maxPool2d(new float[] {5f, 5f, 5f, 1f}, 0, 1, 1, 2, 2, 2, 2, 2, 2, 0, 0, out, arg);
        assertEquals(0, arg[0], "2x2 tie goes to the first");
        PoolKernel.maxPool2d(new float[] {1f, Float.NaN, 7f, Float.NaN}, 0, 1, 1, 2, 2, 2, 2, 2, 2, 0, 0, out, arg);
        assertEquals(Float.NaN, out[0]);
        assertEquals(1, arg[0], "2x2 first NaN wins and stays");
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {601, 602})
    void avgPoolMatchesReferenceAndNaive(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (Geo g : geometries(seed)) {
            for (boolean includePad : new boolean[] {false, true}) {
                String ctx = "seed " + seed + " includePad " + includePad + " " + g;
                int off = rng.nextInt(3);
                float[] x = randomFloats(off + g.inLen(), rng);
                float[] ref = new float[g.outLen()];
                PoolKernel.referenceAvgPool2d(x, off, g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw,
                        includePad, ref);
                float[] out = new float[g.outLen()];
                PoolKernel.avgPool2d(x, off, g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, includePad, out);
                assertBitsEqual(ref, out, ctx);

                double[] naive = new double[g.outLen()];
                int oh = g.outH();
                int ow = g.outW();
                for (int p = 0; p < g.n * g.c; p++) {
                    for (int oy = 0; oy < oh; oy++) {
                        for (int ox = 0; ox < ow; ox++) {
                            int[] win = window(g, oy, ox);
                            double s = 0;
                            for (int q : win) {
                                s += x[off + p * g.h * g.w + q];
                            }
                            naive[(p * oh + oy) * ow + ox] = s / (includePad ? g.kh * g.kw : win.length);
                        }
                    }
                }
                ArrayAssert.assertClose(naive, ref, 1e-5, 1e-6, ctx + " reference vs naive");
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {701, 702})
    void avgPoolBackwardMatchesReferenceAndIsTheAdjoint(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (Geo g : geometries(seed)) {
            for (boolean includePad : new boolean[] {false, true}) {
                String ctx = "seed " + seed + " includePad " + includePad + " " + g;
                int off = rng.nextInt(3);
                float[] gy = randomFloats(off + g.outLen(), rng);
                float[] ref = new float[g.inLen()];
                PoolKernel.referenceAvgPool2dBackward(gy, off, g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw,
                        includePad, ref);
                float[] gx = randomFloats(g.inLen(), rng); // zeroed by the kernel, not accumulated onto
                PoolKernel.avgPool2dBackward(gy, off, g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw,
                        includePad, gx);
                assertBitsEqual(ref, gx, ctx);

                // <avgPool(x), gy> == <x, avgPoolBackward(gy)>
                float[] x = randomFloats(g.inLen(), rng);
                float[] y = new float[g.outLen()];
                PoolKernel.avgPool2d(x, 0, g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, includePad, y);
                double lhs = 0;
                for (int o = 0; o < y.length; o++) {
                    lhs += (double) y[o] * gy[off + o];
                }
                double rhs = 0;
                for (int j = 0; j < x.length; j++) {
                    rhs += (double) x[j] * gx[j];
                }
                assertEquals(lhs, rhs, 1e-5 * (1 + Math.sqrt(x.length)), ctx + " adjoint");
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {801, 802})
    void maxPoolBackwardIsScatterAddOverArgmax(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (Geo g : geometries(seed)) {
            String ctx = "seed " + seed + " " + g;
            float[] x = values(g.inLen(), false, rng); // ties: the gradient must go to the first maximum only
            float[] y = new float[g.outLen()];
            int[] arg = new int[g.outLen()];
            PoolKernel.maxPool2d(x, 0, g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, y, arg);
            float[] gy = randomFloats(g.outLen(), rng);
            // What the Tensor layer does: argmax is an index [n*c, outH*outW, 1] into [n*c, h*w, 1].
            float[] gx = new float[g.inLen()];
            GatherKernel.scatterAdd(gx, 0, g.n * g.c, g.h * g.w, 1, arg, 0, g.outH() * g.outW(), gy, 0);

            // Naive: route each output gradient to the window's first maximum.
            int[] naiveArg = naiveArgmax(g, x);
            double[] expected = new double[g.inLen()];
            int planeOut = g.outH() * g.outW();
            for (int o = 0; o < gy.length; o++) {
                expected[(o / planeOut) * g.h * g.w + naiveArg[o]] += gy[o];
            }
            ArrayAssert.assertClose(expected, gx, 1e-6, 1e-6, ctx);
        }
    }

    @Test
    void largeBatchIsThreadCountIndependent() {
        long seed = 901;
        SplittableRandom rng = new SplittableRandom(seed);
        Geo g = new Geo(4, 16, 33, 31, 3, 3, 2, 2, 1, 1);
        float[] x = values(g.inLen(), true, rng);
        float[] out1 = new float[g.outLen()];
        int[] arg1 = new int[g.outLen()];
        float[] outN = new float[g.outLen()];
        int[] argN = new int[g.outLen()];
        Parallel.withThreads(1, () -> PoolKernel.maxPool2d(x, 0, g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw,
                out1, arg1));
        PoolKernel.maxPool2d(x, 0, g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, outN, argN);
        assertBitsEqual(out1, outN, "maxPool seed " + seed);
        assertArrayEquals(arg1, argN, "maxPool seed " + seed);

        float[] xr = randomFloats(g.inLen(), rng);
        Parallel.withThreads(1, () -> PoolKernel.avgPool2d(xr, 0, g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph,
                g.pw, false, out1));
        PoolKernel.avgPool2d(xr, 0, g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, false, outN);
        assertBitsEqual(out1, outN, "avgPool seed " + seed);

        float[] gy = randomFloats(g.outLen(), rng);
        float[] gx1 = new float[g.inLen()];
        float[] gxN = new float[g.inLen()];
        Parallel.withThreads(1, () -> PoolKernel.avgPool2dBackward(gy, 0, g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw,
                g.ph, g.pw, true, gx1));
        PoolKernel.avgPool2dBackward(gy, 0, g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, true, gxN);
        assertBitsEqual(gx1, gxN, "avgPool2dBackward seed " + seed);
    }

    @Test
    void maxPoolBackwardAddsEachGradientAtItsArgmax() {
        SplittableRandom rng = new SplittableRandom(77);
        // Overlapping windows (stride 1) share argmax positions: their gradients must add up.
        int[][] geos = {{2, 3, 6, 7, 2, 2, 2, 2}, {1, 2, 5, 5, 3, 3, 1, 1}, {3, 1, 1, 9, 1, 2, 1, 2}};
        for (int[] g : geos) {
            int n = g[0], c = g[1], h = g[2], w = g[3], kh = g[4], kw = g[5], sh = g[6], sw = g[7];
            int oh = Im2ColKernel.outSize(h, kh, sh, 0, 1);
            int ow = Im2ColKernel.outSize(w, kw, sw, 0, 1);
            float[] x = new float[n * c * h * w];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rng.nextDouble();
            }
            float[] pooled = new float[n * c * oh * ow];
            int[] argmax = new int[pooled.length];
            PoolKernel.maxPool2d(x, 0, n, c, h, w, kh, kw, sh, sw, 0, 0, pooled, argmax);
            float[] grad = new float[pooled.length];
            for (int i = 0; i < grad.length; i++) {
                grad[i] = (float) (rng.nextDouble() - 0.5);
            }
            float[] expected = new float[x.length];
            for (int p = 0; p < n * c; p++) {
                for (int j = 0; j < oh * ow; j++) {
                    expected[p * h * w + argmax[p * oh * ow + j]] += grad[p * oh * ow + j];
                }
            }
            for (int threads : new int[] {1, 2, 3}) {
                float[] got = new float[x.length];
                Arrays.fill(got, Float.NaN); // every element must be written
                Parallel.withThreads(threads, () ->
                        PoolKernel.maxPool2dBackward(grad, 0, argmax, 0, n * c, h * w, oh * ow, got));
                assertArrayEquals(expected, got, Arrays.toString(g) + " threads " + threads);
            }
        }
        int[] bad = {0, 4};
        IndexOutOfBoundsException e = org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class,
                () -> PoolKernel.maxPool2dBackward(new float[2], 0, bad, 0, 1, 4, 2, new float[4]));
        assertEquals(true, e.getMessage().contains("argmax 4"), e.getMessage());
    }
}

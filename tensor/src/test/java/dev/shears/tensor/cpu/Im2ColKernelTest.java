package dev.shears.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import dev.shears.testing.ArrayAssert;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("kernel")
class Im2ColKernelTest {

    /** Convolution geometry. */
    record Geo(int n, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
        int outH() {
            return Im2ColKernel.outSize(h, kh, sh, ph, dh);
        }

        int outW() {
            return Im2ColKernel.outSize(w, kw, sw, pw, dw);
        }

        int inLen() {
            return n * c * h * w;
        }

        int colLen() {
            return n * c * kh * kw * outH() * outW();
        }
    }

    /** Hand-picked edge cases plus random geometries with at least one output position. */
    private static List<Geo> geometries(long seed) {
        int l = Simd.LANES;
        List<Geo> g = new ArrayList<>(List.of(
                new Geo(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1),
                new Geo(2, 3, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1),
                new Geo(1, 2, 7, l + 1, 3, 3, 2, 2, 1, 1, 1, 1),
                new Geo(1, 1, l - 1 > 0 ? l - 1 : 1, 17, 1, 1, 1, 3, 0, 0, 1, 1),
                new Geo(2, 2, 6, 9, 6, 9, 1, 1, 0, 0, 1, 1),              // kernel = input
                new Geo(1, 2, 3, 4, 1, 1, 1, 1, 2, 3, 1, 1),              // padding wider than the kernel
                new Geo(1, 3, 9, 11, 3, 2, 1, 2, 2, 1, 2, 3),             // dilation
                new Geo(3, 1, 17, 31, 5, 7, 3, 2, 2, 3, 1, 2),
                new Geo(1, 1, 2, 33, 2, 33, 1, 1, 0, 0, 1, 1),
                new Geo(1, 2, 3, 1, 3, 3, 3, 3, 2, 2, 1, 1),              // some kernel columns only see padding
                new Geo(2, 1, 4, 2, 3, 3, 1, 1, 2, 2, 1, 1),
                // Enough planes that the middle ones take the vector paths (the ends go scalar):
                new Geo(4, 6, 14, 14, 5, 5, 1, 1, 0, 0, 1, 1),            // LeNet-5's second convolution
                new Geo(5, 1, 28, 28, 5, 5, 1, 1, 2, 2, 1, 1),            // its first, padded
                new Geo(3, 4, 11, 2 * l + 3, 3, 3, 2, 1, 1, 2, 2, 1)));   // row stride 2, dilation, long rows
        SplittableRandom rng = new SplittableRandom(seed);
        while (g.size() < 40) {
            Geo c = new Geo(1 + rng.nextInt(3), 1 + rng.nextInt(4), 1 + rng.nextInt(12), 1 + rng.nextInt(2 * l + 3),
                    1 + rng.nextInt(4), 1 + rng.nextInt(4), 1 + rng.nextInt(3), 1 + rng.nextInt(3),
                    rng.nextInt(3), rng.nextInt(3), 1 + rng.nextInt(2), 1 + rng.nextInt(2));
            if (c.outH() >= 1 && c.outW() >= 1) {
                g.add(c);
            }
        }
        return g;
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

    private static void im2col(Geo g, float[] x, int off, float[] col, int colOff) {
        Im2ColKernel.im2col(x, off, g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, col, colOff);
    }

    private static void col2im(Geo g, float[] col, int colOff, float[] x, int off) {
        Im2ColKernel.col2im(col, colOff, g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, x, off);
    }

    @Test
    void outSizeIsFloorDivision() {
        assertEquals(3, Im2ColKernel.outSize(5, 3, 1, 0, 1));
        assertEquals(3, Im2ColKernel.outSize(5, 3, 2, 1, 1));
        assertEquals(2, Im2ColKernel.outSize(7, 3, 2, 0, 2));
        assertEquals(1, Im2ColKernel.outSize(4, 4, 3, 0, 1));
        assertEquals(0, Im2ColKernel.outSize(2, 3, 2, 0, 1)); // numerator -1: floor, not truncation
        assertEquals(-2, Im2ColKernel.outSize(2, 5, 1, 0, 1));
    }

    /** Index of element (img, row, col) of [n, rows, cols] when stored as [rows, n, cols]. */
    private static int batchInColumnsIndex(Geo g, int i) {
        int cols = g.outH() * g.outW();
        int rows = g.c * g.kh * g.kw;
        int img = i / (rows * cols);
        int row = i / cols % rows;
        return (row * g.n + img) * cols + i % cols;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {111, 112})
    void batchInColumnsLayoutHoldsTheSameColumns(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (Geo g : geometries(seed)) {
            String ctx = "seed " + seed + " " + g;
            float[] x = randomFloats(g.inLen(), rng);
            float[] ref = new float[g.colLen()];
            Im2ColKernel.referenceIm2col(x, 0, g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, ref, 0);
            float[] folded = randomFloats(g.colLen(), rng);
            Im2ColKernel.im2col(x, 0, g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, folded, 0, true);
            float[] unfolded = new float[g.colLen()];
            for (int i = 0; i < unfolded.length; i++) {
                unfolded[i] = folded[batchInColumnsIndex(g, i)];
            }
            assertBitsEqual(ref, unfolded, ctx + " im2col batch in columns");

            float[] col = randomFloats(g.colLen(), rng);
            float[] colFolded = new float[col.length];
            for (int i = 0; i < col.length; i++) {
                colFolded[batchInColumnsIndex(g, i)] = col[i];
            }
            float[] xr = new float[g.inLen()];
            Im2ColKernel.referenceCol2im(col, 0, g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, xr, 0);
            float[] xg = randomFloats(xr.length, rng);
            Im2ColKernel.col2im(colFolded, 0, g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, xg, 0, true);
            assertBitsEqual(xr, xg, ctx + " col2im batch in columns");
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {101, 102})
    void fastMatchesReference(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (Geo g : geometries(seed)) {
            String ctx = "seed " + seed + " " + g;
            int off = rng.nextInt(3);
            int colOff = rng.nextInt(3);
            float[] x = randomFloats(off + g.inLen(), rng);
            float[] ref = new float[colOff + g.colLen()];
            float[] got = randomFloats(ref.length, rng); // garbage: every element must be written
            Im2ColKernel.referenceIm2col(x, off, g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw,
                    ref, colOff);
            im2col(g, x, off, got, colOff);
            for (int j = 0; j < colOff; j++) {
                got[j] = 0f; // before dstOff: not the kernel's
            }
            assertBitsEqual(ref, got, ctx + " im2col");

            float[] col = randomFloats(colOff + g.colLen(), rng);
            float[] xr = new float[off + g.inLen()];
            float[] xg = randomFloats(xr.length, rng); // overwritten, not accumulated
            Im2ColKernel.referenceCol2im(col, colOff, g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh,
                    g.dw, xr, off);
            col2im(g, col, colOff, xg, off);
            for (int j = 0; j < off; j++) {
                xg[j] = 0f;
            }
            assertBitsEqual(xr, xg, ctx + " col2im");
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {201, 202})
    void col2imIsTheAdjointOfIm2col(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (Geo g : geometries(seed)) {
            float[] x = randomFloats(g.inLen(), rng);
            float[] y = randomFloats(g.colLen(), rng);
            float[] cx = new float[g.colLen()];
            im2col(g, x, 0, cx, 0);
            float[] ty = new float[g.inLen()];
            col2im(g, y, 0, ty, 0);
            double lhs = 0;
            for (int j = 0; j < cx.length; j++) {
                lhs += (double) cx[j] * y[j];
            }
            double rhs = 0;
            for (int j = 0; j < x.length; j++) {
                rhs += (double) x[j] * ty[j];
            }
            assertEquals(lhs, rhs, 1e-5 * (1 + Math.sqrt(cx.length)), "seed " + seed + " " + g);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {301, 302})
    void convolutionThroughIm2colMatchesDirectConvolution(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (Geo g : geometries(seed)) {
            int cout = 1 + rng.nextInt(4);
            int oh = g.outH();
            int ow = g.outW();
            int kdim = g.c * g.kh * g.kw;
            float[] x = randomFloats(g.inLen(), rng);
            float[] wt = randomFloats(cout * kdim, rng); // [cout, c, kh, kw] = [cout, kdim]
            float[] col = new float[g.colLen()];
            im2col(g, x, 0, col, 0);
            // Naive matmul per image: y[img] = W [cout, kdim] x col[img] [kdim, oh*ow].
            float[] viaCol = new float[g.n * cout * oh * ow];
            for (int img = 0; img < g.n; img++) {
                for (int co = 0; co < cout; co++) {
                    for (int p = 0; p < oh * ow; p++) {
                        double s = 0;
                        for (int r = 0; r < kdim; r++) {
                            s += (double) wt[co * kdim + r] * col[(img * kdim + r) * oh * ow + p];
                        }
                        viaCol[(img * cout + co) * oh * ow + p] = (float) s;
                    }
                }
            }
            // Direct convolution written from the definition.
            double[] direct = new double[viaCol.length];
            for (int img = 0; img < g.n; img++) {
                for (int co = 0; co < cout; co++) {
                    for (int oy = 0; oy < oh; oy++) {
                        for (int ox = 0; ox < ow; ox++) {
                            double s = 0;
                            for (int ci = 0; ci < g.c; ci++) {
                                for (int ky = 0; ky < g.kh; ky++) {
                                    for (int kx = 0; kx < g.kw; kx++) {
                                        int iy = oy * g.sh + ky * g.dh - g.ph;
                                        int ix = ox * g.sw + kx * g.dw - g.pw;
                                        if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) {
                                            continue;
                                        }
                                        s += (double) x[((img * g.c + ci) * g.h + iy) * g.w + ix]
                                                * wt[((co * g.c + ci) * g.kh + ky) * g.kw + kx];
                                    }
                                }
                            }
                            direct[((img * cout + co) * oh + oy) * ow + ox] = s;
                        }
                    }
                }
            }
            ArrayAssert.assertClose(direct, viaCol, 1e-6, 1e-6, "seed " + seed + " cout " + cout + " " + g);
        }
    }

    @Test
    void largeBatchIsThreadCountIndependent() {
        long seed = 401;
        SplittableRandom rng = new SplittableRandom(seed);
        Geo g = new Geo(4, 16, 28, 28, 3, 3, 1, 1, 1, 1, 1, 1);
        float[] x = randomFloats(g.inLen(), rng);
        float[] one = new float[g.colLen()];
        float[] many = new float[g.colLen()];
        Parallel.withThreads(1, () -> im2col(g, x, 0, one, 0));
        im2col(g, x, 0, many, 0);
        assertBitsEqual(one, many, "im2col seed " + seed);
        float[] col = randomFloats(g.colLen(), rng);
        float[] back1 = new float[g.inLen()];
        float[] backN = new float[g.inLen()];
        Parallel.withThreads(1, () -> col2im(g, col, 0, back1, 0));
        col2im(g, col, 0, backN, 0);
        assertBitsEqual(back1, backN, "col2im seed " + seed);
        float[] ref = new float[g.inLen()];
        Im2ColKernel.referenceCol2im(col, 0, g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, ref, 0);
        assertBitsEqual(ref, backN, "col2im vs reference seed " + seed);
    }
}

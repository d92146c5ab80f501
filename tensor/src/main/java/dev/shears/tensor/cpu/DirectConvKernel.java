package dev.shears.tensor.cpu;

import static dev.shears.tensor.simd.Simd.F;

import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Direct 2-D convolution (stride 1, no dilation) of NCHW float images with few input channels, and
 * its weight gradient, vectorized along output rows. For a first layer like LeNet-5's (1 channel,
 * 5x5 window) the im2col route writes and rereads a column matrix 25 times the image's size, and
 * its GEMM has only 25-long dots; here every image is padded once into a small scratch copy that
 * stays in L1 and each output vector is an FMA chain over the window.
 *
 * <p>Scratch rows are {@code roundUp(outW, LANES) + kw - 1} wide, so every vector load of a window
 * row is inside the copy; lanes past {@code outW} compute values that are never stored. Images run
 * in parallel for the forward pass and output channels for the weight gradient, so every result
 * is produced by one thread in a fixed order whatever the thread count.
 */
public final class DirectConvKernel {
    /** Largest {@code c * kh * kw} this kernel takes: beyond it the im2col GEMM reuses loads better. */
    public static final int MAX_WINDOW = 32;
    /** Output channels computed together in the forward pass, and weights in the weight gradient. */
    private static final int CHANNEL_BLOCK = 4;
    private static final int TAP_BLOCK = 4;

    private DirectConvKernel() {}

    /** Whether a convolution suits this kernel (any padding; unit stride and dilation; small windows). */
    public static boolean suits(int c, int kh, int kw, int strideH, int strideW, int dilH, int dilW) {
        return Simd.ENABLED && strideH == 1 && strideW == 1 && dilH == 1 && dilW == 1 && c * kh * kw <= MAX_WINDOW;
    }

    /**
     * {@code y [n, o, outH, outW]} (from {@code yOff}) = the cross-correlation of {@code x [n, c, h, w]}
     * (from {@code xOff}) with {@code wt [o, c, kh, kw]} (from {@code wOff}), zero padding
     * {@code padH, padW}, stride and dilation 1. Every element of y is written.
     */
    public static void forward(float[] x, int xOff, int n, int c, int h, int w, float[] wt, int wOff, int o,
            int kh, int kw, int padH, int padW, float[] y, int yOff) {
        Geometry g = new Geometry(c, h, w, kh, kw, padH, padW);
        Parallel.forRange(n, grain((long) g.outH * g.outW * o * c * kh * kw), (lo, hi) -> {
            float[] xpad = new float[g.scratchSize()];
            for (int img = lo; img < hi; img++) {
                g.pad(x, xOff + img * c * h * w, xpad);
                for (int oc = 0; oc < o; oc += CHANNEL_BLOCK) {
                    forwardChannels(g, xpad, wt, wOff, oc, o, y, yOff + img * o * g.outH * g.outW);
                }
            }
        });
    }

    /**
     * Output channels {@code oc .. oc+3} of one image: four independent FMA chains share each loaded
     * input vector (one chain alone waited on FMA latency). Past {@code o} the last channel is
     * recomputed and not stored.
     */
    private static void forwardChannels(Geometry g, float[] xpad, float[] wt, int wOff, int oc, int o, float[] y,
            int image) {
        int lanes = F.length();
        int window = g.c * g.kh * g.kw;
        int w0 = wOff + oc * window;
        int w1 = wOff + Math.min(oc + 1, o - 1) * window;
        int w2 = wOff + Math.min(oc + 2, o - 1) * window;
        int w3 = wOff + Math.min(oc + 3, o - 1) * window;
        int planeSize = g.outH * g.outW;
        for (int oy = 0; oy < g.outH; oy++) {
            for (int x0 = 0; x0 < g.outW; x0 += lanes) {
                FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
                int q = 0;
                for (int ci = 0; ci < g.c; ci++) {
                    for (int ky = 0; ky < g.kh; ky++) {
                        int row = g.row(ci, oy + ky) + x0;
                        for (int kx = 0; kx < g.kw; kx++, q++) {
                            FloatVector v = FloatVector.fromArray(F, xpad, row + kx);
                            a0 = FloatVector.broadcast(F, wt[w0 + q]).fma(v, a0);
                            a1 = FloatVector.broadcast(F, wt[w1 + q]).fma(v, a1);
                            a2 = FloatVector.broadcast(F, wt[w2 + q]).fma(v, a2);
                            a3 = FloatVector.broadcast(F, wt[w3 + q]).fma(v, a3);
                        }
                    }
                }
                int at = image + oy * g.outW + x0;
                int valid = g.outW - x0;
                store(a0, y, at + oc * planeSize, valid, image + (oc + 1) * planeSize);
                if (oc + 1 < o) {
                    store(a1, y, at + (oc + 1) * planeSize, valid, image + (oc + 2) * planeSize);
                }
                if (oc + 2 < o) {
                    store(a2, y, at + (oc + 2) * planeSize, valid, image + (oc + 3) * planeSize);
                }
                if (oc + 3 < o) {
                    store(a3, y, at + (oc + 3) * planeSize, valid, image + (oc + 4) * planeSize);
                }
            }
        }
    }

    /**
     * Stores the first {@code valid} lanes at {@code at}. Lanes past them may land on later rows of
     * the plane (written afterwards); at the plane's end a masked store, or scalar at the array's end
     * (an out-of-range masked store, even once, made C2 compile the masked accesses much slower).
     */
    private static void store(FloatVector v, float[] y, int at, int valid, int planeEnd) {
        int lanes = F.length();
        if (valid >= lanes || at + lanes <= planeEnd) {
            v.intoArray(y, at);
        } else if (at + lanes <= y.length) {
            v.intoArray(y, at, Simd.lanes(0, valid));
        } else {
            for (int j = 0; j < valid; j++) {
                y[at + j] = v.lane(j);
            }
        }
    }

    /**
     * {@code dw [o, c, kh, kw]} (from {@code dwOff}) (+)= the weight gradient of {@link #forward} for
     * the output gradient {@code gy [n, o, outH, outW]}: per weight, the sum over images and output
     * positions of {@code gy} times the input the weight met there.
     */
    public static void weightGrad(float[] x, int xOff, int n, int c, int h, int w, float[] gy, int gyOff, int o,
            int kh, int kw, int padH, int padW, float[] dw, int dwOff, boolean accumulate) {
        Geometry g = new Geometry(c, h, w, kh, kw, padH, padW);
        int window = c * kh * kw;
        int lanes = F.length();
        int gRow = g.vectorWidth();
        Parallel.forRange(o, 1, (lo, hi) -> {
            float[] xpad = new float[g.scratchSize()];
            float[] gpad = new float[g.outH * gRow];
            float[] acc = new float[window * lanes];
            int[] taps = g.taps();
            for (int oc = lo; oc < hi; oc++) {
                Arrays.fill(acc, 0f);
                for (int img = 0; img < n; img++) {
                    g.pad(x, xOff + img * c * h * w, xpad);
                    padRows(gy, gyOff + (img * o + oc) * g.outH * g.outW, g.outH, g.outW, gpad, gRow);
                    accumulatePlane(g, xpad, gpad, gRow, taps, acc);
                }
                float[] lane = new float[lanes];
                for (int q = 0; q < window; q++) {
                    FloatVector.fromArray(F, acc, q * lanes).intoArray(lane, 0);
                    float s = 0f;
                    for (float v : lane) {
                        s += v;
                    }
                    int at = dwOff + oc * window + q;
                    dw[at] = accumulate ? dw[at] + s : s;
                }
            }
        });
    }

    /**
     * Adds one image's products into the per-weight lane accumulators {@code acc [c*kh*kw][LANES]}.
     * Four weights at a time keep their sums in registers over the whole image and share each loaded
     * output-gradient vector ({@code taps[q]}: where weight q's window starts in the scratch image);
     * past the last weight the block repeats it without storing.
     */
    private static void accumulatePlane(Geometry g, float[] xpad, float[] gpad, int gRow, int[] taps, float[] acc) {
        int lanes = F.length();
        int window = taps.length;
        FloatVector zero = FloatVector.zero(F);
        for (int q = 0; q < window; q += TAP_BLOCK) {
            int t0 = taps[q];
            int t1 = taps[Math.min(q + 1, window - 1)];
            int t2 = taps[Math.min(q + 2, window - 1)];
            int t3 = taps[Math.min(q + 3, window - 1)];
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int oy = 0; oy < g.outH; oy++) {
                int gr = oy * gRow;
                int xr = oy * g.rowWidth;
                for (int x0 = 0; x0 < gRow; x0 += lanes) {
                    FloatVector gv = FloatVector.fromArray(F, gpad, gr + x0);
                    int xo = xr + x0;
                    FloatVector x1 = FloatVector.fromArray(F, xpad, t0 + xo);
                    FloatVector x2 = FloatVector.fromArray(F, xpad, t1 + xo);
                    FloatVector x3 = FloatVector.fromArray(F, xpad, t2 + xo);
                    FloatVector x4 = FloatVector.fromArray(F, xpad, t3 + xo);
                    if (x0 + lanes > g.outW) {
                        // Lanes past the output row meet real inputs; their zero gradient must not
                        // turn an Inf or NaN there into NaN.
                        VectorMask<Float> live = Simd.lanes(0, g.outW - x0);
                        x1 = zero.blend(x1, live);
                        x2 = zero.blend(x2, live);
                        x3 = zero.blend(x3, live);
                        x4 = zero.blend(x4, live);
                    }
                    a0 = gv.fma(x1, a0);
                    a1 = gv.fma(x2, a1);
                    a2 = gv.fma(x3, a2);
                    a3 = gv.fma(x4, a3);
                }
            }
            addInto(acc, q, window, a0);
            addInto(acc, q + 1, window, a1);
            addInto(acc, q + 2, window, a2);
            addInto(acc, q + 3, window, a3);
        }
    }

    private static void addInto(float[] acc, int q, int window, FloatVector v) {
        if (q < window) {
            int at = q * F.length();
            FloatVector.fromArray(F, acc, at).add(v).intoArray(acc, at);
        }
    }

    /** Copies {@code rows} rows of {@code width} into rows of {@code stride} (zeros after each row). */
    private static void padRows(float[] src, int off, int rows, int width, float[] dst, int stride) {
        for (int r = 0; r < rows; r++) {
            System.arraycopy(src, off + r * width, dst, r * stride, width);
        }
    }

    /** Reference for {@link #forward}: one bounds-checked read per term, float sums in (ci, ky, kx) order. */
    public static void referenceForward(float[] x, int xOff, int n, int c, int h, int w, float[] wt, int wOff, int o,
            int kh, int kw, int padH, int padW, float[] y, int yOff) {
        int outH = h + 2 * padH - kh + 1;
        int outW = w + 2 * padW - kw + 1;
        for (int img = 0; img < n; img++) {
            for (int oc = 0; oc < o; oc++) {
                for (int oy = 0; oy < outH; oy++) {
                    for (int ox = 0; ox < outW; ox++) {
                        float s = 0f;
                        for (int ci = 0; ci < c; ci++) {
                            for (int ky = 0; ky < kh; ky++) {
                                for (int kx = 0; kx < kw; kx++) {
                                    s += wt[wOff + ((oc * c + ci) * kh + ky) * kw + kx]
                                            * input(x, xOff, img, ci, c, h, w, oy + ky - padH, ox + kx - padW);
                                }
                            }
                        }
                        y[yOff + ((img * o + oc) * outH + oy) * outW + ox] = s;
                    }
                }
            }
        }
    }

    /** Reference for {@link #weightGrad} (overwrites {@code dw}): a float sum per weight over (img, oy, ox). */
    public static void referenceWeightGrad(float[] x, int xOff, int n, int c, int h, int w, float[] gy, int gyOff,
            int o, int kh, int kw, int padH, int padW, float[] dw, int dwOff) {
        int outH = h + 2 * padH - kh + 1;
        int outW = w + 2 * padW - kw + 1;
        for (int oc = 0; oc < o; oc++) {
            for (int ci = 0; ci < c; ci++) {
                for (int ky = 0; ky < kh; ky++) {
                    for (int kx = 0; kx < kw; kx++) {
                        float s = 0f;
                        for (int img = 0; img < n; img++) {
                            for (int oy = 0; oy < outH; oy++) {
                                for (int ox = 0; ox < outW; ox++) {
                                    s += gy[gyOff + ((img * o + oc) * outH + oy) * outW + ox]
                                            * input(x, xOff, img, ci, c, h, w, oy + ky - padH, ox + kx - padW);
                                }
                            }
                        }
                        dw[dwOff + ((oc * c + ci) * kh + ky) * kw + kx] = s;
                    }
                }
            }
        }
    }

    private static float input(float[] x, int xOff, int img, int ci, int c, int h, int w, int iy, int ix) {
        return iy >= 0 && iy < h && ix >= 0 && ix < w ? x[xOff + ((img * c + ci) * h + iy) * w + ix] : 0f;
    }

    private static int grain(long workPerImage) {
        return (int) Math.max(1, (1L << 16) / Math.max(1, workPerImage));
    }

    /** Sizes of one image, its output and its padded scratch copy. */
    private static final class Geometry {
        final int c, h, w, kh, kw, padH, padW, outH, outW;
        /** Scratch rows per channel and floats per scratch row. */
        final int rowsPerChannel, rowWidth;

        Geometry(int c, int h, int w, int kh, int kw, int padH, int padW) {
            this.c = c;
            this.h = h;
            this.w = w;
            this.kh = kh;
            this.kw = kw;
            this.padH = padH;
            this.padW = padW;
            this.outH = h + 2 * padH - kh + 1;
            this.outW = w + 2 * padW - kw + 1;
            assert outH >= 1 && outW >= 1 : "window larger than the padded image";
            this.rowsPerChannel = h + 2 * padH;
            this.rowWidth = vectorWidth() + kw - 1;
        }

        /** Output row width rounded up to whole vectors. */
        int vectorWidth() {
            return Math.ceilDiv(outW, F.length()) * F.length();
        }

        int scratchSize() {
            return c * rowsPerChannel * rowWidth;
        }

        /** Start of scratch row {@code r} (padded coordinates) of channel {@code ci}. */
        int row(int ci, int r) {
            return (ci * rowsPerChannel + r) * rowWidth;
        }

        /** Where each weight's window starts in the scratch image for output row 0, in weight order. */
        int[] taps() {
            int[] taps = new int[c * kh * kw];
            int q = 0;
            for (int ci = 0; ci < c; ci++) {
                for (int ky = 0; ky < kh; ky++) {
                    for (int kx = 0; kx < kw; kx++) {
                        taps[q++] = row(ci, ky) + kx;
                    }
                }
            }
            return taps;
        }

        /** Copies image {@code x[off ..]} into the zeroed scratch with its padding margins. */
        void pad(float[] x, int off, float[] xpad) {
            Arrays.fill(xpad, 0f);
            for (int ci = 0; ci < c; ci++) {
                for (int iy = 0; iy < h; iy++) {
                    System.arraycopy(x, off + (ci * h + iy) * w, xpad, row(ci, iy + padH) + padW, w);
                }
            }
        }
    }
}

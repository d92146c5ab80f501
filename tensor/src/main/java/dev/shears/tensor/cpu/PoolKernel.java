package dev.shears.tensor.cpu;

import static dev.shears.tensor.simd.Simd.F;

import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * 2-D max and average pooling over NCHW float images, floor mode, no dilation:
 * {@code [n, c, h, w] -> [n, c, outH, outW]} with {@code outH = Im2ColKernel.outSize(h, kh, sh, ph, 1)}
 * (likewise outW). Window {@code (oy, ox)} covers input rows {@code oy * sh - ph + [0, kh)} and
 * columns {@code ox * sw - pw + [0, kw)}; positions in the padding are never read.
 *
 * <p>Max-pool backward is {@code GatherKernel.scatterAdd} of the output gradient over
 * {@code argmax} viewed as index {@code [n * c, outH * outW, 1]} into {@code [n * c, h * w, 1]}.
 *
 * <p>Everything runs in parallel over the {@code n * c} planes; each output (and each input
 * gradient) element is produced by one thread in a fixed order, so results do not depend on the
 * thread count. Windows lying entirely in the padding (only possible when a padding is at least
 * the kernel size, which the Tensor layer rejects, as PyTorch does for pad > kernel / 2) give
 * -Infinity with argmax -1 for max pooling, and 0 / NaN for average pooling with / without
 * {@code countIncludePad}.
 */
public final class PoolKernel {
    /** Roughly the element visits one parallel chunk should do. */
    private static final int GRAIN_WORK = 1 << 15;

    private PoolKernel() {}

    // ---------------------------------------------------------------------------------------------
    // max pooling

    /** {@link #maxPool2d(float[], int, int, int, int, int, int, int, int, int, int, int, float[], int, int[], int)} writing from position 0. */
    public static void maxPool2d(float[] src, int off, int n, int c, int h, int w, int kh, int kw,
            int sh, int sw, int ph, int pw, float[] out, int[] argmax) {
        maxPool2d(src, off, n, c, h, w, kh, kw, sh, sw, ph, pw, out, 0, argmax, 0);
    }

    /**
     * Max pooling: {@code src [n, c, h, w]} (from {@code off}) to {@code out [n, c, outH, outW]}
     * (from {@code outOff}) and {@code argmax [n, c, outH, outW]} (from {@code argmaxOff}; may be
     * null), the flat index {@code y * w + x} of the chosen element within its input plane. Ties
     * go to the first element in row-major scan order; if the window holds a NaN, the first NaN
     * and its index are chosen.
     */
    public static void maxPool2d(float[] src, int off, int n, int c, int h, int w, int kh, int kw,
            int sh, int sw, int ph, int pw, float[] out, int outOff, int[] argmax, int argmaxOff) {
        int outH = Im2ColKernel.outSize(h, kh, sh, ph, 1);
        int outW = Im2ColKernel.outSize(w, kw, sw, pw, 1);
        assert n >= 0 && c >= 0 && h >= 1 && w >= 1 && outH >= 1 && outW >= 1;
        assert off >= 0 && off + (long) n * c * h * w <= src.length;
        assert outOff >= 0 && outOff + (long) n * c * outH * outW <= out.length;
        assert argmax == null || argmaxOff >= 0 && argmaxOff + (long) n * c * outH * outW <= argmax.length;
        int[] corner = kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 ? corners(w, outH, outW) : null;
        Parallel.forRange(n * c, grain(outH * outW * kh * kw), (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                int plane = off + p * h * w;
                int o = p * outH * outW;
                if (corner != null) {
                    maxPool2x2(src, plane, w, corner, out, outOff + o, argmax, argmaxOff + o);
                    continue;
                }
                for (int oy = 0; oy < outH; oy++) {
                    int y0 = oy * sh - ph;
                    int yLo = Math.max(0, y0);
                    int yHi = Math.min(h, y0 + kh);
                    for (int ox = 0; ox < outW; ox++, o++) {
                        int x0 = ox * sw - pw;
                        int xLo = Math.max(0, x0);
                        int xHi = Math.min(w, x0 + kw);
                        float best = Float.NEGATIVE_INFINITY;
                        int at = -1;
                        if (yLo < yHi && xLo < xHi) {
                            at = yLo * w + xLo;
                            best = src[plane + at];
                            for (int y = yLo; y < yHi; y++) {
                                int r = plane + y * w;
                                for (int x = xLo; x < xHi; x++) {
                                    float v = src[r + x];
                                    // Branch-free (conditional moves; the data-dependent branch mispredicted
                                    // half the time): take a larger value or the first NaN, ties keep the
                                    // first, and a NaN once taken stays.
                                    boolean take = !(v <= best) & best == best;
                                    best = take ? v : best;
                                    at = take ? y * w + x : at;
                                }
                            }
                        }
                        out[outOff + o] = best;
                        if (argmax != null) {
                            argmax[argmaxOff + o] = at;
                        }
                    }
                }
            }
        });
    }

    /**
     * The common 2×2, stride 2, unpadded window of one plane, in the same scan order and with the
     * same tie and NaN rules as the general loop. The plane's outputs are taken L at a time across
     * row ends: {@code corner[e]} is output e's top-left input, and the four window elements are
     * gathered from it (a scalar compare-and-select per element compiled to branches that random
     * data mispredicted half the time, and rows of 14 outputs never fill a 16-lane vector).
     */
    private static void maxPool2x2(float[] src, int plane, int w, int[] corner, float[] out, int o,
                                   int[] argmax, int ao) {
        int total = corner.length;
        int e = 0;
        if (Simd.ENABLED) {
            for (int bound = F.loopBound(total); e < bound; e += F.length()) {
                IntVector at = IntVector.fromArray(Simd.I, corner, e);
                FloatVector best = FloatVector.fromArray(F, src, plane, corner, e);
                IntVector idx = at;
                for (int d = 1; d <= w + 1; d += d == 1 ? w - 1 : 1) { // right, below, below-right
                    FloatVector v = FloatVector.fromArray(F, src, plane + d, corner, e);
                    VectorMask<Float> take = takes(v, best);
                    best = best.blend(v, take);
                    idx = idx.blend(at.add(d), take.cast(Simd.I));
                }
                best.intoArray(out, o + e);
                if (argmax != null) {
                    idx.intoArray(argmax, ao + e);
                }
            }
        }
        for (; e < total; e++) {
            int at = corner[e];
            float best = src[plane + at];
            int idx = at;
            for (int d = 1; d <= w + 1; d += d == 1 ? w - 1 : 1) {
                float v = src[plane + at + d];
                if (!(v <= best) && best == best) {
                    best = v;
                    idx = at + d;
                }
            }
            out[o + e] = best;
            if (argmax != null) {
                argmax[ao + e] = idx;
            }
        }
    }

    /** Top-left input index (within the plane) of every output of a 2×2 stride-2 window, in output order. */
    private static int[] corners(int w, int outH, int outW) {
        int[] corner = new int[outH * outW];
        for (int oy = 0; oy < outH; oy++) {
            for (int ox = 0; ox < outW; ox++) {
                corner[oy * outW + ox] = 2 * oy * w + 2 * ox;
            }
        }
        return corner;
    }

    /** Lanes where {@code v} replaces {@code best}: larger, or NaN while best is not (ties keep the first). */
    private static VectorMask<Float> takes(FloatVector v, FloatVector best) {
        return v.compare(VectorOperators.LE, best).not().and(best.compare(VectorOperators.EQ, best));
    }

    /**
     * The gradient of max pooling: every input plane of {@code dst} ({@code planes} planes of
     * {@code inPlane} elements) is zeroed, then each pooled gradient {@code grad[p, j]} is added at
     * its window's argmax {@code argmax[p, j]} (an index within the plane; overlapping windows may
     * share one, so the additions accumulate in j order). Replaces zeros + a checked scatter.
     *
     * @throws IndexOutOfBoundsException naming the first argmax outside {@code [0, inPlane)}
     */
    public static void maxPool2dBackward(float[] grad, int gradOff, int[] argmax, int argmaxOff, int planes,
            int inPlane, int outPlane, float[] dst) {
        Parallel.forRange(planes, grain(inPlane + outPlane), (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                int d = p * inPlane;
                Arrays.fill(dst, d, d + inPlane, 0f);
                int g = gradOff + p * outPlane;
                int a = argmaxOff + p * outPlane;
                for (int j = 0; j < outPlane; j++) {
                    int at = argmax[a + j];
                    if (at < 0 || at >= inPlane) {
                        throw new IndexOutOfBoundsException("maxPool2dBackward: argmax " + at + " of plane " + p
                                + ", position " + j + " is outside the plane of " + inPlane + " elements");
                    }
                    dst[d + at] += grad[g + j];
                }
            }
        });
    }

    /** Reference for {@link #maxPool2d}: scans each full window, skipping padding positions. */
    public static void referenceMaxPool2d(float[] src, int off, int n, int c, int h, int w, int kh, int kw,
            int sh, int sw, int ph, int pw, float[] out, int[] argmax) {
        int outH = Im2ColKernel.outSize(h, kh, sh, ph, 1);
        int outW = Im2ColKernel.outSize(w, kw, sw, pw, 1);
        for (int p = 0; p < n * c; p++) {
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    float best = Float.NEGATIVE_INFINITY;
                    int at = -1;
                    boolean nan = false;
                    for (int ky = 0; ky < kh && !nan; ky++) {
                        for (int kx = 0; kx < kw && !nan; kx++) {
                            int y = oy * sh - ph + ky;
                            int x = ox * sw - pw + kx;
                            if (y < 0 || y >= h || x < 0 || x >= w) {
                                continue;
                            }
                            float v = src[off + (p * h + y) * w + x];
                            if (Float.isNaN(v)) {
                                best = v;
                                at = y * w + x;
                                nan = true;
                            } else if (at < 0 || v > best) {
                                best = v;
                                at = y * w + x;
                            }
                        }
                    }
                    int o = (p * outH + oy) * outW + ox;
                    out[o] = best;
                    if (argmax != null) {
                        argmax[o] = at;
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // average pooling

    /** {@link #avgPool2d(float[], int, int, int, int, int, int, int, int, int, int, int, boolean, float[], int)} writing from position 0. */
    public static void avgPool2d(float[] src, int off, int n, int c, int h, int w, int kh, int kw,
            int sh, int sw, int ph, int pw, boolean countIncludePad, float[] out) {
        avgPool2d(src, off, n, c, h, w, kh, kw, sh, sw, ph, pw, countIncludePad, out, 0);
    }

    /**
     * Average pooling: {@code src [n, c, h, w]} (from {@code off}) to {@code out [n, c, outH, outW]}
     * (from {@code outOff}). The window sum (float, row-major order) is divided by {@code kh * kw}
     * when {@code countIncludePad}, else by the number of window positions inside the input.
     */
    public static void avgPool2d(float[] src, int off, int n, int c, int h, int w, int kh, int kw,
            int sh, int sw, int ph, int pw, boolean countIncludePad, float[] out, int outOff) {
        int outH = Im2ColKernel.outSize(h, kh, sh, ph, 1);
        int outW = Im2ColKernel.outSize(w, kw, sw, pw, 1);
        assert n >= 0 && c >= 0 && h >= 1 && w >= 1 && outH >= 1 && outW >= 1;
        assert off >= 0 && off + (long) n * c * h * w <= src.length;
        assert outOff >= 0 && outOff + (long) n * c * outH * outW <= out.length;
        Parallel.forRange(n * c, grain(outH * outW * kh * kw), (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                int plane = off + p * h * w;
                int o = outOff + p * outH * outW;
                for (int oy = 0; oy < outH; oy++) {
                    int y0 = oy * sh - ph;
                    int yLo = Math.max(0, y0);
                    int yHi = Math.min(h, y0 + kh);
                    for (int ox = 0; ox < outW; ox++, o++) {
                        int x0 = ox * sw - pw;
                        int xLo = Math.max(0, x0);
                        int xHi = Math.min(w, x0 + kw);
                        float sum = 0f;
                        for (int y = yLo; y < yHi; y++) {
                            int r = plane + y * w;
                            for (int x = xLo; x < xHi; x++) {
                                sum += src[r + x];
                            }
                        }
                        int count = countIncludePad ? kh * kw : Math.max(0, yHi - yLo) * Math.max(0, xHi - xLo);
                        out[o] = sum / count;
                    }
                }
            }
        });
    }

    /** Reference for {@link #avgPool2d}: scans each full window, skipping and counting padding positions. */
    public static void referenceAvgPool2d(float[] src, int off, int n, int c, int h, int w, int kh, int kw,
            int sh, int sw, int ph, int pw, boolean countIncludePad, float[] out) {
        int outH = Im2ColKernel.outSize(h, kh, sh, ph, 1);
        int outW = Im2ColKernel.outSize(w, kw, sw, pw, 1);
        for (int p = 0; p < n * c; p++) {
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    float sum = 0f;
                    int inside = 0;
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            int y = oy * sh - ph + ky;
                            int x = ox * sw - pw + kx;
                            if (y >= 0 && y < h && x >= 0 && x < w) {
                                sum += src[off + (p * h + y) * w + x];
                                inside++;
                            }
                        }
                    }
                    out[(p * outH + oy) * outW + ox] = sum / (countIncludePad ? kh * kw : inside);
                }
            }
        }
    }

    /** {@link #avgPool2dBackward(float[], int, int, int, int, int, int, int, int, int, int, int, boolean, float[], int)} writing from position 0. */
    public static void avgPool2dBackward(float[] gradOut, int off, int n, int c, int h, int w, int kh, int kw,
            int sh, int sw, int ph, int pw, boolean countIncludePad, float[] gradIn) {
        avgPool2dBackward(gradOut, off, n, c, h, w, kh, kw, sh, sw, ph, pw, countIncludePad, gradIn, 0);
    }

    /**
     * Gradient of {@link #avgPool2d}: {@code gradOut [n, c, outH, outW]} (from {@code off}; h and w
     * are the input's) to {@code gradIn [n, c, h, w]} (from {@code gradInOff}), which is zeroed and
     * then accumulated: every input position of a window receives {@code gradOut / divisor}, windows
     * in row-major output order.
     */
    public static void avgPool2dBackward(float[] gradOut, int off, int n, int c, int h, int w, int kh, int kw,
            int sh, int sw, int ph, int pw, boolean countIncludePad, float[] gradIn, int gradInOff) {
        int outH = Im2ColKernel.outSize(h, kh, sh, ph, 1);
        int outW = Im2ColKernel.outSize(w, kw, sw, pw, 1);
        assert n >= 0 && c >= 0 && h >= 1 && w >= 1 && outH >= 1 && outW >= 1;
        assert off >= 0 && off + (long) n * c * outH * outW <= gradOut.length;
        assert gradInOff >= 0 && gradInOff + (long) n * c * h * w <= gradIn.length;
        Parallel.forRange(n * c, grain(outH * outW * kh * kw), (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                int plane = gradInOff + p * h * w;
                int o = off + p * outH * outW;
                Arrays.fill(gradIn, plane, plane + h * w, 0f);
                for (int oy = 0; oy < outH; oy++) {
                    int y0 = oy * sh - ph;
                    int yLo = Math.max(0, y0);
                    int yHi = Math.min(h, y0 + kh);
                    for (int ox = 0; ox < outW; ox++, o++) {
                        int x0 = ox * sw - pw;
                        int xLo = Math.max(0, x0);
                        int xHi = Math.min(w, x0 + kw);
                        int count = countIncludePad ? kh * kw : Math.max(0, yHi - yLo) * Math.max(0, xHi - xLo);
                        float g = gradOut[o] / count;
                        for (int y = yLo; y < yHi; y++) {
                            int r = plane + y * w;
                            for (int x = xLo; x < xHi; x++) {
                                gradIn[r + x] += g;
                            }
                        }
                    }
                }
            }
        });
    }

    /** Reference for {@link #avgPool2dBackward}. */
    public static void referenceAvgPool2dBackward(float[] gradOut, int off, int n, int c, int h, int w, int kh,
            int kw, int sh, int sw, int ph, int pw, boolean countIncludePad, float[] gradIn) {
        int outH = Im2ColKernel.outSize(h, kh, sh, ph, 1);
        int outW = Im2ColKernel.outSize(w, kw, sw, pw, 1);
        Arrays.fill(gradIn, 0, n * c * h * w, 0f);
        for (int p = 0; p < n * c; p++) {
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    int inside = 0;
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            int y = oy * sh - ph + ky;
                            int x = ox * sw - pw + kx;
                            if (y >= 0 && y < h && x >= 0 && x < w) {
                                inside++;
                            }
                        }
                    }
                    float g = gradOut[off + (p * outH + oy) * outW + ox] / (countIncludePad ? kh * kw : inside);
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            int y = oy * sh - ph + ky;
                            int x = ox * sw - pw + kx;
                            if (y >= 0 && y < h && x >= 0 && x < w) {
                                gradIn[(p * h + y) * w + x] += g;
                            }
                        }
                    }
                }
            }
        }
    }

    private static int grain(int planeWork) {
        return Math.max(1, GRAIN_WORK / Math.max(1, planeWork));
    }
}

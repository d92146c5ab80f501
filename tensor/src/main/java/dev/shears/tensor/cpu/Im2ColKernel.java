package dev.shears.tensor.cpu;

import static dev.shears.tensor.simd.Simd.F;

import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Convolution lowering for NCHW float images: {@code im2col} unfolds every receptive field into a
 * column so a convolution becomes one GEMM per image, and {@code col2im} is its adjoint (used for
 * the input gradient).
 *
 * <p>Per image the column matrix is {@code [c * kh * kw, outH * outW]} (row-major) with row
 * {@code (ci * kh + ky) * kw + kx} and column {@code oy * outW + ox}; it holds
 * {@code x[ci, oy * strideH - padH + ky * dilH, ox * strideW - padW + kx * dilW]}, or 0 where that
 * falls in the padding. Images follow each other: {@code dst} is {@code [n, c * kh * kw, outH * outW]}, or,
 * with {@code batchInColumns}, {@code [c * kh * kw, n, outH * outW]}: the images side by side in each
 * row, so a whole batch convolves with one GEMM of {@code n * outH * outW} columns.
 * Both kernels run in parallel over the {@code n * c} input planes; every output element is written
 * by one thread in a fixed order, so results do not depend on the thread count.
 */
public final class Im2ColKernel {
    /** Roughly the elements one parallel chunk should move. */
    private static final int GRAIN_WORK = 1 << 15;

    private Im2ColKernel() {}

    /**
     * Output length of a convolution or pooling window along one axis (floor mode):
     * {@code floor((in + 2 * pad - dil * (k - 1) - 1) / stride) + 1}. A result below 1 means the
     * (dilated) kernel does not fit in the padded input; the caller rejects it.
     */
    public static int outSize(int in, int k, int stride, int pad, int dil) {
        assert stride >= 1 && dil >= 1 && k >= 1 && pad >= 0;
        return Math.floorDiv(in + 2 * pad - dil * (k - 1) - 1, stride) + 1;
    }

    /**
     * Unfolds {@code src} {@code [n, c, h, w]} (from {@code off}) into {@code dst}
     * {@code [n, c * kh * kw, outH * outW]} (from {@code dstOff}); every dst element is written.
     */
    public static void im2col(float[] src, int off, int n, int c, int h, int w, int kh, int kw,
            int strideH, int strideW, int padH, int padW, int dilH, int dilW, float[] dst, int dstOff) {
        im2col(src, off, n, c, h, w, kh, kw, strideH, strideW, padH, padW, dilH, dilW, dst, dstOff, false);
    }

    /** {@link #im2col}, writing the {@code [c * kh * kw, n, outH * outW]} layout when {@code batchInColumns}. */
    public static void im2col(float[] src, int off, int n, int c, int h, int w, int kh, int kw,
            int strideH, int strideW, int padH, int padW, int dilH, int dilW, float[] dst, int dstOff,
            boolean batchInColumns) {
        int outH = outSize(h, kh, strideH, padH, dilH);
        int outW = outSize(w, kw, strideW, padW, dilW);
        assert n >= 0 && c >= 0 && h >= 1 && w >= 1 && outH >= 1 && outW >= 1;
        assert off >= 0 && off + (long) n * c * h * w <= src.length;
        int cols = outH * outW;
        int kArea = kh * kw;
        assert dstOff >= 0 && dstOff + (long) n * c * kArea * cols <= dst.length;
        Parallel.forRange(n * c, grain(kArea * cols), (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                // Plane p = img * c + ci; its kh*kw rows follow each other at rowStride.
                int plane = off + p * h * w;
                int rows = dstOff + rowsOfPlane(p, n, c, kArea, cols, batchInColumns);
                int rowStride = batchInColumns ? n * cols : cols;
                for (int ky = 0; ky < kh; ky++) {
                    for (int kx = 0; kx < kw; kx++) {
                        int row = rows + (ky * kw + kx) * rowStride;
                        int xOff = kx * dilW - padW;
                        int oxLo = clamp(Math.ceilDiv(-xOff, strideW), 0, outW);
                        int oxHi = clamp(Math.ceilDiv(w - xOff, strideW), oxLo, outW);
                        for (int oy = 0; oy < outH; oy++) {
                            int iy = oy * strideH - padH + ky * dilH;
                            int d = row + oy * outW;
                            if (iy < 0 || iy >= h) {
                                zero(dst, d, d + outW);
                                continue;
                            }
                            int s = plane + iy * w + xOff;
                            zero(dst, d, d + oxLo);
                            if (strideW == 1) {
                                copyRun(src, s + oxLo, dst, d + oxLo, oxHi - oxLo);
                            } else {
                                for (int ox = oxLo; ox < oxHi; ox++) {
                                    dst[d + ox] = src[s + ox * strideW];
                                }
                            }
                            zero(dst, d + oxHi, d + outW);
                        }
                    }
                }
            }
        });
    }

    /** Reference for {@link #im2col}: one bounds-checked read per column-matrix element. */
    public static void referenceIm2col(float[] src, int off, int n, int c, int h, int w, int kh, int kw,
            int strideH, int strideW, int padH, int padW, int dilH, int dilW, float[] dst, int dstOff) {
        int outH = outSize(h, kh, strideH, padH, dilH);
        int outW = outSize(w, kw, strideW, padW, dilW);
        for (int img = 0; img < n; img++) {
            for (int ci = 0; ci < c; ci++) {
                for (int ky = 0; ky < kh; ky++) {
                    for (int kx = 0; kx < kw; kx++) {
                        int row = (ci * kh + ky) * kw + kx;
                        for (int oy = 0; oy < outH; oy++) {
                            for (int ox = 0; ox < outW; ox++) {
                                int iy = oy * strideH - padH + ky * dilH;
                                int ix = ox * strideW - padW + kx * dilW;
                                boolean inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
                                float v = inside ? src[off + ((img * c + ci) * h + iy) * w + ix] : 0f;
                                dst[dstOff + ((img * c * kh * kw + row) * outH + oy) * outW + ox] = v;
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * The adjoint of {@link #im2col}: {@code dst} {@code [n, c, h, w]} (from {@code dstOff}) is
     * overwritten with zeros, then every column-matrix element of {@code col}
     * {@code [n, c * kh * kw, outH * outW]} (from {@code colOff}) is added to the input position it
     * was read from (padding positions are dropped). Per input element the additions run in
     * (ky, kx, oy, ox) order.
     */
    public static void col2im(float[] col, int colOff, int n, int c, int h, int w, int kh, int kw,
            int strideH, int strideW, int padH, int padW, int dilH, int dilW, float[] dst, int dstOff) {
        col2im(col, colOff, n, c, h, w, kh, kw, strideH, strideW, padH, padW, dilH, dilW, dst, dstOff, false);
    }

    /** {@link #col2im} of columns in the {@code [c * kh * kw, n, outH * outW]} layout when {@code batchInColumns}. */
    public static void col2im(float[] col, int colOff, int n, int c, int h, int w, int kh, int kw,
            int strideH, int strideW, int padH, int padW, int dilH, int dilW, float[] dst, int dstOff,
            boolean batchInColumns) {
        int outH = outSize(h, kh, strideH, padH, dilH);
        int outW = outSize(w, kw, strideW, padW, dilW);
        assert n >= 0 && c >= 0 && h >= 1 && w >= 1 && outH >= 1 && outW >= 1;
        int cols = outH * outW;
        int kArea = kh * kw;
        assert colOff >= 0 && colOff + (long) n * c * kArea * cols <= col.length;
        assert dstOff >= 0 && dstOff + (long) n * c * h * w <= dst.length;
        Parallel.forRange(n * c, grain(kArea * cols), (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                int plane = dstOff + p * h * w;
                int rows = colOff + rowsOfPlane(p, n, c, kArea, cols, batchInColumns);
                int rowStride = batchInColumns ? n * cols : cols;
                Arrays.fill(dst, plane, plane + h * w, 0f);
                for (int ky = 0; ky < kh; ky++) {
                    for (int kx = 0; kx < kw; kx++) {
                        int row = rows + (ky * kw + kx) * rowStride;
                        int xOff = kx * dilW - padW;
                        int oxLo = clamp(Math.ceilDiv(-xOff, strideW), 0, outW);
                        int oxHi = clamp(Math.ceilDiv(w - xOff, strideW), oxLo, outW);
                        for (int oy = 0; oy < outH; oy++) {
                            int iy = oy * strideH - padH + ky * dilH;
                            if (iy < 0 || iy >= h) {
                                continue;
                            }
                            int d = plane + iy * w + xOff;
                            int s = row + oy * outW;
                            if (strideW == 1) {
                                GatherKernel.addInto(dst, d + oxLo, col, s + oxLo, oxHi - oxLo);
                            } else {
                                for (int ox = oxLo; ox < oxHi; ox++) {
                                    dst[d + ox * strideW] += col[s + ox];
                                }
                            }
                        }
                    }
                }
            }
        });
    }

    /** Copies a short row: whole vectors, then one masked vector (System.arraycopy's call cost dominated rows of 10-28). */
    private static void copyRun(float[] src, int s, float[] dst, int d, int len) {
        int i = 0;
        if (Simd.ENABLED) {
            for (int bound = F.loopBound(len); i < bound; i += F.length()) {
                FloatVector.fromArray(F, src, s + i).intoArray(dst, d + i);
            }
            if (i < len) {
                VectorMask<Float> m = F.indexInRange(i, len);
                FloatVector.fromArray(F, src, s + i, m).intoArray(dst, d + i, m);
            }
            return;
        }
        for (; i < len; i++) {
            dst[d + i] = src[s + i];
        }
    }

    /**
     * Zeroes {@code [from, to)}: the padding margins are a few elements per row, where a plain loop
     * beats {@code Arrays.fill}'s per-call checks (they were an eighth of a LeNet-5 step).
     */
    private static void zero(float[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            a[i] = 0f;
        }
    }

    /** Offset of plane p's first column-matrix row (p = img * c + ci). */
    private static int rowsOfPlane(int p, int n, int c, int kArea, int cols, boolean batchInColumns) {
        int img = p / c;
        int ci = p % c;
        return batchInColumns ? (ci * kArea * n + img) * cols : p * kArea * cols;
    }

    /** Reference for {@link #col2im}: zero, then one bounds-checked addition per column-matrix element. */
    public static void referenceCol2im(float[] col, int colOff, int n, int c, int h, int w, int kh, int kw,
            int strideH, int strideW, int padH, int padW, int dilH, int dilW, float[] dst, int dstOff) {
        int outH = outSize(h, kh, strideH, padH, dilH);
        int outW = outSize(w, kw, strideW, padW, dilW);
        Arrays.fill(dst, dstOff, dstOff + n * c * h * w, 0f);
        for (int img = 0; img < n; img++) {
            for (int ci = 0; ci < c; ci++) {
                for (int ky = 0; ky < kh; ky++) {
                    for (int kx = 0; kx < kw; kx++) {
                        int row = (ci * kh + ky) * kw + kx;
                        for (int oy = 0; oy < outH; oy++) {
                            for (int ox = 0; ox < outW; ox++) {
                                int iy = oy * strideH - padH + ky * dilH;
                                int ix = ox * strideW - padW + kx * dilW;
                                if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                    dst[dstOff + ((img * c + ci) * h + iy) * w + ix] +=
                                            col[colOff + ((img * c * kh * kw + row) * outH + oy) * outW + ox];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static int grain(int planeWork) {
        return Math.max(1, GRAIN_WORK / Math.max(1, planeWork));
    }
}

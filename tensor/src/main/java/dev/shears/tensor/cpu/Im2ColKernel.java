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
        int kArea = kh * kw;
        assert dstOff >= 0 && dstOff + (long) n * c * kArea * outH * outW <= dst.length;
        if (Simd.ENABLED) {
            if (padH > 0 || padW > 0) {
                // Gathers cannot read zeros from outside the plane: gather from a zero-padded copy.
                int hp = h + 2 * padH;
                int wp = w + 2 * padW;
                float[] padded = padPlanes(src, off, n * c, h, w, padH, padW);
                gatherColumns(padded, 0, n, c, hp, wp, kh, kw, strideH, strideW, dilH, dilW, outH, outW,
                        dst, dstOff, batchInColumns);
            } else {
                gatherColumns(src, off, n, c, h, w, kh, kw, strideH, strideW, dilH, dilW, outH, outW,
                        dst, dstOff, batchInColumns);
            }
            return;
        }
        int cols = outH * outW;
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
                            for (int ox = oxLo; ox < oxHi; ox++) {
                                dst[d + ox] = src[s + ox * strideW];
                            }
                            zero(dst, d + oxHi, d + outW);
                        }
                    }
                }
            }
        });
    }

    /**
     * The vector im2col of unpadded planes: for every window position the {@code outH * outW} column
     * entries of a plane are read with gathers through one index map (row runs of 10-28 elements
     * cost more in loop and tail handling than the copy itself).
     */
    private static void gatherColumns(float[] src, int off, int n, int c, int h, int w, int kh, int kw,
            int strideH, int strideW, int dilH, int dilW, int outH, int outW, float[] dst, int dstOff,
            boolean batchInColumns) {
        int cols = outH * outW;
        int kArea = kh * kw;
        int lanes = F.length();
        int whole = F.loopBound(cols);
        // Offsets of the column entries from the window's top-left input element; the padding
        // lanes of the last vector repeat the last entry so every gathered index stays in the plane.
        int[] map = new int[whole + lanes];
        for (int q = 0; q < map.length; q++) {
            int e = Math.min(q, cols - 1);
            map[q] = e / outW * strideH * w + e % outW * strideW;
        }
        Parallel.forRange(n * c, grain(kArea * cols), (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                int plane = off + p * h * w;
                int rows = dstOff + rowsOfPlane(p, n, c, kArea, cols, batchInColumns);
                int rowStride = batchInColumns ? n * cols : cols;
                for (int ky = 0; ky < kh; ky++) {
                    for (int kx = 0; kx < kw; kx++) {
                        int base = plane + ky * dilH * w + kx * dilW;
                        int row = rows + (ky * kw + kx) * rowStride;
                        for (int q = 0; q < whole; q += lanes) {
                            FloatVector.fromArray(F, src, base, map, q).intoArray(dst, row + q);
                        }
                        if (whole < cols) {
                            lastColumns(src, base, map, whole, cols, dst, row);
                        }
                    }
                }
            }
        });
    }

    /** Entries [from, cols) of a gathered row: one masked store, or scalar at the very end of dst. */
    private static void lastColumns(float[] src, int base, int[] map, int from, int cols, float[] dst, int row) {
        if (row + from + F.length() <= dst.length) {
            FloatVector.fromArray(F, src, base, map, from).intoArray(dst, row + from, Simd.lanes(0, cols - from));
        } else {
            for (int q = from; q < cols; q++) {
                dst[row + q] = src[base + map[q]];
            }
        }
    }

    /** Copies {@code planes} planes of h x w into new (h + 2 padH) x (w + 2 padW) planes with zero margins. */
    private static float[] padPlanes(float[] src, int off, int planes, int h, int w, int padH, int padW) {
        int hp = h + 2 * padH;
        int wp = w + 2 * padW;
        float[] padded = new float[planes * hp * wp];
        Parallel.forRange(planes, grain(hp * wp), (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                for (int y = 0; y < h; y++) {
                    System.arraycopy(src, off + (p * h + y) * w, padded, (p * hp + y + padH) * wp + padW, w);
                }
            }
        });
        return padded;
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
                if (Simd.ENABLED && strideW == 1 && planeInVectorReach(col, rows, rowStride, cols, kArea, kw * dilW,
                        w + padW, dst, plane + h * w)) {
                    sumPlane(col, rows, rowStride, outH, outW, h, w, kh, kw, strideH, padH, padW, dilH, dilW,
                            dst, plane);
                    continue;
                }
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
                            for (int ox = oxLo; ox < oxHi; ox++) {
                                dst[d + ox * strideW] += col[s + ox];
                            }
                        }
                    }
                }
            }
        });
    }

    /**
     * Whether every vector {@link #sumPlane} would load or store for a plane lies inside the arrays
     * (only planes at the very ends of the arrays fail). The others go the scalar way: letting the
     * Vector API's out-of-range check run at all made C2 compile the masked loads 3-4x slower.
     */
    private static boolean planeInVectorReach(float[] col, int rows, int rowStride, int cols, int kArea,
            int maxShift, int maxLead, float[] dst, int planeEnd) {
        int lanes = F.length();
        return rows - maxShift >= 0
                && rows + (long) (kArea - 1) * rowStride + cols + maxLead + lanes <= col.length
                && planeEnd + lanes <= dst.length;
    }

    /**
     * {@link #col2im} of one input plane for a unit column stride: each vector of an input row is
     * summed in a register from masked loads of every window position that reaches it, in (ky, kx)
     * order, and stored once (adding each run of 10-28 elements into memory cost two loads and a
     * masked store per run).
     */
    private static void sumPlane(float[] col, int rows, int rowStride, int outH, int outW, int h, int w,
            int kh, int kw, int strideH, int padH, int padW, int dilH, int dilW, float[] dst, int plane) {
        int planeEnd = plane + h * w;
        FloatVector zero = FloatVector.zero(F);
        for (int iy = 0; iy < h; iy++) {
            int d = plane + iy * w;
            for (int x0 = 0; x0 < w; x0 += F.length()) {
                FloatVector sum = FloatVector.zero(F);
                for (int ky = 0; ky < kh; ky++) {
                    int t = iy + padH - ky * dilH;
                    int oy = t / strideH;
                    if (t < 0 || oy * strideH != t || oy >= outH) {
                        continue;
                    }
                    int s = rows + ky * kw * rowStride + oy * outW + x0;
                    for (int kx = 0; kx < kw; kx++) {
                        // Lane j is input column x0 + j, read by output column x0 + j - shift.
                        int shift = kx * dilW - padW;
                        VectorMask<Float> m = Simd.lanes(shift - x0, outW + shift - x0);
                        FloatVector v = FloatVector.fromArray(F, col, s + kx * rowStride - shift);
                        sum = sum.add(zero.blend(v, m));
                    }
                }
                // Lanes past the row are zero; they may land on later rows of this plane, written after,
                // or past the plane, which must not be touched.
                if (d + x0 + F.length() <= planeEnd) {
                    sum.intoArray(dst, d + x0);
                } else {
                    sum.intoArray(dst, d + x0, Simd.lanes(0, w - x0));
                }
            }
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

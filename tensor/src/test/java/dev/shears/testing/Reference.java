package dev.shears.testing;

import dev.shears.tensor.Shape;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * Naive double-precision implementations written from the math, on plain row-major arrays.
 * They are the oracle for tensor ops; never adapted from kernel code.
 */
public final class Reference {
    private Reference() {}

    /** Row-major multi-index of flat position {@code flat} in {@code shape}. */
    public static int[] unflatten(int flat, Shape shape) {
        int[] idx = new int[shape.rank()];
        for (int a = shape.rank() - 1; a >= 0; a--) {
            idx[a] = flat % shape.dim(a);
            flat /= shape.dim(a);
        }
        return idx;
    }

    /** Flat row-major position of {@code idx} in {@code shape}, with size-1 axes of a broadcast operand read at 0. */
    public static int flatBroadcast(int[] outIdx, Shape operand) {
        int lead = outIdx.length - operand.rank();
        int flat = 0;
        for (int a = 0; a < operand.rank(); a++) {
            int d = operand.dim(a);
            flat = flat * d + (d == 1 ? 0 : outIdx[a + lead]);
        }
        return flat;
    }

    public static double[] map(float[] x, DoubleUnaryOperator f) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = f.applyAsDouble(x[i]);
        }
        return out;
    }

    /** {@code f(a, b)} with NumPy broadcasting into {@code out}. */
    public static double[] broadcast(float[] a, Shape as, float[] b, Shape bs, Shape out, DoubleBinaryOperator f) {
        double[] r = new double[out.numel()];
        for (int i = 0; i < r.length; i++) {
            int[] idx = unflatten(i, out);
            r[i] = f.applyAsDouble(a[flatBroadcast(idx, as)], b[flatBroadcast(idx, bs)]);
        }
        return r;
    }

    /** Sum over one axis of a row-major array, in double. */
    public static double[] sumAxis(float[] x, Shape s, int axis) {
        int outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= s.dim(i);
        }
        int n = s.dim(axis);
        int inner = s.numel() / Math.max(1, outer * n);
        double[] out = new double[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < n; j++) {
                for (int i = 0; i < inner; i++) {
                    out[o * inner + i] += x[(o * n + j) * inner + i];
                }
            }
        }
        return out;
    }

    /** C = A·B for row-major A [m, k] and B [k, n], in double. */
    public static double[] matmul(float[] a, float[] b, int m, int n, int k) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += (double) a[i * k + p] * b[p * n + j];
                }
                c[i * n + j] = s;
            }
        }
        return c;
    }

    /** Softmax over the last axis of rows of length n, in double. */
    public static double[] softmaxRows(float[] x, int n, boolean log) {
        double[] out = new double[x.length];
        for (int r = 0; r < x.length / n; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                max = Math.max(max, x[r * n + j]);
            }
            double sum = 0;
            for (int j = 0; j < n; j++) {
                sum += Math.exp(x[r * n + j] - max);
            }
            for (int j = 0; j < n; j++) {
                double z = x[r * n + j] - max;
                out[r * n + j] = log ? z - Math.log(sum) : Math.exp(z) / sum;
            }
        }
        return out;
    }
    // ---- layouts -----------------------------------------------------------------------------

    /** Row-major strides of {@code shape}. */
    public static int[] strides(Shape shape) {
        int[] st = new int[shape.rank()];
        int s = 1;
        for (int a = shape.rank() - 1; a >= 0; a--) {
            st[a] = s;
            s *= shape.dim(a);
        }
        return st;
    }

    /** Flat row-major position of {@code idx} in {@code shape}. */
    public static int flat(int[] idx, Shape shape) {
        int f = 0;
        for (int a = 0; a < shape.rank(); a++) {
            f = f * shape.dim(a) + idx[a];
        }
        return f;
    }

    /** The values of {@code x} (shape {@code s}) with axes reordered: result axis i is input axis {@code order[i]}. */
    public static float[] permute(float[] x, Shape s, int... order) {
        int[] outDims = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            outDims[i] = s.dim(order[i]);
        }
        Shape out = Shape.of(outDims);
        float[] r = new float[x.length];
        int[] src = new int[s.rank()];
        for (int f = 0; f < r.length; f++) {
            int[] idx = unflatten(f, out);
            for (int i = 0; i < order.length; i++) {
                src[order[i]] = idx[i];
            }
            r[f] = x[flat(src, s)];
        }
        return r;
    }

    /** Elements {@code [start, start + length)} of {@code axis}. */
    public static float[] narrow(float[] x, Shape s, int axis, int start, int length) {
        Shape out = s.with(axis, length);
        float[] r = new float[out.numel()];
        for (int f = 0; f < r.length; f++) {
            int[] idx = unflatten(f, out);
            idx[axis] += start;
            r[f] = x[flat(idx, s)];
        }
        return r;
    }

    /** {@code x} broadcast (NumPy rules) to {@code out}. */
    public static float[] expand(float[] x, Shape s, Shape out) {
        float[] r = new float[out.numel()];
        for (int f = 0; f < r.length; f++) {
            r[f] = x[flatBroadcast(unflatten(f, out), s)];
        }
        return r;
    }

    /** Element-wise {@code f} of three broadcast operands (for where). */
    public static double[] broadcast3(float[] c, Shape cs, float[] a, Shape as, float[] b, Shape bs, Shape out,
                                      TernaryOperator f) {
        double[] r = new double[out.numel()];
        for (int i = 0; i < r.length; i++) {
            int[] idx = unflatten(i, out);
            r[i] = f.apply(c[flatBroadcast(idx, cs)], a[flatBroadcast(idx, as)], b[flatBroadcast(idx, bs)]);
        }
        return r;
    }

    /** A function of three doubles. */
    @FunctionalInterface
    public interface TernaryOperator {
        double apply(double c, double a, double b);
    }

    public static double[] toDouble(float[] x) {
        double[] r = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            r[i] = x[i];
        }
        return r;
    }

    // ---- special functions -------------------------------------------------------------------

    /** erf in double: Maclaurin series for |x| < 2, the continued fraction of erfc beyond. */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double z = Math.abs(x);
        double r = z < 2 ? erfSeries(z) : 1 - erfcFraction(z);
        return x < 0 ? -r : r;
    }

    /** erfc in double, accurate in the tail (where 1 - erf would cancel). */
    public static double erfc(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        if (x < 2) {
            return 1 - erf(x);
        }
        return erfcFraction(x);
    }

    private static double erfSeries(double z) {
        // erf(z) = 2/sqrt(pi) * sum_n (-1)^n z^(2n+1) / (n! (2n+1))
        double term = z;
        double sum = z;
        for (int n = 1; n < 200; n++) {
            term *= -z * z / n;
            double add = term / (2 * n + 1);
            sum += add;
            if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
                break;
            }
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    private static double erfcFraction(double z) {
        // erfc(z) = exp(-z^2)/sqrt(pi) * 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + 2/(z + ...))))), z > 0
        double f = z;
        for (int n = 120; n >= 1; n--) {
            f = z + (n / 2.0) / f;
        }
        return Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
    }

    /** GELU, x·Φ(x) = x/2 · erfc(-x/√2). */
    public static double geluErf(double x) {
        return 0.5 * x * erfc(-x / Math.sqrt(2));
    }

    /** GELU with the tanh approximation (Hendrycks and Gimpel, GPT-2). */
    public static double geluTanh(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    public static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** max/min that return NaN when either operand is NaN. */
    public static double nanMax(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b);
    }

    public static double nanMin(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.min(a, b);
    }

    // ---- reductions --------------------------------------------------------------------------

    /** Reductions over a set of axes. */
    public enum Reduction { SUM, MEAN, MAX, MIN }

    /** Reduces {@code axes} of {@code x}; the result lists the kept axes in row-major order. */
    public static double[] reduce(float[] x, Shape s, int[] axes, Reduction op) {
        boolean[] reduced = new boolean[s.rank()];
        for (int a : axes) {
            reduced[a] = true;
        }
        int[] keptDims = new int[s.rank()];
        for (int a = 0; a < s.rank(); a++) {
            keptDims[a] = reduced[a] ? 1 : s.dim(a);
        }
        Shape kept = Shape.of(keptDims);
        double[] acc = new double[kept.numel()];
        int[] count = new int[acc.length];
        double init = switch (op) {
            case SUM, MEAN -> 0;
            case MAX -> Double.NEGATIVE_INFINITY;
            case MIN -> Double.POSITIVE_INFINITY;
        };
        java.util.Arrays.fill(acc, init);
        for (int f = 0; f < x.length; f++) {
            int[] idx = unflatten(f, s);
            for (int a = 0; a < idx.length; a++) {
                if (reduced[a]) {
                    idx[a] = 0;
                }
            }
            int o = flat(idx, kept);
            double v = x[f];
            acc[o] = switch (op) {
                case SUM, MEAN -> acc[o] + v;
                case MAX -> nanMax(acc[o], v);
                case MIN -> nanMin(acc[o], v);
            };
            count[o]++;
        }
        if (op == Reduction.MEAN) {
            for (int o = 0; o < acc.length; o++) {
                acc[o] /= count[o];
            }
        }
        return acc;
    }

    /** Σ(x - mean)² / (n - correction) over {@code axes}. */
    public static double[] variance(float[] x, Shape s, int[] axes, int correction) {
        double[] mean = reduce(x, s, axes, Reduction.MEAN);
        boolean[] reduced = new boolean[s.rank()];
        int n = 1;
        for (int a : axes) {
            reduced[a] = true;
            n *= s.dim(a);
        }
        int[] keptDims = new int[s.rank()];
        for (int a = 0; a < s.rank(); a++) {
            keptDims[a] = reduced[a] ? 1 : s.dim(a);
        }
        Shape kept = Shape.of(keptDims);
        double[] acc = new double[mean.length];
        for (int f = 0; f < x.length; f++) {
            int[] idx = unflatten(f, s);
            for (int a = 0; a < idx.length; a++) {
                if (reduced[a]) {
                    idx[a] = 0;
                }
            }
            int o = flat(idx, kept);
            double d = x[f] - mean[o];
            acc[o] += d * d;
        }
        for (int o = 0; o < acc.length; o++) {
            acc[o] /= n - correction;
        }
        return acc;
    }

    /** Index of the first maximum (or minimum) along {@code axis}; a NaN beats every number, the first NaN wins. */
    public static int[] argReduce(float[] x, Shape s, int axis, boolean max) {
        Shape out = s.with(axis, 1);
        int[] r = new int[out.numel()];
        for (int o = 0; o < r.length; o++) {
            int[] idx = unflatten(o, out);
            int best = -1;
            float bestValue = 0;
            for (int j = 0; j < s.dim(axis); j++) {
                idx[axis] = j;
                float v = x[flat(idx, s)];
                if (best < 0) {
                    best = j;
                    bestValue = v;
                } else if (Float.isNaN(bestValue)) {
                    break;
                } else if (Float.isNaN(v) || (max ? v > bestValue : v < bestValue)) {
                    best = j;
                    bestValue = v;
                }
            }
            r[o] = best;
        }
        return r;
    }

    /** Softmax (or log-softmax) along any axis, in double. */
    public static double[] softmax(float[] x, Shape s, int axis, boolean log) {
        double[] r = new double[x.length];
        Shape out = s.with(axis, 1);
        int n = s.dim(axis);
        for (int o = 0; o < out.numel(); o++) {
            int[] idx = unflatten(o, out);
            int[] at = new int[n];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                idx[axis] = j;
                at[j] = flat(idx, s);
                max = nanMax(max, x[at[j]]);
            }
            double sum = 0;
            for (int j = 0; j < n; j++) {
                sum += Math.exp(x[at[j]] - max);
            }
            for (int j = 0; j < n; j++) {
                double z = x[at[j]] - max;
                r[at[j]] = log ? z - Math.log(sum) : Math.exp(z) / sum;
            }
        }
        return r;
    }

    // ---- matrix products ---------------------------------------------------------------------

    /**
     * Batched product of {@code a [..., m, k]} and {@code b [..., k, n]} with broadcast batch axes
     * (both of rank ≥ 2); the result is {@code [batch..., m, n]} row-major.
     */
    public static double[] matmulBatched(float[] a, Shape as, float[] b, Shape bs, Shape batch) {
        int m = as.dim(-2);
        int k = as.dim(-1);
        int n = bs.dim(-1);
        Shape aBatch = Shape.of(java.util.Arrays.copyOf(as.dims(), as.rank() - 2));
        Shape bBatch = Shape.of(java.util.Arrays.copyOf(bs.dims(), bs.rank() - 2));
        double[] c = new double[batch.numel() * m * n];
        for (int t = 0; t < batch.numel(); t++) {
            int[] idx = unflatten(t, batch);
            int aBase = flatBroadcast(idx, aBatch) * m * k;
            int bBase = flatBroadcast(idx, bBatch) * k * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    for (int p = 0; p < k; p++) {
                        sum += (double) a[aBase + i * k + p] * b[bBase + p * n + j];
                    }
                    c[(t * m + i) * n + j] = sum;
                }
            }
        }
        return c;
    }

    /** Σ_p |a[i, p]·b[p, j]| per output, the scale of the rounding error of a float product. */
    public static double[] matmulAbs(float[] a, Shape as, float[] b, Shape bs, Shape batch) {
        float[] aa = new float[a.length];
        float[] bb = new float[b.length];
        for (int i = 0; i < a.length; i++) {
            aa[i] = Math.abs(a[i]);
        }
        for (int i = 0; i < b.length; i++) {
            bb[i] = Math.abs(b[i]);
        }
        return matmulBatched(aa, as, bb, bs, batch);
    }

    // ---- indexing ----------------------------------------------------------------------------

    /** {@code out[idx] = x[idx with axis replaced by index[idx]]}; the result has the index's shape. */
    public static double[] gather(float[] x, Shape s, int axis, int[] index, Shape is) {
        double[] r = new double[index.length];
        for (int f = 0; f < r.length; f++) {
            int[] idx = unflatten(f, is);
            idx[axis] = index[f];
            r[f] = x[flat(idx, s)];
        }
        return r;
    }

    /** The entries {@code index} along {@code axis}. */
    public static double[] indexSelect(float[] x, Shape s, int axis, int[] index) {
        Shape out = s.with(axis, index.length);
        double[] r = new double[out.numel()];
        for (int f = 0; f < r.length; f++) {
            int[] idx = unflatten(f, out);
            idx[axis] = index[idx[axis]];
            r[f] = x[flat(idx, s)];
        }
        return r;
    }

    /** A copy of {@code x} with {@code src[idx]} added at {@code idx with axis replaced by index[idx]}. */
    public static double[] scatterAdd(float[] x, Shape s, int axis, int[] index, Shape is, float[] src) {
        double[] r = toDouble(x);
        for (int f = 0; f < index.length; f++) {
            int[] idx = unflatten(f, is);
            idx[axis] = index[f];
            r[flat(idx, s)] += src[f];
        }
        return r;
    }

    /** A copy of {@code x} with {@code src[.., j, ..]} added at {@code [.., index[j], ..]}. */
    public static double[] indexAdd(float[] x, Shape s, int axis, int[] index, float[] src) {
        double[] r = toDouble(x);
        Shape ss = s.with(axis, index.length);
        for (int f = 0; f < src.length; f++) {
            int[] idx = unflatten(f, ss);
            idx[axis] = index[idx[axis]];
            r[flat(idx, s)] += src[f];
        }
        return r;
    }

    // ---- convolution and pooling (NCHW) ------------------------------------------------------

    /** Output length of a window along one axis: floor((in + 2 pad - dil (k - 1) - 1) / stride) + 1. */
    public static int outSize(int in, int k, int stride, int pad, int dil) {
        return Math.floorDiv(in + 2 * pad - dil * (k - 1) - 1, stride) + 1;
    }

    /**
     * Columns [n, c·kh·kw, outH·outW]: row (ci, ky, kx), column (oy, ox) holds
     * x[ci, oy·sh - ph + ky·dh, ox·sw - pw + kx·dw], or 0 in the padding.
     */
    public static double[] im2col(float[] x, int n, int c, int h, int w, int kh, int kw, int sh, int sw,
                                  int ph, int pw, int dh, int dw) {
        int oh = outSize(h, kh, sh, ph, dh);
        int ow = outSize(w, kw, sw, pw, dw);
        double[] r = new double[n * c * kh * kw * oh * ow];
        for (int b = 0; b < n; b++) {
            for (int ci = 0; ci < c; ci++) {
                for (int ky = 0; ky < kh; ky++) {
                    for (int kx = 0; kx < kw; kx++) {
                        int row = (ci * kh + ky) * kw + kx;
                        for (int oy = 0; oy < oh; oy++) {
                            for (int ox = 0; ox < ow; ox++) {
                                int y = oy * sh - ph + ky * dh;
                                int xx = ox * sw - pw + kx * dw;
                                double v = y >= 0 && y < h && xx >= 0 && xx < w ? x[((b * c + ci) * h + y) * w + xx] : 0;
                                r[((b * c * kh * kw + row) * oh + oy) * ow + ox] = v;
                            }
                        }
                    }
                }
            }
        }
        return r;
    }

    /** The adjoint of {@link #im2col}: every column entry added back to the pixel it came from. */
    public static double[] col2im(float[] cols, int n, int c, int h, int w, int kh, int kw, int sh, int sw,
                                  int ph, int pw, int dh, int dw) {
        int oh = outSize(h, kh, sh, ph, dh);
        int ow = outSize(w, kw, sw, pw, dw);
        double[] r = new double[n * c * h * w];
        for (int b = 0; b < n; b++) {
            for (int ci = 0; ci < c; ci++) {
                for (int ky = 0; ky < kh; ky++) {
                    for (int kx = 0; kx < kw; kx++) {
                        int row = (ci * kh + ky) * kw + kx;
                        for (int oy = 0; oy < oh; oy++) {
                            for (int ox = 0; ox < ow; ox++) {
                                int y = oy * sh - ph + ky * dh;
                                int xx = ox * sw - pw + kx * dw;
                                if (y >= 0 && y < h && xx >= 0 && xx < w) {
                                    r[((b * c + ci) * h + y) * w + xx] += cols[((b * c * kh * kw + row) * oh + oy) * ow + ox];
                                }
                            }
                        }
                    }
                }
            }
        }
        return r;
    }

    /** Max pooling result: values and argmax (flat y·w + x within the input plane). */
    public record Pooled(double[] values, int[] argmax) {}

    /** Max over each window's in-image positions; the first maximum in row-major scan wins, a NaN beats all. */
    public static Pooled maxPool2d(float[] x, int n, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw) {
        int oh = outSize(h, kh, sh, ph, 1);
        int ow = outSize(w, kw, sw, pw, 1);
        double[] v = new double[n * c * oh * ow];
        int[] arg = new int[v.length];
        for (int p = 0; p < n * c; p++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int best = -1;
                    float bestValue = Float.NEGATIVE_INFINITY;
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            int y = oy * sh - ph + ky;
                            int xx = ox * sw - pw + kx;
                            if (y < 0 || y >= h || xx < 0 || xx >= w) {
                                continue;
                            }
                            float e = x[(p * h + y) * w + xx];
                            boolean take = best < 0 || (!Float.isNaN(bestValue) && (Float.isNaN(e) || e > bestValue));
                            if (take) {
                                best = y * w + xx;
                                bestValue = e;
                            }
                        }
                    }
                    int o = (p * oh + oy) * ow + ox;
                    v[o] = bestValue;
                    arg[o] = best;
                }
            }
        }
        return new Pooled(v, arg);
    }

    /** Mean over each window: divided by kh·kw with countIncludePad, else by the in-image positions. */
    public static double[] avgPool2d(float[] x, int n, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw,
                                     boolean countIncludePad) {
        int oh = outSize(h, kh, sh, ph, 1);
        int ow = outSize(w, kw, sw, pw, 1);
        double[] v = new double[n * c * oh * ow];
        for (int p = 0; p < n * c; p++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    double sum = 0;
                    int inside = 0;
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            int y = oy * sh - ph + ky;
                            int xx = ox * sw - pw + kx;
                            if (y >= 0 && y < h && xx >= 0 && xx < w) {
                                sum += x[(p * h + y) * w + xx];
                                inside++;
                            }
                        }
                    }
                    v[(p * oh + oy) * ow + ox] = sum / (countIncludePad ? kh * kw : inside);
                }
            }
        }
        return v;
    }

    /** d(avgPool2d)/dx applied to {@code gradOut}: each output gradient spread evenly over its window's divisor. */
    public static double[] avgPool2dBackward(float[] gradOut, int n, int c, int h, int w, int kh, int kw, int sh, int sw,
                                             int ph, int pw, boolean countIncludePad) {
        int oh = outSize(h, kh, sh, ph, 1);
        int ow = outSize(w, kw, sw, pw, 1);
        double[] g = new double[n * c * h * w];
        for (int p = 0; p < n * c; p++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int inside = 0;
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            int y = oy * sh - ph + ky;
                            int xx = ox * sw - pw + kx;
                            if (y >= 0 && y < h && xx >= 0 && xx < w) {
                                inside++;
                            }
                        }
                    }
                    double share = gradOut[(p * oh + oy) * ow + ox] / (countIncludePad ? kh * kw : inside);
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            int y = oy * sh - ph + ky;
                            int xx = ox * sw - pw + kx;
                            if (y >= 0 && y < h && xx >= 0 && xx < w) {
                                g[(p * h + y) * w + xx] += share;
                            }
                        }
                    }
                }
            }
        }
        return g;
    }
}

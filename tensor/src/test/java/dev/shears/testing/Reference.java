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
}

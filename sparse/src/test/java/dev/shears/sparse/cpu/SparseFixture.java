package dev.shears.sparse.cpu;

import dev.shears.tensor.Rng;
import dev.shears.testing.ArrayAssert;

/**
 * Random operands in the kernels' primitive layouts, built together with the dense matrices they
 * stand for, and the dense double-precision oracles the kernels are checked against.
 */
final class SparseFixture {
    private static final double U = 0x1.0p-24;

    private SparseFixture() {}

    /**
     * A random sparse W [m, k] in every layout its pattern fits: mask words and packed values (the
     * 2:4 and bitmap layouts; packed values in row-major column order are also CSR's values), CSR
     * row pointers and both index widths, and the dense matrix.
     */
    static final class Weights {
        final int m;
        final int k;
        final float[] dense;
        final char[] masks;
        final float[] values;
        final int[] rowStart;
        final char[] narrowCols;
        final int[] wideCols;

        private Weights(int m, int k, float[] dense) {
            this.m = m;
            this.k = k;
            this.dense = dense;
            int words = (k + 15) / 16;
            masks = new char[m * words];
            rowStart = new int[m + 1];
            int nnz = 0;
            for (float v : dense) {
                nnz += v != 0f ? 1 : 0;
            }
            values = new float[nnz];
            narrowCols = new char[nnz];
            wideCols = new int[nnz];
            int p = 0;
            for (int r = 0; r < m; r++) {
                rowStart[r] = p;
                for (int c = 0; c < k; c++) {
                    float v = dense[r * k + c];
                    if (v != 0f) {
                        masks[r * words + c / 16] |= (char) (1 << (c % 16));
                        values[p] = v;
                        narrowCols[p] = (char) c;
                        wideCols[p] = c;
                        p++;
                    }
                }
            }
            rowStart[m] = p;
        }

        /** CSR row pointers are the bitmap's row starts. */
        int[] rowPtr() {
            return rowStart;
        }

        int nnz() {
            return values.length;
        }
    }

    /** A 2:4 W [m, k] (k a multiple of 4): a uniformly random pair kept in every group of four. */
    static Weights semi24(int m, int k, Rng rng) {
        int[][] pairs = {{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3}};
        float[] w = new float[m * k];
        for (int r = 0; r < m; r++) {
            for (int g = 0; g < k / 4; g++) {
                for (int j : pairs[rng.nextInt(6)]) {
                    w[r * k + 4 * g + j] = nonZero(rng);
                }
            }
        }
        return new Weights(m, k, w);
    }

    /**
     * An unstructured W [m, k], each element kept with probability {@code density}; with
     * {@code emptyRows}, every third row (from row 1) is empty whatever the density.
     */
    static Weights unstructured(int m, int k, double density, boolean emptyRows, Rng rng) {
        float[] w = new float[m * k];
        for (int r = 0; r < m; r++) {
            boolean empty = emptyRows && r % 3 == 1;
            for (int c = 0; c < k; c++) {
                if (rng.nextDouble() < density && !empty) {
                    w[r * k + c] = nonZero(rng);
                }
            }
        }
        return new Weights(m, k, w);
    }

    /** Uniform in [-1, 1), never 0 (a kept value that is 0 would vanish from the derived layouts). */
    private static float nonZero(Rng rng) {
        float v;
        do {
            v = 2 * rng.nextFloat() - 1;
        } while (v == 0f);
        return v;
    }

    /** {@code length} uniform floats in [-1, 1). */
    static float[] random(int length, Rng rng) {
        float[] a = new float[length];
        for (int i = 0; i < a.length; i++) {
            a[i] = 2 * rng.nextFloat() - 1;
        }
        return a;
    }

    // ---------------------------------------------------------------- dense oracles

    /**
     * An exact-ish result (double) and its error scale, per output element: {@code value} of the
     * sum and {@code magnitude} = Σ|terms| (+ |old| when accumulating), over sums of {@code depth}
     * terms at most.
     */
    record Expected(double[] value, double[] magnitude, int depth) {
        /** Asserts {@code actual} within {@code factor} float32 summation bounds of the value. */
        void assertMatches(float[] actual, int factor, String context) {
            double gamma = (depth + 2) * U / (1 - (depth + 2) * U);
            double[] tol = new double[magnitude.length];
            for (int i = 0; i < tol.length; i++) {
                tol[i] = factor * gamma * magnitude[i] + Double.MIN_NORMAL;
            }
            ArrayAssert.assertWithin(value, tol, actual, context);
        }
    }

    /**
     * C[rows, cols] at {@code c[cOff]} (row stride cols) (+)= A · B with
     * {@code A(i, p) = a[aOff + i * aRs + p * aCs]} and {@code B(p, j) = b[bOff + p * bRs + j * bCs]},
     * over depth p; the rest of C (its padding) kept as is.
     */
    static Expected product(int rows, int cols, int depth, double[] a, int aOff, int aRs, int aCs,
            double[] b, int bOff, int bRs, int bCs, float[] c, int cOff, boolean accumulate) {
        double[] value = new double[c.length];
        double[] magnitude = new double[c.length];
        for (int i = 0; i < c.length; i++) {
            value[i] = c[i];
        }
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double s = 0;
                double mag = 0;
                for (int p = 0; p < depth; p++) {
                    double t = a[aOff + i * aRs + p * aCs] * b[bOff + p * bRs + j * bCs];
                    s += t;
                    mag += Math.abs(t);
                }
                int at = cOff + i * cols + j;
                value[at] = accumulate ? c[at] + s : s;
                magnitude[at] = accumulate ? mag + Math.abs(c[at]) : mag;
            }
        }
        return new Expected(value, magnitude, depth);
    }

    /** The kept positions' entries of the dense gradient dYᵀ · X, in the values order of w. */
    static Expected sddmm(Weights w, int n, float[] dy, int dyOff, float[] x, int xOff, float[] dValues,
            boolean accumulate) {
        Expected dense = product(w.m, w.k, n, widen(dy), dyOff, 1, w.m, widen(x), xOff, w.k, 1,
                new float[w.m * w.k], 0, false);
        double[] value = new double[dValues.length];
        double[] magnitude = new double[dValues.length];
        int p = 0;
        for (int r = 0; r < w.m; r++) {
            for (int c = 0; c < w.k; c++) {
                if (w.dense[r * w.k + c] != 0f) {
                    value[p] = accumulate ? dValues[p] + dense.value[r * w.k + c] : dense.value[r * w.k + c];
                    magnitude[p] = dense.magnitude[r * w.k + c] + (accumulate ? Math.abs(dValues[p]) : 0);
                    p++;
                }
            }
        }
        return new Expected(value, magnitude, n);
    }

    static double[] widen(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}

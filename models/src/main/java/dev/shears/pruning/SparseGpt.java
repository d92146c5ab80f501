package dev.shears.pruning;

import dev.shears.sparse.Mask;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;
import java.util.Arrays;

/**
 * SparseGPT (Frantar &amp; Alistarh 2023; methods.md §2.3): prunes a linear weight column by column
 * and updates the columns still to come so that the layer's output on the calibration inputs moves
 * as little as possible (optimal brain surgeon with the Hessian {@code H = 2XᵀX/N}), in blocks of
 * columns with lazy updates of the later ones. The inverse Hessian's upper Cholesky factor replaces
 * the sequential downdates. Unstructured masks are chosen once per block of columns by
 * {@code w² / U_jj²} over the whole block; N:M groups when the column loop reaches their first
 * column, on the already-updated weights. All arithmetic is in double precision.
 */
public final class SparseGpt {
    /** The reference's column block. */
    public static final int DEFAULT_BLOCK = 128;
    /** The reference's dampening: a fraction of the mean diagonal of H added to it. */
    public static final double DEFAULT_DAMP = 0.01;

    private SparseGpt() {}

    /** The pruned, updated weight and its mask. */
    public record Result(Tensor weight, Mask mask) {}

    /** {@link #prune(Tensor, double[], PruningPattern, int, double)} with the reference's block and dampening. */
    public static Result prune(Tensor weight, double[] hessian, PruningPattern pattern) {
        return prune(weight, hessian, pattern, DEFAULT_BLOCK, DEFAULT_DAMP);
    }

    /**
     * @param weight   [rows, cols]
     * @param hessian  {@code 2XᵀX/N}, cols x cols row-major (see {@link ActivationStats#hessian()})
     * @param block    columns per block (a multiple of M for N:M)
     * @param percDamp dampening as a fraction of mean(diag H)
     * @throws ShapeException           if the shapes disagree or cols is not a multiple of M
     * @throws IllegalArgumentException if the dampened Hessian is not positive definite
     */
    public static Result prune(Tensor weight, double[] hessian, PruningPattern pattern, int block, double percDamp) {
        String op = "SparseGpt.prune";
        LayerPruning.requireMatrix(op, weight);
        int rows = weight.dim(0);
        int cols = weight.dim(1);
        if (hessian.length != cols * cols) {
            throw new ShapeException(op + ": Hessian of " + hessian.length + " entries for " + cols + " columns (need "
                    + cols * cols + ")");
        }
        if (pattern.isNm() && (cols % pattern.m() != 0 || block % pattern.m() != 0)) {
            throw new ShapeException(op + ": columns " + cols + " and block " + block + " must be multiples of "
                    + pattern.m() + " for " + pattern);
        }
        if (block < 1 || !(percDamp >= 0)) {
            throw new IllegalArgumentException(op + ": block " + block + " must be >= 1 and dampening " + percDamp
                    + " >= 0");
        }
        double[] w = toDouble(weight.contiguous().toFloatArray());
        double[] h = hessian.clone();
        double meanDiag = 0;
        for (int j = 0; j < cols; j++) {
            if (h[j * cols + j] == 0) { // a dead input: never active, its weights are irrelevant
                h[j * cols + j] = 1;
                for (int r = 0; r < rows; r++) {
                    w[r * cols + j] = 0;
                }
            }
            meanDiag += h[j * cols + j];
        }
        meanDiag /= cols;
        for (int j = 0; j < cols; j++) {
            h[j * cols + j] += percDamp * meanDiag;
        }
        double[] u = Cholesky.upperOfInverse(op, h, cols);
        boolean[] pruned = new boolean[rows * cols];
        for (int c0 = 0; c0 < cols; c0 += block) {
            int c1 = Math.min(c0 + block, cols);
            int width = c1 - c0;
            double[] err = new double[rows * width];
            if (!pattern.isNm()) {
                chooseBlockMask(w, u, pruned, rows, cols, c0, c1, pattern.sparsity());
            }
            for (int k = 0; k < width; k++) {
                int c = c0 + k;
                if (pattern.isNm() && k % pattern.m() == 0) {
                    chooseGroups(w, u, pruned, rows, cols, c, pattern);
                }
                double d = u[c * cols + c];
                for (int r = 0; r < rows; r++) {
                    double wc = w[r * cols + c];
                    double q = pruned[r * cols + c] ? 0 : wc;
                    double e = (wc - q) / d;
                    if (e != 0) {
                        for (int j = c + 1; j < c1; j++) {
                            w[r * cols + j] -= e * u[c * cols + j];
                        }
                    }
                    w[r * cols + c] = q;
                    err[r * width + k] = e;
                }
            }
            // lazy update of every later column: W[:, c1:] -= Err · U[c0:c1, c1:]
            for (int r = 0; r < rows; r++) {
                for (int k = 0; k < width; k++) {
                    double e = err[r * width + k];
                    if (e == 0) {
                        continue;
                    }
                    int urow = (c0 + k) * cols;
                    for (int j = c1; j < cols; j++) {
                        w[r * cols + j] -= e * u[urow + j];
                    }
                }
            }
        }
        int[] kept = new int[rows * cols];
        int n = 0;
        float[] out = new float[rows * cols];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) w[i];
            if (!pruned[i]) {
                kept[n++] = i;
            }
        }
        return new Result(Tensor.of(out, rows, cols), Mask.fromKeptIndices(weight.shape(), Arrays.copyOf(kept, n)));
    }

    /** Marks the floor(s · rows · width) lowest w²/U_jj² of the block (ties: the lower flat index is pruned first). */
    private static void chooseBlockMask(double[] w, double[] u, boolean[] pruned, int rows, int cols, int c0, int c1,
            double sparsity) {
        int width = c1 - c0;
        int count = (int) Math.floor(sparsity * rows * width + 1e-9);
        if (count == 0) {
            return;
        }
        Integer[] idx = new Integer[rows * width];
        double[] score = new double[rows * width];
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < width; k++) {
                int c = c0 + k;
                double d = u[c * cols + c];
                double v = w[r * cols + c];
                score[r * width + k] = v * v / (d * d);
                idx[r * width + k] = r * width + k;
            }
        }
        Arrays.sort(idx, (a, b) -> score[a] != score[b] ? Double.compare(score[a], score[b]) : Integer.compare(a, b));
        for (int i = 0; i < count; i++) {
            int r = idx[i] / width;
            int k = idx[i] % width;
            pruned[r * cols + c0 + k] = true;
        }
    }

    /** In every row, prunes the M - N lowest w²/U_jj² of the group starting at column {@code c}. */
    private static void chooseGroups(double[] w, double[] u, boolean[] pruned, int rows, int cols, int c,
            PruningPattern p) {
        int m = p.m();
        int drop = m - p.n();
        double[] s = new double[m];
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < m; t++) {
                double d = u[(c + t) * cols + c + t];
                double v = w[r * cols + c + t];
                s[t] = v * v / (d * d);
            }
            for (int k = 0; k < drop; k++) { // the lowest remaining, the lower index first among equals
                int best = -1;
                for (int t = 0; t < m; t++) {
                    if (!pruned[r * cols + c + t] && (best < 0 || s[t] < s[best])) {
                        best = t;
                    }
                }
                pruned[r * cols + c + best] = true;
            }
        }
    }

    private static double[] toDouble(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }
}

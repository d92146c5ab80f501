package dev.shears.pruning;

import dev.shears.sparse.Mask;
import dev.shears.sparse.select.TopK;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;

/**
 * The score-only one-shot pruners of a single linear weight [out, in] (methods.md §2.1-2.2): they
 * choose a mask and leave the kept weights as they are.
 */
public final class LayerPruning {
    private LayerPruning() {}

    /**
     * Magnitude pruning: unstructured with one threshold over the whole matrix (the
     * {@code floor(s · numel)} smallest |w| go), or the N largest |w| of every aligned group of M.
     */
    public static Mask magnitude(Tensor weight, PruningPattern pattern) {
        requireMatrix("LayerPruning.magnitude", weight);
        if (pattern.isNm()) {
            return pattern.selector().byMagnitude(weight);
        }
        int numel = weight.numel();
        return TopK.keep(weight.abs(), numel - (int) Math.floor(pattern.sparsity() * numel + 1e-9));
    }

    /**
     * Wanda: score {@code |W_ij| · ‖X_j‖₂}; unstructured prunes the {@code floor(s · in)} lowest
     * scores of every output row, N:M the lowest of every group. No weight update.
     *
     * @param columnNorms ‖X_j‖₂ of the layer's calibration inputs, one per input feature
     */
    public static Mask wanda(Tensor weight, double[] columnNorms, PruningPattern pattern) {
        requireMatrix("LayerPruning.wanda", weight);
        return byRowScores(wandaScores(weight, columnNorms), pattern);
    }

    /** |W_ij| · ‖X_j‖₂ as a tensor of the weight's shape. */
    static Tensor wandaScores(Tensor weight, double[] columnNorms) {
        int cols = weight.dim(1);
        if (columnNorms.length != cols) {
            throw new ShapeException("LayerPruning.wanda: " + columnNorms.length + " column norms for a weight "
                    + weight.shape());
        }
        float[] w = weight.contiguous().toFloatArray();
        float[] s = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            s[i] = (float) (Math.abs(w[i]) * columnNorms[i % cols]);
        }
        return Tensor.of(s, weight.dim(0), cols);
    }

    /** Per-row selection: the pattern's N:M groups, or the floor(s · in) lowest scores of each row pruned. */
    static Mask byRowScores(Tensor scores, PruningPattern pattern) {
        if (pattern.isNm()) {
            return pattern.selector().byScores(scores);
        }
        int cols = scores.dim(1);
        return TopK.keepPerRow(scores, cols - pattern.prunedPerRow(cols));
    }

    static void requireMatrix(String op, Tensor weight) {
        if (weight.rank() != 2) {
            throw new ShapeException(op + ": weight " + weight.shape() + " must be [out, in]");
        }
    }
}

package dev.shears.sparse.select;

import dev.shears.sparse.Mask;
import dev.shears.tensor.Shape;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;
import java.util.List;

/**
 * Keeps the highest scores of one tensor: over the whole tensor (layer-wise pruning, one threshold
 * per matrix) or with one quota per row (per-output pruning, Wanda's comparison group).
 *
 * <p>A row is a run along the last axis; the rows are all the other axes flattened, so a linear
 * weight {@code [out, in]} has {@code out} rows and a conv weight {@code [c_out, c_in, kh, kw]} is
 * compared along {@code kw} only, and should be reshaped to {@code [c_out, c_in·kh·kw]} first when
 * the method compares per output channel.
 */
public final class TopK {
    private TopK() {}

    /**
     * Keeps the {@code k} highest scores of the tensor.
     *
     * @throws IllegalArgumentException if {@code k} is outside [0, numel] or a score is NaN
     */
    public static Mask keep(Tensor scores, int k) {
        return GlobalThreshold.select("TopK.keep", List.of(scores), null, k).masks().getFirst();
    }

    /**
     * Keeps the {@code k} highest scores among the elements {@code among} keeps; the rest are
     * pruned. Gradual pruning removes {@code r} of the active weights with
     * {@code keep(|w|, current, current.keptCount() - r)}; regrowth picks {@code r} inactive ones
     * with {@code keep(|grad|, current.not(), r)}.
     *
     * @throws ShapeException if {@code among}'s shape differs from the scores'
     * @throws IllegalArgumentException if {@code k} is outside [0, among.keptCount()] or a score is NaN
     */
    public static Mask keep(Tensor scores, Mask among, int k) {
        return GlobalThreshold.select("TopK.keep", List.of(scores), List.of(among), k).masks().getFirst();
    }

    /**
     * Keeps the {@code Math.round(density * numel)} highest scores of the tensor.
     *
     * @throws IllegalArgumentException if {@code density} is outside [0, 1] or a score is NaN
     */
    public static Mask atDensity(Tensor scores, double density) {
        String op = "TopK.atDensity";
        return GlobalThreshold.select(op, List.of(scores), null, Selection.keepCount(op, density, scores.numel()))
                .masks().getFirst();
    }

    /**
     * Keeps the {@code k} highest scores of every row (every run along the last axis).
     *
     * @throws ShapeException if the scores are a scalar
     * @throws IllegalArgumentException if {@code k} is outside [0, last dim] or a score is NaN
     */
    public static Mask keepPerRow(Tensor scores, int k) {
        return perRow("TopK.keepPerRow", scores, k);
    }

    /**
     * Keeps the {@code Math.round(density * cols)} highest scores of every row, where cols is the
     * last dim. (Wanda prunes {@code floor(s * cols)} per row; pass that count to
     * {@link #keepPerRow} where the exact rounding matters.)
     *
     * @throws ShapeException if the scores are a scalar
     * @throws IllegalArgumentException if {@code density} is outside [0, 1] or a score is NaN
     */
    public static Mask atDensityPerRow(Tensor scores, double density) {
        String op = "TopK.atDensityPerRow";
        requireRows(op, scores.shape());
        return perRow(op, scores, Selection.keepCount(op, density, scores.shape().dim(-1)));
    }

    private static Mask perRow(String op, Tensor scores, int k) {
        Shape s = requireRows(op, scores.shape());
        int cols = s.dim(-1);
        Selection.checkCount(op, "per row of " + cols + ", shape " + s, k, cols);
        int rows = s.remove(-1).numel();
        float[] v = Selection.read(op, "scores", scores);
        return Mask.fromKeptIndices(s, Selection.top(v, rows, cols, k));
    }

    private static Shape requireRows(String op, Shape s) {
        if (s.rank() == 0) {
            throw new ShapeException(op + ": scores are a scalar; per-row selection needs rank >= 1");
        }
        return s;
    }
}

package dev.shears.sparse.select;

import dev.shears.sparse.Mask;
import dev.shears.tensor.DType;
import dev.shears.tensor.DTypeException;
import dev.shears.tensor.Shape;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;

/**
 * N:M semi-structured selection: along the last axis, every aligned group of {@code m}
 * consecutive elements ({@code 0..m-1}, {@code m..2m-1}, ...) keeps its {@code n} highest scores.
 * For a linear weight {@code [out, in]} the groups run along the input dimension, as sparse tensor
 * cores expect. The last dim must be a multiple of {@code m}.
 *
 * <pre>{@code
 * Mask m24 = NmSelector.twoFour().byMagnitude(weight);          // 2:4 by |w|
 * Mask wanda = NmSelector.of(4, 8).byScores(wandaScores);       // 4:8 by any score
 * }</pre>
 *
 * @param n kept per group, {@code 0 <= n <= m}
 * @param m group size, at least 1
 */
public record NmSelector(int n, int m) {
    public NmSelector {
        if (m < 1 || n < 0 || n > m) {
            throw new IllegalArgumentException("NmSelector: " + n + ":" + m + " needs 0 <= n <= m and m >= 1");
        }
    }

    /** Keep {@code n} of every {@code m}. */
    public static NmSelector of(int n, int m) {
        return new NmSelector(n, m);
    }

    /** 2:4, the pattern of sparse tensor cores and of {@code SemiStructured24}. */
    public static NmSelector twoFour() {
        return new NmSelector(2, 4);
    }

    /**
     * Keeps the {@code n} largest {@code |w|} of every group of {@code m} (magnitude pruning).
     *
     * @throws ShapeException if {@code weights} is a scalar or its last dim is not a multiple of m
     * @throws DTypeException if {@code weights} is not F32
     * @throws IllegalArgumentException naming the flat index of a NaN weight
     */
    public Mask byMagnitude(Tensor weights) {
        String op = "NmSelector(" + this + ").byMagnitude";
        if (weights.dtype() != DType.F32) {
            throw DTypeException.expected(op, DType.F32, weights);
        }
        return select(op, "|weights|", weights.abs());
    }

    /**
     * Keeps the {@code n} highest scores of every group of {@code m}; among equal scores the lower
     * index.
     *
     * @throws ShapeException if {@code scores} is a scalar or its last dim is not a multiple of m
     * @throws DTypeException if {@code scores} is not F32
     * @throws IllegalArgumentException naming the flat index of a NaN score
     */
    public Mask byScores(Tensor scores) {
        return select("NmSelector(" + this + ").byScores", "scores", scores);
    }

    private Mask select(String op, String what, Tensor scores) {
        Shape s = scores.shape();
        if (s.rank() == 0) {
            throw new ShapeException(op + ": " + what + " are a scalar; N:M selection needs rank >= 1");
        }
        int cols = s.dim(-1);
        if (cols % m != 0) {
            int padded = (cols / m + 1) * m;
            throw new ShapeException(op + ": last dim " + cols + " is not a multiple of " + m + " (shape " + s
                    + "); pad it to " + padded + " or use unstructured selection (TopK)");
        }
        float[] v = Selection.read(op, what, scores);
        // Groups never straddle rows (cols is a multiple of m), so the flat array splits evenly.
        return Mask.fromKeptIndices(s, Selection.top(v, v.length / m, m, n));
    }

    /** {@code 2:4}. */
    @Override
    public String toString() {
        return n + ":" + m;
    }
}

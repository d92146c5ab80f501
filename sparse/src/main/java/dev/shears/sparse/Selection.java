package dev.shears.sparse;

import dev.shears.tensor.DType;
import dev.shears.tensor.Shape;
import dev.shears.tensor.Tensor;

/**
 * A dense weight {@code w} (a fresh row-major copy the factory may change) and the positions a
 * {@code fromDense}/{@code fromDenseAndMask} factory keeps; the formats build themselves from it.
 */
record Selection(int rows, int cols, float[] dense, boolean[] keep) {

    /** {@code w} (F32 [rows, cols]) with nothing kept yet. */
    static Selection none(String op, Tensor w) {
        Shape s = new Part("w", w).shape(op, DType.F32, 2);
        return new Selection(s.dim(0), s.dim(1), w.toFloatArray(), new boolean[s.numel()]);
    }

    /** {@code w} keeping its non-zeros. */
    static Selection nonZeros(String op, Tensor w) {
        Selection s = none(op, w);
        for (int i = 0; i < s.dense.length; i++) {
            s.keep[i] = s.dense[i] != 0f;
        }
        return s;
    }

    /** {@code w} keeping the positions where {@code mask} (U8 or F32 0/1, w's shape) is 1, zeros included. */
    static Selection masked(String op, Tensor w, Tensor mask) {
        Shape s = new Part("w", w).shape(op, DType.F32, 2);
        boolean[] keep = new Part("mask", mask).mask(op, s);
        return new Selection(s.dim(0), s.dim(1), w.toFloatArray(), keep);
    }

    /** Number of kept positions. */
    int count() {
        int n = 0;
        for (boolean k : keep) {
            n += k ? 1 : 0;
        }
        return n;
    }

    /** Throws naming the first kept value that is NaN or infinite (pruned ones may be anything). */
    void requireFiniteKept(String op) {
        for (int i = 0; i < dense.length; i++) {
            if (keep[i] && !Float.isFinite(dense[i])) {
                throw SparseFormatException.notFinite(op, "w[" + i / cols + ", " + i % cols + "]", dense[i], "");
            }
        }
    }
}

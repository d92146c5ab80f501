package dev.shears.cuda;

import dev.shears.tensor.Layout;
import dev.shears.tensor.Shape;

/**
 * Packs a {@link Layout} into the by-value {@code View} struct of {@code shears.cuh}:
 * {@code int rank, offset, contiguous, shape[8], stride[8]} (19 ints).
 */
final class ViewParam {
    static final int MAX_RANK = 8;

    private ViewParam() {}

    static int[] of(Layout layout, String op, Object device) {
        Shape s = layout.shape();
        int rank = s.rank();
        if (rank > MAX_RANK) {
            throw new UnsupportedOperationException(op + " on " + device + ": views of rank " + rank
                    + " are not supported (at most " + MAX_RANK + "); reshape to fewer axes");
        }
        int[] p = new int[3 + 2 * MAX_RANK];
        p[0] = rank;
        p[1] = layout.offset();
        p[2] = layout.isContiguous() ? 1 : 0;
        for (int i = 0; i < rank; i++) {
            p[3 + i] = s.dim(i);
            p[3 + MAX_RANK + i] = layout.stride(i);
        }
        return p;
    }
}

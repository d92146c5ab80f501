package dev.shears.tensor.cpu;

import dev.shears.tensor.Layout;
import dev.shears.tensor.Shape;
import dev.shears.tensor.parallel.Parallel;
import java.util.Arrays;

/**
 * Walks several same-shape strided views together as rows of a 1-D inner loop. Axes that are
 * contiguous with each other in every operand are merged first, so a contiguous tensor is one
 * long row and a transposed one is as few rows as its layout allows.
 */
final class StridedLoop {
    /** Work per parallel task, in elements: small enough to spread, big enough to amortise the fork. */
    static final int GRAIN = 1 << 17;

    /** Body of a 1-D piece: one offset per operand and the piece's length along the inner axis. */
    @FunctionalInterface
    interface Piece {
        void run(int[] offsets, int length);
    }

    private final int operands;
    private final int[] outerDims;
    private final int[][] outerStrides; // [operand][outer axis]
    private final int[] bases;
    final int rows;
    final int inner;
    final int[] innerStrides;

    private StridedLoop(int[] dims, int[][] strides, int[] bases) {
        this.operands = bases.length;
        this.bases = bases;
        int r = dims.length;
        if (r == 0) {
            outerDims = new int[0];
            outerStrides = new int[operands][0];
            inner = 1;
            innerStrides = new int[operands];
            rows = 1;
            return;
        }
        inner = dims[r - 1];
        innerStrides = new int[operands];
        outerDims = Arrays.copyOf(dims, r - 1);
        outerStrides = new int[operands][];
        for (int o = 0; o < operands; o++) {
            innerStrides[o] = strides[o][r - 1];
            outerStrides[o] = Arrays.copyOf(strides[o], r - 1);
        }
        long n = 1;
        for (int d : outerDims) {
            n *= d;
        }
        rows = (int) n;
    }

    /** A loop over {@code shape} for the given layouts (each of that shape). */
    static StridedLoop of(Shape shape, Layout... layouts) {
        int[] dims = shape.dims();
        int k = layouts.length;
        int[][] st = new int[k][];
        int[] bases = new int[k];
        for (int o = 0; o < k; o++) {
            st[o] = layouts[o].strides();
            bases[o] = layouts[o].offset();
        }
        // Drop size-1 axes, then merge neighbours that are contiguous in every operand.
        int[] md = new int[dims.length];
        int[][] ms = new int[k][dims.length];
        int m = 0;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == 1) {
                continue;
            }
            boolean merge = m > 0;
            for (int o = 0; merge && o < k; o++) {
                merge = ms[o][m - 1] == st[o][i] * dims[i];
            }
            if (merge) {
                md[m - 1] *= dims[i];
                for (int o = 0; o < k; o++) {
                    ms[o][m - 1] = st[o][i];
                }
            } else {
                md[m] = dims[i];
                for (int o = 0; o < k; o++) {
                    ms[o][m] = st[o][i];
                }
                m++;
            }
        }
        int[][] trimmed = new int[k][];
        for (int o = 0; o < k; o++) {
            trimmed[o] = Arrays.copyOf(ms[o], m);
        }
        return new StridedLoop(Arrays.copyOf(md, m), trimmed, bases);
    }

    /** Storage offsets of every operand at the start of {@code row}. */
    void rowOffsets(int row, int[] out) {
        for (int o = 0; o < operands; o++) {
            out[o] = bases[o];
        }
        for (int a = outerDims.length - 1; a >= 0 && row > 0; a--) {
            int d = outerDims[a];
            int i = row % d;
            row /= d;
            for (int o = 0; o < operands; o++) {
                out[o] += i * outerStrides[o][a];
            }
        }
    }

    /**
     * Runs {@code body} over the whole iteration space, in parallel when it is large. Rows are
     * never split except when there is a single row, which is then cut into chunks.
     */
    void forEachPiece(Piece body) {
        long total = (long) rows * inner;
        if (total == 0) {
            return;
        }
        if (rows == 1) {
            Parallel.forRange(inner, GRAIN, (lo, hi) -> {
                int[] off = new int[operands];
                rowOffsets(0, off);
                for (int o = 0; o < operands; o++) {
                    off[o] += lo * innerStrides[o];
                }
                body.run(off, hi - lo);
            });
            return;
        }
        int grainRows = Math.max(1, GRAIN / Math.max(1, inner));
        Parallel.forRange(rows, grainRows, (lo, hi) -> {
            int[] off = new int[operands];
            for (int r = lo; r < hi; r++) {
                rowOffsets(r, off);
                body.run(off, inner);
            }
        });
    }
}

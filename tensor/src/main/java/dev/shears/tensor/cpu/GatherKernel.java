package dev.shears.tensor.cpu;

import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Indexing along one axis of contiguous tensors viewed as {@code [outer, axisSize, inner]}:
 * {@code gather} / {@code scatterAdd} (PyTorch {@code torch.gather} / {@code scatter_add_}, a full
 * index tensor) and {@code indexSelect} / {@code indexAdd} (a 1-D index along the axis).
 *
 * <p>Indices must lie in {@code [0, axisSize)}; the Tensor layer checks them with
 * {@link #firstOutOfRange} before calling, and the kernels only assert.
 *
 * <p>The two add kernels accumulate into {@code dst} ({@code +=}; zero it first for a plain
 * scatter) and are deterministic: each destination element receives its additions in ascending
 * {@code j} order within one thread, whatever the thread count, so results are bit-identical to
 * the reference methods.
 */
public final class GatherKernel {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final VectorSpecies<Integer> I = Simd.I;
    /** Roughly the elements one parallel chunk should move. */
    private static final int GRAIN_WORK = 1 << 14;
    /** Inner runs are split into blocks of this many elements for the add kernels. */
    private static final int INNER_BLOCK = 1024;
    /** indexAdd splits the axis into ranges when there are fewer tasks than this. */
    private static final int MIN_TASKS = 64;

    private GatherKernel() {}

    // ---------------------------------------------------------------------------------------------
    // Index validation

    /**
     * Position (relative to {@code off}) of the first element of {@code index[off, off + n)} outside
     * {@code [0, bound)}, or -1 when all are in range.
     */
    public static int firstOutOfRange(int[] index, int off, int n, int bound) {
        assert off >= 0 && n >= 0 && off + n <= index.length && bound >= 0;
        int j = 0;
        if (Simd.ENABLED) {
            int lanes = I.length();
            int limit = I.loopBound(n);
            for (; j < limit; j += lanes) {
                // An unsigned compare catches negatives too: they are huge as unsigned ints.
                VectorMask<Integer> bad = IntVector.fromArray(I, index, off + j).compare(VectorOperators.UGE, bound);
                if (bad.anyTrue()) {
                    return j + bad.firstTrue();
                }
            }
        }
        for (; j < n; j++) {
            int v = index[off + j];
            if (v < 0 || v >= bound) {
                return j;
            }
        }
        return -1;
    }

    /** Reference for {@link #firstOutOfRange}. */
    public static int referenceFirstOutOfRange(int[] index, int off, int n, int bound) {
        for (int j = 0; j < n; j++) {
            if (index[off + j] < 0 || index[off + j] >= bound) {
                return j;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------------------------------------
    // gather

    /**
     * {@code out[o, j, i] = src[o, index[o, j, i], i]}: src {@code [outer, axisSize, inner]},
     * index and out {@code [outer, idxSize, inner]}.
     */
    public static void gather(float[] src, int srcOff, int outer, int axisSize, int inner,
            int[] index, int idxOff, int idxSize, float[] out, int outOff) {
        assert outer >= 0 && axisSize >= 0 && inner >= 0 && idxSize >= 0;
        assert srcOff >= 0 && srcOff + (long) outer * axisSize * inner <= src.length;
        assert idxOff >= 0 && idxOff + (long) outer * idxSize * inner <= index.length;
        assert outOff >= 0 && outOff + (long) outer * idxSize * inner <= out.length;
        int rows = outer * idxSize;
        Parallel.forRange(rows, grain(inner), (lo, hi) -> {
            int o = lo / idxSize;
            int j = lo - o * idxSize;
            int s = srcOff + o * axisSize * inner;
            for (int r = lo; r < hi; r++) {
                if (j == idxSize) {
                    j = 0;
                    o++;
                    s += axisSize * inner;
                }
                j++;
                int x = idxOff + r * inner;
                int d = outOff + r * inner;
                for (int i = 0; i < inner; i++) {
                    int a = index[x + i];
                    assert a >= 0 && a < axisSize : "gather: index " + a + " out of [0, " + axisSize + ")";
                    out[d + i] = src[s + a * inner + i];
                }
            }
        });
    }

    /** Reference for {@link #gather}. */
    public static void referenceGather(float[] src, int srcOff, int outer, int axisSize, int inner,
            int[] index, int idxOff, int idxSize, float[] out, int outOff) {
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < idxSize; j++) {
                for (int i = 0; i < inner; i++) {
                    int e = (o * idxSize + j) * inner + i;
                    out[outOff + e] = src[srcOff + (o * axisSize + index[idxOff + e]) * inner + i];
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // indexSelect

    /**
     * {@code out[o, j, i] = src[o, index[j], i]}: src {@code [outer, axisSize, inner]}, index
     * {@code [m]}, out {@code [outer, m, inner]}.
     */
    public static void indexSelect(float[] src, int srcOff, int outer, int axisSize, int inner,
            int[] index, int idxOff, int m, float[] out, int outOff) {
        assert outer >= 0 && axisSize >= 0 && inner >= 0 && m >= 0;
        assert srcOff >= 0 && srcOff + (long) outer * axisSize * inner <= src.length;
        assert idxOff >= 0 && idxOff + m <= index.length;
        assert outOff >= 0 && outOff + (long) outer * m * inner <= out.length;
        int rows = outer * m;
        Parallel.forRange(rows, grain(inner), (lo, hi) -> {
            int o = lo / m;
            int j = lo - o * m;
            int srcBase = srcOff + o * axisSize * inner;
            for (int r = lo; r < hi; r++, j++) {
                if (j == m) {
                    j = 0;
                    srcBase += axisSize * inner;
                }
                int a = index[idxOff + j];
                assert a >= 0 && a < axisSize : "indexSelect: index " + a + " out of [0, " + axisSize + ")";
                int s = srcBase + a * inner;
                int d = outOff + r * inner;
                if (inner >= 8) {
                    System.arraycopy(src, s, out, d, inner);
                } else {
                    for (int i = 0; i < inner; i++) {
                        out[d + i] = src[s + i];
                    }
                }
            }
        });
    }

    /** Reference for {@link #indexSelect}. */
    public static void referenceIndexSelect(float[] src, int srcOff, int outer, int axisSize, int inner,
            int[] index, int idxOff, int m, float[] out, int outOff) {
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < m; j++) {
                for (int i = 0; i < inner; i++) {
                    out[outOff + (o * m + j) * inner + i] = src[srcOff + (o * axisSize + index[idxOff + j]) * inner + i];
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // scatterAdd

    /**
     * {@code dst[o, index[o, j, i], i] += src[o, j, i]} (the adjoint of {@link #gather}): dst
     * {@code [outer, axisSize, inner]} is accumulated into, index and src are
     * {@code [outer, idxSize, inner]}. Parallel over {@code outer} and blocks of {@code inner}
     * only, so each dst element's additions run in j order.
     */
    public static void scatterAdd(float[] dst, int dstOff, int outer, int axisSize, int inner,
            int[] index, int idxOff, int idxSize, float[] src, int srcOff) {
        assert outer >= 0 && axisSize >= 0 && inner >= 0 && idxSize >= 0;
        assert dstOff >= 0 && dstOff + (long) outer * axisSize * inner <= dst.length;
        assert idxOff >= 0 && idxOff + (long) outer * idxSize * inner <= index.length;
        assert srcOff >= 0 && srcOff + (long) outer * idxSize * inner <= src.length;
        if (inner == 0 || idxSize == 0) {
            return;
        }
        int blocks = (inner + INNER_BLOCK - 1) / INNER_BLOCK;
        int tasks = outer * blocks;
        int taskWork = idxSize * Math.min(inner, INNER_BLOCK);
        Parallel.forRange(tasks, Math.max(1, GRAIN_WORK / Math.max(1, taskWork)), (lo, hi) -> {
            for (int t = lo; t < hi; t++) {
                int o = t / blocks;
                int i0 = (t - o * blocks) * INNER_BLOCK;
                int i1 = Math.min(inner, i0 + INNER_BLOCK);
                int d = dstOff + o * axisSize * inner;
                if (inner == 1) {
                    // Common case (the last axis, max-pool backward): a plain indexed accumulation.
                    int x = idxOff + o * idxSize;
                    int s = srcOff + o * idxSize;
                    for (int j = 0; j < idxSize; j++) {
                        int a = index[x + j];
                        assert a >= 0 && a < axisSize : "scatterAdd: index " + a + " out of [0, " + axisSize + ")";
                        dst[d + a] += src[s + j];
                    }
                    continue;
                }
                for (int j = 0; j < idxSize; j++) {
                    int e = (o * idxSize + j) * inner;
                    int x = idxOff + e;
                    int s = srcOff + e;
                    for (int i = i0; i < i1; i++) {
                        int a = index[x + i];
                        assert a >= 0 && a < axisSize : "scatterAdd: index " + a + " out of [0, " + axisSize + ")";
                        dst[d + a * inner + i] += src[s + i];
                    }
                }
            }
        });
    }

    /** Reference for {@link #scatterAdd}. */
    public static void referenceScatterAdd(float[] dst, int dstOff, int outer, int axisSize, int inner,
            int[] index, int idxOff, int idxSize, float[] src, int srcOff) {
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < idxSize; j++) {
                for (int i = 0; i < inner; i++) {
                    int e = (o * idxSize + j) * inner + i;
                    dst[dstOff + (o * axisSize + index[idxOff + e]) * inner + i] += src[srcOff + e];
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // indexAdd

    /**
     * {@code dst[o, index[j], i] += src[o, j, i]} (the adjoint of {@link #indexSelect}): dst
     * {@code [outer, axisSize, inner]} is accumulated into, index is {@code [m]}, src
     * {@code [outer, m, inner]}. Parallel over outer, blocks of inner and, when those are few,
     * ranges of destination rows (each task scans the whole index and adds only the rows it owns),
     * so each dst element's additions run in j order.
     */
    public static void indexAdd(float[] dst, int dstOff, int outer, int axisSize, int inner,
            int[] index, int idxOff, int m, float[] src, int srcOff) {
        assert outer >= 0 && axisSize >= 0 && inner >= 0 && m >= 0;
        assert dstOff >= 0 && dstOff + (long) outer * axisSize * inner <= dst.length;
        assert idxOff >= 0 && idxOff + m <= index.length;
        assert srcOff >= 0 && srcOff + (long) outer * m * inner <= src.length;
        if (inner == 0 || m == 0 || outer == 0) {
            return;
        }
        assert axisSize > 0 : "indexAdd: " + m + " indices into an empty axis";
        if (axisSize == 0) {
            return;
        }
        int blocks = (inner + INNER_BLOCK - 1) / INNER_BLOCK;
        int blockLen = Math.min(inner, INNER_BLOCK);
        // Splitting the axis costs one extra scan of the index per range: only worth it for wide rows.
        int ranges = 1;
        if (blockLen >= 32 && outer * blocks < MIN_TASKS && (long) m * blockLen >= 4L * GRAIN_WORK) {
            ranges = Math.min(axisSize, (MIN_TASKS + outer * blocks - 1) / (outer * blocks));
        }
        int rangeLen = (axisSize + ranges - 1) / Math.max(1, ranges);
        int nRanges = ranges;
        int tasks = outer * blocks * ranges;
        long taskWork = (long) m * blockLen / ranges + m;
        int grain = (int) Math.max(1, GRAIN_WORK / taskWork);
        Parallel.forRange(tasks, grain, (lo, hi) -> {
            for (int t = lo; t < hi; t++) {
                int o = t / (blocks * nRanges);
                int rest = t - o * blocks * nRanges;
                int b = rest / nRanges;
                int aLo = (rest - b * nRanges) * rangeLen;
                int aHi = Math.min(axisSize, aLo + rangeLen);
                int i0 = b * INNER_BLOCK;
                int len = Math.min(inner, i0 + INNER_BLOCK) - i0;
                int d = dstOff + o * axisSize * inner + i0;
                int s = srcOff + o * m * inner + i0;
                for (int j = 0; j < m; j++) {
                    int a = index[idxOff + j];
                    assert a >= 0 && a < axisSize : "indexAdd: index " + a + " out of [0, " + axisSize + ")";
                    if (a >= aLo && a < aHi) {
                        addInto(dst, d + a * inner, src, s + j * inner, len);
                    }
                }
            }
        });
    }

    /** Reference for {@link #indexAdd}. */
    public static void referenceIndexAdd(float[] dst, int dstOff, int outer, int axisSize, int inner,
            int[] index, int idxOff, int m, float[] src, int srcOff) {
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < m; j++) {
                for (int i = 0; i < inner; i++) {
                    dst[dstOff + (o * axisSize + index[idxOff + j]) * inner + i] += src[srcOff + (o * m + j) * inner + i];
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------

    /** {@code dst[d, d + len) += src[s, s + len)}, element by element (no reassociation). */
    static void addInto(float[] dst, int d, float[] src, int s, int len) {
        int i = 0;
        if (Simd.ENABLED && len >= F.length()) {
            int limit = F.loopBound(len);
            for (; i < limit; i += F.length()) {
                FloatVector.fromArray(F, dst, d + i).add(FloatVector.fromArray(F, src, s + i)).intoArray(dst, d + i);
            }
        }
        if (Simd.ENABLED && i < len) {
            // Masked tail: col2im adds rows of a few elements (10 for a 14x14 plane and a 5x5 window).
            VectorMask<Float> m = F.indexInRange(i, len);
            FloatVector.fromArray(F, dst, d + i, m).add(FloatVector.fromArray(F, src, s + i, m)).intoArray(dst, d + i, m);
            return;
        }
        for (; i < len; i++) {
            dst[d + i] += src[s + i];
        }
    }

    private static int grain(int rowLen) {
        return Math.max(1, GRAIN_WORK / Math.max(1, rowLen));
    }
}

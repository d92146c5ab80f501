package dev.shears.tensor.cpu;

import static dev.shears.tensor.simd.Simd.F;

import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import dev.shears.tensor.spi.ReduceOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Reductions of a contiguous {@code [outer, r, inner]} block along its middle axis into
 * {@code [outer, inner]}. Every output is accumulated in a fixed order that does not depend on
 * the thread count, so results are reproducible.
 */
public final class ReduceKernel {
    /** Elements per parallel task. */
    private static final int GRAIN = 1 << 15;

    private ReduceKernel() {}

    /** Reference: naive loops accumulating in double (SUM) or comparing (MAX/MIN, NaN propagates). */
    public static void reference(ReduceOp op, float[] src, int off, int outer, int r, int inner, float[] dst, int dstOff) {
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                double acc = identity(op);
                for (int j = 0; j < r; j++) {
                    double x = src[off + (o * r + j) * inner + i];
                    acc = switch (op) {
                        case SUM -> acc + x;
                        // Once NaN, always NaN: a NaN anywhere in the run propagates.
                        case MAX -> Double.isNaN(acc) || Double.isNaN(x) ? Double.NaN : Math.max(acc, x);
                        case MIN -> Double.isNaN(acc) || Double.isNaN(x) ? Double.NaN : Math.min(acc, x);
                        default -> throw new IllegalArgumentException("reduce: " + op + " is an index reduction");
                    };
                }
                dst[dstOff + o * inner + i] = (float) acc;
            }
        }
    }

    /** Reduces {@code src[off ..]} viewed as {@code [outer, r, inner]} into {@code dst[dstOff ..]} ({@code [outer, inner]}). */
    public static void run(ReduceOp op, float[] src, int off, int outer, int r, int inner, float[] dst, int dstOff) {
        if (!Simd.ENABLED) {
            reference(op, src, off, outer, r, inner, dst, dstOff);
            return;
        }
        if (inner == 1) {
            if (outer == 1) {
                dst[dstOff] = reduceLong(op, src, off, r);
            } else {
                Parallel.forRange(outer, Math.max(1, GRAIN / Math.max(1, r)), (lo, hi) -> {
                    for (int o = lo; o < hi; o++) {
                        dst[dstOff + o] = reduceRun(op, src, off + o * r, r);
                    }
                });
            }
            return;
        }
        // Columns: fold row j into the accumulator row for every j, vectorised over inner.
        long work = (long) outer * r * inner;
        if (outer == 1) {
            int grain = Math.max(F.length(), (int) Math.min(inner, GRAIN / Math.max(1, r)));
            Parallel.forRange(inner, grain, (lo, hi) -> reduceColumns(op, src, off, r, inner, lo, hi, dst, dstOff));
        } else {
            int grain = (int) Math.max(1, GRAIN / Math.max(1, work / outer));
            Parallel.forRange(outer, grain, (lo, hi) -> {
                for (int o = lo; o < hi; o++) {
                    reduceColumns(op, src, off + o * r * inner, r, inner, 0, inner, dst, dstOff + o * inner);
                }
            });
        }
    }

    /** One long run: chunk partials combined in chunk order (chunking is thread-count independent). */
    private static float reduceLong(ReduceOp op, float[] src, int off, int n) {
        int chunks = Parallel.chunkCount(n, GRAIN);
        if (chunks <= 1) {
            return reduceRun(op, src, off, n);
        }
        float[] partial = new float[chunks];
        Parallel.forChunks(n, GRAIN, (c, lo, hi) -> partial[c] = reduceRun(op, src, off + lo, hi - lo));
        return reduceRun(op, partial, 0, chunks);
    }

    /** Reduces one contiguous run with four independent vector accumulators. */
    static float reduceRun(ReduceOp op, float[] src, int off, int n) {
        int lanes = F.length();
        int i = 0;
        float init = (float) identity(op);
        FloatVector a0 = FloatVector.broadcast(F, init);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        int bound4 = n - 4 * lanes + 1;
        for (; i < bound4; i += 4 * lanes) {
            a0 = combine(op, a0, FloatVector.fromArray(F, src, off + i));
            a1 = combine(op, a1, FloatVector.fromArray(F, src, off + i + lanes));
            a2 = combine(op, a2, FloatVector.fromArray(F, src, off + i + 2 * lanes));
            a3 = combine(op, a3, FloatVector.fromArray(F, src, off + i + 3 * lanes));
        }
        int bound = F.loopBound(n);
        for (; i < bound; i += lanes) {
            a0 = combine(op, a0, FloatVector.fromArray(F, src, off + i));
        }
        FloatVector acc = combine(op, combine(op, a0, a1), combine(op, a2, a3));
        float result = switch (op) {
            case SUM -> sumLanes(acc);
            case MAX -> acc.reduceLanes(VectorOperators.MAX);
            case MIN -> acc.reduceLanes(VectorOperators.MIN);
            default -> throw new IllegalArgumentException("reduce: " + op + " is an index reduction");
        };
        for (; i < n; i++) {
            result = combine(op, result, src[off + i]);
        }
        return result;
    }

    /**
     * The lanes of {@code v} added in lane order. {@code reduceLanes(ADD)} leaves the order open
     * and the JIT-compiled intrinsic adds in another order than the interpreter, so the same call
     * could give different bits before and after warm-up.
     */
    static float sumLanes(FloatVector v) {
        float s = 0f;
        for (int lane = 0; lane < v.length(); lane++) {
            s += v.lane(lane);
        }
        return s;
    }

    private static void reduceColumns(ReduceOp op, float[] src, int off, int r, int inner, int lo, int hi,
                                      float[] dst, int dstOff) {
        float init = (float) identity(op);
        for (int i = lo; i < hi; i++) {
            dst[dstOff + i] = init;
        }
        int lanes = F.length();
        for (int j = 0; j < r; j++) {
            int row = off + j * inner;
            int i = lo;
            for (; i <= hi - lanes; i += lanes) {
                FloatVector acc = FloatVector.fromArray(F, dst, dstOff + i);
                combine(op, acc, FloatVector.fromArray(F, src, row + i)).intoArray(dst, dstOff + i);
            }
            for (; i < hi; i++) {
                dst[dstOff + i] = combine(op, dst[dstOff + i], src[row + i]);
            }
        }
    }

    private static FloatVector combine(ReduceOp op, FloatVector acc, FloatVector x) {
        return switch (op) {
            case SUM -> acc.add(x);
            case MAX -> acc.max(x);
            case MIN -> acc.min(x);
            default -> throw new IllegalArgumentException("reduce: " + op + " is an index reduction");
        };
    }

    private static float combine(ReduceOp op, float acc, float x) {
        return switch (op) {
            case SUM -> acc + x;
            case MAX -> Math.max(acc, x);
            case MIN -> Math.min(acc, x);
            default -> throw new IllegalArgumentException("reduce: " + op + " is an index reduction");
        };
    }

    private static double identity(ReduceOp op) {
        return switch (op) {
            case SUM -> 0.0;
            case MAX -> Double.NEGATIVE_INFINITY;
            case MIN -> Double.POSITIVE_INFINITY;
            default -> throw new IllegalArgumentException("reduce: " + op + " is an index reduction");
        };
    }

    /**
     * Index of the first maximum (ARGMAX) or minimum (ARGMIN) along the middle axis of
     * {@code [outer, r, inner]}; a NaN counts as the extreme, as in PyTorch. Needs r ≥ 1.
     */
    public static void argReduce(ReduceOp op, float[] src, int off, int outer, int r, int inner, int[] dst, int dstOff) {
        boolean max = switch (op) {
            case ARGMAX -> true;
            case ARGMIN -> false;
            default -> throw new IllegalArgumentException("argReduce: " + op + " is not an index reduction");
        };
        Parallel.forRange(outer * inner, Math.max(1, GRAIN / Math.max(1, r)), (lo, hi) -> {
            for (int q = lo; q < hi; q++) {
                int o = q / inner;
                int i = q % inner;
                int base = off + o * r * inner + i;
                int best = 0;
                float bestValue = src[base];
                for (int j = 1; j < r && !Float.isNaN(bestValue); j++) {
                    float x = src[base + j * inner];
                    if (Float.isNaN(x) || (max ? x > bestValue : x < bestValue)) {
                        best = j;
                        bestValue = x;
                    }
                }
                dst[dstOff + q] = best;
            }
        });
    }
}

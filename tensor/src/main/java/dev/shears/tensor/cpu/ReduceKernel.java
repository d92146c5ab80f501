package dev.shears.tensor.cpu;

import static dev.shears.tensor.simd.Simd.F;

import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import dev.shears.tensor.spi.ReduceOp;
import java.util.Arrays;
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

    /**
     * Reduces one contiguous run. SUM and MAX have a loop each and MIN is {@code -max(-x)}: a
     * shared loop that switched on the op would merge different ops' vectors, which C2 boxes once
     * several ops have run, slowing every reduction down.
     */
    static float reduceRun(ReduceOp op, float[] src, int off, int n) {
        return switch (op) {
            case SUM -> sumRun(src, off, n);
            case MAX -> maxRun(src, off, n, 1f);
            case MIN -> -maxRun(src, off, n, -1f);
            default -> throw new IllegalArgumentException("reduce: " + op + " is an index reduction");
        };
    }

    /** Sum with four independent vector accumulators, lanes added in a fixed order. */
    private static float sumRun(float[] src, int off, int n) {
        int lanes = F.length();
        int i = 0;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (; i <= n - 4 * lanes; i += 4 * lanes) {
            a0 = a0.add(FloatVector.fromArray(F, src, off + i));
            a1 = a1.add(FloatVector.fromArray(F, src, off + i + lanes));
            a2 = a2.add(FloatVector.fromArray(F, src, off + i + 2 * lanes));
            a3 = a3.add(FloatVector.fromArray(F, src, off + i + 3 * lanes));
        }
        for (; i <= n - lanes; i += lanes) {
            a0 = a0.add(FloatVector.fromArray(F, src, off + i));
        }
        float result = sumLanes(a0.add(a1).add(a2.add(a3)));
        for (; i < n; i++) {
            result += src[off + i];
        }
        return result;
    }

    /** Maximum of {@code sign · x} (NaN propagates); sign -1 turns it into minus the minimum. */
    private static float maxRun(float[] src, int off, int n, float sign) {
        int lanes = F.length();
        int i = 0;
        FloatVector a0 = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        FloatVector a1 = a0;
        for (; i <= n - 2 * lanes; i += 2 * lanes) {
            a0 = a0.max(FloatVector.fromArray(F, src, off + i).mul(sign));
            a1 = a1.max(FloatVector.fromArray(F, src, off + i + lanes).mul(sign));
        }
        for (; i <= n - lanes; i += lanes) {
            a0 = a0.max(FloatVector.fromArray(F, src, off + i).mul(sign));
        }
        float result = a0.max(a1).reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            result = Math.max(result, sign * src[off + i]);
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

    /** Folds rows {@code [0, r)} of an {@code [r, inner]} block into {@code dst[lo, hi)}, column-wise. */
    private static void reduceColumns(ReduceOp op, float[] src, int off, int r, int inner, int lo, int hi,
                                      float[] dst, int dstOff) {
        switch (op) {
            case SUM -> sumColumns(src, off, r, inner, lo, hi, dst, dstOff);
            case MAX -> maxColumns(src, off, r, inner, lo, hi, dst, dstOff, 1f);
            case MIN -> {
                maxColumns(src, off, r, inner, lo, hi, dst, dstOff, -1f);
                for (int i = lo; i < hi; i++) {
                    dst[dstOff + i] = -dst[dstOff + i];
                }
            }
            default -> throw new IllegalArgumentException("reduce: " + op + " is an index reduction");
        }
    }

    private static void sumColumns(float[] src, int off, int r, int inner, int lo, int hi, float[] dst, int dstOff) {
        Arrays.fill(dst, dstOff + lo, dstOff + hi, 0f);
        int lanes = F.length();
        for (int j = 0; j < r; j++) {
            int row = off + j * inner;
            int i = lo;
            for (; i <= hi - lanes; i += lanes) {
                FloatVector.fromArray(F, dst, dstOff + i).add(FloatVector.fromArray(F, src, row + i)).intoArray(dst, dstOff + i);
            }
            for (; i < hi; i++) {
                dst[dstOff + i] += src[row + i];
            }
        }
    }

    private static void maxColumns(float[] src, int off, int r, int inner, int lo, int hi, float[] dst, int dstOff,
                                   float sign) {
        Arrays.fill(dst, dstOff + lo, dstOff + hi, Float.NEGATIVE_INFINITY);
        int lanes = F.length();
        for (int j = 0; j < r; j++) {
            int row = off + j * inner;
            int i = lo;
            for (; i <= hi - lanes; i += lanes) {
                FloatVector.fromArray(F, dst, dstOff + i).max(FloatVector.fromArray(F, src, row + i).mul(sign))
                        .intoArray(dst, dstOff + i);
            }
            for (; i < hi; i++) {
                dst[dstOff + i] = Math.max(dst[dstOff + i], sign * src[row + i]);
            }
        }
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

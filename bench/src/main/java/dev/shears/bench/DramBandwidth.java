package dev.shears.bench;

import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Memory read bandwidth, the roofline of the memory-bound kernels: t threads of the shared pool sum
 * one large {@code float[]} (far beyond the last-level cache, so it streams from DRAM) with
 * {@value #ACCUMULATORS} independent vector accumulators each, enough to hide the add latency so
 * that only the loads limit.
 */
final class DramBandwidth {
    /** Independent accumulators per thread: add latency (3-4 cycles) times two add pipes. */
    static final int ACCUMULATORS = 8;
    private static final VectorSpecies<Float> F = Simd.F;
    /** Floats per claimed piece of the array (4 MiB): the pool's threads share each pass dynamically. */
    private static final int PIECE = 1 << 20;
    /**
     * Floats per call of {@link #sum} (64 KiB): many short calls get the loop its normal C2
     * compilation early in the warm-up; with one call per piece a fresh JVM measured about 10% less.
     */
    private static final int BLOCK = 1 << 14;
    /** Where the sums go, so the JIT cannot drop them. */
    private static volatile float sink;

    private DramBandwidth() {}

    /** Timings of {@code passes} passes of t threads summing {@code data} together, after {@code warmupMillis} ms of them. */
    static Timing.Result time(float[] data, int threads, long warmupMillis, int passes) {
        Timing.Result[] result = new Timing.Result[1];
        Parallel.withThreads(threads, () -> result[0] = Timing.time(() -> pass(data), warmupMillis, passes));
        return result[0];
    }

    /** One pass: the caller's threads (see {@link Parallel#withThreads}) sum {@code data} together. */
    static void pass(float[] data) {
        Parallel.forRange(data.length, PIECE, (lo, hi) -> sink = sumBlocks(data, lo, hi));
    }

    /** {@code Σ a[from, to)}, {@value #BLOCK} floats per call of {@link #sum}. */
    private static float sumBlocks(float[] a, int from, int to) {
        float s = 0;
        for (int b = from; b < to; b += BLOCK) {
            s += sum(a, b, Math.min(to, b + BLOCK));
        }
        return s;
    }

    /** GB/s (10^9 bytes per second) of a pass over {@code floats} floats that took {@code nanos}. */
    static double gbs(int floats, long nanos) {
        return 4.0 * floats / nanos;
    }

    /** {@code Σ a[from, to)} with {@value #ACCUMULATORS} vector accumulators, the tail in scalar code. */
    private static float sum(float[] a, int from, int to) {
        int l = F.length();
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        int i = from;
        for (; i + ACCUMULATORS * l <= to; i += ACCUMULATORS * l) {
            s0 = s0.add(FloatVector.fromArray(F, a, i));
            s1 = s1.add(FloatVector.fromArray(F, a, i + l));
            s2 = s2.add(FloatVector.fromArray(F, a, i + 2 * l));
            s3 = s3.add(FloatVector.fromArray(F, a, i + 3 * l));
            s4 = s4.add(FloatVector.fromArray(F, a, i + 4 * l));
            s5 = s5.add(FloatVector.fromArray(F, a, i + 5 * l));
            s6 = s6.add(FloatVector.fromArray(F, a, i + 6 * l));
            s7 = s7.add(FloatVector.fromArray(F, a, i + 7 * l));
        }
        float s = s0.add(s1).add(s2).add(s3).add(s4).add(s5).add(s6).add(s7).reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) {
            s += a[i];
        }
        return s;
    }
}

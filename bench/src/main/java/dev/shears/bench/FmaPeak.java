package dev.shears.bench;

import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Measured FP32 FMA peak: {@value #CHAINS} independent vector FMA chains per thread (enough to
 * cover FMA latency times pipes), run on t threads of the shared pool at once.
 */
final class FmaPeak {
    /** Independent accumulator chains: at least latency (4) x FMA pipes (2) on current x86 cores. */
    static final int CHAINS = 12;
    private static final VectorSpecies<Float> F = Simd.F;
    /** Inner iterations per timed call (each is CHAINS FMAs): a few ms at full speed. */
    private static final long ITERATIONS = 2_000_000;
    /** Where the chains' results go, so the JIT cannot drop them. */
    private static volatile float sink;

    private FmaPeak() {}

    /** Best GFLOP/s of t threads running the FMA chains concurrently, over about {@code millis} ms. */
    static double measure(int threads, long millis) {
        double[] best = {0};
        Parallel.withThreads(threads, () -> {
            long end = System.nanoTime() + millis * 1_000_000L;
            int round = 0;
            while (round < 3 || System.nanoTime() < end) {
                long t0 = System.nanoTime();
                Parallel.forRange(threads, 1, (lo, hi) -> {
                    for (int t = lo; t < hi; t++) {
                        sink = chains(ITERATIONS);
                    }
                });
                double seconds = (System.nanoTime() - t0) * 1e-9;
                double flops = 2.0 * F.length() * CHAINS * ITERATIONS * threads;
                best[0] = Math.max(best[0], flops / seconds * 1e-9);
                round++;
            }
        });
        return best[0];
    }

    /** {@value #CHAINS} independent chains of {@code iterations} FMAs each; returns a value depending on all. */
    static float chains(long iterations) {
        FloatVector x = FloatVector.broadcast(F, 0.999999f);
        FloatVector y = FloatVector.broadcast(F, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(F, 1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        FloatVector a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < iterations; i++) {
            a0 = a0.fma(x, y);
            a1 = a1.fma(x, y);
            a2 = a2.fma(x, y);
            a3 = a3.fma(x, y);
            a4 = a4.fma(x, y);
            a5 = a5.fma(x, y);
            a6 = a6.fma(x, y);
            a7 = a7.fma(x, y);
            a8 = a8.fma(x, y);
            a9 = a9.fma(x, y);
            a10 = a10.fma(x, y);
            a11 = a11.fma(x, y);
        }
        FloatVector s = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11);
        return s.lane(0);
    }
}

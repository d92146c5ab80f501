package dev.shears.bench;

import java.util.Locale;

/**
 * One timed matrix product {@code C[m, n] = A[m, k] · B[k, n]} and its {@code RESULT} line, the
 * format every product suite prints so their figures join: kernel, threads, M, N, K, best and
 * median GFLOP/s (2MNK / time, so a sparse kernel counts the FLOPs of the dense product it stands
 * for), best and median ms, reps, max rel err.
 */
record ProductRow(String kernel, int threads, int m, int n, int k, Timing.Result timing, double maxRelErr) {
    /** Dense-equivalent GFLOP/s of a product that took {@code nanos}. */
    double gflops(long nanos) {
        return 2.0 * m * n * k / nanos;
    }

    /** {@code RESULT,kernel,threads,M,N,K,best_gflops,median_gflops,best_ms,median_ms,reps,max_rel_err}. */
    String resultLine() {
        return String.format(Locale.ROOT, "RESULT,%s,%d,%d,%d,%d,%.2f,%.2f,%.4f,%.4f,%d,%.3e", kernel, threads, m, n, k,
                gflops(timing.best()), gflops(timing.median()), timing.best() * 1e-6, timing.median() * 1e-6,
                timing.reps(), maxRelErr);
    }

    /** {@link SampledError#maxRelErr} of an F32 product. */
    static double maxRelErr(int rows, int cols, int depth, float[] a, float[] b, int bDepthStride, int bColStride,
            float[] c) {
        return SampledError.maxRelErr(rows, cols, depth, a, b, bDepthStride, bColStride, c, v -> v);
    }
}

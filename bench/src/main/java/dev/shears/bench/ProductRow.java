package dev.shears.bench;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * One timed matrix product {@code C[m, n] = A[m, k] · B[k, n]} and its {@code RESULT} line, the
 * format every product suite prints so their figures join: kernel, threads, M, N, K, best and
 * median GFLOP/s (2MNK / time, so a sparse kernel counts the FLOPs of the dense product it stands
 * for), best and median ms, reps, max rel err.
 */
record ProductRow(String kernel, int threads, int m, int n, int k, Timing.Result timing, double maxRelErr) {
    /** Output entries checked against a double-precision dot product per measurement. */
    static final int ERROR_SAMPLES = 128;

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

    /**
     * Worst {@code |c - exact| / Σ|a·b|} over {@value #ERROR_SAMPLES} random entries of
     * {@code C[rows, cols] = A[rows, depth] · B}, exact in double precision. A and C are row-major;
     * {@code B(p, j)} is at {@code b[p * bDepthStride + j * bColStride]}, so a linear layer's weight
     * W [cols, depth] ({@code C = A · Wᵀ}) has strides 1 and depth.
     */
    static double maxRelErr(int rows, int cols, int depth, float[] a, float[] b, int bDepthStride, int bColStride,
            float[] c) {
        SplittableRandom pick = new SplittableRandom(44);
        double worst = 0;
        for (int s = 0; s < ERROR_SAMPLES; s++) {
            int i = pick.nextInt(rows);
            int j = pick.nextInt(cols);
            double exact = 0;
            double magnitude = 0;
            for (int p = 0; p < depth; p++) {
                double t = (double) a[i * depth + p] * b[p * bDepthStride + j * bColStride];
                exact += t;
                magnitude += Math.abs(t);
            }
            double err = Math.abs(c[i * cols + j] - exact);
            worst = Math.max(worst, magnitude > 0 ? err / magnitude : err);
        }
        return worst;
    }
}

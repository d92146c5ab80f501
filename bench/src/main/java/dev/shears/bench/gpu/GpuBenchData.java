package dev.shears.bench.gpu;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;

/** Seeded inputs and the sampled accuracy check shared by the GPU benchmark parts. */
final class GpuBenchData {
    /** Sampled output entries per product checked against a double-precision dot product. */
    static final int ERROR_SAMPLES = 128;

    private GpuBenchData() {}

    /** {@code count} floats uniform in [-1, 1). */
    static float[] uniform(int count, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return v;
    }

    /**
     * Worst {@code |c - exact| / Σ|a·b|} over {@value #ERROR_SAMPLES} sampled entries (seed 44) of
     * {@code C[rows, cols] = A[rows, depth] · B}, exact in double from the inputs as the kernel saw
     * them ({@code round} applied to each). A and C are row-major; {@code B(p, j)} is at
     * {@code b[p * bDepthStride + j * bColStride]}, so a weight W [cols, depth] ({@code C = A · Wᵀ})
     * has strides 1 and depth.
     */
    static double maxRelErr(int rows, int cols, int depth, float[] a, float[] b, int bDepthStride, int bColStride,
            float[] c, DoubleUnaryOperator round) {
        SplittableRandom pick = new SplittableRandom(44);
        double worst = 0;
        for (int s = 0; s < ERROR_SAMPLES; s++) {
            int i = pick.nextInt(rows);
            int j = pick.nextInt(cols);
            double exact = 0;
            double magnitude = 0;
            for (int p = 0; p < depth; p++) {
                double t = round.applyAsDouble(a[i * depth + p])
                        * round.applyAsDouble(b[p * bDepthStride + j * bColStride]);
                exact += t;
                magnitude += Math.abs(t);
            }
            double e = Math.abs(c[i * cols + j] - exact);
            worst = Math.max(worst, magnitude > 0 ? e / magnitude : e);
        }
        return worst;
    }
}

package dev.shears.bench;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;

/** The accuracy check every product benchmark (CPU and GPU) prints next to its timing. */
public final class SampledError {
    /** Output entries checked against a double-precision dot product per measurement. */
    public static final int SAMPLES = 128;

    private SampledError() {}

    /**
     * Worst {@code |c - exact| / Σ|a·b|} over {@value #SAMPLES} entries (drawn with seed 44) of
     * {@code C[rows, cols] = A[rows, depth] · B}, exact in double from the inputs as the kernel saw
     * them ({@code round} applied to each: the identity for F32, rounding to half for fp16 kernels).
     * A and C are row-major; {@code B(p, j)} is at {@code b[p * bDepthStride + j * bColStride]}, so a
     * linear layer's weight W [cols, depth] ({@code C = A · Wᵀ}) has strides 1 and depth.
     */
    public static double maxRelErr(int rows, int cols, int depth, float[] a, float[] b, int bDepthStride,
            int bColStride, float[] c, DoubleUnaryOperator round) {
        SplittableRandom pick = new SplittableRandom(44);
        double worst = 0;
        for (int s = 0; s < SAMPLES; s++) {
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
            double err = Math.abs(c[i * cols + j] - exact);
            worst = Math.max(worst, magnitude > 0 ? err / magnitude : err);
        }
        return worst;
    }
}

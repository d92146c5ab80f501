package dev.shears.sparse.select;

import dev.shears.tensor.Rng;
import java.util.Arrays;

/**
 * Sort-based oracle for the selectors, written from the rule rather than from the code: order all
 * elements by score (descending, {@code -0.0 == 0.0}) and then by index (ascending), keep the first k.
 */
final class SelectReference {
    private SelectReference() {}

    /** Which of {@code v[off, off + n)} the k highest are, as a keep flag per element. */
    static boolean[] topK(float[] v, int off, int n, int k) {
        // Pack (descending score key, index) into one long so a primitive sort orders by both.
        long[] order = new long[n];
        for (int i = 0; i < n; i++) {
            order[i] = ((long) ~orderKey(v[off + i]) << 32) | i;
        }
        Arrays.sort(order);
        boolean[] keep = new boolean[n];
        for (int q = 0; q < k; q++) {
            keep[(int) order[q]] = true;
        }
        return keep;
    }

    /** An int whose signed order is the numeric order of non-NaN floats, with -0.0 equal to 0.0. */
    private static int orderKey(float x) {
        int b = Float.floatToIntBits(x == 0f ? 0f : x);
        return b >= 0 ? b : b ^ 0x7fffffff;
    }

    /** Small integers (and both zeros) so that most scores tie. */
    static float[] tied(Rng rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            int r = rng.nextInt(6);
            v[i] = r == 5 ? -0f : r - 2;
        }
        return v;
    }

    /** Distinct-ish Gaussian scores. */
    static float[] gaussian(Rng rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rng.nextGaussian();
        }
        return v;
    }
}

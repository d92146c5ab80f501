package dev.shears.autograd;

import dev.shears.tensor.DType;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;

/** Seeded test inputs for gradient checks. */
public final class Inputs {
    private Inputs() {}

    /** Standard normal values. */
    public static Tensor randn(long seed, int... shape) {
        return Tensor.randn(Rng.seeded(seed), shape);
    }

    /** Normal values pushed at least {@code gap} away from 0 (for kinks at 0 such as relu and abs). */
    public static Tensor awayFromZero(long seed, float gap, int... shape) {
        Tensor t = randn(seed, shape);
        return t.add(t.ge(0f).to(DType.F32).mul(2f * gap).sub(gap));
    }

    /** Uniform values in [lo, hi). */
    public static Tensor uniform(long seed, float lo, float hi, int... shape) {
        return Tensor.uniform(Rng.seeded(seed), lo, hi, shape);
    }

    /** Distinct values spaced {@code step} apart in random order (no ties for max/min/maxPool). */
    public static Tensor distinct(long seed, float step, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        Rng.seeded(seed).shuffle(perm);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (perm[i] - n / 2f) * step;
        }
        return Tensor.of(v, shape);
    }
}

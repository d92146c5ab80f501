package dev.shears.testing;

import dev.shears.tensor.Shape;
import dev.shears.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Test operands with known logical values in several memory layouts: contiguous, transposed
 * (last two axes swapped), randomly permuted, narrowed out of a NaN-padded base, and permuted and
 * narrowed together. The logical values are computed here from index arithmetic, independent of
 * the tensor's copy machinery, so a kernel that reads the wrong element (or the padding) fails.
 */
public final class Operands {
    private Operands() {}

    /** Memory layouts of an operand. */
    public enum Kind {
        CONTIGUOUS, TRANSPOSED, PERMUTED, NARROWED, PERMUTED_NARROWED;

        /** Whether the tensor of this kind is (normally) not contiguous. */
        public boolean strided() {
            return this != CONTIGUOUS;
        }
    }

    /**
     * A tensor with its logical row-major values.
     *
     * @param tensor      the (possibly strided) tensor
     * @param values      its elements in row-major order of {@code shape}
     * @param shape       the logical shape
     * @param description kind and shape, for failure messages
     */
    public record Operand(Tensor tensor, float[] values, Shape shape, String description) {
        @Override
        public String toString() {
            return description;
        }
    }

    /** {@code n} standard normal floats. */
    public static float[] gaussian(SplittableRandom rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) gaussian(rnd);
        }
        return v;
    }

    /** {@code n} uniform floats in [lo, hi). */
    public static float[] uniform(SplittableRandom rnd, int n, double lo, double hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        }
        return v;
    }

    /** One standard normal draw (Box-Muller), independent of {@code dev.shears.tensor.Rng}. */
    public static double gaussian(SplittableRandom rnd) {
        double u1 = 1.0 - rnd.nextDouble();
        double u2 = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** An operand of {@code kind} with standard normal values. */
    public static Operand random(Kind kind, SplittableRandom rnd, int... dims) {
        Shape s = Shape.of(dims);
        return of(kind, gaussian(rnd, s.numel()), rnd, dims);
    }

    /** An operand of {@code kind} holding {@code values} (row-major for {@code dims}). */
    public static Operand of(Kind kind, float[] values, SplittableRandom rnd, int... dims) {
        Shape s = Shape.of(dims);
        if (values.length != s.numel()) {
            throw new IllegalArgumentException(values.length + " values for " + s);
        }
        int r = dims.length;
        int[] perm = identity(r);
        boolean pad = false;
        switch (kind) {
            case CONTIGUOUS -> { }
            case TRANSPOSED -> {
                if (r >= 2) {
                    perm[r - 1] = r - 2;
                    perm[r - 2] = r - 1;
                } else {
                    pad = true;
                }
            }
            case PERMUTED -> {
                perm = randomPermutation(rnd, r);
                pad = r < 2;
            }
            case NARROWED -> pad = true;
            case PERMUTED_NARROWED -> {
                perm = randomPermutation(rnd, r);
                pad = true;
            }
        }
        return build(values, s, perm, pad, kind + "" + s + (pad ? " padded" : "") + " perm " + Arrays.toString(perm));
    }

    /**
     * Builds a base holding the values permuted by {@code perm} (base axis i is logical axis
     * {@code perm[i]}), optionally padded by 1 before and 2 after on every axis with NaN, then
     * narrows and permutes it back.
     */
    private static Operand build(float[] values, Shape s, int[] perm, boolean pad, String description) {
        int r = s.rank();
        int[] baseDims = new int[r];
        for (int i = 0; i < r; i++) {
            baseDims[i] = s.dim(perm[i]) + (pad ? 3 : 0);
        }
        Shape base = Shape.of(baseDims);
        float[] data = new float[base.numel()];
        Arrays.fill(data, Float.NaN);
        int[] b = new int[r];
        for (int f = 0; f < values.length; f++) {
            int[] idx = Reference.unflatten(f, s);
            for (int i = 0; i < r; i++) {
                b[i] = idx[perm[i]] + (pad ? 1 : 0);
            }
            data[Reference.flat(b, base)] = values[f];
        }
        Tensor t = Tensor.of(data, baseDims);
        if (pad) {
            for (int i = 0; i < r; i++) {
                t = t.narrow(i, 1, s.dim(perm[i]));
            }
        }
        int[] inverse = new int[r];
        for (int i = 0; i < r; i++) {
            inverse[perm[i]] = i;
        }
        t = t.permute(inverse);
        return new Operand(t, values.clone(), s, description);
    }

    /**
     * A broadcast operand of logical shape {@code dims}: a base with size 1 on a random non-empty
     * subset of the axes of size above 1, expanded with stride 0 (a "zero-stride input").
     */
    public static Operand expanded(SplittableRandom rnd, int... dims) {
        int r = dims.length;
        int[] baseDims = dims.clone();
        boolean any = false;
        for (int i = 0; i < r; i++) {
            if (dims[i] > 1 && rnd.nextBoolean()) {
                baseDims[i] = 1;
                any = true;
            }
        }
        if (!any) {
            for (int i = 0; i < r; i++) {
                if (dims[i] > 1) {
                    baseDims[i] = 1;
                    break;
                }
            }
        }
        Shape bs = Shape.of(baseDims);
        float[] base = gaussian(rnd, bs.numel());
        Shape s = Shape.of(dims);
        Tensor t = Tensor.of(base, baseDims).expand(dims);
        return new Operand(t, Reference.expand(base, bs, s), s, "EXPANDED" + s + " from " + bs);
    }

    private static int[] identity(int r) {
        int[] p = new int[r];
        for (int i = 0; i < r; i++) {
            p[i] = i;
        }
        return p;
    }

    /** A random permutation that is not the identity when {@code r >= 2}. */
    public static int[] randomPermutation(SplittableRandom rnd, int r) {
        int[] p = identity(r);
        if (r < 2) {
            return p;
        }
        do {
            for (int i = r - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
        } while (Arrays.equals(p, identity(r)));
        return p;
    }
}

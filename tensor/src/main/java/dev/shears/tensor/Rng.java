package dev.shears.tensor;

import java.util.SplittableRandom;

/**
 * The seeded random source behind every random choice in Shears. {@link #split()} derives an
 * independent stream deterministically, so one run seed reproduces a whole experiment.
 * Not thread-safe: split one per thread or task.
 */
public final class Rng {
    private final long seed;
    private final SplittableRandom random;

    private Rng(long seed, SplittableRandom random) {
        this.seed = seed;
        this.random = random;
    }

    /** A generator seeded with {@code seed}. */
    public static Rng seeded(long seed) {
        return new Rng(seed, new SplittableRandom(seed));
    }

    /** The seed this generator (or the root it was split from) started with, for logs. */
    public long seed() {
        return seed;
    }

    /** An independent generator derived from this one's next state. */
    public Rng split() {
        return new Rng(seed, random.split());
    }

    /** Uniform in [0, 1). */
    public float nextFloat() {
        // 24 random bits give every float in [0, 1) with spacing 2^-24.
        return (random.nextInt() >>> 8) * 0x1.0p-24f;
    }

    /** Uniform in [0, 1) with double precision. */
    public double nextDouble() {
        return random.nextDouble();
    }

    /** Uniform in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("Rng.nextInt: bound = " + bound + " must be positive");
        }
        return random.nextInt(bound);
    }

    /** A uniformly random long. */
    public long nextLong() {
        return random.nextLong();
    }

    /** Standard normal (Box-Muller on two uniforms; deterministic given the state). */
    public double nextGaussian() {
        double u1;
        do {
            u1 = random.nextDouble();
        } while (u1 == 0.0);
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** Fisher-Yates shuffle of {@code values} in place. */
    public void shuffle(int[] values) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
    }
}

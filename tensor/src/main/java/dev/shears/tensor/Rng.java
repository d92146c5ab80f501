package dev.shears.tensor;

/**
 * The seeded random source behind every random choice in Shears. {@link #split()} derives an
 * independent stream deterministically, so one run seed reproduces a whole experiment.
 * Not thread-safe: split one per thread or task.
 */
public final class Rng {
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private final long seed;
    // SplitMix64, the generator behind java.util.SplittableRandom (same streams for the same seed),
    // kept in two plain fields so a checkpoint can save and restore the exact state.
    private long state;
    private final long gamma;

    private Rng(long seed, long state, long gamma) {
        this.seed = seed;
        this.state = state;
        this.gamma = gamma;
    }

    /** A generator seeded with {@code seed}. */
    public static Rng seeded(long seed) {
        return new Rng(seed, seed, GOLDEN_GAMMA);
    }

    /** The seed this generator (or the root it was split from) started with, for logs. */
    public long seed() {
        return seed;
    }

    /** An independent generator derived from this one's next state. */
    public Rng split() {
        long childState = nextLong();
        return new Rng(seed, childState, mixGamma(nextState()));
    }

    /** The exact position of this stream: {@code [seed, state, gamma]}, for checkpoints. */
    public long[] snapshot() {
        return new long[] {seed, state, gamma};
    }

    /** Moves this generator to a position taken with {@link #snapshot()} from a generator of the same stream. */
    public void restore(long[] snapshot) {
        if (snapshot == null || snapshot.length != 3 || snapshot[0] != seed || snapshot[2] != gamma) {
            throw new IllegalArgumentException("Rng.restore: snapshot "
                    + (snapshot == null ? "null" : java.util.Arrays.toString(snapshot))
                    + " is not a position of this stream (seed " + seed + ", gamma " + gamma + ")");
        }
        state = snapshot[1];
    }

    /** Uniform in [0, 1). */
    public float nextFloat() {
        // 24 random bits give every float in [0, 1) with spacing 2^-24.
        return (nextInt() >>> 8) * 0x1.0p-24f;
    }

    /** Uniform in [0, 1) with double precision. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("Rng.nextInt: bound = " + bound + " must be positive");
        }
        int m = bound - 1;
        int r = nextInt();
        if ((bound & m) == 0) {
            return r & m;
        }
        // Rejection keeps the result unbiased: redraw while u falls in the incomplete last block.
        for (int u = r >>> 1; u + m - (r = u % bound) < 0; u = nextInt() >>> 1) {
            // redraw
        }
        return r;
    }

    /** A uniformly random long. */
    public long nextLong() {
        return mix64(nextState());
    }

    /** Standard normal (Box-Muller on two uniforms; deterministic given the state). */
    public double nextGaussian() {
        double u1;
        do {
            u1 = nextDouble();
        } while (u1 == 0.0);
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** Fisher-Yates shuffle of {@code values} in place. */
    public void shuffle(int[] values) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
    }

    private int nextInt() {
        long z = nextState();
        z = (z ^ (z >>> 33)) * 0x62a9d9ed799705f5L;
        return (int) (((z ^ (z >>> 28)) * 0xcb24d0a5c88c35b3L) >>> 32);
    }

    private long nextState() {
        return state += gamma;
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** An odd gamma with enough bit transitions to give a well-mixed child stream. */
    private static long mixGamma(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        z = (z ^ (z >>> 33)) | 1L;
        return Long.bitCount(z ^ (z >>> 1)) < 24 ? z ^ 0xaaaaaaaaaaaaaaaaL : z;
    }
}

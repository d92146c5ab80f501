package dev.shears.testing;

import dev.shears.tensor.simd.Simd;
import java.util.Arrays;
import java.util.stream.IntStream;

/** Sizes that break kernels: 1, small primes, lane count ± 1, and a few larger odd values. */
public final class AwkwardSizes {
    private AwkwardSizes() {}

    /** Small awkward sizes for per-axis sweeps (cheap enough to combine in 2-3 nested loops). */
    public static int[] small() {
        int l = Simd.LANES;
        return IntStream.of(1, 2, 3, 7, l - 1, l, l + 1, 17, 31, 33)
                .filter(v -> v >= 1).distinct().sorted().toArray();
    }

    /** Larger awkward sizes for 1-D kernels: primes and lane multiples ± 1 well past the unrolled loops. */
    public static int[] large() {
        int l = Simd.LANES;
        return IntStream.of(127, 4 * l - 1, 4 * l + 1, 257, 1031, 4099).distinct().sorted().toArray();
    }

    /** {@link #small()} followed by {@link #large()}. */
    public static int[] all() {
        int[] s = small();
        int[] b = large();
        int[] out = Arrays.copyOf(s, s.length + b.length);
        System.arraycopy(b, 0, out, s.length, b.length);
        return IntStream.of(out).distinct().sorted().toArray();
    }
}

package dev.shears.tensor.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species every CPU kernel uses, fixed once at class load.
 *
 * <p>{@code -Dshears.vector.bits=512|256|128} forces a width (tests rerun kernels at 128 bits so
 * tails and bounds are exercised at another lane count); {@code 0} selects the scalar reference
 * paths. Without the property the platform's preferred species is used (512 bits on AVX-512).
 */
public final class Simd {
    /** Vector width in bits, or 0 when kernels run their scalar reference paths. */
    public static final int BITS = configuredBits();
    /** Whether kernels should take their vector paths. */
    public static final boolean ENABLED = BITS > 0;
    /** The float species; the preferred one when SIMD is disabled, so code stays well-formed. */
    public static final VectorSpecies<Float> F = ENABLED
            ? VectorSpecies.of(float.class, VectorShape.forBitSize(BITS))
            : FloatVector.SPECIES_PREFERRED;
    /** The int species of the same width as {@link #F}. */
    public static final VectorSpecies<Integer> I = ENABLED
            ? VectorSpecies.of(int.class, VectorShape.forBitSize(BITS))
            : IntVector.SPECIES_PREFERRED;
    /** Float lanes per vector. */
    public static final int LANES = F.length();

    private Simd() {}

    private static int configuredBits() {
        int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        String prop = System.getProperty("shears.vector.bits");
        if (prop == null || prop.isBlank()) {
            return preferred;
        }
        int bits;
        try {
            bits = Integer.parseInt(prop.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "shears.vector.bits = '" + prop + "' is not a number; use 0 (scalar), 128, 256 or 512");
        }
        if (bits != 0 && bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException(
                    "shears.vector.bits = " + bits + " is not supported; use 0 (scalar), 128, 256 or 512");
        }
        if (bits > preferred) {
            throw new IllegalArgumentException("shears.vector.bits = " + bits
                    + " exceeds this CPU's preferred vector width of " + preferred + " bits");
        }
        return bits;
    }

    /**
     * The float mask of lanes {@code [from, to)}, clamped to {@code [0, LANES)} (empty when
     * {@code to <= from}). Built from a bit pattern because {@code indexInRange}'s branches kept C2
     * from keeping the mask in a register: a masked load per short row then cost tens of cycles.
     */
    public static VectorMask<Float> lanes(int from, int to) {
        int lo = Math.clamp(from, 0, LANES);
        int hi = Math.clamp(to, lo, LANES);
        long bits = hi == 0 ? 0L : (-1L >>> (64 - hi)) & (-1L << lo);
        return VectorMask.fromLong(F, bits);
    }

    /** A one-line description for benchmark headers and logs, e.g. {@code "FloatVector 512-bit (16 lanes)"}. */
    public static String describe() {
        return ENABLED ? "FloatVector " + BITS + "-bit (" + LANES + " lanes)" : "scalar (SIMD disabled)";
    }
}

package dev.shears.tensor.io;

/**
 * Conversions between {@code float} and the 16-bit storage formats IEEE binary16 (F16) and
 * bfloat16 (BF16), as raw {@code short} bit patterns. Narrowing rounds to nearest, ties to even;
 * values beyond the largest finite half round to infinity; NaN stays NaN (sign kept, quiet).
 * Widening is exact.
 */
public final class HalfFloats {
    private HalfFloats() {
    }

    /** The F16 bit pattern nearest to {@code value} (round to nearest even). */
    public static short toF16(float value) {
        return Float.floatToFloat16(value); // JDK 20+: IEEE 754 roundTiesToEven, intrinsified
    }

    /** The exact float value of the F16 bit pattern {@code bits}. */
    public static float fromF16(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** The BF16 bit pattern nearest to {@code value} (round to nearest even). */
    public static short toBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7fff_ffff) > 0x7f80_0000) { // NaN: truncate and force the quiet bit so it stays NaN
            return (short) ((bits >>> 16) | 0x0040);
        }
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7fff + lsb) >>> 16); // carries into the exponent round up to inf
    }

    /** The exact float value of the BF16 bit pattern {@code bits}. */
    public static float fromBf16(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }
}

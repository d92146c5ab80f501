package dev.shears.cuda.sparse;

/**
 * The 16-bit element type of GPU weights and inputs, and the suffix of the kernel entry points
 * that take it ({@code spmm24_f16}, {@code spmm24_bf16}). Kernels always accumulate in fp32.
 */
public enum GpuHalf {
    /** IEEE binary16: 10-bit mantissa, range ±65504. */
    F16("f16"),
    /** bfloat16: fp32's exponent with a 7-bit mantissa. */
    BF16("bf16");

    private final String suffix;

    GpuHalf(String suffix) {
        this.suffix = suffix;
    }

    /** The entry-point suffix, e.g. {@code "f16"}. */
    public String suffix() {
        return suffix;
    }

    /** The kernel entry point {@code op_suffix}. */
    public String entry(String op) {
        return op + "_" + suffix;
    }

    /** The bits of {@code f} rounded to nearest even. */
    public short encode(float f) {
        return switch (this) {
            case F16 -> Float.floatToFloat16(f);
            case BF16 -> bf16(f);
        };
    }

    /** The float that {@code bits} stands for (exact). */
    public float decode(short bits) {
        return switch (this) {
            case F16 -> Float.float16ToFloat(bits);
            case BF16 -> Float.intBitsToFloat((bits & 0xFFFF) << 16);
        };
    }

    /** {@code f} rounded to this type and back: what a kernel sees of an input. */
    public float round(float f) {
        return decode(encode(f));
    }

    /** Every element of {@code values} encoded. */
    public short[] encode(float[] values) {
        short[] out = new short[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = encode(values[i]);
        }
        return out;
    }

    private static short bf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40); // keep it a NaN: set the quiet bit
        }
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7FFF + lsb) >>> 16);
    }
}

package dev.shears.tensor;

/**
 * Element types. F32 is the only compute type on the CPU; I32 holds indices and labels, U8 holds
 * masks and sparse metadata; F16 and BF16 are storage formats (converted on load).
 */
public enum DType {
    F32(4), I32(4), U8(1), F16(2), BF16(2);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** Whether tensors of this dtype can be computed with on the CPU. */
    public boolean isFloatCompute() {
        return this == F32;
    }
}

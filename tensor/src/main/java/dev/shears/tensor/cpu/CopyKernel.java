package dev.shears.tensor.cpu;

/**
 * Strided 1-D copies within and between element types. Conversions: float to int truncates
 * toward zero (as a Java cast); to U8 keeps the low 8 bits of that int; U8 reads as 0..255.
 */
public final class CopyKernel {
    private CopyKernel() {}

    /** Copies n floats with the given strides (System.arraycopy when both are 1). */
    public static void copy(float[] src, int srcOff, int srcStride, float[] dst, int dstOff, int dstStride, int n) {
        if (srcStride == 1 && dstStride == 1) {
            System.arraycopy(src, srcOff, dst, dstOff, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            dst[dstOff + i * dstStride] = src[srcOff + i * srcStride];
        }
    }

    /** Copies n ints with the given strides. */
    public static void copy(int[] src, int srcOff, int srcStride, int[] dst, int dstOff, int dstStride, int n) {
        if (srcStride == 1 && dstStride == 1) {
            System.arraycopy(src, srcOff, dst, dstOff, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            dst[dstOff + i * dstStride] = src[srcOff + i * srcStride];
        }
    }

    /** Copies n bytes with the given strides. */
    public static void copy(byte[] src, int srcOff, int srcStride, byte[] dst, int dstOff, int dstStride, int n) {
        if (srcStride == 1 && dstStride == 1) {
            System.arraycopy(src, srcOff, dst, dstOff, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            dst[dstOff + i * dstStride] = src[srcOff + i * srcStride];
        }
    }

    /** Copies n elements between any two CPU storages, converting the element type. */
    public static void convert(CpuStorage src, int srcOff, int srcStride, CpuStorage dst, int dstOff, int dstStride, int n) {
        switch (dst.dtype()) {
            case F32 -> {
                float[] d = dst.floats();
                for (int i = 0; i < n; i++) {
                    d[dstOff + i * dstStride] = readFloat(src, srcOff + i * srcStride);
                }
            }
            case I32 -> {
                int[] d = dst.ints();
                for (int i = 0; i < n; i++) {
                    d[dstOff + i * dstStride] = readInt(src, srcOff + i * srcStride);
                }
            }
            case U8 -> {
                byte[] d = dst.bytes();
                for (int i = 0; i < n; i++) {
                    d[dstOff + i * dstStride] = (byte) readInt(src, srcOff + i * srcStride);
                }
            }
            default -> throw new IllegalStateException("convert: unsupported destination " + dst.dtype());
        }
    }

    static float readFloat(CpuStorage s, int i) {
        return switch (s.dtype()) {
            case F32 -> s.floats()[i];
            case I32 -> s.ints()[i];
            case U8 -> s.bytes()[i] & 0xFF;
            default -> throw new IllegalStateException("convert: unsupported source " + s.dtype());
        };
    }

    static int readInt(CpuStorage s, int i) {
        return switch (s.dtype()) {
            case F32 -> (int) s.floats()[i];
            case I32 -> s.ints()[i];
            case U8 -> s.bytes()[i] & 0xFF;
            default -> throw new IllegalStateException("convert: unsupported source " + s.dtype());
        };
    }
}

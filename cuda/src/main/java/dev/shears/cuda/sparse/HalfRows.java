package dev.shears.cuda.sparse;

import dev.shears.cuda.CudaDevice;
import dev.shears.cuda.DeviceMemory;

/**
 * Dense row-major inputs for the sparse GPU products: {@code x [n, k]} as 16-bit halves with row
 * stride {@code ld >= k}, columns k..ld-1 zero (the kernels read whole padded rows, and a zero weight
 * times a non-finite pad would not be zero).
 */
public final class HalfRows {
    private HalfRows() {}

    /** {@code x [n, k]} rounded to {@code half}, rows padded to {@code ld} with zeros. */
    public static short[] pack(GpuHalf half, float[] x, int n, int k, int ld) {
        if (ld < k || (long) n * k > x.length) {
            throw new IllegalArgumentException("HalfRows.pack: x holds " + x.length + " floats for [" + n + ", " + k
                    + "] with row stride " + ld + "; need n*k <= length and ld >= k");
        }
        short[] out = new short[Math.multiplyExact(n, ld)];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < k; c++) {
                out[i * ld + c] = half.encode(x[i * k + c]);
            }
        }
        return out;
    }

    /** {@link #pack} uploaded to {@code device}. */
    public static DeviceMemory upload(CudaDevice device, GpuHalf half, float[] x, int n, int k, int ld) {
        return DeviceMemory.upload(device, pack(half, x, n, k, ld));
    }
}

package dev.shears.data;

import java.util.Arrays;

/**
 * An in-memory data set over a flat array: either F32 values, or unsigned bytes scaled by a factor
 * on access (MNIST keeps its 47 MB of pixels as bytes and yields {@code pixel / 255}).
 */
public final class ArrayDataset implements Dataset {
    private final float[] floats;
    private final byte[] bytes;
    private final float scale;
    private final int[] labels;
    private final int[] shape;
    private final int numel;
    private final int numClasses;

    private ArrayDataset(float[] floats, byte[] bytes, float scale, int[] labels, int numClasses, int[] shape) {
        this.floats = floats;
        this.bytes = bytes;
        this.scale = scale;
        this.labels = labels;
        this.shape = shape.clone();
        int n = 1;
        for (int d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("ArrayDataset: sample shape " + Arrays.toString(shape) + " has a non-positive dimension");
            }
            n *= d;
        }
        this.numel = n;
        int have = floats != null ? floats.length : bytes.length;
        if ((long) labels.length * n != have) {
            throw new IllegalArgumentException("ArrayDataset: " + labels.length + " labels x sample shape "
                    + Arrays.toString(shape) + " needs " + ((long) labels.length * n) + " values, got " + have);
        }
        if (numClasses <= 0) {
            throw new IllegalArgumentException("ArrayDataset: numClasses = " + numClasses + " must be positive");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("ArrayDataset: label " + labels[i] + " at index " + i
                        + " is outside [0, " + numClasses + ")");
            }
        }
        this.numClasses = numClasses;
    }

    /** F32 samples: {@code values} holds {@code labels.length} samples of {@code shape}, row-major (not copied). */
    public static ArrayDataset ofFloats(float[] values, int[] labels, int numClasses, int... shape) {
        return new ArrayDataset(values, null, 1f, labels, numClasses, shape);
    }

    /** Unsigned-byte samples yielded as {@code (b & 0xff) * scale} (arrays not copied). */
    public static ArrayDataset ofUnsignedBytes(byte[] values, float scale, int[] labels, int numClasses, int... shape) {
        return new ArrayDataset(null, values, scale, labels, numClasses, shape);
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public int[] sampleShape() {
        return shape.clone();
    }

    @Override
    public int sampleNumel() {
        return numel;
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public int label(int index) {
        return labels[index];
    }

    @Override
    public void copyInputs(int index, float[] dst, int offset) {
        java.util.Objects.checkIndex(index, labels.length);
        int base = index * numel;
        if (floats != null) {
            System.arraycopy(floats, base, dst, offset, numel);
        } else {
            for (int i = 0; i < numel; i++) {
                dst[offset + i] = (bytes[base + i] & 0xff) * scale;
            }
        }
    }
}

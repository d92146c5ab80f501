package dev.shears.sparse;

import dev.shears.tensor.DType;
import dev.shears.tensor.DTypeException;
import dev.shears.tensor.Device;
import dev.shears.tensor.Shape;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;

/**
 * A tensor argument of a format factory with the name its messages use: {@code values} for a
 * direct call, {@code fc1.values} when {@link SparseTensors} reads it from a file. The readers
 * check device, dtype and shape, then return fresh row-major copies the format can own.
 */
record Part(String name, Tensor tensor) {

    /** The shape of a CPU tensor of {@code dtype} and {@code rank}. */
    Shape shape(String op, DType dtype, int rank) {
        requireCpu(op, dtype);
        if (tensor.rank() != rank) {
            throw ShapeException.rank(op, name, rank, tensor.shape());
        }
        return tensor.shape();
    }

    /** An F32 CPU tensor of shape {@code expected}, described as {@code expectedText} (e.g. {@code [rows, cols/2]}). */
    float[] floats(String op, String expectedText, int... expected) {
        requireCpu(op, DType.F32);
        requireShape(op, expectedText, Shape.of(expected));
        return tensor.toFloatArray();
    }

    /** An I32 CPU tensor of shape {@code expected}. */
    int[] ints(String op, String expectedText, int... expected) {
        requireCpu(op, DType.I32);
        requireShape(op, expectedText, Shape.of(expected));
        return tensor.toIntArray();
    }

    /** A U8 CPU tensor of shape {@code expected}. */
    byte[] bytes(String op, String expectedText, int... expected) {
        requireCpu(op, DType.U8);
        requireShape(op, expectedText, Shape.of(expected));
        return tensor.toByteArray();
    }

    /**
     * The kept positions of a 0/1 mask (U8 or F32, CPU) of the weight's shape, row-major.
     *
     * @throws SparseFormatException naming the first element that is neither 0 nor 1
     */
    boolean[] mask(String op, Shape weightShape) {
        requireCpu(op, DType.U8, DType.F32);
        requireShape(op, "the weight's shape", weightShape);
        float[] m = tensor.toFloatArray();
        boolean[] keep = new boolean[m.length];
        int cols = weightShape.dim(1);
        for (int i = 0; i < m.length; i++) {
            if (m[i] != 0f && m[i] != 1f) {
                String value = tensor.dtype() == DType.U8 ? Integer.toString((int) m[i]) : Float.toString(m[i]);
                throw new SparseFormatException(op + ": " + name + "[" + i / cols + ", " + i % cols + "] = " + value
                        + " must be 0 (pruned) or 1 (kept)");
            }
            keep[i] = m[i] == 1f;
        }
        return keep;
    }

    private void requireShape(String op, String expectedText, Shape expected) {
        if (!tensor.shape().equals(expected)) {
            throw new ShapeException(op + ": " + name + " has shape " + tensor.shape() + ", expected " + expectedText
                    + (expectedText.startsWith("[") ? " = " : " ") + expected);
        }
    }

    /** Every reader starts here, so a null tensor is reported with {@code op} and its name. */
    private void requireCpu(String op, DType... accepted) {
        if (tensor == null) {
            throw new NullPointerException(op + ": " + name + " must not be null");
        }
        if (!tensor.device().equals(Device.CPU)) {
            throw new IllegalArgumentException(op + ": " + name + " is on " + tensor.device()
                    + "; sparse formats are built from CPU tensors: pass " + name + ".to(Device.CPU)");
        }
        for (DType d : accepted) {
            if (tensor.dtype() == d) {
                return;
            }
        }
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < accepted.length; i++) {
            names.append(i == 0 ? "" : " or ").append(accepted[i]);
        }
        throw new DTypeException(op + ": " + name + " must be " + names + ", got " + tensor.dtype() + " (shape "
                + tensor.shape() + ")");
    }
}

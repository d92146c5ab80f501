package dev.shears.sparse;

import dev.shears.tensor.Backends;
import dev.shears.tensor.Device;
import dev.shears.tensor.Layout;
import dev.shears.tensor.Shape;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;
import java.util.Locale;
import java.util.function.IntFunction;

/** Helpers shared by the format classes: owned arrays as tensors, value checks, descriptions. */
final class Formats {
    private Formats() {}

    /** A CPU F32 tensor over {@code data} itself: the format owns the array and never writes it. */
    static Tensor f32(float[] data, int... shape) {
        return Tensor.adopt(data, shape);
    }

    /** A CPU I32 tensor over {@code data} itself. */
    static Tensor i32(int[] data, int... shape) {
        return Tensor.wrap(Backends.get(Device.CPU).fromInts(data), Layout.contiguous(Shape.of(shape)));
    }

    /** A CPU U8 tensor over {@code data} itself. */
    static Tensor u8(byte[] data, int... shape) {
        return Tensor.wrap(Backends.get(Device.CPU).fromBytes(data), Layout.contiguous(Shape.of(shape)));
    }

    /** Requires logical sizes {@code rows, cols >= 0}, with room for {@code rows + 1} row pointers. */
    static void requireSizes(String op, int rows, int cols) {
        if (rows < 0 || cols < 0 || rows == Integer.MAX_VALUE) {
            throw new ShapeException(op + ": rows = " + rows + " and cols = " + cols
                    + " must be >= 0 (and rows < " + Integer.MAX_VALUE + ")");
        }
    }

    /**
     * Throws naming the first non-finite element of {@code values}.
     *
     * @param where the logical position of element {@code i}, e.g. {@code row 3, column 12}; called only on failure
     */
    static void requireFinite(String op, String name, float[] values, IntFunction<String> where) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw SparseFormatException.notFinite(op, name + "[" + i + "]", values[i], where.apply(i));
            }
        }
    }


    /** {@code CsrMatrix[64, 128] nnz 820 density 0.1001 cpu}. */
    static String describe(SparseMatrix m) {
        return String.format(Locale.ROOT, "%s[%d, %d] nnz %d density %.4f %s", m.getClass().getSimpleName(), m.rows(),
                m.cols(), m.nnz(), m.density(), m.device());
    }

    /** {@code 0x0C}: a byte as two hex digits. */
    static String hex(int b) {
        return String.format(Locale.ROOT, "0x%02X", b);
    }

    /** The row holding element {@code i} of a row-pointer array (the last row whose start is at most {@code i}). */
    static int rowOf(int[] rowStarts, int i) {
        int lo = 0;
        int hi = rowStarts.length - 2;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (rowStarts[mid] <= i) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }
}

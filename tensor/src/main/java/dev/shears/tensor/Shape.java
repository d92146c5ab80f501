package dev.shears.tensor;

import java.util.Arrays;

/**
 * An immutable tensor shape: the size of every axis. Sizes are {@code int} and the element count
 * must fit in an {@code int} (a CPU tensor is backed by one Java array).
 */
public final class Shape {
    private static final Shape SCALAR = new Shape(new int[0]);

    private final int[] dims;
    private final int numel;

    private Shape(int[] dims) {
        this.dims = dims;
        long n = 1;
        boolean overflow = false;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0) {
                throw new ShapeException("Shape: size " + dims[i] + " at axis " + i + " is negative in "
                        + Arrays.toString(dims));
            }
            n *= dims[i];
            if (n > Integer.MAX_VALUE) {
                overflow = true; // unless a later size is 0
                n = Integer.MAX_VALUE + 1L;
            }
        }
        if (overflow && n != 0) {
            throw new ShapeException("Shape: " + Arrays.toString(dims) + " has more than "
                    + Integer.MAX_VALUE + " elements");
        }
        this.numel = (int) n;
    }

    /** A shape with the given sizes (copied). {@code Shape.of()} is the scalar shape. */
    public static Shape of(int... dims) {
        return dims.length == 0 ? SCALAR : new Shape(dims.clone());
    }

    /** The rank-0 shape of a scalar. */
    public static Shape scalar() {
        return SCALAR;
    }

    /** Number of axes. */
    public int rank() {
        return dims.length;
    }

    /** Size of {@code axis}; negative axes count from the end. */
    public int dim(int axis) {
        return dims[axis(axis, "Shape.dim")];
    }

    /** A copy of the sizes. */
    public int[] dims() {
        return dims.clone();
    }

    /** Number of elements (1 for a scalar, 0 if any size is 0). */
    public int numel() {
        return numel;
    }

    /** Normalises a possibly negative axis, or throws naming {@code op}. */
    public int axis(int axis, String op) {
        int r = dims.length;
        if (axis < -r || axis >= r) {
            throw ShapeException.badAxis(op, axis, this);
        }
        return axis < 0 ? axis + r : axis;
    }

    /** Row-major strides of a contiguous tensor of this shape. */
    public int[] contiguousStrides() {
        int[] strides = new int[dims.length];
        int s = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= Math.max(1, dims[i]);
        }
        return strides;
    }

    /** The shape with {@code axis} removed. */
    public Shape remove(int axis) {
        int a = axis(axis, "Shape.remove");
        int[] d = new int[dims.length - 1];
        System.arraycopy(dims, 0, d, 0, a);
        System.arraycopy(dims, a + 1, d, a, dims.length - a - 1);
        return new Shape(d);
    }

    /** The shape with {@code axis} set to {@code size}. */
    public Shape with(int axis, int size) {
        int[] d = dims.clone();
        d[axis(axis, "Shape.with")] = size;
        return new Shape(d);
    }

    /**
     * The NumPy broadcast of two shapes: aligned from the right, each pair of sizes equal or one of
     * them 1.
     *
     * @throws ShapeException naming {@code op} and both shapes when they are incompatible
     */
    public static Shape broadcast(Shape a, Shape b, String op) {
        if (a.equals(b)) {
            return a;
        }
        int r = Math.max(a.rank(), b.rank());
        int[] out = new int[r];
        for (int i = 1; i <= r; i++) {
            int da = i <= a.rank() ? a.dims[a.rank() - i] : 1;
            int db = i <= b.rank() ? b.dims[b.rank() - i] : 1;
            if (da != db && da != 1 && db != 1) {
                throw ShapeException.notBroadcastable(op, a, b, i, da, db);
            }
            out[r - i] = da == 1 ? db : da;
        }
        return new Shape(out);
    }

    /** Whether {@link #broadcast} would succeed for {@code a} and {@code b}. */
    public static boolean canBroadcast(Shape a, Shape b) {
        for (int i = 1; i <= Math.min(a.rank(), b.rank()); i++) {
            int da = a.dims[a.rank() - i];
            int db = b.dims[b.rank() - i];
            if (da != db && da != 1 && db != 1) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** {@code [2, 3]}; the scalar shape prints as {@code []}. */
    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}

package dev.shears.tensor;

import java.util.Arrays;

/** A tensor shape, axis or size argument that does not fit the operation. Messages name the op and operands. */
public class ShapeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ShapeException(String message) {
        super(message);
    }

    /** {@code op: inner dimensions differ: lhs [32, 784] vs rhs [128, 10] (784 != 128)}. */
    public static ShapeException innerMismatch(String op, Shape lhs, Shape rhs, int lhsInner, int rhsInner) {
        return new ShapeException(op + ": inner dimensions differ: lhs " + lhs + " vs rhs " + rhs
                + " (" + lhsInner + " != " + rhsInner + ")");
    }

    /** {@code op: shapes [2, 3] and [4] cannot be broadcast (axis -1: 3 vs 4)}. */
    public static ShapeException notBroadcastable(String op, Shape lhs, Shape rhs, int axisFromEnd, int a, int b) {
        return new ShapeException(op + ": shapes " + lhs + " and " + rhs + " cannot be broadcast (axis -"
                + axisFromEnd + ": " + a + " vs " + b + ")");
    }

    /** {@code op: axis 3 is out of range for shape [2, 3] (rank 2; valid axes -2..1)}. */
    public static ShapeException badAxis(String op, int axis, Shape shape) {
        int r = shape.rank();
        return new ShapeException(op + ": axis " + axis + " is out of range for shape " + shape + " (rank " + r
                + (r == 0 ? "; a scalar has no axes)" : "; valid axes " + (-r) + ".." + (r - 1) + ")"));
    }

    /** {@code op: expected a tensor of rank 2, got shape [3]}. */
    public static ShapeException rank(String op, String what, int expected, Shape actual) {
        return new ShapeException(op + ": expected " + what + " of rank " + expected + ", got shape " + actual);
    }

    /** {@code op: lhs [2, 3] and rhs [3, 2] must have the same shape}. */
    public static ShapeException mismatch(String op, Shape lhs, Shape rhs) {
        return new ShapeException(op + ": lhs " + lhs + " and rhs " + rhs + " must have the same shape");
    }

    /** {@code op: cannot view [2, 3] (6 elements) as [4, 2] (8 elements)}. */
    public static ShapeException numelMismatch(String op, Shape from, int[] to, long toNumel) {
        return new ShapeException(op + ": cannot view " + from + " (" + from.numel() + " elements) as "
                + Arrays.toString(to) + " (" + toNumel + " elements)");
    }

    /** {@code op: tensor is empty (shape [0, 3]); it needs at least one element}. */
    public static ShapeException empty(String op, Shape shape) {
        return new ShapeException(op + ": tensor is empty (shape " + shape + "); it needs at least one element");
    }
}

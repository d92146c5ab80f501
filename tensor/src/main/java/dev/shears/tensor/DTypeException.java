package dev.shears.tensor;

/** A tensor of the wrong element type for an operation. */
public class DTypeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public DTypeException(String message) {
        super(message);
    }

    /** {@code op: expected F32, got I32 (shape [3])}. */
    public static DTypeException expected(String op, DType expected, Tensor actual) {
        return new DTypeException(op + ": expected " + expected + ", got " + actual.dtype() + " (shape " + actual.shape() + ")");
    }

    /** {@code op: dtypes differ: lhs F32 vs rhs I32}. */
    public static DTypeException mismatch(String op, DType lhs, DType rhs) {
        return new DTypeException(op + ": dtypes differ: lhs " + lhs + " vs rhs " + rhs);
    }
}

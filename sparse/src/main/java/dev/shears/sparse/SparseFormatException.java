package dev.shears.sparse;

import dev.shears.tensor.Shape;

/**
 * Content that breaks a sparse format's invariants: a 2:4 group that does not keep exactly two
 * positions, a row pointer that decreases, a column index out of range, a non-finite value, and so
 * on. Messages name the operation, the offending element and its value, and where possible a fix.
 * Component tensors of the wrong dtype or shape throw {@code DTypeException} or
 * {@code ShapeException} instead.
 */
public class SparseFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public SparseFormatException(String message) {
        super(message);
    }

    /**
     * {@code op: values[17] = NaN (row 3, column 12) is not finite; sparse formats store finite values only}.
     *
     * @param element the element, e.g. {@code values[17]} or {@code w[3, 12]}
     * @param where   its position in the logical matrix, or empty when {@code element} already says it
     */
    public static SparseFormatException notFinite(String op, String element, float value, String where) {
        return new SparseFormatException(op + ": " + element + " = " + value
                + (where.isEmpty() ? "" : " (" + where + ")")
                + " is not finite; sparse formats store finite values only");
    }

    /**
     * {@code op: cols = 30 is not a multiple of 4 (shape [64, 30]); 2:4 groups span 4 columns: pad
     * the input dimension to 32 or use CsrMatrix}.
     */
    public static SparseFormatException colsNotMultipleOf4(String op, int cols, Shape shape) {
        long padded = (cols + 3L) / 4 * 4;
        return new SparseFormatException(op + ": cols = " + cols + " is not a multiple of 4 (shape " + shape
                + "); 2:4 groups span 4 columns: pad the input dimension to " + padded + " or use CsrMatrix");
    }
}

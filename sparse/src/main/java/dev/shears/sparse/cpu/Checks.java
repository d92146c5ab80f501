package dev.shears.sparse.cpu;

/**
 * The cheap argument checks of the kernels' public entry points, written for {@code assert}
 * ({@code assert Checks.dense(...)}): each returns true or throws an {@link AssertionError} naming
 * the operation, the operand and the offending values. Kernels trust the format classes for
 * anything that costs more than a few reads (ascending columns, popcounts matching offsets).
 */
final class Checks {
    private Checks() {}

    /** Non-negative sizes. */
    static boolean sizes(String op, int n, int m, int k) {
        if (n < 0 || m < 0 || k < 0) {
            throw new AssertionError(op + ": negative size (n = " + n + ", m = " + m + ", k = " + k + ")");
        }
        return true;
    }

    /** A row-major [rows, cols] operand at {@code off} fits in {@code a}. */
    static boolean dense(String op, String name, float[] a, int off, int rows, int cols) {
        long end = off + (long) rows * cols;
        if (a == null || off < 0 || end > a.length) {
            throw new AssertionError(op + ": " + name + " [" + rows + ", " + cols + "] at offset " + off
                    + " needs " + end + " floats but the array holds " + (a == null ? "none (null)" : a.length));
        }
        return true;
    }

    /** An array of some layout holds at least {@code needed} elements. */
    static boolean holds(String op, String name, int length, long needed) {
        if (length < needed) {
            throw new AssertionError(op + ": " + name + " has " + length + " elements, needs " + needed);
        }
        return true;
    }

    /** The 2:4 layout: k a multiple of 4, m·k/2 values and m·ceil(k/16) mask words. */
    static boolean semi24(String op, int m, int k, float[] values, char[] masks) {
        if (k % 4 != 0) {
            throw new AssertionError(op + ": k = " + k + " is not a multiple of 4, as 2:4 groups need");
        }
        return holds(op, "values", values.length, (long) m * (k / 2))
                && holds(op, "masks", masks.length, (long) m * MaskedRows.words(k));
    }

    /** The bitmap layout: m + 1 row starts, from 0, within the values; m·ceil(k/16) mask words. */
    static boolean bitmap(String op, int m, int k, int valueCount, char[] masks, int[] rowStart) {
        return offsets(op, "rowStart", rowStart, m, "values", valueCount)
                && holds(op, "masks", masks.length, (long) m * MaskedRows.words(k));
    }

    /** CSR: m + 1 row pointers from 0, within both the column indices and the values. */
    static boolean csr(String op, int m, int[] rowPtr, int indexCount, int valueCount) {
        return offsets(op, "rowPtr", rowPtr, m, "column indices", indexCount)
                && offsets(op, "rowPtr", rowPtr, m, "values", valueCount);
    }

    /** 16-bit column indices address at most 65536 columns. */
    static boolean narrowColumns(String op, int k) {
        if (k > 1 << 16) {
            throw new AssertionError(op + ": k = " + k + " exceeds the 65536 columns char indices can address; use int[] indices");
        }
        return true;
    }

    private static boolean offsets(String op, String name, int[] starts, int m, String target, int targetLength) {
        holds(op, name, starts.length, (long) m + 1);
        if (starts[0] != 0 || starts[m] < 0 || starts[m] > targetLength) {
            throw new AssertionError(op + ": " + name + "[0] = " + starts[0] + ", " + name + "[" + m + "] = " + starts[m]
                    + ": must start at 0 and end within the " + targetLength + " " + target);
        }
        return true;
    }
}

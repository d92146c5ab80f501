package dev.shears.sparse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.shears.tensor.Rng;
import dev.shears.tensor.Shape;
import dev.shears.tensor.Tensor;
import org.junit.jupiter.api.function.Executable;

/** Seeded test matrices and exact comparisons shared by the format tests. */
final class SparseTestData {
    private SparseTestData() {}

    /**
     * A dense [rows, cols] matrix with about {@code sparsity} of its entries zero and, when
     * {@code emptyRows}, every third row all zero. Values come from a small set of magnitudes,
     * so ties occur.
     */
    static float[] sparseValues(Rng rng, int rows, int cols, double sparsity, boolean emptyRows) {
        float[] w = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                boolean zero = (emptyRows && r % 3 == 1) || rng.nextDouble() < sparsity;
                float v = (1 + rng.nextInt(8)) * 0.25f * (rng.nextInt(2) == 0 ? 1 : -1);
                w[r * cols + c] = zero ? 0f : v;
            }
        }
        return w;
    }

    /** A U8 [rows, cols] mask keeping each entry with probability {@code keep}. */
    static byte[] randomMask(Rng rng, int rows, int cols, double keep) {
        byte[] m = new byte[rows * cols];
        for (int i = 0; i < m.length; i++) {
            m[i] = (byte) (rng.nextDouble() < keep ? 1 : 0);
        }
        return m;
    }

    /** {@code w} with the entries where {@code mask} is 0 replaced by 0. */
    static float[] masked(float[] w, byte[] mask) {
        float[] out = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            out[i] = mask[i] != 0 ? w[i] : 0f;
        }
        return out;
    }

    static Tensor dense(float[] w, int rows, int cols) {
        return Tensor.of(w, rows, cols);
    }

    /** Asserts the two arrays hold the same float bit patterns (so -0.0 differs from 0.0). */
    static void assertBitwise(float[] expected, float[] actual, String context) {
        assertEquals(expected.length, actual.length, context + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(context + ": element " + i + " expected " + expected[i] + " but was " + actual[i]);
            }
        }
    }

    /** The message of the {@code type} exception {@code call} throws. */
    static <T extends Throwable> String message(Class<T> type, Executable call) {
        return assertThrows(type, call).getMessage();
    }

    /** Asserts {@code message} contains every one of {@code parts}. */
    static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "message lacks '" + p + "': " + message);
        }
    }

    /** Asserts {@code m.toDense()} is exactly {@code expected} with shape [rows, cols]. */
    static void assertDense(float[] expected, int rows, int cols, SparseMatrix m, String context) {
        Tensor d = m.toDense();
        assertEquals(Shape.of(rows, cols), d.shape(), context + ": shape");
        assertBitwise(expected, d.toFloatArray(), context);
    }
}

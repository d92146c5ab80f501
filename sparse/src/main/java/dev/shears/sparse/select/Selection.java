package dev.shears.sparse.select;

import dev.shears.tensor.DType;
import dev.shears.tensor.DTypeException;
import dev.shears.tensor.Tensor;

/** The steps every selector shares: reading scores, turning a density into a count, picking the top k. */
final class Selection {
    private Selection() {}

    /**
     * The scores as a new row-major array, with {@code -0.0} folded into {@code 0.0} so that equal
     * numbers tie.
     *
     * @param what names the tensor in messages ({@code scores}, {@code scores[2]})
     * @throws DTypeException if {@code scores} is not F32
     * @throws IllegalArgumentException naming {@code what} and the flat index of the first NaN
     */
    static float[] read(String op, String what, Tensor scores) {
        if (scores.dtype() != DType.F32) {
            throw DTypeException.expected(op + " (" + what + ")", DType.F32, scores);
        }
        float[] v = scores.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            if (Float.isNaN(v[i])) {
                throw new IllegalArgumentException(op + ": " + what + " has NaN at flat index " + i + " (shape "
                        + scores.shape() + "); scores must be numbers");
            }
            v[i] += 0f; // -0.0 + 0.0 is +0.0
        }
        return v;
    }

    /** {@code Math.round(density * n)}: how many of {@code n} elements a density keeps. */
    static int keepCount(String op, double density, int n) {
        checkDensity(op, density);
        return (int) Math.round(density * n);
    }

    static void checkDensity(String op, double density) {
        if (!(density >= 0 && density <= 1)) {
            throw new IllegalArgumentException(op + ": density " + density + " is outside [0, 1]");
        }
    }

    /** Checks {@code 0 <= k <= n}, naming what the k elements are chosen from. */
    static void checkCount(String op, String what, int k, int n) {
        if (k < 0 || k > n) {
            throw new IllegalArgumentException(op + ": k = " + k + " is outside [0, " + n + "] (" + what + ")");
        }
    }

    /**
     * For each of {@code groups} consecutive runs of {@code size} scores in {@code v}, the flat
     * positions of its {@code k} highest; equal scores keep the lower position. Positions come out
     * ascending. {@code v} is handed over and must not be written afterwards.
     */
    static int[] top(float[] v, int groups, int size, int k) {
        assert (long) groups * size == v.length && k >= 0 && k <= size;
        if (k == 0 || groups == 0) {
            return new int[0];
        }
        // Tensor.topk is the engine's one linear-time selection; unsorted, it returns each row's
        // picks by ascending index and breaks ties toward the lower index, which is our rule.
        int[] pos = Tensor.adopt(v, groups, size).topk(k, 1, true, false).indices().toIntArray();
        for (int g = 0; g < groups; g++) {
            for (int q = g * k; q < (g + 1) * k; q++) {
                pos[q] += g * size;
            }
        }
        return pos;
    }
}

package dev.shears.data;

import dev.shears.tensor.Rng;
import java.util.Arrays;

/**
 * A split of a data set's indices into a training part and a held-out validation part (early
 * stopping and model selection look at the validation part, never at the test set). Use each part
 * with {@link DataLoader.Builder#subset}.
 *
 * @param train      the training indices, ascending
 * @param validation the held-out indices, ascending
 */
public record HoldOut(int[] train, int[] validation) {

    /**
     * Holds out {@code validationSize} of the indices {@code 0 .. size-1}, chosen uniformly at random
     * from {@code rng}; the same stream gives the same split.
     *
     * @throws IllegalArgumentException unless {@code 0 < validationSize < size}
     */
    public static HoldOut random(int size, int validationSize, Rng rng) {
        if (validationSize <= 0 || validationSize >= size) {
            throw new IllegalArgumentException("HoldOut.random: validation size " + validationSize
                    + " must be in [1, " + (size - 1) + "] for a data set of " + size);
        }
        int[] perm = new int[size];
        for (int i = 0; i < size; i++) {
            perm[i] = i;
        }
        rng.shuffle(perm);
        int[] validation = Arrays.copyOfRange(perm, 0, validationSize);
        int[] train = Arrays.copyOfRange(perm, validationSize, size);
        Arrays.sort(validation);
        Arrays.sort(train);
        return new HoldOut(train, validation);
    }

    /** The first {@code n} training indices (smoke runs), or all of them when {@code n} is null. */
    public int[] trainPrefix(Integer n) {
        return n == null ? train.clone() : Arrays.copyOf(train, Math.min(n, train.length));
    }

    /** The first {@code n} validation indices, or all of them when {@code n} is null. */
    public int[] validationPrefix(Integer n) {
        return n == null ? validation.clone() : Arrays.copyOf(validation, Math.min(n, validation.length));
    }
}

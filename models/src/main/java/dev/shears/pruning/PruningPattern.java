package dev.shears.pruning;

import dev.shears.sparse.select.NmSelector;

/**
 * What a one-shot layer pruner leaves: either an unstructured fraction of zeros or N:M groups along
 * the input dimension (2:4 for sparse tensor cores).
 *
 * @param sparsity the pruned fraction for unstructured patterns, in [0, 1); for N:M it is
 *                 {@code 1 - n/m}
 * @param n        kept per group (N:M only, else 0)
 * @param m        group size (N:M only, else 0)
 */
public record PruningPattern(double sparsity, int n, int m) {

    public PruningPattern {
        if (m == 0) {
            if (n != 0 || !(sparsity >= 0 && sparsity < 1)) {
                throw new IllegalArgumentException("PruningPattern: unstructured sparsity " + sparsity
                        + " must be in [0, 1)");
            }
        } else {
            new NmSelector(n, m); // validates n and m
            sparsity = 1 - (double) n / m;
        }
    }

    /** A fraction {@code sparsity} of zeros, wherever the method puts them. */
    public static PruningPattern unstructured(double sparsity) {
        return new PruningPattern(sparsity, 0, 0);
    }

    /** Keep {@code n} of every aligned group of {@code m} inputs. */
    public static PruningPattern nm(int n, int m) {
        return new PruningPattern(0, n, m);
    }

    /** 2:4. */
    public static PruningPattern twoFour() {
        return nm(2, 4);
    }

    public boolean isNm() {
        return m > 0;
    }

    /** The selector of an N:M pattern. */
    public NmSelector selector() {
        if (!isNm()) {
            throw new IllegalStateException("PruningPattern: " + this + " is not N:M");
        }
        return new NmSelector(n, m);
    }

    /** How many of {@code cols} inputs a row loses under the unstructured pattern: floor(s · cols), as Wanda counts. */
    int prunedPerRow(int cols) {
        return (int) Math.floor(sparsity * cols + 1e-9);
    }

    @Override
    public String toString() {
        return isNm() ? n + ":" + m : "unstructured-" + Math.round(100 * sparsity);
    }
}

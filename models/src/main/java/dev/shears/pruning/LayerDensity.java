package dev.shears.pruning;

/**
 * One prunable layer after pruning: its dotted parameter name, element count and kept count.
 *
 * @param name the parameter's dotted name in {@code Module.namedParameters()} ({@code 0.weight})
 * @param size the number of weights
 * @param kept the number of weights the mask keeps
 */
public record LayerDensity(String name, int size, int kept) {
    /** {@code kept / size}. */
    public double density() {
        return (double) kept / size;
    }

    /** {@code 1 - density()}. */
    public double sparsity() {
        return 1 - density();
    }
}

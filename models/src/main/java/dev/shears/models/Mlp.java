package dev.shears.models;

import dev.shears.nn.Layer;
import dev.shears.nn.Linear;
import dev.shears.nn.ReLU;
import dev.shears.nn.Sequential;
import dev.shears.tensor.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fully connected ReLU networks given by their layer sizes, such as the {@code 784-w-w-10} MLPs
 * of the width studies, with PyTorch's default initialisation.
 *
 * <p>The layers are {@code Linear, ReLU, Linear, ReLU, ..., Linear} (no activation after the
 * last), so the weights are named {@code 0.weight}, {@code 2.weight}, ... like a PyTorch
 * {@code nn.Sequential}, and every Linear weight, first and last included, is
 * {@link dev.shears.nn.Module#prunable() prunable}. The layers draw their initial values from
 * {@code rng} in order, so the same sizes and seed give the same network bit for bit.
 *
 * <pre>{@code
 * Sequential net = Mlp.of(Rng.seeded(17), 784, 300, 300, 10);
 * }</pre>
 */
public final class Mlp {
    private Mlp() {}

    /**
     * An MLP mapping {@code sizes[0]} inputs to {@code sizes[sizes.length - 1]} outputs through
     * the hidden layers in between.
     *
     * @param sizes the input size, the hidden widths and the output size; at least two, each >= 1
     * @throws IllegalArgumentException naming the sizes if fewer than two are given or one is below 1
     */
    public static Sequential of(Rng rng, int... sizes) {
        if (sizes.length < 2) {
            throw new IllegalArgumentException("Mlp.of: sizes " + Arrays.toString(sizes)
                    + " need at least an input and an output size");
        }
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] < 1) {
                throw new IllegalArgumentException("Mlp.of: size " + sizes[i] + " at position " + i + " of "
                        + Arrays.toString(sizes) + " must be >= 1");
            }
        }
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i + 1 < sizes.length; i++) {
            if (i > 0) {
                layers.add(new ReLU());
            }
            layers.add(new Linear(sizes[i], sizes[i + 1], rng));
        }
        return new Sequential(layers);
    }
}

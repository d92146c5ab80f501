package dev.shears.models;

import dev.shears.nn.Conv2d;
import dev.shears.nn.Flatten;
import dev.shears.nn.Linear;
import dev.shears.nn.MaxPool2d;
import dev.shears.nn.ReLU;
import dev.shears.nn.Sequential;
import dev.shears.tensor.Rng;

/** The LeNet family used by the MNIST-scale reproductions, with PyTorch's default initialisation. */
public final class LeNet {
    private LeNet() {}

    /** LeNet-300-100: a 784-300-100-10 ReLU {@link Mlp} over flattened 28×28 images. */
    public static Sequential lenet300100(Rng rng) {
        return Mlp.of(rng, 784, 300, 100, 10);
    }

    /**
     * LeNet-5 for 1×28×28 images: conv 5×5 (6, padded to keep 28×28) → ReLU → max-pool 2 → conv 5×5
     * (16) → ReLU → max-pool 2 → 400 → 120 → 84 → 10, ReLU between the dense layers.
     *
     * <p>Each ReLU is applied after its pooling rather than before: max and ReLU commute exactly
     * (values and gradients alike), and the ReLU then touches a quarter of the elements.
     */
    public static Sequential lenet5(Rng rng) {
        return new Sequential(
                new Conv2d(1, 6, 5, 1, 2, true, rng), new MaxPool2d(2), new ReLU(),
                new Conv2d(6, 16, 5, 1, 0, true, rng), new MaxPool2d(2), new ReLU(),
                new Flatten(),
                new Linear(400, 120, rng), new ReLU(),
                new Linear(120, 84, rng), new ReLU(),
                new Linear(84, 10, rng));
    }
}

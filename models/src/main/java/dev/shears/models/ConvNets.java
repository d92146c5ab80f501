package dev.shears.models;

import dev.shears.nn.Conv2d;
import dev.shears.nn.Flatten;
import dev.shears.nn.Linear;
import dev.shears.nn.MaxPool2d;
import dev.shears.nn.ReLU;
import dev.shears.nn.Sequential;
import dev.shears.tensor.Rng;

/** The small VGG-style convnets of the lottery-ticket paper (Frankle &amp; Carbin 2019, Figure 2). */
public final class ConvNets {
    private ConvNets() {}

    /**
     * Conv-2: two 3×3 convolutions of 64 channels (padding 1) with ReLU, a 2×2 max-pool, then fully
     * connected layers of 256, 256 and {@code classes}. Its weights are {@code 0.weight},
     * {@code 2.weight} (convolutions) and {@code 6.weight}, {@code 8.weight}, {@code 10.weight}.
     *
     * @param channels  input channels (1 for MNIST, 3 for CIFAR-10)
     * @param imageSize input height and width (even)
     */
    public static Sequential conv2(int channels, int imageSize, int classes, Rng rng) {
        if (channels < 1 || imageSize < 2 || imageSize % 2 != 0 || classes < 2) {
            throw new IllegalArgumentException("ConvNets.conv2: channels " + channels + " must be >= 1, image size "
                    + imageSize + " even and >= 2, classes " + classes + " >= 2");
        }
        int flat = 64 * (imageSize / 2) * (imageSize / 2);
        return new Sequential(
                new Conv2d(channels, 64, 3, 1, 1, true, rng), new ReLU(),
                new Conv2d(64, 64, 3, 1, 1, true, rng), new ReLU(),
                new MaxPool2d(2), new Flatten(),
                new Linear(flat, 256, rng), new ReLU(),
                new Linear(256, 256, rng), new ReLU(),
                new Linear(256, classes, rng));
    }
}

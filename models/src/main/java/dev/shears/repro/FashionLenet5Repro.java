package dev.shears.repro;

import dev.shears.data.FashionMnist;
import dev.shears.models.LeNet;
import picocli.CommandLine.Command;

/** A LeNet-5-style convnet on Fashion-MNIST with Adam and a cosine-decayed rate. */
@Command(name = "fashion-lenet5", mixinStandardHelpOptions = true,
        description = "LeNet-5 convnet on Fashion-MNIST with Adam; reports test accuracy and s/epoch.")
public final class FashionLenet5Repro extends ClassifierRepro {

    public FashionLenet5Repro() {
        super(new Recipe("fashion-lenet5", "LeNet-5 on Fashion-MNIST",
                "LeNet-5 (conv5x5x6 pad 2, max-pool 2, conv5x5x16, max-pool 2, 400-120-84-10, ReLU)",
                10, 128, 2e-3, false,
                locator -> new Splits(FashionMnist.train(locator), FashionMnist.test(locator)), LeNet::lenet5));
    }
}

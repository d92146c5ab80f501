package dev.shears.repro;

import dev.shears.data.Mnist;
import dev.shears.models.LeNet;
import picocli.CommandLine.Command;

/** LeNet-300-100 (784-300-100-10, ReLU) on MNIST with Adam and a cosine-decayed rate: the first main job. */
@Command(name = "mnist-mlp", mixinStandardHelpOptions = true,
        description = "LeNet-300-100 (784-300-100-10 MLP) on MNIST with Adam; reports test accuracy and s/epoch.")
public final class MnistMlpRepro extends ClassifierRepro {

    public MnistMlpRepro() {
        super(new Recipe("mnist-mlp", "LeNet-300-100 on MNIST", "LeNet-300-100 (784-300-100-10, ReLU)",
                10, 128, 1e-3, true,
                locator -> new Splits(Mnist.train(locator), Mnist.test(locator)), LeNet::lenet300100));
    }
}

package dev.shears.repro;

import dev.shears.data.DataLocator;
import dev.shears.data.Mnist;
import dev.shears.models.LeNet;
import dev.shears.nn.Layer;
import dev.shears.optim.AdamW;
import dev.shears.optim.LrSchedule;
import dev.shears.optim.Optimizer;
import dev.shears.tensor.Rng;
import picocli.CommandLine.Command;

import java.util.Map;

/** LeNet-300-100 (784-300-100-10, ReLU) on MNIST with Adam and a cosine-decayed rate: the first main job. */
@Command(name = "mnist-mlp", mixinStandardHelpOptions = true,
        description = "LeNet-300-100 (784-300-100-10 MLP) on MNIST with Adam; reports test accuracy and s/epoch.")
public final class MnistMlpRepro extends ClassifierRepro {

    public MnistMlpRepro() {
        super(10, 128, 1e-3);
    }

    @Override
    protected String name() {
        return "mnist-mlp";
    }

    @Override
    protected String title() {
        return "LeNet-300-100 on MNIST";
    }

    @Override
    protected Splits data(DataLocator locator) {
        return new Splits(Mnist.train(locator), Mnist.test(locator));
    }

    @Override
    protected boolean flatten() {
        return true;
    }

    @Override
    protected Layer model(Rng rng) {
        return LeNet.lenet300100(rng);
    }

    @Override
    protected Optimizer optimizer(Layer model, Settings s) {
        return new AdamW(model.parameters(), AdamW.Config.adam().lr(s.lr()));
    }

    @Override
    protected LrSchedule schedule(Settings s, int totalSteps) {
        return LrSchedule.cosine(s.lr(), totalSteps, 0);
    }

    @Override
    protected Map<String, Object> describe() {
        return Map.of("model", "LeNet-300-100 (784-300-100-10, ReLU)",
                "optimizer", "Adam (betas 0.9, 0.999; no weight decay)",
                "schedule", "cosine decay from --lr to 0 over all steps");
    }
}

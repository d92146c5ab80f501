package dev.shears.repro;

import dev.shears.data.DataLocator;
import dev.shears.data.FashionMnist;
import dev.shears.models.LeNet;
import dev.shears.nn.Layer;
import dev.shears.optim.AdamW;
import dev.shears.optim.LrSchedule;
import dev.shears.optim.Optimizer;
import dev.shears.tensor.Rng;
import picocli.CommandLine.Command;

import java.util.Map;

/** A LeNet-5-style convnet on Fashion-MNIST with Adam and a cosine-decayed rate. */
@Command(name = "fashion-lenet5", mixinStandardHelpOptions = true,
        description = "LeNet-5 convnet on Fashion-MNIST with Adam; reports test accuracy and s/epoch.")
public final class FashionLenet5Repro extends ClassifierRepro {

    public FashionLenet5Repro() {
        super(10, 128, 2e-3);
    }

    @Override
    protected String name() {
        return "fashion-lenet5";
    }

    @Override
    protected String title() {
        return "LeNet-5 on Fashion-MNIST";
    }

    @Override
    protected Splits data(DataLocator locator) {
        return new Splits(FashionMnist.train(locator), FashionMnist.test(locator));
    }

    @Override
    protected boolean flatten() {
        return false;
    }

    @Override
    protected Layer model(Rng rng) {
        return LeNet.lenet5(rng);
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
        return Map.of("model", "LeNet-5 (conv5x5x6 pad 2, pool, conv5x5x16, pool, 400-120-84-10, ReLU)",
                "optimizer", "Adam (betas 0.9, 0.999; no weight decay)",
                "schedule", "cosine decay from --lr to 0 over all steps");
    }
}

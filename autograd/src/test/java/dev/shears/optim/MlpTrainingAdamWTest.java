package dev.shears.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.autograd.Var;
import dev.shears.nn.Functional;
import dev.shears.nn.GELU;
import dev.shears.nn.Linear;
import dev.shears.nn.Sequential;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** End to end: a small MLP trained with AdamW, warmup-cosine and clipping fits synthetic data. */
class MlpTrainingAdamWTest {

    @Test
    void reachesLowLoss() {
        Rng rng = Rng.seeded(42);
        int n = 128;
        Tensor x = Tensor.randn(rng, n, 8);
        Tensor labels = x.matmul(Tensor.randn(rng, 8, 4)).argmax(1, false);   // [n] I32, 4 classes
        Sequential mlp = new Sequential(new Linear(8, 32, rng), new GELU(), new Linear(32, 4, rng));
        Optimizer opt = new AdamW(mlp.parameters(), AdamW.Config.defaults().lr(1e-2).weightDecay(1e-4));
        LrSchedule schedule = LrSchedule.warmupCosine(1e-2, 10, 300, 1e-3);
        float first = Float.NaN;
        float last = Float.NaN;
        for (int step = 0; step < 300; step++) {
            Var loss = Functional.crossEntropy(mlp.forward(Var.constant(x)), labels);
            opt.zeroGrad();
            loss.backward();
            GradClip.clipNorm(mlp.parameters(), 5.0);
            opt.step(schedule);
            if (step == 0) {
                first = loss.item();
            }
            last = loss.item();
        }
        assertTrue(last < 0.1f && last < 0.1f * first, "loss went from " + first + " to " + last);
        float acc = mlp.forward(Var.constant(x)).value().argmax(1, false).to(dev.shears.tensor.DType.F32)
                .eq(labels.to(dev.shears.tensor.DType.F32)).to(dev.shears.tensor.DType.F32)
                .mean().item();
        assertTrue(acc > 0.97f, "accuracy " + acc);
    }
}

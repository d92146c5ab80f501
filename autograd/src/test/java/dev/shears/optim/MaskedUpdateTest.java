package dev.shears.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.autograd.Inputs;
import dev.shears.autograd.Var;
import dev.shears.nn.Functional;
import dev.shears.nn.Linear;
import dev.shears.nn.Sequential;
import dev.shears.nn.Tanh;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Pruned weights stay exactly zero under momentum and weight decay, and get zero gradient. */
class MaskedUpdateTest {

    private static void run(Function<Sequential, Optimizer> make) {
        Rng rng = Rng.seeded(3);
        Sequential net = new Sequential(new Linear(6, 8, rng), new Tanh(), new Linear(8, 3, rng));
        Linear fc = (Linear) net.get(0);
        byte[] m = new byte[48];
        for (int i = 0; i < m.length; i++) {
            m[i] = (byte) (i % 3 == 0 ? 0 : 1);
        }
        fc.weight().setMask(Tensor.ofBytes(m, 8, 6)).applyMask();
        Optimizer opt = make.apply(net);
        Tensor x = Inputs.randn(4, 16, 6);
        Tensor y = Tensor.ofInts(new int[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0}, 16);
        float[] before = fc.weight().value().toFloatArray();
        for (int step = 0; step < 20; step++) {
            opt.zeroGrad();
            Functional.crossEntropy(net.forward(Var.constant(x)), y).backward();
            float[] g = fc.weight().grad().toFloatArray();
            for (int i = 0; i < m.length; i++) {
                if (m[i] == 0) {
                    assertTrue(g[i] == 0f, "grad of pruned " + i + ": " + g[i]);
                }
            }
            opt.step();
        }
        float[] w = fc.weight().value().toFloatArray();
        for (int i = 0; i < m.length; i++) {
            if (m[i] == 0) {
                assertEquals(0f, w[i], "pruned weight " + i); // +0.0 exactly
            } else {
                assertNotEquals(before[i], w[i], "kept weight " + i + " trains");
            }
        }
    }

    @Test
    void sgdWithMomentumAndWeightDecay() {
        run(net -> new Sgd(net.parameters(), Sgd.Config.defaults().lr(0.1).momentum(0.9).weightDecay(0.1)));
        run(net -> new Sgd(net.parameters(), Sgd.Config.defaults().lr(0.1).momentum(0.9).nesterov(true).weightDecay(0.1)));
    }

    @Test
    void adamWWithWeightDecay() {
        run(net -> new AdamW(net.parameters(), AdamW.Config.defaults().lr(0.01).weightDecay(0.1)));
    }

    @Test
    void maskSetMidTrainingFreezesEntriesDespiteMomentum() {
        Var dummy = Var.param(Tensor.zeros(1));
        dev.shears.nn.Parameter w = new dev.shears.nn.Parameter("w", Tensor.of(new float[] {1f, 2f, 3f}, 3));
        Sgd sgd = new Sgd(List.of(w, dummy), Sgd.Config.defaults().lr(0.1).momentum(0.9).weightDecay(0.5));
        Grads.set(w, 1f, 1f, 1f);
        sgd.step(); // momentum buffer is now non-zero everywhere
        w.setMask(Tensor.of(new float[] {1f, 0f, 1f}, 3)).applyMask();
        for (int i = 0; i < 5; i++) {
            Grads.set(w, 1f, 1f, 1f); // even a raw non-zero gradient on the masked entry
            sgd.step();
        }
        assertEquals(0f, w.value().toFloatArray()[1]);
    }
}

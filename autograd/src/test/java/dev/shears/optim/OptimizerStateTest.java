package dev.shears.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.autograd.Inputs;
import dev.shears.autograd.Var;
import dev.shears.nn.Functional;
import dev.shears.nn.Linear;
import dev.shears.nn.ReLU;
import dev.shears.nn.Sequential;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/** Saving and restoring optimizer state continues training identically; clipping. */
class OptimizerStateTest {
    private static final Tensor X = Inputs.randn(1, 12, 4);
    private static final Tensor Y = Tensor.ofInts(new int[] {0, 1, 2, 1, 0, 2, 2, 1, 0, 0, 1, 2}, 12);

    private static Sequential net() {
        Rng rng = Rng.seeded(7);
        return new Sequential(new Linear(4, 8, rng), new ReLU(), new Linear(8, 3, rng));
    }

    private static void train(Sequential net, Optimizer opt, int steps) {
        for (int i = 0; i < steps; i++) {
            opt.zeroGrad();
            Functional.crossEntropy(net.forward(Var.constant(X)), Y).backward();
            opt.step();
        }
    }

    private static void resumes(BiFunction<Sequential, Boolean, Optimizer> make) {
        Sequential a = net();
        Optimizer oa = make.apply(a, true);
        train(a, oa, 5);
        Map<String, Tensor> model = new HashMap<>();
        a.stateDict().forEach((k, v) -> model.put(k, v.copy()));
        Map<String, Tensor> state = oa.stateDict();
        train(a, oa, 5);

        Sequential b = net();
        b.loadStateDict(model);
        Optimizer ob = make.apply(b, false);
        ob.loadStateDict(state);
        assertEquals(5, ob.stepCount());
        train(b, ob, 5);
        a.stateDict().forEach((k, v) -> assertArrayEquals(v.toFloatArray(), b.stateDict().get(k).toFloatArray(), k));
    }

    @Test
    void sgdResumesIdentically() {
        resumes((n, x) -> new Sgd(n.parameters(), Sgd.Config.defaults().lr(0.1).momentum(0.9).nesterov(true)));
    }

    @Test
    void adamWResumesIdentically() {
        resumes((n, x) -> new AdamW(n.parameters(), AdamW.Config.defaults().lr(0.01)));
    }

    @Test
    void loadRejectsMismatchedState() {
        Sequential a = net();
        AdamW opt = new AdamW(a.parameters(), AdamW.Config.defaults());
        train(a, opt, 1);
        Map<String, Tensor> state = new HashMap<>(opt.stateDict());
        assertTrue(state.containsKey("0.exp_avg") && state.containsKey("3.exp_avg_sq"), state.keySet().toString());
        state.put("0.exp_avg", Tensor.zeros(3, 3));
        state.put("9.exp_avg", Tensor.zeros(1));
        var e = assertThrows(IllegalArgumentException.class, () -> opt.loadStateDict(state));
        assertTrue(e.getMessage().contains("0.exp_avg") && e.getMessage().contains("9.exp_avg"), e.getMessage());
        var sgd = new Sgd(a.parameters(), Sgd.Config.defaults().momentum(0.5));
        assertThrows(IllegalArgumentException.class, () -> sgd.loadStateDict(opt.stateDict()));
    }

    @Test
    void clipNormScalesAndReturnsNorm() {
        Var a = Var.param(Tensor.zeros(2));
        Var b = Var.param(Tensor.zeros(1));
        Grads.set(a, 3f, 0f);
        Grads.set(b, 4f);
        double norm = GradClip.clipNorm(List.of(a, b), 1.0);
        assertEquals(5.0, norm, 1e-12);
        assertArrayEquals(new float[] {0.6f, 0f}, a.grad().toFloatArray(), 1e-6f);
        assertEquals(0.8f, b.grad().item(), 1e-6f);
        assertEquals(1.0, GradClip.clipNorm(List.of(a, b), 2.0), 1e-6);
        assertEquals(0.8f, b.grad().item(), 1e-6f);
        GradClip.clipValue(List.of(a, b), 0.7f);
        assertEquals(0.7f, b.grad().item());
    }
}

package dev.shears.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shears.autograd.Inputs;
import dev.shears.nn.Parameter;
import dev.shears.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** AdamW steps against hand-computed values and a double-precision reference. */
class AdamWTest {

    @Test
    void firstTwoStepsByHand() {
        Parameter w = new Parameter("w", Tensor.of(new float[] {1f, -2f}, 2));
        AdamW opt = new AdamW(List.of(w), AdamW.Config.defaults().lr(0.1).weightDecay(0.1));
        Grads.set(w, 0.5f, 0.25f);
        opt.step();
        // p *= 1 - 0.01; m = 0.1g; v = 0.001g²; bias-corrected m̂/√v̂ = sign(g): p -= 0.1
        assertArrayEquals(new float[] {0.89f, -2.08f}, w.value().toFloatArray(), 1e-6f);
        Grads.set(w, 0.5f, 0.25f);
        opt.step();
        // p *= 0.99 → [0.8811, -2.0592]; constant g keeps m̂/√v̂ = sign(g): p -= 0.1
        assertArrayEquals(new float[] {0.7811f, -2.1592f}, w.value().toFloatArray(), 1e-6f);
    }

    @Test
    void adamMatchesDoubleReference() {
        check(0.0);
        check(0.05);
    }

    private static void check(double wd) {
        int n = 6;
        float[] init = Inputs.randn(1, n).toFloatArray();
        Parameter w = new Parameter("w", Tensor.of(init, n));
        double lr = 0.01;
        double b1 = 0.8;
        double b2 = 0.95;
        double eps = 1e-6;
        AdamW opt = new AdamW(List.of(w), AdamW.Config.defaults().lr(lr).betas(b1, b2).eps(eps).weightDecay(wd));
        double[] p = new double[n];
        double[] m = new double[n];
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            p[i] = init[i];
        }
        for (int t = 1; t <= 5; t++) {
            float[] g = Inputs.randn(10 + t, n).toFloatArray();
            Grads.set(w, g);
            opt.step();
            for (int i = 0; i < n; i++) {
                p[i] *= 1 - lr * wd;
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                double mh = m[i] / (1 - Math.pow(b1, t));
                double vh = v[i] / (1 - Math.pow(b2, t));
                p[i] -= lr * mh / (Math.sqrt(vh) + eps);
            }
        }
        float[] got = w.value().toFloatArray();
        for (int i = 0; i < n; i++) {
            assertEquals(p[i], got[i], 1e-5, "element " + i + " wd " + wd);
        }
    }

    @Test
    void parametersExcludedFromDecayMoveLikePlainAdam() {
        Parameter decayed = new Parameter("w", Tensor.of(new float[] {1f, -2f}, 2));
        Parameter plain = new Parameter("b", Tensor.of(new float[] {1f, -2f}, 2));
        Parameter reference = new Parameter("r", Tensor.of(new float[] {1f, -2f}, 2));
        AdamW.Config c = AdamW.Config.defaults().lr(0.1).weightDecay(0.5);
        AdamW opt = new AdamW(List.of(decayed, plain), c, java.util.Set.of(plain));
        AdamW adam = new AdamW(List.of(reference), c.weightDecay(0));
        for (int t = 0; t < 3; t++) {
            float[] g = Inputs.randn(30 + t, 2).toFloatArray();
            Grads.set(decayed, g);
            Grads.set(plain, g);
            Grads.set(reference, g);
            opt.step();
            adam.step();
        }
        assertArrayEquals(reference.value().toFloatArray(), plain.value().toFloatArray(), 0f);
        float[] d = decayed.value().toFloatArray();
        float[] r = reference.value().toFloatArray();
        org.junit.jupiter.api.Assertions.assertTrue(Math.abs(d[0]) < Math.abs(r[0]), "decay shrinks the other one");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new AdamW(List.of(decayed), c, java.util.Set.of(reference)));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("not optimized"), e.getMessage());
    }
}

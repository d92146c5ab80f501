package dev.shears.autograd;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** End to end: plain gradient descent on a 2-layer MLP lowers a cross-entropy loss. */
class MlpTrainingTest {

    @Test
    void gradientDescentLowersTheLoss() {
        Rng rng = Rng.seeded(42);
        int n = 64;
        Tensor x = Tensor.randn(rng, n, 4);
        Tensor labels = x.matmul(Tensor.randn(rng, 4, 3)).argmax(1, true);  // [n, 1] I32, 3 classes
        Var w1 = Var.param(Tensor.randn(rng, 4, 16).mul(0.5f));
        Var b1 = Var.param(Tensor.zeros(16));
        Var w2 = Var.param(Tensor.randn(rng, 16, 3).mul(0.25f));
        Var b2 = Var.param(Tensor.zeros(3));
        List<Var> params = List.of(w1, b1, w2, b2);
        Var input = Var.constant(x);
        float first = Float.NaN;
        float last = Float.NaN;
        for (int step = 0; step < 60; step++) {
            Var hidden = input.matmul(w1).add(b1).tanh();                    // [n, 16]
            Var logits = hidden.matmul(w2).add(b2);                          // [n, 3]
            Var loss = logits.logSoftmax(1).gather(1, labels).mean().neg();  // cross-entropy
            for (Var p : params) {
                p.zeroGrad();
            }
            loss.backward();
            for (Var p : params) {
                p.value().addi(p.grad(), -0.5f);
            }
            if (step == 0) {
                first = loss.item();
            }
            last = loss.item();
        }
        assertTrue(last < 0.6f * first, "loss went from " + first + " to " + last);
    }
}

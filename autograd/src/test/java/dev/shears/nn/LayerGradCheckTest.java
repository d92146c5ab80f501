package dev.shears.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.autograd.GradCheck;
import dev.shears.autograd.Inputs;
import dev.shears.autograd.Var;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Gradient checks of every layer (input and parameters) and every loss. */
class LayerGradCheckTest {

    private static void pass(GradCheck.Report r) {
        assertTrue(r.passed(), r.toString());
    }

    @Test
    void linear() {
        Linear fc = new Linear(5, 3, Rng.seeded(1));
        pass(LayerCheck.check(fc.parameters(), Inputs.randn(2, 4, 5), fc::forward));
        Linear noBias = new Linear(4, 2, false, Rng.seeded(3));
        pass(LayerCheck.check(noBias.parameters(), Inputs.randn(4, 2, 3, 4), noBias::forward));
    }

    @Test
    void maskedLinear() {
        Linear fc = new Linear(4, 3, Rng.seeded(5));
        fc.weight().setMask(Tensor.ofBytes(new byte[] {1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1}, 3, 4));
        pass(LayerCheck.check(fc.parameters(), Inputs.randn(6, 2, 4), fc::forward));
    }

    @Test
    void activations() {
        Tensor x = Inputs.awayFromZero(7, 0.05f, 3, 4);
        for (Layer l : new Layer[] {new ReLU(), new Tanh(), new GELU(), new GELU(true), new SiLU(), new Sigmoid()}) {
            pass(LayerCheck.check(l.parameters(), x, l::forward));
        }
    }

    @Test
    void sequentialMlp() {
        Rng rng = Rng.seeded(8);
        Sequential mlp = new Sequential(new Linear(4, 6, rng), new Tanh(), new Linear(6, 3, rng));
        pass(LayerCheck.check(mlp.parameters(), Inputs.randn(9, 3, 4), mlp::forward));
    }

    @Test
    void conv2d() {
        Conv2d conv = new Conv2d(2, 3, 3, 2, 1, true, Rng.seeded(10));
        pass(LayerCheck.check(conv.parameters(), Inputs.randn(11, 2, 2, 5, 5), conv::forward));
    }

    @Test
    void pooling() {
        MaxPool2d max = new MaxPool2d(2);
        pass(LayerCheck.check(max.parameters(), Inputs.distinct(12, 0.1f, 2, 2, 4, 4), max::forward));
        AvgPool2d avg = new AvgPool2d(3, 2, 1, true);
        pass(LayerCheck.check(avg.parameters(), Inputs.randn(13, 1, 2, 5, 5), avg::forward));
    }

    @Test
    void dropoutWithFixedSeed() {
        pass(LayerCheck.check(java.util.List.of(), Inputs.randn(14, 4, 5),
                x -> new Dropout(0.3f, Rng.seeded(99)).forward(x)));
    }

    @Test
    void embedding() {
        Embedding emb = new Embedding(6, 3, Rng.seeded(15));
        Tensor ids = Tensor.ofInts(new int[] {1, 4, 1, 0, 5, 4}, 2, 3);
        pass(LayerCheck.check(emb.parameters(), null, unused -> emb.forward(ids)));
    }

    @Test
    void norms() {
        LayerNorm ln = new LayerNorm(5);
        ln.weight().value().copyFrom(Inputs.randn(16, 5));
        ln.bias().value().copyFrom(Inputs.randn(17, 5));
        pass(LayerCheck.check(ln.parameters(), Inputs.randn(18, 3, 5), ln::forward));
        RMSNorm rms = new RMSNorm(4);
        rms.weight().value().copyFrom(Inputs.randn(19, 4));
        pass(LayerCheck.check(rms.parameters(), Inputs.randn(20, 2, 3, 4), rms::forward));
    }

    @Test
    void batchNormTrainingAndEval() {
        BatchNorm1d bn1 = new BatchNorm1d(3);
        bn1.weight().value().copyFrom(Inputs.randn(21, 3));
        pass(LayerCheck.check(bn1.parameters(), Inputs.randn(22, 5, 3), bn1::forward));
        BatchNorm2d bn2 = new BatchNorm2d(2);
        bn2.bias().value().copyFrom(Inputs.randn(23, 2));
        pass(LayerCheck.check(bn2.parameters(), Inputs.randn(24, 3, 2, 3, 3), bn2::forward));
        bn2.eval();
        pass(LayerCheck.check(bn2.parameters(), Inputs.randn(25, 2, 2, 3, 3), bn2::forward));
    }

    @Test
    void losses() {
        Tensor labels = Tensor.ofInts(new int[] {2, 0, 1, 2}, 4);
        pass(GradCheck.check(v -> Functional.crossEntropy(v[0], labels), Inputs.randn(26, 4, 3)));
        pass(GradCheck.check(v -> Functional.crossEntropy(v[0], labels, 0.2f), Inputs.randn(27, 4, 3)));
        pass(GradCheck.check(v -> Functional.crossEntropy(v[0], labels.reshape(2, 2)), Inputs.randn(28, 2, 2, 3)));
        pass(GradCheck.check(v -> Functional.mse(v[0], v[1]), Inputs.randn(29, 3, 4), Inputs.randn(30, 3, 4)));
        Tensor teacher = Inputs.randn(31, 4, 5);
        pass(GradCheck.check(v -> Functional.klDiv(v[0], teacher, 2f), Inputs.randn(32, 4, 5)));
        pass(GradCheck.check(v -> Functional.klDiv(v[0], teacher), Inputs.randn(33, 4, 5)));
    }

    /** A layer y = x ⊙ s whose backward for s is off by a factor 2: the harness must catch it. */
    static final class WrongScale extends Layer {
        final Parameter s = param("s", Tensor.of(new float[] {0.5f, -1.5f, 2f}, 3));

        @Override
        public Var forward(Var x) {
            return Var.apply(new dev.shears.autograd.Function() {
                @Override
                public Tensor forward(Tensor... in) {
                    return in[0].mul(in[1]);
                }

                @Override
                public Tensor[] backward(Tensor g, Tensor[] in, Tensor out) {
                    return new Tensor[] {g.mul(in[1]), g.mul(in[0]).sum(0, false).mul(2f)};
                }
            }, x, s);
        }
    }

    @Test
    void harnessCatchesAWrongParameterGradient() {
        WrongScale bad = new WrongScale();
        var failure = org.junit.jupiter.api.Assertions.assertThrows(GradCheck.GradCheckFailure.class,
                () -> LayerCheck.check(bad.parameters(), Inputs.randn(40, 4, 3), bad::forward));
        assertTrue(failure.report().input() == 1, failure.getMessage());
    }

    @Test
    void maskedWeightsGetZeroGradient() {
        Linear fc = new Linear(3, 2, Rng.seeded(34));
        fc.weight().setMask(Tensor.of(new float[] {1, 0, 1, 0, 1, 1}, 2, 3));
        fc.forward(Var.constant(Inputs.randn(35, 4, 3))).sum().backward();
        float[] g = fc.weight().grad().toFloatArray();
        assertTrue(g[1] == 0f && g[3] == 0f, java.util.Arrays.toString(g));
        assertTrue(g[0] != 0f && g[2] != 0f && g[4] != 0f && g[5] != 0f, java.util.Arrays.toString(g));
    }
}

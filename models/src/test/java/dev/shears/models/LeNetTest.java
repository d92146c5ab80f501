package dev.shears.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.shears.autograd.Var;
import dev.shears.nn.Layer;
import dev.shears.nn.MaxPool2d;
import dev.shears.nn.Parameter;
import dev.shears.nn.ReLU;
import dev.shears.nn.Sequential;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeNetTest {

    /** LeNet-5 pools before its ReLUs; the textbook order (ReLU, then pool) must give the same bits. */
    @Test
    void poolingBeforeReluEqualsTheTextbookOrderExactly() {
        Sequential model = LeNet.lenet5(Rng.seeded(5));
        List<Layer> textbook = new ArrayList<>(model.layers());
        for (int i = 0; i + 1 < textbook.size(); i++) {
            if (textbook.get(i) instanceof MaxPool2d && textbook.get(i + 1) instanceof ReLU) {
                Layer pool = textbook.get(i);
                textbook.set(i, textbook.get(i + 1));
                textbook.set(i + 1, pool);
            }
        }
        Sequential reference = new Sequential(textbook.toArray(Layer[]::new));
        Tensor images = Tensor.randn(Rng.seeded(6), 4, 1, 28, 28);

        float[] out = run(model, images);
        float[][] grads = grads(model);
        float[] refOut = run(reference, images);
        float[][] refGrads = grads(reference);

        assertArrayEquals(refOut, out, "forward");
        for (int i = 0; i < grads.length; i++) {
            assertArrayEquals(refGrads[i], grads[i], "gradient of parameter " + i);
        }
    }

    private static float[] run(Sequential model, Tensor images) {
        model.parameters().forEach(Parameter::zeroGrad);
        Var out = model.forward(Var.constant(images));
        out.mul(out).sum().backward();
        return out.value().toFloatArray();
    }

    private static float[][] grads(Sequential model) {
        return model.parameters().stream().map(p -> p.grad().toFloatArray()).toArray(float[][]::new);
    }
}

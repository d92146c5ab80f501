package dev.shears.autograd.ops;

import dev.shears.autograd.Var;
import dev.shears.tensor.FusedLayerNorm;
import dev.shears.tensor.Shape;
import dev.shears.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Normalisation layers as single differentiable ops. */
public final class NormFunctions {
    private NormFunctions() {}

    /**
     * Layer normalisation of {@code x} over its trailing axes holding {@code n} elements:
     * {@code (x - μ)/√(σ² + eps) ⊙ weight + bias} (σ² biased; weight and bias of n elements, or
     * null), one {@link FusedLayerNorm} kernel call forward and one backward.
     */
    public static Var layerNorm(Var x, int n, Var weight, Var bias, float eps) {
        FusedLayerNorm.Result r = FusedLayerNorm.forward(x.value(), n, weight == null ? null : weight.value(),
                bias == null ? null : bias.value(), eps);
        List<Var> inputs = new ArrayList<>(3);
        inputs.add(x);
        if (weight != null) {
            inputs.add(weight);
        }
        if (bias != null) {
            inputs.add(bias);
        }
        Shape paramShape = weight != null ? weight.shape() : bias != null ? bias.shape() : Shape.of(n);
        return Var.result("layerNorm", r.y(), g -> {
            Tensor[] grads = FusedLayerNorm.backward(g, x.value(), n, weight == null ? null : weight.value(), r.mean(),
                    r.rstd(), weight != null && weight.requiresGrad(), bias != null && bias.requiresGrad(), paramShape);
            Tensor[] out = new Tensor[inputs.size()];
            int i = 0;
            out[i++] = x.requiresGrad() ? grads[0] : null;
            if (weight != null) {
                out[i++] = grads[1];
            }
            if (bias != null) {
                out[i] = grads[2];
            }
            return out;
        }, inputs.toArray(new Var[0]));
    }
}

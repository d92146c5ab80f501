package dev.shears.nn;

import dev.shears.autograd.Var;
import dev.shears.autograd.ops.NormFunctions;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;

/**
 * (x - mean) / √(var + eps) over the last axes of shape {@code normalizedShape} (biased
 * variance), then ⊙ weight + bias (ones and zeros) when affine; eps defaults to 1e-5. One fused
 * op ({@link NormFunctions#layerNorm}) forward and backward.
 */
public class LayerNorm extends Layer {
    private final int[] normalizedShape;
    private final float eps;
    private final Parameter weight;
    private final Parameter bias;

    public LayerNorm(int... normalizedShape) {
        this(normalizedShape, 1e-5f, true);
    }

    public LayerNorm(int[] normalizedShape, float eps, boolean affine) {
        if (normalizedShape.length == 0) {
            throw new IllegalArgumentException("LayerNorm: normalizedShape must not be empty");
        }
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.weight = affine ? param("weight", Tensor.ones(normalizedShape)) : null;
        this.bias = affine ? param("bias", Tensor.zeros(normalizedShape)) : null;
    }

    @Override
    public Var forward(Var x) {
        int k = normalizedShape.length;
        int r = x.rank();
        boolean ok = r >= k;
        for (int i = 0; ok && i < k; i++) {
            ok = x.dim(r - k + i) == normalizedShape[i];
        }
        if (!ok) {
            throw new ShapeException("LayerNorm: input " + x.shape() + " does not end in "
                    + java.util.Arrays.toString(normalizedShape));
        }
        int n = 1;
        for (int d : normalizedShape) {
            n *= d;
        }
        return NormFunctions.layerNorm(x, n, weight, bias, eps);
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }
}

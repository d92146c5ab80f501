package dev.shears.nn;

import dev.shears.autograd.Var;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;

/** x / √(mean(x²) + eps) over the last axis, ⊙ weight (ones); eps defaults to 1e-6. */
public class RMSNorm extends Layer {
    private final int dim;
    private final float eps;
    private final Parameter weight;

    public RMSNorm(int dim) {
        this(dim, 1e-6f);
    }

    public RMSNorm(int dim, float eps) {
        this.dim = dim;
        this.eps = eps;
        this.weight = param("weight", Tensor.ones(dim));
    }

    @Override
    public Var forward(Var x) {
        if (x.rank() < 1 || x.dim(-1) != dim) {
            throw new ShapeException("RMSNorm(" + dim + "): input " + x.shape() + " must end in " + dim);
        }
        int last = x.rank() - 1;
        return x.mul(x.square().mean(last, true).add(eps).rsqrt()).mul(weight);
    }

    public Parameter weight() {
        return weight;
    }
}

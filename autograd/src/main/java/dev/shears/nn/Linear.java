package dev.shears.nn;

import dev.shears.autograd.Var;
import dev.shears.tensor.Rng;
import dev.shears.tensor.ShapeException;
import java.util.List;

/**
 * y = x·Wᵀ + b with weight [out, in] and bias [out]; x is [..., in]. PyTorch's initialisation:
 * both drawn from U(-1/√in, 1/√in).
 */
public class Linear extends Layer {
    private final int inFeatures;
    private final int outFeatures;
    private final Parameter weight;
    private final Parameter bias;

    public Linear(int inFeatures, int outFeatures, Rng rng) {
        this(inFeatures, outFeatures, true, rng);
    }

    public Linear(int inFeatures, int outFeatures, boolean bias, Rng rng) {
        if (inFeatures < 1 || outFeatures < 1) {
            throw new IllegalArgumentException("Linear: features " + inFeatures + " -> " + outFeatures + " must be >= 1");
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = param("weight", Init.torchDefaultWeight(rng, outFeatures, inFeatures));
        this.bias = bias ? param("bias", Init.torchDefaultBias(rng, inFeatures, outFeatures)) : null;
    }

    @Override
    public Var forward(Var x) {
        if (x.rank() < 1 || x.dim(-1) != inFeatures) {
            throw new ShapeException("Linear(" + inFeatures + " -> " + outFeatures + "): input " + x.shape()
                    + " must end in " + inFeatures);
        }
        return Functional.linear(x, weight.effective(), bias);
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias, or null when built without one. */
    public Parameter bias() {
        return bias;
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    @Override
    protected List<Parameter> ownPrunable() {
        return List.of(weight);
    }

    @Override
    public String toString() {
        return "Linear(" + inFeatures + " -> " + outFeatures + (bias == null ? ", no bias" : "") + ")";
    }
}

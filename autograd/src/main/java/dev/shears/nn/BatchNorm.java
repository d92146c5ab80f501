package dev.shears.nn;

import dev.shears.autograd.Autograd;
import dev.shears.autograd.Var;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;

/**
 * Batch normalisation over channel axis 1 (PyTorch semantics). Training: normalise with the batch
 * mean and biased variance and update the running statistics (running = (1-momentum)·running +
 * momentum·batch, the variance unbiased); eval: normalise with the running statistics.
 */
public abstract class BatchNorm extends Layer {
    private final int numFeatures;
    private final float eps;
    private final float momentum;
    private final Parameter weight;
    private final Parameter bias;
    private final Tensor runningMean;
    private final Tensor runningVar;

    protected BatchNorm(int numFeatures, float eps, float momentum, boolean affine) {
        if (numFeatures < 1) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": numFeatures " + numFeatures + " must be >= 1");
        }
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.weight = affine ? param("weight", Tensor.ones(numFeatures)) : null;
        this.bias = affine ? param("bias", Tensor.zeros(numFeatures)) : null;
        this.runningMean = buffer("running_mean", Tensor.zeros(numFeatures));
        this.runningVar = buffer("running_var", Tensor.ones(numFeatures));
    }

    /** Whether {@code rank} is an input rank this variant accepts. */
    protected abstract boolean acceptsRank(int rank);

    @Override
    public Var forward(Var x) {
        if (!acceptsRank(x.rank()) || x.dim(1) != numFeatures) {
            throw new ShapeException(getClass().getSimpleName() + "(" + numFeatures + "): unsupported input " + x.shape());
        }
        int[] axes = new int[x.rank() - 1];
        axes[0] = 0;
        for (int i = 2; i < x.rank(); i++) {
            axes[i - 1] = i;
        }
        int[] bshape = new int[x.rank()];
        java.util.Arrays.fill(bshape, 1);
        bshape[1] = numFeatures;
        Var y;
        if (isTraining()) {
            int count = x.numel() / numFeatures;
            if (count < 2) {
                throw new IllegalArgumentException(getClass().getSimpleName()
                        + ": training needs more than one value per channel, input " + x.shape());
            }
            Var mean = x.mean(axes, true);
            Var centered = x.sub(mean);
            Var variance = centered.square().mean(axes, true);
            y = centered.mul(variance.add(eps).rsqrt());
            try (var ng = Autograd.noGrad()) {
                Tensor bm = mean.value().reshape(numFeatures);
                Tensor bv = variance.value().reshape(numFeatures).mul((float) count / (count - 1));
                runningMean.muli(1f - momentum).addi(bm, momentum);
                runningVar.muli(1f - momentum).addi(bv, momentum);
            }
        } else {
            Var rm = Var.constant(runningMean.reshape(bshape));
            Var rstd = Var.constant(runningVar.add(eps).rsqrt().reshape(bshape));
            y = x.sub(rm).mul(rstd);
        }
        if (weight != null) {
            y = y.mul(weight.reshape(bshape)).add(bias.reshape(bshape));
        }
        return y;
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    public Tensor runningMean() {
        return runningMean;
    }

    public Tensor runningVar() {
        return runningVar;
    }
}

package dev.shears.nn;

import dev.shears.autograd.Var;
import dev.shears.autograd.ops.ConvFunctions;
import dev.shears.tensor.Kernel2d;
import dev.shears.tensor.Rng;
import dev.shears.tensor.ShapeException;
import java.util.List;

/**
 * 2-D convolution on NCHW input: weight [out, in, k, k], bias [out]; PyTorch's initialisation
 * U(-1/√(in·k·k), 1/√(in·k·k)) for both.
 */
public class Conv2d extends Layer {
    private final int inChannels;
    private final int outChannels;
    private final Kernel2d kernel;
    private final Parameter weight;
    private final Parameter bias;

    /** Stride 1, no padding, with bias. */
    public Conv2d(int inChannels, int outChannels, int kernelSize, Rng rng) {
        this(inChannels, outChannels, kernelSize, 1, 0, true, rng);
    }

    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding, boolean bias, Rng rng) {
        if (inChannels < 1 || outChannels < 1) {
            throw new IllegalArgumentException("Conv2d: channels " + inChannels + " -> " + outChannels + " must be >= 1");
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = Kernel2d.square(kernelSize, stride, padding);
        this.weight = param("weight", Init.torchDefaultWeight(rng, outChannels, inChannels, kernelSize, kernelSize));
        this.bias = bias
                ? param("bias", Init.torchDefaultBias(rng, inChannels * kernelSize * kernelSize, outChannels))
                : null;
    }

    @Override
    public Var forward(Var x) {
        if (x.rank() != 4 || x.dim(1) != inChannels) {
            throw new ShapeException("Conv2d(" + inChannels + " -> " + outChannels + "): input " + x.shape()
                    + " must be [n, " + inChannels + ", h, w]");
        }
        return ConvFunctions.conv2d(x, weight.effective(), bias, kernel);
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias, or null when built without one. */
    public Parameter bias() {
        return bias;
    }

    public Kernel2d kernel() {
        return kernel;
    }

    @Override
    protected List<Parameter> ownPrunable() {
        return List.of(weight);
    }

    @Override
    public String toString() {
        return "Conv2d(" + inChannels + " -> " + outChannels + ", " + kernel + ")";
    }
}

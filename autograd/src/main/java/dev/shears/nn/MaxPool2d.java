package dev.shears.nn;

import dev.shears.autograd.Var;
import dev.shears.autograd.ops.ConvFunctions;
import dev.shears.tensor.Kernel2d;

/** Max pooling over square windows of NCHW input; stride defaults to the window size. */
public class MaxPool2d extends Layer {
    private final Kernel2d kernel;

    public MaxPool2d(int kernelSize) {
        this(kernelSize, kernelSize, 0);
    }

    public MaxPool2d(int kernelSize, int stride, int padding) {
        this.kernel = Kernel2d.square(kernelSize, stride, padding);
    }

    @Override
    public Var forward(Var x) {
        return ConvFunctions.maxPool2d(x, kernel);
    }

    @Override
    public String toString() {
        return "MaxPool2d(" + kernel + ")";
    }
}

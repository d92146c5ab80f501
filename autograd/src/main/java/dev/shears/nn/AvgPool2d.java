package dev.shears.nn;

import dev.shears.autograd.Var;
import dev.shears.autograd.ops.ConvFunctions;
import dev.shears.tensor.Kernel2d;

/** Average pooling over square windows of NCHW input; stride defaults to the window size. */
public class AvgPool2d extends Layer {
    private final Kernel2d kernel;
    private final boolean countIncludePad;

    public AvgPool2d(int kernelSize) {
        this(kernelSize, kernelSize, 0, true);
    }

    public AvgPool2d(int kernelSize, int stride, int padding, boolean countIncludePad) {
        this.kernel = Kernel2d.square(kernelSize, stride, padding);
        this.countIncludePad = countIncludePad;
    }

    @Override
    public Var forward(Var x) {
        return ConvFunctions.avgPool2d(x, kernel, countIncludePad);
    }

    @Override
    public String toString() {
        return "AvgPool2d(" + kernel + ")";
    }
}

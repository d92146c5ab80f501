package dev.shears.nn;

import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;

/**
 * Weight initialisations with PyTorch's formulas; every random one takes an explicit {@link Rng}.
 * Fan-in and fan-out follow torch: for shape [out, in, k...] fanIn = in·∏k, fanOut = out·∏k.
 */
public final class Init {
    private Init() {}

    /** U(-bound, bound). */
    public static Tensor uniform(Rng rng, float bound, int... shape) {
        if (!(bound > 0)) {
            return Tensor.zeros(shape);
        }
        return Tensor.uniform(rng, -bound, bound, shape);
    }

    /** N(0, std²). */
    public static Tensor normal(Rng rng, float std, int... shape) {
        return Tensor.randn(rng, shape).mul(std);
    }

    public static int fanIn(int... shape) {
        if (shape.length < 2) {
            return shape.length == 1 ? shape[0] : 1;
        }
        return shape[1] * receptive(shape);
    }

    public static int fanOut(int... shape) {
        if (shape.length < 2) {
            return shape.length == 1 ? shape[0] : 1;
        }
        return shape[0] * receptive(shape);
    }

    private static int receptive(int[] shape) {
        int r = 1;
        for (int i = 2; i < shape.length; i++) {
            r *= shape[i];
        }
        return r;
    }

    /** Gain of torch.nn.init.calculate_gain for leaky_relu with slope {@code a} (a = 0: relu, √2). */
    public static double leakyReluGain(double a) {
        return Math.sqrt(2.0 / (1 + a * a));
    }

    /** kaiming_uniform_(a, fan_in, leaky_relu): bound = gain·√(3 / fanIn). */
    public static Tensor kaimingUniform(Rng rng, double a, int... shape) {
        double bound = leakyReluGain(a) * Math.sqrt(3.0 / fanIn(shape));
        return uniform(rng, (float) bound, shape);
    }

    /** kaiming_normal_(a, fan_in, leaky_relu): std = gain / √fanIn. */
    public static Tensor kaimingNormal(Rng rng, double a, int... shape) {
        return normal(rng, (float) (leakyReluGain(a) / Math.sqrt(fanIn(shape))), shape);
    }

    /** xavier_uniform_: bound = gain·√(6 / (fanIn + fanOut)). */
    public static Tensor xavierUniform(Rng rng, double gain, int... shape) {
        return uniform(rng, (float) (gain * Math.sqrt(6.0 / (fanIn(shape) + fanOut(shape)))), shape);
    }

    /** xavier_normal_: std = gain·√(2 / (fanIn + fanOut)). */
    public static Tensor xavierNormal(Rng rng, double gain, int... shape) {
        return normal(rng, (float) (gain * Math.sqrt(2.0 / (fanIn(shape) + fanOut(shape)))), shape);
    }

    /**
     * PyTorch's default for Linear and Conv weights, kaiming_uniform_(a = √5), which is
     * U(-1/√fanIn, 1/√fanIn).
     */
    public static Tensor torchDefaultWeight(Rng rng, int... shape) {
        return kaimingUniform(rng, Math.sqrt(5), shape);
    }

    /** PyTorch's default bias for Linear and Conv: U(-1/√fanIn, 1/√fanIn). */
    public static Tensor torchDefaultBias(Rng rng, int fanIn, int size) {
        return uniform(rng, (float) (1.0 / Math.sqrt(fanIn)), size);
    }
}

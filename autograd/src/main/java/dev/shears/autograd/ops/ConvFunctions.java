package dev.shears.autograd.ops;

import dev.shears.autograd.Var;
import dev.shears.tensor.DType;
import dev.shears.tensor.IndexedValues;
import dev.shears.tensor.Kernel2d;
import dev.shears.tensor.Rng;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;

/** Convolution, pooling and dropout on NCHW batches. */
public final class ConvFunctions {
    private ConvFunctions() {}

    /** [n, c, h, w] → columns [n, c·kh·kw, outH·outW]; the gradient is col2im (its adjoint). */
    public static Var im2col(Var x, Kernel2d k) {
        return im2col(x, k, false);
    }

    /** {@link #im2col(Var, Kernel2d)} with the columns stored batch-in-columns ({@link Tensor#im2col(Kernel2d, boolean)}). */
    public static Var im2col(Var x, Kernel2d k, boolean batchInColumns) {
        Tensor out = x.value().im2col(k, batchInColumns);
        int c = x.dim(1);
        int h = x.dim(2);
        int w = x.dim(3);
        return Var.result("im2col", out, g -> new Tensor[] {g.col2im(c, h, w, k)}, x);
    }

    /**
     * 2-D convolution (cross-correlation) via im2col: x [n, c, h, w], weight [o, c, kh, kw], bias
     * [o] or null → [n, o, outH, outW]. One GEMM for the whole batch, [o, c·kh·kw]·[c·kh·kw, n·L]
     * (per-image products of a few output channels spent their time packing), built from
     * {@link #im2col}, matmul, permute and reshape, so its gradient comes from theirs: the weight
     * gradient is then one long dot product per weight.
     */
    public static Var conv2d(Var x, Var weight, Var bias, Kernel2d k) {
        if (x.rank() != 4 || weight.rank() != 4) {
            throw new ShapeException("conv2d: input " + x.shape() + " and weight " + weight.shape() + " must both be rank 4");
        }
        if (weight.dim(1) != x.dim(1) || weight.dim(2) != k.kh() || weight.dim(3) != k.kw()) {
            throw new ShapeException("conv2d: weight " + weight.shape() + " does not match input channels " + x.dim(1)
                    + " and window " + k.kh() + "x" + k.kw());
        }
        int o = weight.dim(0);
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != o)) {
            throw new ShapeException("conv2d: bias " + bias.shape() + " must be [" + o + "]");
        }
        if (directSuits(x.dim(1), k)) {
            Var y = direct(x, weight, k);
            return bias == null ? y : y.add(bias.reshape(1, o, 1, 1));
        }
        int n = x.dim(0);
        int outH = (x.dim(2) + 2 * k.padH() - k.dilH() * (k.kh() - 1) - 1) / k.strideH() + 1;
        int outW = (x.dim(3) + 2 * k.padW() - k.dilW() * (k.kw() - 1) - 1) / k.strideW() + 1;
        Var cols = im2col(x, k, true).permute(1, 0, 2);                // [c·kh·kw, n, L], contiguous
        Var wm = weight.reshape(o, -1);                                // [o, c·kh·kw]
        Var y = wm.matmul(cols.reshape(cols.dim(0), -1))               // [o, n·L]
                .reshape(o, n, outH * outW).permute(1, 0, 2)           // [n, o, L]
                .reshape(n, o, outH, outW);
        return bias == null ? y : y.add(bias.reshape(1, o, 1, 1));
    }

    /**
     * Windows of at most this many taps (c·kh·kw), at unit stride and dilation, convolve directly
     * ({@link Tensor#conv2d}): for a first layer like LeNet-5's (25 taps) the im2col route's column
     * matrix, 25 times the input, cost more than the arithmetic.
     */
    static final int DIRECT_MAX_TAPS = 32;

    private static boolean directSuits(int channels, Kernel2d k) {
        return channels * k.kh() * k.kw() <= DIRECT_MAX_TAPS && k.strideH() == 1 && k.strideW() == 1
                && k.dilH() == 1 && k.dilW() == 1;
    }

    /**
     * The direct convolution as one op: its weight gradient is {@link Tensor#conv2dWeightGrad}, and
     * the input gradient (only when the input needs one) is col2im of Wᵀ·gy.
     */
    private static Var direct(Var x, Var weight, Kernel2d k) {
        Tensor y = x.value().conv2d(weight.value(), k);
        return Var.result("conv2d", y, g -> {
            Tensor gw = x.value().conv2dWeightGrad(g, k, weight.shape());
            Tensor gx = x.requiresGrad() ? inputGrad(g, weight.value(), x.shape().dims(), k) : null;
            return new Tensor[] {gx, gw};
        }, x, weight);
    }

    private static Tensor inputGrad(Tensor gy, Tensor weight, int[] inputDims, Kernel2d k) {
        int n = gy.dim(0);
        int o = gy.dim(1);
        int plane = gy.dim(2) * gy.dim(3);
        Tensor byChannel = gy.reshape(n, o, plane).permute(1, 0, 2).contiguous().reshape(o, n * plane);
        Tensor columns = weight.reshape(o, -1).transpose(0, 1).matmul(byChannel); // [c·kh·kw, n·L]
        return columns.reshape(-1, n, plane).permute(1, 0, 2).col2im(inputDims[1], inputDims[2], inputDims[3], k);
    }

    /** Max pooling [n, c, h, w] → [n, c, outH, outW]; the gradient goes to each window's argmax. */
    public static Var maxPool2d(Var x, Kernel2d k) {
        IndexedValues iv = x.value().maxPool2d(k);
        return Var.result("maxPool2d", iv.values(),
                g -> new Tensor[] {g.maxPool2dBackward(iv.indices(), x.shape())}, x);
    }

    /** Average pooling [n, c, h, w] → [n, c, outH, outW]. */
    public static Var avgPool2d(Var x, Kernel2d k, boolean countIncludePad) {
        Tensor out = x.value().avgPool2d(k, countIncludePad);
        return Var.result("avgPool2d", out, g -> new Tensor[] {g.avgPool2dBackward(x.shape(), k, countIncludePad)}, x);
    }

    /**
     * Inverted dropout: zeroes each element with probability {@code p} (drawn from {@code rng}) and
     * scales the rest by 1/(1-p); identity when {@code p == 0}.
     */
    public static Var dropout(Var x, float p, Rng rng) {
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("dropout: p = " + p + " must be in [0, 1)");
        }
        if (p == 0f) {
            return x;
        }
        Tensor mask = Tensor.rand(rng, x.shape().dims()).ge(p).to(DType.F32).mul(1f / (1f - p));
        return Var.result("dropout", x.value().mul(mask), g -> new Tensor[] {g.mul(mask)}, x);
    }
}

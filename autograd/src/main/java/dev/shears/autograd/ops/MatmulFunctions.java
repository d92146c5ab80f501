package dev.shears.autograd.ops;

import static dev.shears.autograd.Autograd.unbroadcast;

import dev.shears.autograd.Backward;
import dev.shears.autograd.Var;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;

/** Matrix products with {@link Tensor#matmul}'s rules (1-D operands, batched, broadcast batch axes). */
public final class MatmulFunctions {
    private MatmulFunctions() {}

    /**
     * [.., m, k]·[.., k, n] → [.., m, n] with broadcast batch axes; a 1-D lhs is a row, a 1-D rhs
     * a column, and their axis is dropped. dA = g·Bᵀ, dB = Aᵀ·g, each summed over the batch axes
     * it was broadcast along.
     */
    public static Var matmul(Var a, Var b) {
        if (a.rank() == 0 || b.rank() == 0) {
            throw new ShapeException("matmul: operands must have rank >= 1, got lhs " + a.shape() + " and rhs " + b.shape());
        }
        Var lhs = a.rank() == 1 ? a.unsqueeze(0) : a;
        Var rhs = b.rank() == 1 ? b.unsqueeze(1) : b;
        Var out = matmul2(lhs, rhs);
        if (a.rank() == 1) {
            out = out.squeeze(-2);
        }
        if (b.rank() == 1) {
            out = out.squeeze(-1);
        }
        return out;
    }

    private static Var matmul2(Var a, Var b) {
        Tensor out = a.value().matmul(b.value());
        return Var.result("matmul", out, g -> new Tensor[] {
                a.requiresGrad() ? unbroadcast(g.matmul(mT(b.value())), a.shape()) : null,
                b.requiresGrad() ? unbroadcast(mT(a.value()).matmul(g), b.shape()) : null}, a, b);
    }

    /**
     * The affine map of a linear layer, y = x·wᵀ + b, for x [.., in], w [out, in], b [out] or
     * null. One op instead of matmul + transpose + add: the weight gradient gᵀ·x comes out in w's
     * own [out, in] layout (no transposed copy), the bias is added into the fresh product in place,
     * and db is a plain column sum.
     */
    public static Var linear(Var x, Var w, Var b) {
        if (w.rank() != 2 || x.rank() < 1 || x.dim(-1) != w.dim(1)) {
            throw new ShapeException("linear: input " + x.shape() + " must end in the weight's input size; weight "
                    + w.shape() + " must be [out, in]");
        }
        if (b != null && (b.rank() != 1 || b.dim(0) != w.dim(0))) {
            throw new ShapeException("linear: bias " + b.shape() + " must be [" + w.dim(0) + "] for weight " + w.shape());
        }
        Tensor out = x.value().matmul(mT(w.value()));
        if (b != null) {
            out.addi(b.value());
        }
        int in = w.dim(1);
        int outFeatures = w.dim(0);
        Backward backward = g -> {
            Tensor g2 = g.reshape(-1, outFeatures);
            return new Tensor[] {
                x.requiresGrad() ? g.matmul(w.value()) : null,
                w.requiresGrad() ? mT(g2).matmul(x.value().reshape(-1, in)) : null,
                b != null && b.requiresGrad() ? g2.sum(0, false) : null};
        };
        return b == null ? Var.result("linear", out, g -> {
            Tensor[] grads = backward.apply(g);
            return new Tensor[] {grads[0], grads[1]};
        }, x, w) : Var.result("linear", out, backward, x, w, b);
    }

    /** Swaps the last two axes (a view). */
    private static Tensor mT(Tensor t) {
        return t.transpose(t.rank() - 2, t.rank() - 1);
    }
}

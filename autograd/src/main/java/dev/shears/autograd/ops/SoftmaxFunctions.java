package dev.shears.autograd.ops;

import dev.shears.autograd.Var;
import dev.shears.tensor.Tensor;

/** Softmax and log-softmax along one axis (stable forward from {@link Tensor}). */
public final class SoftmaxFunctions {
    private SoftmaxFunctions() {}

    /** y = softmax(x): dx = y ⊙ (g - Σ g⊙y) along the axis. */
    public static Var softmax(Var a, int axis) {
        Tensor y = a.value().softmax(axis);
        return Var.result("softmax", y, g -> {
            Tensor dot = g.mul(y).sum(axis, true);
            return new Tensor[] {y.mul(g.sub(dot))};
        }, a);
    }

    /** y = logSoftmax(x): dx = g - exp(y) ⊙ Σ g along the axis. */
    public static Var logSoftmax(Var a, int axis) {
        Tensor y = a.value().logSoftmax(axis);
        return Var.result("logSoftmax", y, g -> new Tensor[] {g.sub(y.exp().mul(g.sum(axis, true)))}, a);
    }
}

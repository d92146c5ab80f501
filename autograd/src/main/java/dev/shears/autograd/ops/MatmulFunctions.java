package dev.shears.autograd.ops;

import static dev.shears.autograd.Autograd.unbroadcast;

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

    /** Swaps the last two axes (a view). */
    private static Tensor mT(Tensor t) {
        return t.transpose(t.rank() - 2, t.rank() - 1);
    }
}

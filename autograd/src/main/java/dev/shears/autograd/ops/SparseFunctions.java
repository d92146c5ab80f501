package dev.shears.autograd.ops;

import dev.shears.autograd.Autograd;
import dev.shears.autograd.Var;
import dev.shears.sparse.BlockDiagonal;
import dev.shears.sparse.SemiStructured24;
import dev.shears.sparse.SparseMatrix;
import dev.shears.sparse.SparseOps;
import dev.shears.tensor.Tensor;

/**
 * Differentiable products with sparse weights whose structure is fixed and whose stored values
 * are a {@link Var} (laid out as {@link SparseOps#values}), so training moves the values and never
 * the pattern. Forward and backward are {@link SparseOps} calls: dX = dY·W, dValues =
 * sddmm(pattern, dY, X), dBias = Σ dY.
 */
public final class SparseFunctions {
    private SparseFunctions() {}

    /**
     * {@code y = x·Wᵀ + bias} with W = {@code pattern} holding {@code values}, for x
     * {@code [..., in]} → {@code [..., out]}, differentiable in x, values and bias.
     *
     * @param pattern the structure (its own values are ignored)
     * @param values  F32 of {@code SparseOps.values(pattern)}'s shape
     * @param bias    {@code [out]}, or null
     */
    public static Var linear(Var x, SparseMatrix pattern, Var values, Var bias) {
        return product("sparseLinear", x, pattern, values, bias);
    }

    /**
     * {@code y = x·Dᵀ} for the block-diagonal D made of {@code blocks} (F32 {@code [blockCount,
     * blockSize, blockSize]}), x {@code [..., blockCount·blockSize]}; differentiable in x and blocks.
     */
    public static Var blockDiagonal(Var x, Var blocks) {
        return product("blockDiagonal", x, BlockDiagonal.of(blocks.value()), blocks, null); // of() checks the shape
    }

    /**
     * The ARMOR product {@code y = x·(A·S·B)ᵀ + bias}: x {@code [..., in]} → {@code [..., out]}, A
     * and B block-diagonal from their blocks ({@code [out/b, b, b]} and {@code [in/b, b, b]}), S the
     * 2:4 {@code core} holding {@code coreValues} ({@code [out, in/2]}). While recording a graph it
     * is three differentiable products (x·Bᵀ, the 2:4 product, ·Aᵀ), whose backward needs the two
     * intermediates; otherwise one fused pass ({@link SparseOps#armor}) that keeps none of them.
     */
    public static Var armor(Var x, Var a, SemiStructured24 core, Var coreValues, Var b, Var bias) {
        return armor(x, BlockDiagonal.of(a.value()), a, core, coreValues, BlockDiagonal.of(b.value()), b, bias);
    }

    /**
     * {@link #armor(Var, Var, SemiStructured24, Var, Var, Var)} with A's and B's structure given
     * once ({@code aPattern}, {@code bPattern}; their own values are ignored), so a layer's forward
     * reads every value in place instead of rebuilding the block-diagonal matrices each call.
     */
    public static Var armor(Var x, BlockDiagonal aPattern, Var a, SemiStructured24 core, Var coreValues,
            BlockDiagonal bPattern, Var b, Var bias) {
        SparseOps.checkArmor("SparseFunctions.armor", aPattern, core, bPattern);
        boolean record = Autograd.isGradEnabled() && (x.requiresGrad() || a.requiresGrad() || coreValues.requiresGrad()
                || b.requiresGrad() || (bias != null && bias.requiresGrad()));
        if (!record) {
            return Var.constant(SparseOps.armor(x.value(), aPattern, core, coreValues.value(), bPattern,
                    bias == null ? null : bias.value(), a.value(), b.value()));
        }
        Var u = product("armor.b", x, bPattern, b, null);
        Var v = product("armor.core", u, core, coreValues, null);
        return product("armor.a", v, aPattern, a, bias);
    }

    /** x·Wᵀ + bias for W = {@code w}'s structure holding {@code values}; values' gradient in their layout. */
    private static Var product(String op, Var x, SparseMatrix w, Var values, Var bias) {
        Tensor v = values.value();
        Tensor out = SparseOps.linear(x.value(), w, v, bias == null ? null : bias.value());
        Var[] inputs = bias == null ? new Var[] {x, values} : new Var[] {x, values, bias};
        return Var.result(op, out, g -> {
            Tensor[] grads = new Tensor[inputs.length];
            if (x.requiresGrad()) {
                grads[0] = SparseOps.spmmTransposed(g, w, v);
            }
            if (values.requiresGrad()) {
                grads[1] = SparseOps.sddmm(w, g, x.value());
            }
            if (bias != null && bias.requiresGrad()) {
                grads[2] = g.reshape(-1, w.rows()).sum(0, false);
            }
            return grads;
        }, inputs);
    }
}

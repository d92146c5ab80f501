package dev.shears.autograd.ops;

import static dev.shears.autograd.GradAssert.assertGradientsMatch;
import static dev.shears.autograd.Inputs.randn;

import dev.shears.autograd.Var;
import dev.shears.tensor.Tensor;
import dev.shears.testing.ArrayAssert;
import org.junit.jupiter.api.Test;

class NormFunctionsTest {

    /** The composed graph the fused op replaces. */
    private static Var composed(Var x, int[] axes, Var w, Var b, float eps) {
        Var centered = x.sub(x.mean(axes, true));
        Var y = centered.mul(centered.square().mean(axes, true).add(eps).rsqrt());
        return w == null ? y : y.mul(w).add(b);
    }

    @Test
    void gradientsCheckOut() {
        assertGradientsMatch(v -> NormFunctions.layerNorm(v[0], 7, v[1], v[2], 1e-5f),
                randn(1, 3, 7).mul(2f).add(1f), randn(2, 7), randn(3, 7));
        // two normalised axes, a strided input, no affine parameters
        assertGradientsMatch(v -> NormFunctions.layerNorm(v[0], 6, null, null, 1e-5f),
                randn(4, 3, 2, 4).transpose(0, 2));
        // a single element per row normalises to 0: only the bias gets a gradient through it
        assertGradientsMatch(v -> NormFunctions.layerNorm(v[0], 1, v[1], v[2], 1e-3f).mul(v[0]),
                randn(5, 4, 1), randn(6, 1), randn(7, 1));
    }

    @Test
    void matchesTheComposedGraphInValueAndGradient() {
        Tensor x = randn(8, 2, 5, 33).mul(3f).add(2f);
        Tensor w = randn(9, 33);
        Tensor b = randn(10, 33);
        Tensor g = randn(11, 2, 5, 33);
        Var[] fused = {Var.param(x), Var.param(w), Var.param(b)};
        Var[] plain = {Var.param(x), Var.param(w), Var.param(b)};
        Var a = NormFunctions.layerNorm(fused[0], 33, fused[1], fused[2], 1e-5f);
        Var c = composed(plain[0], new int[] {2}, plain[1], plain[2], 1e-5f);
        ArrayAssert.assertClose(c.value().toFloatArray(), a.value().toFloatArray(), 1e-4, 1e-5, "value");
        a.mul(Var.constant(g)).sum().backward();
        c.mul(Var.constant(g)).sum().backward();
        for (int i = 0; i < 3; i++) {
            ArrayAssert.assertClose(plain[i].grad().toFloatArray(), fused[i].grad().toFloatArray(), 1e-3, 1e-4,
                    "gradient " + i);
        }
    }
}

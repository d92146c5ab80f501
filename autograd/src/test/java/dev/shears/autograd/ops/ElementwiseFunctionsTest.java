package dev.shears.autograd.ops;

import static dev.shears.autograd.GradAssert.assertGradientsMatch;
import static dev.shears.autograd.Inputs.awayFromZero;
import static dev.shears.autograd.Inputs.randn;
import static dev.shears.autograd.Inputs.uniform;

import dev.shears.autograd.Var;
import dev.shears.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ElementwiseFunctionsTest {

    @Test
    void addSameShapeBroadcastAndScalar() {
        assertGradientsMatch(v -> v[0].add(v[1]), randn(1, 3, 4), randn(2, 3, 4));
        assertGradientsMatch(v -> v[0].add(v[1]), randn(3, 2, 3, 4), randn(4, 4));
        assertGradientsMatch(v -> v[0].add(v[1]), randn(5, 2, 1, 4), randn(6, 3, 1));
        assertGradientsMatch(v -> v[0].add(v[1]), randn(7, 3, 4), randn(8));
        assertGradientsMatch(v -> v[0].add(2.5f), randn(9, 3, 4));
    }

    @Test
    void subBroadcastAndScalar() {
        assertGradientsMatch(v -> v[0].sub(v[1]), randn(11, 3, 4), randn(12, 3, 1));
        assertGradientsMatch(v -> v[1].sub(v[0]), randn(13, 4), randn(14, 2, 4));
        assertGradientsMatch(v -> v[0].sub(0.5f), randn(15, 5));
    }

    @Test
    void mulBroadcastNonContiguousAndScalar() {
        assertGradientsMatch(v -> v[0].mul(v[1]), randn(21, 3, 4), randn(22, 3, 4));
        assertGradientsMatch(v -> v[0].mul(v[1]), randn(23, 4, 3).t(), randn(24, 1, 4));
        assertGradientsMatch(v -> v[0].mul(v[1]), randn(25, 3, 6).narrow(1, 1, 4), randn(26, 3, 1));
        assertGradientsMatch(v -> v[0].mul(-1.5f), randn(27, 2, 3));
        // one operand a constant: only the other gets a gradient
        Tensor c = randn(28, 3);
        assertGradientsMatch(v -> v[0].mul(Var.constant(c)), randn(29, 2, 3));
    }

    @Test
    void divBroadcastAndScalar() {
        assertGradientsMatch(v -> v[0].div(v[1]), randn(31, 3, 4), uniform(32, 0.5f, 2f, 3, 4));
        assertGradientsMatch(v -> v[0].div(v[1]), randn(33, 2, 3, 4), uniform(34, -2f, -0.5f, 3, 1));
        assertGradientsMatch(v -> v[0].div(4f), randn(35, 3));
    }

    @Test
    void negExpLogSqrt() {
        assertGradientsMatch(v -> v[0].neg(), randn(41, 3, 4));
        assertGradientsMatch(v -> v[0].exp(), randn(42, 3, 4));
        assertGradientsMatch(v -> v[0].log(), uniform(43, 0.5f, 3f, 3, 4));
        assertGradientsMatch(v -> v[0].sqrt(), uniform(44, 0.5f, 3f, 3, 4).t());
    }

    @Test
    void rsqrtAndReciprocal() {
        assertGradientsMatch(v -> v[0].rsqrt(), uniform(45, 0.5f, 3f, 3, 4));
        assertGradientsMatch(v -> v[0].reciprocal(), uniform(46, 0.5f, 2f, 4, 3).t());
        assertGradientsMatch(v -> v[0].reciprocal(), uniform(47, -2f, -0.5f, 5));
    }

    @Test
    void tanhSigmoid() {
        assertGradientsMatch(v -> v[0].tanh(), randn(51, 3, 4));
        assertGradientsMatch(v -> v[0].sigmoid(), randn(52, 3, 4).mul(2f));
    }

    @Test
    void reluAwayFromTheKink() {
        assertGradientsMatch(v -> v[0].relu(), awayFromZero(61, 0.1f, 4, 5));
    }

    @Test
    void geluVariantsAndSilu() {
        assertGradientsMatch(v -> v[0].gelu(), randn(71, 4, 5).mul(2f));
        assertGradientsMatch(v -> v[0].gelu(), Tensor.of(new float[] {0f, -4f, 4f, 1e-3f}, 4));
        assertGradientsMatch(v -> v[0].geluTanh(), randn(72, 4, 5).mul(2f));
        assertGradientsMatch(v -> v[0].silu(), randn(73, 4, 5).mul(2f));
    }

    @Test
    void squareAndPow() {
        assertGradientsMatch(v -> v[0].square(), randn(81, 3, 4));
        assertGradientsMatch(v -> v[0].pow(3f), randn(82, 3, 4));
        assertGradientsMatch(v -> v[0].pow(-1.5f), uniform(83, 0.5f, 2f, 3, 4));
        assertGradientsMatch(v -> v[0].pow(0.5f), uniform(84, 0.5f, 2f, 5));
        assertGradientsMatch(v -> v[0].pow(0f).add(v[0]), randn(85, 5));
    }

    @Test
    void absAndClamp() {
        assertGradientsMatch(v -> v[0].abs(), awayFromZero(91, 0.1f, 4, 5));
        // values kept away from the clamp bounds ±0.5
        Tensor x = Tensor.of(new float[] {-2f, -0.8f, -0.3f, 0f, 0.2f, 0.45f - 0.1f, 0.7f, 1.5f}, 2, 4);
        assertGradientsMatch(v -> v[0].clamp(-0.5f, 0.5f), x);
    }

    @Test
    void composite() {
        assertGradientsMatch(v -> v[0].mul(v[1]).add(v[0].exp().div(v[1].square().add(1f))).tanh(),
                randn(95, 3, 4), randn(96, 4));
    }
}

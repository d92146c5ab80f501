package dev.shears.autograd.ops;

import static dev.shears.autograd.Inputs.distinct;
import static dev.shears.autograd.Inputs.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.shears.autograd.GradCheck;
import dev.shears.autograd.Var;
import dev.shears.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ReduceFunctionsTest {

    @Test
    void sumAllAxisAndAxes() {
        GradCheck.check(v -> v[0].sum(), randn(1, 3, 4));
        GradCheck.check(v -> v[0].sum(1, false), randn(2, 3, 4));
        GradCheck.check(v -> v[0].sum(0, true), randn(3, 3, 4).t());
        GradCheck.check(v -> v[0].sum(-1, true), randn(4, 2, 3, 4));
        GradCheck.check(v -> v[0].sum(new int[] {0, 2}, false), randn(5, 2, 3, 4));
        GradCheck.check(v -> v[0].sum(new int[] {2, 0}, true), randn(6, 2, 5, 4).narrow(1, 1, 3));
    }

    @Test
    void meanAllAxisAndAxes() {
        GradCheck.check(v -> v[0].mean(), randn(11, 3, 4));
        GradCheck.check(v -> v[0].mean(0, false), randn(12, 3, 4));
        GradCheck.check(v -> v[0].mean(1, true), randn(13, 4, 3).t());
        GradCheck.check(v -> v[0].mean(new int[] {1, 2}, false), randn(14, 2, 3, 4));
        GradCheck.check(v -> v[0].mean(new int[] {0, -1}, true), randn(15, 2, 3, 4));
    }

    @Test
    void maxAndMinAlongAnAxis() {
        GradCheck.check(v -> v[0].max(1, false), distinct(21, 0.1f, 3, 5));
        GradCheck.check(v -> v[0].max(0, true), distinct(22, 0.1f, 3, 5));
        GradCheck.check(v -> v[0].max(-1, true), distinct(23, 0.1f, 2, 3, 4).transpose(1, 2));
        GradCheck.check(v -> v[0].min(1, false), distinct(24, 0.1f, 3, 5));
    }

    @Test
    void maxAndMinOfAllElements() {
        GradCheck.check(v -> v[0].max(), distinct(25, 0.1f, 3, 4));
        GradCheck.check(v -> v[0].min(), distinct(26, 0.1f, 4, 3).t());
    }

    @Test
    void variance() {
        GradCheck.check(v -> v[0].var(1, false), randn(31, 3, 5));
        GradCheck.check(v -> v[0].var(0, true), randn(32, 4, 3).t());
        GradCheck.check(v -> v[0].var(new int[] {0, 2}, false, 0), randn(33, 2, 3, 4));
    }

    @Test
    void maxGradientGoesToTheFirstArgmax() {
        Var x = Var.param(Tensor.of(new float[] {1f, 3f, 3f, 2f, 0f, 0f}, 2, 3));
        x.max(1, false).sum().backward();
        assertArrayEquals(new float[] {0f, 1f, 0f, 1f, 0f, 0f}, x.grad().toFloatArray());
    }
}

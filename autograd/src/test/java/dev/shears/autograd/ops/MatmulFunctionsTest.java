package dev.shears.autograd.ops;

import static dev.shears.autograd.GradAssert.assertGradientsMatch;
import static dev.shears.autograd.Inputs.randn;

import dev.shears.autograd.Var;
import dev.shears.tensor.Tensor;
import org.junit.jupiter.api.Test;

class MatmulFunctionsTest {

    @Test
    void matrixTimesMatrix() {
        assertGradientsMatch(v -> v[0].matmul(v[1]), randn(1, 3, 4), randn(2, 4, 5));
    }

    @Test
    void transposedAndNarrowedOperands() {
        assertGradientsMatch(v -> v[0].matmul(v[1]), randn(3, 4, 3).t(), randn(4, 5, 4).t());
        assertGradientsMatch(v -> v[0].matmul(v[1]), randn(5, 3, 6).narrow(1, 1, 4), randn(6, 4, 5));
    }

    @Test
    void vectors() {
        assertGradientsMatch(v -> v[0].matmul(v[1]), randn(7, 4), randn(8, 4, 3));
        assertGradientsMatch(v -> v[0].matmul(v[1]), randn(9, 3, 4), randn(10, 4));
        assertGradientsMatch(v -> v[0].matmul(v[1]), randn(11, 4), randn(12, 4));
        assertGradientsMatch(v -> v[0].matmul(v[1]), randn(13, 2, 3, 4), randn(14, 4));
    }

    @Test
    void batchedAndBroadcastBatch() {
        assertGradientsMatch(v -> v[0].matmul(v[1]), randn(15, 2, 3, 4), randn(16, 2, 4, 5));
        assertGradientsMatch(v -> v[0].matmul(v[1]), randn(17, 2, 3, 4), randn(18, 4, 5));
        assertGradientsMatch(v -> v[0].matmul(v[1]), randn(19, 3, 4), randn(20, 2, 4, 5));
        assertGradientsMatch(v -> v[0].matmul(v[1]), randn(21, 2, 1, 3, 4), randn(22, 3, 4, 2));
        assertGradientsMatch(v -> v[0].matmul(v[1]), randn(23, 2, 4, 3).transpose(1, 2), randn(24, 1, 4, 2));
    }

    @Test
    void constantOperand() {
        Tensor w = randn(25, 4, 2);
        assertGradientsMatch(v -> v[0].matmul(Var.constant(w)), randn(26, 3, 4));
    }
}

package dev.shears.autograd.ops;

import static dev.shears.autograd.GradAssert.assertGradientsMatch;
import static dev.shears.autograd.Inputs.randn;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.autograd.Var;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;
import dev.shears.testing.TensorAssert;
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

    @Test
    void linearWithAndWithoutBias() {
        assertGradientsMatch(v -> MatmulFunctions.linear(v[0], v[1], v[2]), randn(27, 5, 3), randn(28, 4, 3), randn(29, 4));
        assertGradientsMatch(v -> MatmulFunctions.linear(v[0], v[1], null), randn(30, 5, 3), randn(31, 4, 3));
    }

    @Test
    void linearOnVectorsBatchesAndStridedInputs() {
        assertGradientsMatch(v -> MatmulFunctions.linear(v[0], v[1], v[2]), randn(32, 3), randn(33, 2, 3), randn(34, 2));
        assertGradientsMatch(v -> MatmulFunctions.linear(v[0], v[1], v[2]), randn(35, 2, 3, 5), randn(36, 4, 5), randn(37, 4));
        assertGradientsMatch(v -> MatmulFunctions.linear(v[0], v[1], v[2]), randn(38, 5, 3).t(), randn(39, 5, 4).t(), randn(40, 4));
    }

    @Test
    void linearEqualsMatmulPlusBias() {
        Tensor x = randn(41, 6, 7);
        Tensor w = randn(42, 3, 7);
        Tensor b = randn(43, 3);
        Tensor expected = x.matmul(w.t()).add(b);
        Tensor actual = MatmulFunctions.linear(Var.constant(x), Var.constant(w), Var.constant(b)).value();
        TensorAssert.assertClose(expected, actual, 1e-6, 1e-6, "linear vs matmul + bias");
    }

    @Test
    void linearRefusesMismatchedShapes() {
        ShapeException e = assertThrows(ShapeException.class,
                () -> MatmulFunctions.linear(Var.constant(randn(44, 2, 5)), Var.constant(randn(45, 3, 4)), null));
        assertTrue(e.getMessage().contains("[2, 5]"), e.getMessage());
    }
}

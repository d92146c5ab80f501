package dev.shears.autograd.ops;

import static dev.shears.autograd.GradAssert.assertGradientsMatch;
import static dev.shears.autograd.Inputs.randn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.autograd.Autograd;
import dev.shears.autograd.Var;
import dev.shears.sparse.BitmapMatrix;
import dev.shears.sparse.CsrMatrix;
import dev.shears.sparse.SemiStructured24;
import dev.shears.sparse.SparseMatrix;
import dev.shears.sparse.SparseOps;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;
import dev.shears.testing.TensorAssert;
import org.junit.jupiter.api.Test;

/** Gradient checks of the sparse products in every input, and their agreement with the dense ones. */
class SparseFunctionsTest {

    /** A [rows, cols] weight keeping about half of its entries, with an all-zero row 1. */
    private static Tensor halfSparse(long seed, int rows, int cols) {
        Tensor w = randn(seed, rows, cols);
        float[] v = w.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            if (i / cols == 1 || (i * 7 + seed) % 5 < 2) {
                v[i] = 0f;
            }
        }
        return Tensor.of(v, rows, cols);
    }

    private static void checkLinear(SparseMatrix pattern, long seed) {
        Tensor values = SparseOps.values(pattern).copy();
        assertGradientsMatch(v -> SparseFunctions.linear(v[0], pattern, v[1], v[2]),
                randn(seed, 4, pattern.cols()), values, randn(seed + 1, pattern.rows()));
        assertGradientsMatch(v -> SparseFunctions.linear(v[0], pattern, v[1], null),
                randn(seed + 2, 2, 3, pattern.cols()), values);
        assertGradientsMatch(v -> SparseFunctions.linear(v[0], pattern, v[1], null),
                randn(seed + 3, pattern.cols(), 3).t(), values); // a transposed view of x
    }

    @Test
    void linearOverCsr() {
        checkLinear(CsrMatrix.fromDense(halfSparse(1, 3, 5)), 10);
    }

    @Test
    void linearOverBitmap() {
        checkLinear(BitmapMatrix.fromDense(halfSparse(2, 4, 7)), 20);
    }

    @Test
    void linearOverSemiStructured24() {
        checkLinear(SemiStructured24.fromDense(randn(3, 3, 8)), 30);
    }

    @Test
    void blockDiagonal() {
        assertGradientsMatch(v -> SparseFunctions.blockDiagonal(v[0], v[1]), randn(40, 3, 6), randn(41, 2, 3, 3));
        assertGradientsMatch(v -> SparseFunctions.blockDiagonal(v[0], v[1]), randn(42, 2, 2, 4), randn(43, 4, 1, 1));
    }

    @Test
    void armorInEveryFactor() {
        SemiStructured24 core = SemiStructured24.fromDense(randn(50, 4, 8));
        Tensor coreValues = core.values().copy();
        assertGradientsMatch(v -> SparseFunctions.armor(v[0], v[1], core, v[2], v[3], v[4]),
                randn(51, 3, 8), randn(52, 2, 2, 2), coreValues, randn(53, 4, 2, 2), randn(54, 4));
        assertGradientsMatch(v -> SparseFunctions.armor(v[0], v[1], core, v[2], v[3], null),
                randn(55, 8), randn(56, 1, 4, 4), coreValues, randn(57, 2, 4, 4));
    }

    @Test
    void linearEqualsTheDenseLinearOfToDense() {
        SparseMatrix w = CsrMatrix.fromDense(halfSparse(60, 5, 6));
        Tensor x = randn(61, 7, 6);
        Tensor b = randn(62, 5);
        Tensor dense = MatmulFunctions.linear(Var.constant(x), Var.constant(w.toDense()), Var.constant(b)).value();
        Var sparse = SparseFunctions.linear(Var.constant(x), w, Var.constant(SparseOps.values(w)), Var.constant(b));
        TensorAssert.assertClose(dense, sparse.value(), 1e-6, 1e-6, "sparse vs dense linear");
    }

    @Test
    void armorRecordsAGraphOnlyWhenAnInputNeedsOne() {
        SemiStructured24 core = SemiStructured24.fromDense(randn(70, 4, 8));
        Var x = Var.constant(randn(71, 2, 8));
        Var a = Var.param(randn(72, 2, 2, 2));
        Var values = Var.constant(core.values());
        Var b = Var.param(randn(73, 4, 2, 2));
        Var recorded = SparseFunctions.armor(x, a, core, values, b, null);
        assertTrue(recorded.requiresGrad());
        Var fused;
        try (var scope = Autograd.noGrad()) {
            fused = SparseFunctions.armor(x, a, core, values, b, null);
        }
        assertFalse(fused.requiresGrad());
        TensorAssert.assertClose(recorded.value(), fused.value(), 1e-6, 1e-6, "composed vs fused ARMOR");
    }

    @Test
    void armorRefusesFactorsThatDoNotCompose() {
        SemiStructured24 core = SemiStructured24.fromDense(randn(80, 4, 8));
        Var x = Var.param(randn(81, 2, 8));
        Var values = Var.constant(core.values());
        ShapeException e = assertThrows(ShapeException.class, () -> SparseFunctions.armor(x,
                Var.constant(randn(82, 2, 2, 2)), core, values, Var.constant(randn(83, 2, 4, 4)), null));
        assertTrue(e.getMessage().startsWith("SparseFunctions.armor: A's block size 2 differs from B's 4"),
                e.getMessage());
        e = assertThrows(ShapeException.class, () -> SparseFunctions.linear(Var.constant(randn(84, 2, 7)), core,
                values, null));
        assertTrue(e.getMessage().contains("x [2, 7]") && e.getMessage().contains("in = 8"), e.getMessage());
        String wrongValues = assertThrows(ShapeException.class, () -> SparseFunctions.linear(x, core,
                Var.constant(randn(85, 4, 2)), null)).getMessage();
        assertTrue(wrongValues.startsWith("SparseOps.linear: values [4, 2] must be [4, 4] for SemiStructured24[4, 8]"),
                wrongValues);
    }

    @Test
    void blockDiagonalRefusesNonSquareBlocks() {
        ShapeException e = assertThrows(ShapeException.class,
                () -> SparseFunctions.blockDiagonal(Var.constant(randn(90, 2, 6)), Var.constant(randn(91, 2, 3, 2))));
        assertTrue(e.getMessage().contains("[2, 3, 2]"), e.getMessage());
    }
}

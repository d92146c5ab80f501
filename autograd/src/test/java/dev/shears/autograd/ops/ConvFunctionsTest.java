package dev.shears.autograd.ops;

import static dev.shears.autograd.Inputs.distinct;
import static dev.shears.autograd.Inputs.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.shears.autograd.GradCheck;
import dev.shears.autograd.Var;
import dev.shears.tensor.Kernel2d;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ConvFunctionsTest {

    @Test
    void im2col() {
        GradCheck.check(v -> ConvFunctions.im2col(v[0], Kernel2d.square(3, 2, 1)), randn(1, 1, 2, 5, 5));
    }

    @Test
    void conv2dWithBiasPaddingAndStride() {
        GradCheck.check(v -> ConvFunctions.conv2d(v[0], v[1], v[2], Kernel2d.square(3, 1, 1)),
                randn(2, 2, 2, 5, 5), randn(3, 3, 2, 3, 3), randn(4, 3));
        GradCheck.check(v -> ConvFunctions.conv2d(v[0], v[1], null, Kernel2d.square(3, 2, 0)),
                randn(5, 1, 2, 6, 6), randn(6, 2, 2, 3, 3));
    }

    @Test
    void conv2dDilatedOnNonContiguousInput() {
        Kernel2d k = new Kernel2d(2, 3, 1, 2, 1, 0, 2, 1);
        GradCheck.check(v -> ConvFunctions.conv2d(v[0], v[1], v[2], k),
                randn(7, 1, 2, 6, 5).transpose(2, 3), randn(8, 2, 2, 2, 3), randn(9, 2));
    }

    @Test
    void maxPool2dNonOverlappingAndOverlapping() {
        GradCheck.check(v -> ConvFunctions.maxPool2d(v[0], Kernel2d.square(2, 2, 0)), distinct(10, 0.1f, 2, 2, 4, 4));
        GradCheck.check(v -> ConvFunctions.maxPool2d(v[0], Kernel2d.square(3, 1, 1)), distinct(11, 0.1f, 1, 2, 4, 5));
    }

    @Test
    void avgPool2d() {
        GradCheck.check(v -> ConvFunctions.avgPool2d(v[0], Kernel2d.square(2, 2, 0), true), randn(12, 2, 2, 4, 4));
        GradCheck.check(v -> ConvFunctions.avgPool2d(v[0], Kernel2d.square(3, 2, 1), false), randn(13, 1, 2, 5, 5));
        GradCheck.check(v -> ConvFunctions.avgPool2d(v[0], Kernel2d.square(3, 2, 1), true), randn(14, 1, 2, 5, 5));
    }

    @Test
    void dropoutIsSeededAndDifferentiable() {
        GradCheck.check(v -> ConvFunctions.dropout(v[0], 0.4f, Rng.seeded(15)), randn(16, 4, 5));
        Var x = Var.param(Tensor.ones(1000));
        Var y = ConvFunctions.dropout(x, 0.25f, Rng.seeded(17));
        float[] ys = y.value().toFloatArray();
        int kept = 0;
        for (float f : ys) {
            if (f != 0f) {
                kept++;
                org.junit.jupiter.api.Assertions.assertEquals(1f / 0.75f, f, 1e-6f);
            }
        }
        org.junit.jupiter.api.Assertions.assertTrue(kept > 690 && kept < 810, "kept " + kept);
        assertArrayEquals(ys, ConvFunctions.dropout(x, 0.25f, Rng.seeded(17)).value().toFloatArray());
        assertSame(x, ConvFunctions.dropout(x, 0f, Rng.seeded(17)));
    }
}

package dev.shears.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shears.tensor.Shape;
import dev.shears.tensor.Tensor;

/** Assertions on tensors: shape first, then element-wise closeness reporting the worst element. */
public final class TensorAssert {
    private TensorAssert() {}

    /** Asserts {@code actual} has {@code shape} and elements within atol + rtol·|expected|. */
    public static void assertClose(double[] expected, Shape shape, Tensor actual, double rtol, double atol, String context) {
        assertEquals(shape, actual.shape(), context + ": shape");
        ArrayAssert.assertClose(expected, actual.toFloatArray(), rtol, atol, context + " " + shape);
    }

    /** Asserts two tensors have the same shape and close elements. */
    public static void assertClose(Tensor expected, Tensor actual, double rtol, double atol, String context) {
        assertEquals(expected.shape(), actual.shape(), context + ": shape");
        ArrayAssert.assertClose(expected.toFloatArray(), actual.toFloatArray(), rtol, atol, context + " " + expected.shape());
    }
}

package dev.shears.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.tensor.simd.Simd;
import dev.shears.testing.ArrayAssert;
import dev.shears.testing.Operands;
import dev.shears.testing.Operands.Kind;
import dev.shears.testing.Operands.Operand;
import dev.shears.testing.Reference;
import dev.shears.testing.TensorAssert;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TensorSoftmaxTest {
    private static final int L = Simd.LANES;

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {1200, 1201})
    void softmaxAlongEveryAxisOnEveryLayout(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[][] shapes = {{3, L + 1, 5}, {2, 7, 4 * L + 3}, {L - 1 > 0 ? L - 1 : 1}, {1}, {5, L}, {1, 33}};
        for (int[] dims : shapes) {
            Shape s = Shape.of(dims);
            for (Kind kind : Kind.values()) {
                float[] v = Operands.gaussian(rnd, s.numel());
                for (int i = 0; i < v.length; i++) {
                    v[i] *= 4;
                }
                Operand x = Operands.of(kind, v, rnd, dims);
                for (int axis = -s.rank(); axis < s.rank(); axis++) {
                    int a = axis < 0 ? axis + s.rank() : axis;
                    String ctx = "seed " + seed + " " + x + " axis " + axis;
                    Tensor sm = x.tensor().softmax(axis);
                    TensorAssert.assertClose(Reference.softmax(v, s, a, false), s, sm, 2e-6, 1e-8, "softmax " + ctx);
                    TensorAssert.assertClose(Reference.softmax(v, s, a, true), s, x.tensor().logSoftmax(axis), 2e-6,
                            2e-6, "logSoftmax " + ctx);
                    ArrayAssert.assertClose(ones(s.numel() / s.dim(a)), sm.sum(axis, false).toFloatArray(), 1e-5, 0,
                            "rows sum to 1: " + ctx);
                }
                assertArrayEquals(v, x.tensor().toFloatArray(), "softmax leaves its input unchanged");
            }
            Operand e = Operands.expanded(rnd, dims.length == 1 ? new int[] {4, dims[0]} : dims);
            if (e.shape().numel() > 1) {
                for (int a = 0; a < e.shape().rank(); a++) {
                    TensorAssert.assertClose(Reference.softmax(e.values(), e.shape(), a, false), e.shape(),
                            e.tensor().softmax(a), 2e-6, 1e-8, "softmax seed " + seed + " " + e + " axis " + a);
                }
            }
        }
    }

    private static double[] ones(int n) {
        double[] r = new double[n];
        java.util.Arrays.fill(r, 1);
        return r;
    }

    @Test
    void hugeLogitsStayFiniteAndCorrect() {
        int n = 2 * L + 3;
        float[] row = new float[n];
        for (int i = 0; i < n; i++) {
            row[i] = i % 3 == 0 ? 1e4f - i : (i % 3 == 1 ? -1e4f + i : 0f);
        }
        row[n - 1] = 1e4f; // the maximum sits in the scalar tail
        Tensor t = Tensor.of(row, 1, n);
        Shape s = t.shape();
        for (int axis : new int[] {1, 0}) {
            // Axis 0 of [n, 2] has inner size 2, axis 1 of [1, n] is a contiguous row.
            Tensor x = axis == 1 ? t : Tensor.of(row, n, 1).expand(n, 2);
            float[] xv = x.toFloatArray();
            Shape xs = x.shape();
            int a = axis == 1 ? 1 : 0;
            Tensor sm = x.softmax(a);
            Tensor lsm = x.logSoftmax(a);
            for (float f : sm.toFloatArray()) {
                assertTrue(Float.isFinite(f), "softmax of ±1e4 logits is finite");
            }
            for (float f : lsm.toFloatArray()) {
                assertTrue(Float.isFinite(f), "logSoftmax of ±1e4 logits is finite");
            }
            TensorAssert.assertClose(Reference.softmax(xv, xs, a, false), xs, sm, 1e-6, 1e-30, "softmax ±1e4 axis " + a);
            TensorAssert.assertClose(Reference.softmax(xv, xs, a, true), xs, lsm, 1e-6, 1e-3, "logSoftmax ±1e4 axis " + a);
        }
        assertEquals(Shape.of(1, n), s);
        // Two equal huge logits share the probability.
        float[] two = Tensor.of(new float[] {1e4f, 1e4f, -1e4f}, 3).softmax(0).toFloatArray();
        assertArrayEquals(new float[] {0.5f, 0.5f, 0f}, two);
        float[] lt = Tensor.of(new float[] {-1e4f, 1e4f}, 2).logSoftmax(0).toFloatArray();
        assertEquals(-2e4f, lt[0], 1e-3f);
        assertEquals(0f, lt[1]);
    }

    @Test
    void fullyMaskedRowsGiveNaN() {
        int n = L + 1;
        float[] v = new float[2 * n];
        java.util.Arrays.fill(v, 0, n, Float.NEGATIVE_INFINITY);
        Tensor t = Tensor.of(v, 2, n);
        float[] sm = t.softmax(1).toFloatArray();
        for (int i = 0; i < n; i++) {
            assertTrue(Float.isNaN(sm[i]), "an all -inf row has no distribution");
            assertEquals(1f / n, sm[n + i], 1e-7f);
        }
        float[] masked = Tensor.of(new float[] {Float.NEGATIVE_INFINITY, 0f, 0f}, 3).softmax(0).toFloatArray();
        assertArrayEquals(new float[] {0f, 0.5f, 0.5f}, masked, "-inf entries get probability 0");
    }

    @Test
    void errors() {
        Tensor t = Tensor.zeros(2, 3);
        ShapeException e = assertThrows(ShapeException.class, () -> t.softmax(2));
        assertEquals("softmax: axis 2 is out of range for shape [2, 3] (rank 2; valid axes -2..1)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> t.logSoftmax(-3));
        assertEquals("logSoftmax: axis -3 is out of range for shape [2, 3] (rank 2; valid axes -2..1)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Tensor.scalar(1f).softmax(0));
        assertTrue(e.getMessage().startsWith("softmax: axis 0 is out of range for shape []"), e.getMessage());
        DTypeException d = assertThrows(DTypeException.class, () -> Tensor.ofInts(new int[] {1}, 1).softmax(0));
        assertEquals("softmax: expected F32, got I32 (shape [1])", d.getMessage());
        assertEquals(Shape.of(0, 3), Tensor.zeros(0, 3).softmax(1).shape());
    }
}

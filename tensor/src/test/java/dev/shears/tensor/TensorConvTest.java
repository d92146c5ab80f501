package dev.shears.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.shears.testing.ArrayAssert;
import dev.shears.testing.Operands;
import dev.shears.testing.Operands.Kind;
import dev.shears.testing.Operands.Operand;
import dev.shears.testing.Reference;
import dev.shears.testing.TensorAssert;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TensorConvTest {

    /** Image shapes [n, c, h, w] and windows, awkward on purpose. */
    private static List<Object[]> cases() {
        List<Object[]> c = new ArrayList<>();
        c.add(new Object[] {new int[] {1, 1, 1, 1}, new Kernel2d(1, 1, 1, 1, 0, 0, 1, 1)});
        c.add(new Object[] {new int[] {2, 3, 7, 5}, Kernel2d.square(3, 1, 1)});
        c.add(new Object[] {new int[] {1, 2, 8, 9}, Kernel2d.square(3, 2, 1)});
        c.add(new Object[] {new int[] {2, 1, 17, 6}, new Kernel2d(5, 2, 3, 1, 2, 1, 1, 1)});
        c.add(new Object[] {new int[] {1, 3, 9, 11}, new Kernel2d(3, 3, 2, 3, 1, 0, 2, 3)});
        c.add(new Object[] {new int[] {3, 2, 4, 4}, Kernel2d.square(4, 4, 0)});
        c.add(new Object[] {new int[] {1, 1, 5, 5}, Kernel2d.square(2, 3, 1)});
        c.add(new Object[] {new int[] {1, 2, 3, 31}, new Kernel2d(1, 7, 1, 5, 0, 3, 1, 1)});
        return c;
    }

    private static String describe(Operand x, Kernel2d k) {
        return x + " " + k;
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {1600, 1601})
    void im2colAndCol2imMatchReferenceAndAreAdjoint(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (Object[] c : cases()) {
            int[] d = (int[]) c[0];
            Kernel2d k = (Kernel2d) c[1];
            for (Kind kind : new Kind[] {Kind.CONTIGUOUS, Kind.PERMUTED_NARROWED}) {
                Operand x = Operands.random(kind, rnd, d);
                int oh = Reference.outSize(d[2], k.kh(), k.strideH(), k.padH(), k.dilH());
                int ow = Reference.outSize(d[3], k.kw(), k.strideW(), k.padW(), k.dilW());
                Shape colShape = Shape.of(d[0], d[1] * k.kh() * k.kw(), oh * ow);
                String ctx = "seed " + seed + " " + describe(x, k);
                double[] expected = Reference.im2col(x.values(), d[0], d[1], d[2], d[3], k.kh(), k.kw(), k.strideH(),
                        k.strideW(), k.padH(), k.padW(), k.dilH(), k.dilW());
                Tensor cols = x.tensor().im2col(k);
                TensorAssert.assertClose(expected, colShape, cols, 0, 0, "im2col " + ctx);
                Tensor folded = x.tensor().im2col(k, true);
                TensorAssert.assertClose(expected, colShape, folded, 0, 0, "im2col batch in columns " + ctx);
                TensorAssert.assertClose(Reference.col2im(folded.toFloatArray(), d[0], d[1], d[2], d[3], k.kh(), k.kw(),
                        k.strideH(), k.strideW(), k.padH(), k.padW(), k.dilH(), k.dilW()), Shape.of(d),
                        folded.col2im(d[1], d[2], d[3], k), 1e-6, 1e-6, "col2im read batch in columns " + ctx);
                Operand y = Operands.random(kind == Kind.CONTIGUOUS ? Kind.TRANSPOSED : Kind.CONTIGUOUS, rnd,
                        colShape.dims());
                Tensor back = y.tensor().col2im(d[1], d[2], d[3], k);
                double[] expectedBack = Reference.col2im(y.values(), d[0], d[1], d[2], d[3], k.kh(), k.kw(), k.strideH(),
                        k.strideW(), k.padH(), k.padW(), k.dilH(), k.dilW());
                TensorAssert.assertClose(expectedBack, Shape.of(d), back, 1e-6, 1e-6, "col2im " + ctx);
                // <im2col(x), y> = <x, col2im(y)>
                double lhs = dot(cols.toFloatArray(), y.values());
                double rhs = dot(x.values(), back.toFloatArray());
                assertEquals(lhs, rhs, 1e-4 * (1 + Math.abs(lhs)), "adjoint " + ctx);
            }
        }
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    private static List<Object[]> poolCases() {
        List<Object[]> c = new ArrayList<>();
        c.add(new Object[] {new int[] {1, 1, 1, 1}, Kernel2d.square(1, 1, 0)});
        c.add(new Object[] {new int[] {2, 3, 7, 5}, Kernel2d.square(2, 2, 0)});
        c.add(new Object[] {new int[] {1, 2, 8, 9}, Kernel2d.square(3, 2, 1)});
        c.add(new Object[] {new int[] {2, 1, 17, 6}, new Kernel2d(5, 2, 3, 1, 2, 1, 1, 1)});
        c.add(new Object[] {new int[] {1, 3, 9, 11}, new Kernel2d(3, 4, 1, 3, 1, 2, 1, 1)});
        c.add(new Object[] {new int[] {3, 2, 4, 4}, Kernel2d.square(4, 4, 0)});
        c.add(new Object[] {new int[] {1, 1, 6, 6}, Kernel2d.square(3, 3, 1)});
        return c;
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {1610, 1611})
    void poolingMatchesNaiveLoops(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (Object[] c : poolCases()) {
            int[] d = (int[]) c[0];
            Kernel2d k = (Kernel2d) c[1];
            Shape s = Shape.of(d);
            for (Kind kind : new Kind[] {Kind.CONTIGUOUS, Kind.PERMUTED}) {
                // Few distinct values, so windows hold ties.
                float[] v = new float[s.numel()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = seed == 1610 ? rnd.nextInt(5) - 2 : (float) Operands.gaussian(rnd);
                }
                Operand x = Operands.of(kind, v, rnd, d);
                String ctx = "seed " + seed + " " + describe(x, k);
                int oh = Reference.outSize(d[2], k.kh(), k.strideH(), k.padH(), 1);
                int ow = Reference.outSize(d[3], k.kw(), k.strideW(), k.padW(), 1);
                Shape out = Shape.of(d[0], d[1], oh, ow);
                Reference.Pooled expected = Reference.maxPool2d(v, d[0], d[1], d[2], d[3], k.kh(), k.kw(), k.strideH(),
                        k.strideW(), k.padH(), k.padW());
                IndexedValues max = x.tensor().maxPool2d(k);
                TensorAssert.assertClose(expected.values(), out, max.values(), 0, 0, "maxPool2d values " + ctx);
                assertEquals(out, max.indices().shape());
                assertArrayEquals(expected.argmax(), max.indices().toIntArray(), "maxPool2d argmax (first maximum) " + ctx);
                for (boolean include : new boolean[] {true, false}) {
                    String c2 = ctx + " countIncludePad " + include;
                    Tensor avg = x.tensor().avgPool2d(k, include);
                    TensorAssert.assertClose(Reference.avgPool2d(v, d[0], d[1], d[2], d[3], k.kh(), k.kw(), k.strideH(),
                            k.strideW(), k.padH(), k.padW(), include), out, avg, 1e-6, 1e-6, "avgPool2d " + c2);
                    Operand g = Operands.random(Kind.TRANSPOSED, rnd, out.dims());
                    Tensor gin = g.tensor().avgPool2dBackward(s, k, include);
                    TensorAssert.assertClose(Reference.avgPool2dBackward(g.values(), d[0], d[1], d[2], d[3], k.kh(), k.kw(),
                            k.strideH(), k.strideW(), k.padH(), k.padW(), include), s, gin, 1e-6, 1e-6,
                            "avgPool2dBackward " + c2);
                    double lhs = dot(avg.toFloatArray(), g.values());
                    double rhs = dot(v, gin.toFloatArray());
                    assertEquals(lhs, rhs, 1e-4 * (1 + Math.abs(lhs)), "avgPool2dBackward is the adjoint: " + c2);
                }
                assertArrayEquals(v, x.tensor().toFloatArray(), "pooling leaves its input unchanged");
            }
        }
    }

    @Test
    void maxPoolPicksTheFirstNaN() {
        float[] v = {1, Float.NaN, 3, Float.NaN};
        IndexedValues r = Tensor.of(v, 1, 1, 2, 2).maxPool2d(Kernel2d.square(2, 1, 0));
        ArrayAssert.assertClose(new double[] {Double.NaN}, r.values().toFloatArray(), 0, 0, "NaN wins");
        assertArrayEquals(new int[] {1}, r.indices().toIntArray(), "the first NaN in scan order");
        float[] ties = {7, 7, 7, 7};
        assertArrayEquals(new int[] {0}, Tensor.of(ties, 1, 1, 2, 2).maxPool2d(Kernel2d.square(2, 1, 0)).indices().toIntArray());
    }

    @Test
    void errors() {
        Tensor img = Tensor.zeros(1, 2, 4, 4);
        ShapeException e = assertThrows(ShapeException.class, () -> img.im2col(Kernel2d.square(5, 1, 0)));
        assertEquals("im2col: window 5x5 (with dilation) is larger than the padded input 4x4", e.getMessage());
        e = assertThrows(ShapeException.class, () -> img.im2col(new Kernel2d(3, 3, 1, 1, 0, 0, 2, 1)));
        assertEquals("im2col: window 5x3 (with dilation) is larger than the padded input 4x4", e.getMessage());
        e = assertThrows(ShapeException.class, () -> img.maxPool2d(Kernel2d.square(6, 1, 0)));
        assertEquals("maxPool2d: window 6x6 (with dilation) is larger than the padded input 4x4", e.getMessage());
        e = assertThrows(ShapeException.class, () -> img.avgPool2d(Kernel2d.square(7, 1, 1), true));
        assertEquals("avgPool2d: window 7x7 (with dilation) is larger than the padded input 6x6", e.getMessage());
        e = assertThrows(ShapeException.class, () -> img.maxPool2d(new Kernel2d(2, 2, 1, 1, 0, 0, 2, 1)));
        assertEquals("maxPool2d: dilation 2x1 is not supported for pooling; use 1x1", e.getMessage());
        e = assertThrows(ShapeException.class, () -> img.avgPool2d(new Kernel2d(2, 2, 1, 1, 0, 0, 1, 3), false));
        assertEquals("avgPool2d: dilation 1x3 is not supported for pooling; use 1x1", e.getMessage());
        e = assertThrows(ShapeException.class,
                () -> Tensor.zeros(1, 2, 3, 3).avgPool2dBackward(Shape.of(1, 2, 4, 4), new Kernel2d(2, 2, 1, 1, 0, 0, 2, 2), true));
        assertEquals("avgPool2dBackward: dilation 2x2 is not supported for pooling; use 1x1", e.getMessage());
        e = assertThrows(ShapeException.class, () -> img.maxPool2d(Kernel2d.square(2, 1, 2)));
        assertEquals("maxPool2d: padding 2x2 must be at most half the window 2x2", e.getMessage());
        // A padding above half the window leaves windows entirely in the padding (0/0 without countIncludePad).
        e = assertThrows(ShapeException.class, () -> img.avgPool2d(Kernel2d.square(2, 1, 2), false));
        assertEquals("avgPool2d: padding 2x2 must be at most half the window 2x2", e.getMessage());
        e = assertThrows(ShapeException.class, () -> img.avgPool2d(new Kernel2d(3, 2, 1, 1, 1, 2, 1, 1), true));
        assertEquals("avgPool2d: padding 1x2 must be at most half the window 3x2", e.getMessage());
        e = assertThrows(ShapeException.class,
                () -> Tensor.zeros(1, 2, 7, 7).avgPool2dBackward(Shape.of(1, 2, 4, 4), Kernel2d.square(2, 1, 2), false));
        assertEquals("avgPool2dBackward: padding 2x2 must be at most half the window 2x2", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Tensor.zeros(2, 4, 4).im2col(Kernel2d.square(2, 1, 0)));
        assertEquals("im2col: expected an NCHW image batch of rank 4, got shape [2, 4, 4]", e.getMessage());
        assertEquals(Shape.of(1, 2, 4, 4), Tensor.zeros(1, 8, 9).col2im(2, 4, 4, Kernel2d.square(2, 1, 0)).shape());
        e = assertThrows(ShapeException.class, () -> Tensor.zeros(8, 9).col2im(2, 4, 4, Kernel2d.square(2, 1, 0)));
        assertEquals("col2im: expected columns of rank 3, got shape [8, 9]", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Tensor.zeros(1, 8, 10).col2im(2, 4, 4, Kernel2d.square(2, 1, 0)));
        assertEquals("col2im: columns [1, 8, 10] do not match [1, 8, 9] for image [1, 2, 4, 4] and "
                + Kernel2d.square(2, 1, 0), e.getMessage());
        e = assertThrows(ShapeException.class,
                () -> Tensor.zeros(1, 2, 3, 3).avgPool2dBackward(Shape.of(1, 2, 4, 4), Kernel2d.square(2, 2, 0), true));
        assertEquals("avgPool2dBackward (gradient vs pooled shape): lhs [1, 2, 3, 3] and rhs [1, 2, 2, 2] must have the same shape",
                e.getMessage());
        e = assertThrows(ShapeException.class, () -> Kernel2d.square(0, 1, 0));
        assertEquals("Kernel2d: window 0x0 must be at least 1x1", e.getMessage());
        e = assertThrows(ShapeException.class, () -> new Kernel2d(2, 2, 0, 1, 0, 0, 1, 1));
        assertEquals("Kernel2d: stride 0x1 must be at least 1", e.getMessage());
        e = assertThrows(ShapeException.class, () -> new Kernel2d(2, 2, 1, 1, -1, 0, 1, 1));
        assertEquals("Kernel2d: padding -1x0 must not be negative", e.getMessage());
        e = assertThrows(ShapeException.class, () -> new Kernel2d(2, 2, 1, 1, 0, 0, 0, 1));
        assertEquals("Kernel2d: dilation 0x1 must be at least 1", e.getMessage());
        DTypeException d = assertThrows(DTypeException.class,
                () -> Tensor.zeros(DType.I32, 1, 1, 2, 2).maxPool2d(Kernel2d.square(1, 1, 0)));
        assertEquals("maxPool2d: expected F32, got I32 (shape [1, 1, 2, 2])", d.getMessage());
        assertEquals(Shape.of(0, 2, 3, 3), Tensor.zeros(0, 2, 4, 4).avgPool2d(Kernel2d.square(2, 1, 0), true).shape());
    }

    /** conv2d and its weight gradient (direct for few taps, im2col otherwise) equal the im2col products. */
    @Test
    void conv2dAndWeightGradientMatchIm2colProducts() {
        Rng rng = Rng.seeded(71);
        for (Object[] c : cases()) {
            int[] dims = (int[]) c[0];
            Kernel2d k = (Kernel2d) c[1];
            int o = 3;
            Tensor x = Tensor.randn(rng, dims);
            Tensor weight = Tensor.randn(rng, o, dims[1], k.kh(), k.kw());
            Tensor cols = x.im2col(k);                                    // [n, c·kh·kw, L]
            Tensor wm = weight.reshape(o, -1);
            Tensor expected = wm.matmul(cols);                            // [n, o, L]
            Tensor y = x.conv2d(weight, k);
            String ctx = java.util.Arrays.toString(dims) + " " + k;
            ArrayAssert.assertClose(expected.toFloatArray(), y.toFloatArray(), 1e-5, 1e-5, ctx + " conv2d");
            assertEquals(Shape.of(dims[0], o, y.dim(2), y.dim(3)), y.shape(), ctx);
            assertEquals(expected.dim(2), y.dim(2) * y.dim(3), ctx);

            Tensor gy = Tensor.randn(rng, y.shape().dims());
            Tensor gyFlat = gy.reshape(dims[0], o, -1);
            Tensor expectedGrad = gyFlat.matmul(cols.transpose(1, 2)).sum(0, false);  // Σ_n gy_n · cols_nᵀ
            Tensor grad = x.conv2dWeightGrad(gy, k, weight.shape());
            assertEquals(weight.shape(), grad.shape(), ctx);
            ArrayAssert.assertClose(expectedGrad.toFloatArray(), grad.toFloatArray(), 1e-4, 1e-4, ctx + " weight grad");
        }
    }

    @Test
    void conv2dRejectsMismatchedWeightsAndGradients() {
        Tensor x = Tensor.zeros(2, 3, 8, 8);
        Kernel2d k = Kernel2d.square(3, 1, 0);
        ShapeException e = assertThrows(ShapeException.class, () -> x.conv2d(Tensor.zeros(4, 2, 3, 3), k));
        assertEquals(true, e.getMessage().contains("[4, 2, 3, 3]"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> x.conv2dWeightGrad(Tensor.zeros(2, 4, 5, 5), k, Shape.of(4, 3, 3, 3)));
        assertEquals(true, e.getMessage().contains("[2, 4, 5, 5]"), e.getMessage());
    }

    @Test
    void maxPoolBackwardMatchesScatterAndRejectsMismatchedShapes() {
        Tensor x = Tensor.randn(Rng.seeded(72), 2, 3, 6, 6);
        IndexedValues pooled = x.maxPool2d(Kernel2d.square(2, 2, 0));
        Tensor g = Tensor.randn(Rng.seeded(73), 2, 3, 3, 3);
        Tensor expected = Tensor.zeros(2, 3, 36).scatterAdd(2, pooled.indices().reshape(2, 3, -1), g.reshape(2, 3, -1));
        assertArrayEquals(expected.toFloatArray(), g.maxPool2dBackward(pooled.indices(), x.shape()).toFloatArray());
        ShapeException e = assertThrows(ShapeException.class,
                () -> g.maxPool2dBackward(pooled.indices().reshape(2, 3, 9), x.shape()));
        assertEquals(true, e.getMessage().contains("[2, 3, 9]"), e.getMessage());
    }
}

package dev.shears.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import dev.shears.testing.ArrayAssert;
import dev.shears.testing.Operands;
import dev.shears.testing.Operands.Kind;
import dev.shears.testing.Operands.Operand;
import dev.shears.testing.Reference;
import dev.shears.testing.Reference.Reduction;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class TensorReduceTest {
    private static final int L = Simd.LANES;

    /** A shape and the axis sets to reduce it over (single, consecutive, scattered, all, negative). */
    record Case(int[] dims, int[][] axisSets) {
        @Override
        public String toString() {
            return Arrays.toString(dims);
        }
    }

    static Stream<Arguments> cases() {
        Case[] cases = {
            new Case(new int[] {3, L + 1, 5}, new int[][] {{0}, {1}, {2}, {-1}, {0, 1}, {1, 2}, {0, 2}, {2, 0}, {0, 1, 2}}),
            new Case(new int[] {2, 3, 1, 2 * L - 1}, new int[][] {{1, 3}, {0, 2, 3}, {0, 3}, {2}, {-4, -1}, {0, 1, 2, 3}}),
            new Case(new int[] {L + 1}, new int[][] {{0}}),
            new Case(new int[] {1}, new int[][] {{0}}),
            new Case(new int[] {33, 17}, new int[][] {{0}, {1}, {0, 1}}),
            new Case(new int[] {7, 1, 31}, new int[][] {{1}, {0, 2}, {-2, -1}}),
        };
        Stream.Builder<Arguments> b = Stream.builder();
        long seed = 700;
        for (Case c : cases) {
            b.add(Arguments.of(c, seed++));
        }
        return b.build();
    }

    private static int[] normalize(int[] axes, int rank) {
        int[] n = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            n[i] = axes[i] < 0 ? axes[i] + rank : axes[i];
        }
        Arrays.sort(n);
        return n;
    }

    private static Shape reducedShape(Shape s, int[] norm, boolean keepDim) {
        int[] out = new int[keepDim ? s.rank() : s.rank() - norm.length];
        for (int a = 0, j = 0; a < s.rank(); a++) {
            boolean reduced = Arrays.binarySearch(norm, a) >= 0;
            if (keepDim) {
                out[j++] = reduced ? 1 : s.dim(a);
            } else if (!reduced) {
                out[j++] = s.dim(a);
            }
        }
        return Shape.of(out);
    }

    /** Error bound of a float sum: a few ulps of Σ|x| per output. */
    private static double[] sumBound(float[] v, Shape s, int[] norm, double scale) {
        float[] abs = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            abs[i] = Math.abs(v[i]);
        }
        double[] b = Reference.reduce(abs, s, norm, Reduction.SUM);
        for (int i = 0; i < b.length; i++) {
            b[i] = 1e-6 * b[i] * scale + 1e-30;
        }
        return b;
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void reductionsMatchReferenceOnEveryLayout(Case c, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Shape s = Shape.of(c.dims);
        for (Kind kind : Kind.values()) {
            Operand x = Operands.random(kind, rnd, c.dims);
            checkReductions(x, c, seed);
        }
        checkReductions(Operands.expanded(rnd, c.dims), c, seed);
        assertEquals(s, Shape.of(c.dims));
    }

    private static void checkReductions(Operand x, Case c, long seed) {
        Shape s = x.shape();
        Tensor t = x.tensor();
        float[] v = x.values();
        for (int[] axes : c.axisSets) {
            int[] norm = normalize(axes, s.rank());
            int count = 1;
            for (int a : norm) {
                count *= s.dim(a);
            }
            for (boolean keepDim : new boolean[] {false, true}) {
                Shape out = reducedShape(s, norm, keepDim);
                String ctx = "seed " + seed + " " + x + " axes " + Arrays.toString(axes) + " keepDim " + keepDim;
                Tensor sum = t.sum(axes, keepDim);
                assertEquals(out, sum.shape(), ctx);
                ArrayAssert.assertWithin(Reference.reduce(v, s, norm, Reduction.SUM), sumBound(v, s, norm, 1),
                        sum.toFloatArray(), "sum " + ctx);
                Tensor mean = t.mean(axes, keepDim);
                assertEquals(out, mean.shape());
                double[] meanBound = sumBound(v, s, norm, 1.0 / count);
                ArrayAssert.assertWithin(Reference.reduce(v, s, norm, Reduction.MEAN), meanBound, mean.toFloatArray(),
                        "mean " + ctx);
                ArrayAssert.assertClose(Reference.reduce(v, s, norm, Reduction.MAX), t.max(axes, keepDim).toFloatArray(),
                        0, 0, "max " + ctx);
                ArrayAssert.assertClose(Reference.reduce(v, s, norm, Reduction.MIN), t.min(axes, keepDim).toFloatArray(),
                        0, 0, "min " + ctx);
                assertEquals(out, t.max(axes, keepDim).shape());
                for (int correction : new int[] {0, 1}) {
                    if (count - correction > 0) {
                        Tensor var = t.var(axes, keepDim, correction);
                        assertEquals(out, var.shape());
                        ArrayAssert.assertClose(Reference.variance(v, s, norm, correction), var.toFloatArray(), 1e-4, 1e-6,
                                "var(correction " + correction + ") " + ctx);
                    }
                }
                if (axes.length == 1) {
                    ArrayAssert.assertClose(Reference.reduce(v, s, norm, Reduction.SUM), t.sum(axes[0], keepDim).toFloatArray(),
                            1e-5, 1e-5, "sum(int) " + ctx);
                    ArrayAssert.assertClose(Reference.reduce(v, s, norm, Reduction.MAX), t.max(axes[0], keepDim).toFloatArray(),
                            0, 0, "max(int) " + ctx);
                    if (count > 1) {
                        ArrayAssert.assertClose(Reference.variance(v, s, norm, 1), t.var(axes[0], keepDim).toFloatArray(),
                                1e-4, 1e-6, "var(int) " + ctx);
                    }
                }
            }
        }
        // All axes, as a rank-0 tensor.
        int[] all = new int[s.rank()];
        for (int a = 0; a < all.length; a++) {
            all[a] = a;
        }
        String ctx = "seed " + seed + " " + x + " all axes";
        assertEquals(Shape.scalar(), t.sum().shape());
        ArrayAssert.assertWithin(Reference.reduce(v, s, all, Reduction.SUM), sumBound(v, s, all, 1),
                t.sum().toFloatArray(), "sum() " + ctx);
        ArrayAssert.assertWithin(Reference.reduce(v, s, all, Reduction.MEAN), sumBound(v, s, all, 1.0 / s.numel()),
                t.mean().toFloatArray(), "mean() " + ctx);
        assertEquals((float) Reference.reduce(v, s, all, Reduction.MAX)[0], t.max().item(), ctx);
        assertEquals((float) Reference.reduce(v, s, all, Reduction.MIN)[0], t.min().item(), ctx);
        assertArrayEquals(v, t.toFloatArray(), ctx + ": the input is unchanged");
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {800, 801})
    void longSumAgainstDouble(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int n = 1_000_003;
        float[] gauss = Operands.gaussian(rnd, n);
        float[] pos = Operands.uniform(rnd, n, 0, 1);
        for (float[] v : new float[][] {gauss, pos}) {
            double exact = 0;
            double abs = 0;
            for (float f : v) {
                exact += f;
                abs += Math.abs(f);
            }
            Tensor t = Tensor.of(v, n);
            float sum = t.sum().item();
            assertEquals(exact, sum, 1e-6 * abs, "seed " + seed + ": sum of " + n + " elements, Σ|x| = " + abs);
            assertEquals(exact / n, t.mean().item(), 1e-6 * abs / n, "seed " + seed + ": mean");
            // The same elements through a strided view.
            Tensor strided = Tensor.of(v, n).unsqueeze(1).expand(n, 2).narrow(1, 0, 1).squeeze(1);
            assertEquals(exact, strided.sum().item(), 1e-6 * abs, "seed " + seed + ": strided sum");
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        SplittableRandom rnd = new SplittableRandom(900);
        float[] v = Operands.gaussian(rnd, 1_000_000);
        Tensor flat = Tensor.of(v, v.length);
        Tensor square = Tensor.of(v, 1000, 1000);
        Tensor wide = Tensor.of(v, 10, 100_000);
        // Only additions and comparisons in a fixed order: exp and friends may differ by an ulp
        // between interpreted and compiled code, so softmax is not compared bit for bit here.
        Tensor[] results = new Tensor[7];
        Runnable compute = () -> {
            results[0] = flat.sum();
            results[1] = square.sum(0, false);
            results[2] = square.sum(1, false);
            results[3] = wide.sum(0, false);
            results[4] = square.t().sum(0, false);
            results[5] = square.max(new int[] {0}, false);
            results[6] = wide.t().sum(1, false);
        };
        compute.run();
        float[][] many = Arrays.stream(results).map(Tensor::toFloatArray).toArray(float[][]::new);
        Parallel.withThreads(1, compute);
        for (int i = 0; i < results.length; i++) {
            assertArrayEquals(many[i], results[i].toFloatArray(), "result " + i + " differs between 1 and "
                    + Parallel.poolSize() + " threads (seed 900)");
        }
    }

    @Test
    void maxAndMinPropagateNaN() {
        int n = 4 * L + 3;
        for (int at : new int[] {0, L, n - 1}) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = i;
            }
            v[at] = Float.NaN;
            Tensor t = Tensor.of(v, n);
            assertTrue(Float.isNaN(t.max().item()), "max with NaN at " + at);
            assertTrue(Float.isNaN(t.min().item()), "min with NaN at " + at);
            assertTrue(Float.isNaN(t.sum().item()), "sum with NaN at " + at);
            Tensor m = Tensor.of(v, 1, n).expand(3, n).transpose(0, 1).contiguous(); // [n, 3], columns equal
            float[] colMax = m.max(0, false).toFloatArray();
            for (float f : colMax) {
                assertTrue(Float.isNaN(f), "column max with NaN at row " + at);
            }
            float[] rowMin = m.min(1, false).toFloatArray();
            assertTrue(Float.isNaN(rowMin[at]), "row min of the NaN row " + at);
            assertEquals(at == 0 ? 1f : 0f, rowMin[at == 0 ? 1 : 0]);
        }
        float[] inf = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
        assertEquals(Float.NEGATIVE_INFINITY, Tensor.of(inf, 2).max().item());
    }

    @Test
    void argmaxAndArgmin() {
        SplittableRandom rnd = new SplittableRandom(1000);
        int[][] shapes = {{L + 1}, {3, L + 1, 5}, {7, 1, 31}, {33, 17}};
        for (int[] dims : shapes) {
            Shape s = Shape.of(dims);
            for (Kind kind : new Kind[] {Kind.CONTIGUOUS, Kind.PERMUTED_NARROWED, Kind.TRANSPOSED}) {
                // Few distinct values, so ties are common.
                float[] v = new float[s.numel()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = rnd.nextInt(4);
                }
                Operand x = Operands.of(kind, v, rnd, dims);
                for (int axis = -s.rank(); axis < s.rank(); axis++) {
                    int a = axis < 0 ? axis + s.rank() : axis;
                    String ctx = "seed 1000 " + x + " axis " + axis;
                    Tensor am = x.tensor().argmax(axis, false);
                    assertEquals(DType.I32, am.dtype());
                    assertEquals(s.remove(a), am.shape(), ctx);
                    assertArrayEquals(Reference.argReduce(v, s, a, true), am.toIntArray(), "argmax " + ctx);
                    assertArrayEquals(Reference.argReduce(v, s, a, false), x.tensor().argmin(axis, false).toIntArray(),
                            "argmin " + ctx);
                    Tensor kept = x.tensor().argmax(axis, true);
                    assertEquals(s.with(a, 1), kept.shape());
                }
            }
        }
        Tensor ties = Tensor.of(new float[] {1, 5, 5, 0, 0, 5}, 6);
        assertEquals(1, ties.argmax(0, false).toIntArray()[0], "first maximum");
        assertEquals(3, ties.argmin(0, false).toIntArray()[0], "first minimum");
    }

    @Test
    void argReductionsPickTheFirstNaN() {
        int n = 2 * L + 11;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        v[5] = Float.NaN;
        v[9] = Float.NaN;
        Tensor t = Tensor.of(v, n);
        assertEquals(5, t.argmax(0, false).toIntArray()[0], "a NaN is the maximum, the first NaN wins");
        assertEquals(5, t.argmin(0, false).toIntArray()[0], "a NaN is also the minimum");
        float[] first = {Float.NaN, 3, Float.NaN};
        assertEquals(0, Tensor.of(first, 3).argmax(0, false).toIntArray()[0]);
        assertArrayEquals(Reference.argReduce(v, Shape.of(n), 0, true), t.argmax(0, false).toIntArray());
    }

    @Test
    void emptyAndInvalidAxesAreErrors() {
        Tensor empty = Tensor.zeros(2, 0);
        ShapeException e = assertThrows(ShapeException.class, () -> empty.max(1, false));
        assertEquals("max: tensor is empty (shape [2, 0]); it needs at least one element", e.getMessage());
        e = assertThrows(ShapeException.class, () -> empty.min());
        assertEquals("min: tensor is empty (shape [2, 0]); it needs at least one element", e.getMessage());
        e = assertThrows(ShapeException.class, () -> empty.mean(1, true));
        assertEquals("mean: tensor is empty (shape [2, 0]); it needs at least one element", e.getMessage());
        e = assertThrows(ShapeException.class, () -> empty.argmax(1, false));
        assertEquals("argmax: tensor is empty (shape [2, 0]); it needs at least one element", e.getMessage());
        e = assertThrows(ShapeException.class, () -> empty.argmin(-1, false));
        assertEquals("argmin: tensor is empty (shape [2, 0]); it needs at least one element", e.getMessage());
        assertArrayEquals(new float[] {0, 0}, empty.sum(1, false).toFloatArray(), "an empty sum is 0");
        assertEquals(Shape.of(0), empty.max(0, false).shape(), "reducing a non-empty axis of an empty tensor is fine");
        Tensor t = Tensor.zeros(2, 3, 4);
        e = assertThrows(ShapeException.class, () -> t.sum(3, false));
        assertEquals("sum: axis 3 is out of range for shape [2, 3, 4] (rank 3; valid axes -3..2)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> t.sum(new int[] {1, -2}, false));
        assertEquals("sum: axis 1 is listed twice in [1, -2]", e.getMessage());
        e = assertThrows(ShapeException.class, () -> t.argmax(-4, false));
        assertEquals("argmax: axis -4 is out of range for shape [2, 3, 4] (rank 3; valid axes -3..2)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Tensor.zeros(3, 1).var(1, false));
        assertEquals("var: 1 elements per output with correction 1 leaves no degrees of freedom (shape [3, 1], axes [1])",
                e.getMessage());
        IllegalArgumentException c = assertThrows(IllegalArgumentException.class,
                () -> t.var(new int[] {0}, false, -1));
        assertEquals("var: correction -1 must be >= 0", c.getMessage());
        DTypeException d = assertThrows(DTypeException.class, () -> Tensor.ofInts(new int[] {1, 2}, 2).sum());
        assertEquals("sum: expected F32, got I32 (shape [2])", d.getMessage());
    }

    @Test
    void scalarAndTrivialReductions() {
        Tensor s = Tensor.scalar(4f);
        assertEquals(4f, s.sum().item());
        assertEquals(4f, s.mean().item());
        assertEquals(4f, s.max().item());
        Tensor t = Tensor.arange(6).reshape(2, 3);
        assertArrayEquals(t.toFloatArray(), t.sum(new int[0], false).toFloatArray(), "no axes: nothing is reduced");
        assertEquals(Shape.of(2, 3), t.sum(new int[0], true).shape());
    }

    @Test
    void varianceIsStableUnderALargeOffset() {
        SplittableRandom rnd = new SplittableRandom(1100);
        int n = 10_000;
        float[] v = Operands.gaussian(rnd, n);
        for (int i = 0; i < n; i++) {
            v[i] += 1000f;
        }
        double expected = Reference.variance(v, Shape.of(n), new int[] {0}, 1)[0];
        assertEquals(expected, t(v).var(0, false).item(), 1e-3 * expected, "seed 1100: var of 1000 + N(0, 1)");
    }

    private static Tensor t(float[] v) {
        return Tensor.of(v, v.length);
    }
}

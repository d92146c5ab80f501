package dev.shears.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.shears.tensor.simd.Simd;
import dev.shears.tensor.spi.UnaryOp;
import dev.shears.testing.ArrayAssert;
import dev.shears.testing.AwkwardSizes;
import dev.shears.testing.Operands;
import dev.shears.testing.Reference;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Tag("kernel")
class UnaryKernelTest {
    private static final float P0_POW = 2.5f;
    private static final float P0_CLAMP = -0.5f;
    private static final float P1_CLAMP = 1.25f;
    private static final float SENTINEL = -7777.5f;
    /** (srcStride, dstStride) pairs: unit, gathered, scattered, broadcast source, both strided. */
    private static final int[][] STRIDES = {{1, 1}, {2, 1}, {1, 2}, {0, 1}, {3, 2}};

    static float p0(UnaryOp op) {
        return switch (op) {
            case POW -> P0_POW;
            case CLAMP -> P0_CLAMP;
            default -> 0f;
        };
    }

    static float p1(UnaryOp op) {
        return op == UnaryOp.CLAMP ? P1_CLAMP : 0f;
    }

    /** The definition, from the math. */
    static DoubleUnaryOperator definition(UnaryOp op) {
        return switch (op) {
            case NEG -> x -> -x;
            case ABS -> Math::abs;
            case EXP -> Math::exp;
            case LOG -> Math::log;
            case SQRT -> Math::sqrt;
            case RSQRT -> x -> 1 / Math.sqrt(x);
            case TANH -> Math::tanh;
            case SIGMOID -> Reference::sigmoid;
            case RELU -> x -> Math.max(x, 0);
            case GELU_TANH -> Reference::geluTanh;
            case GELU_ERF -> Reference::geluErf;
            case SILU -> x -> x * Reference.sigmoid(x);
            case SQUARE -> x -> x * x;
            case RECIPROCAL -> x -> 1 / x;
            case POW -> x -> Math.pow(x, P0_POW);
            case CLAMP -> x -> Math.min(Math.max(x, P0_CLAMP), P1_CLAMP);
        };
    }

    static boolean positiveDomain(UnaryOp op) {
        return switch (op) {
            case LOG, SQRT, RSQRT, RECIPROCAL, POW -> true;
            default -> false;
        };
    }

    /** Relative and absolute tolerance of the float result against the double definition. */
    static double[] tolerance(UnaryOp op) {
        return switch (op) {
            case NEG, ABS, RELU, CLAMP -> new double[] {0, 0};
            case SQUARE, SQRT, RECIPROCAL -> new double[] {1e-7, 0};
            case GELU_ERF, GELU_TANH -> new double[] {1e-5, 1e-6};
            case POW -> new double[] {1e-5, 0};
            default -> new double[] {2e-6, 1e-7};
        };
    }

    private static float[] inputs(UnaryOp op, SplittableRandom rnd, int n) {
        float[] v = Operands.gaussian(rnd, n);
        for (int i = 0; i < n; i++) {
            v[i] = positiveDomain(op) ? 0.05f + Math.abs(3 * v[i]) : 3 * v[i];
        }
        return v;
    }

    @FunctionalInterface
    interface Kernel {
        void run(UnaryOp op, float p0, float p1, float[] src, int srcOff, int srcStride, float[] dst, int dstOff,
                 int dstStride, int n);
    }

    private static void check(UnaryOp op, Kernel kernel, String which, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] tol = tolerance(op);
        for (int n : AwkwardSizes.all()) {
            for (int[] st : STRIDES) {
                int ss = st[0];
                int ds = st[1];
                int srcOff = 3;
                int dstOff = 5;
                float[] src = inputs(op, rnd, srcOff + Math.max(1, ss * (n - 1) + 1) + 4);
                float[] dst = new float[dstOff + ds * (n - 1) + 1 + 6];
                java.util.Arrays.fill(dst, SENTINEL);
                kernel.run(op, p0(op), p1(op), src, srcOff, ss, dst, dstOff, ds, n);
                float[] x = new float[n];
                float[] got = new float[n];
                for (int i = 0; i < n; i++) {
                    x[i] = src[srcOff + i * ss];
                    got[i] = dst[dstOff + i * ds];
                }
                String ctx = which + " " + op + " n " + n + " strides " + ss + "/" + ds + " seed " + seed + " bits " + Simd.BITS;
                ArrayAssert.assertClose(Reference.map(x, definition(op)), got, tol[0], tol[1], ctx);
                for (int i = 0; i < dst.length; i++) {
                    boolean written = i >= dstOff && (i - dstOff) % ds == 0 && (i - dstOff) / ds < n;
                    if (!written && dst[i] != SENTINEL) {
                        fail(ctx + ": wrote outside the destination run at " + i);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(UnaryOp.class)
    void runMatchesDefinition(UnaryOp op) {
        check(op, UnaryKernel::run, "run", 2000 + op.ordinal());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(UnaryOp.class)
    void referenceMatchesDefinition(UnaryOp op) {
        check(op, UnaryKernel::reference, "reference", 2100 + op.ordinal());
    }

    @Test
    void runAgreesWithReferenceOnSpecialValues() {
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1e-40f, -1e-40f, 1e-30f,
            89f, -89f, 104f, -104f, 20f, -20f, 0.5f, -0.5f};
        int n = special.length * (Simd.LANES + 1) + 3;
        float[] src = new float[n];
        for (int i = 0; i < n; i++) {
            src[i] = special[i % special.length];
        }
        for (UnaryOp op : UnaryOp.values()) {
            float[] vec = new float[n];
            float[] scalar = new float[2 * n];
            float[] ref = new float[n];
            UnaryKernel.run(op, p0(op), p1(op), src, 0, 1, vec, 0, 1, n);
            UnaryKernel.run(op, p0(op), p1(op), src, 0, 1, scalar, 0, 2, n);
            UnaryKernel.reference(op, p0(op), p1(op), src, 0, 1, ref, 0, 1, n);
            double[] expected = Reference.map(src, definition(op));
            for (int i = 0; i < n; i++) {
                expected[i] = (float) expected[i];
            }
            double[] tol = tolerance(op);
            ArrayAssert.assertClose(expected, vec, Math.max(tol[0], 1e-5), Math.max(tol[1], 1e-6), op + " vector path, specials");
            float[] strided = new float[n];
            for (int i = 0; i < n; i++) {
                strided[i] = scalar[2 * i];
            }
            ArrayAssert.assertClose(expected, strided, Math.max(tol[0], 1e-5), Math.max(tol[1], 1e-6), op + " scalar path, specials");
            ArrayAssert.assertClose(expected, ref, Math.max(tol[0], 1e-5), Math.max(tol[1], 1e-6), op + " reference, specials");
        }
    }

    /** f'(x) from the math, for the ops with a gradient kernel. */
    private static double derivative(UnaryOp op, double x) {
        return switch (op) {
            case GELU_ERF -> 0.5 * (1 + Reference.erf(x / Math.sqrt(2))) + x * Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
            case GELU_TANH -> {
                double c = Math.sqrt(2 / Math.PI);
                double t = Math.tanh(c * (x + 0.044715 * x * x * x));
                yield 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x);
            }
            case SILU -> Reference.sigmoid(x) * (1 + x * (1 - Reference.sigmoid(x)));
            default -> throw new IllegalArgumentException(op.toString());
        };
    }

    @Test
    void gradKernelsMatchTheDerivativeAndTheirScalarTwins() {
        SplittableRandom rnd = new SplittableRandom(77);
        for (UnaryOp op : UnaryOp.values()) {
            if (!UnaryKernel.hasGrad(op)) {
                continue;
            }
            for (int n : AwkwardSizes.all()) {
                float[] x = inputs(op, rnd, n + 3);
                float[] g = Operands.gaussian(rnd, n + 1);
                double[] expected = new double[n];
                for (int i = 0; i < n; i++) {
                    expected[i] = g[1 + i] * derivative(op, x[3 + i]);
                }
                String ctx = op + " grad n " + n + " bits " + Simd.BITS;
                float[] dst = new float[n + 2];
                java.util.Arrays.fill(dst, SENTINEL);
                UnaryKernel.runGrad(op, x, 3, 1, g, 1, 1, dst, 1, 1, n);
                // GELU_TANH: 1 + tanh u and 1 - tanh²u cancel for negative x (|x·u'| up to ~10 there),
                // as in the composed formula this replaces: absolute error ~1e-6.
                double atol = op == UnaryOp.GELU_TANH ? 1e-5 : 1e-6;
                ArrayAssert.assertClose(expected, java.util.Arrays.copyOfRange(dst, 1, n + 1), 1e-5, atol, ctx);
                assertEquals(SENTINEL, dst[0], ctx + ": wrote before the destination");
                assertEquals(SENTINEL, dst[n + 1], ctx + ": wrote past the destination");
                float[] ref = new float[n];
                UnaryKernel.gradReference(op, x, 3, 1, g, 1, 1, ref, 0, 1, n);
                ArrayAssert.assertClose(expected, ref, 1e-6, 1e-7, ctx + " reference");
                // strided runs take the scalar twin: the same bits as the vector body
                float[] xs = new float[2 * n];
                for (int i = 0; i < n; i++) {
                    xs[2 * i] = x[3 + i];
                }
                float[] strided = new float[3 * n];
                UnaryKernel.runGrad(op, xs, 0, 2, g, 1, 1, strided, 0, 3, n);
                for (int i = 0; i < n; i++) {
                    assertEquals(dst[1 + i], strided[3 * i], ctx + " strided element " + i);
                }
            }
        }
    }

    @Test
    void geluWithCdfAndItsGradientHaveTheBitsOfTheUnsavedKernels() {
        SplittableRandom rnd = new SplittableRandom(78);
        for (int n : AwkwardSizes.all()) {
            float[] x = inputs(UnaryOp.GELU_ERF, rnd, n + 2);
            float[] g = Operands.gaussian(rnd, n);
            String ctx = "gelu with cdf n " + n + " bits " + Simd.BITS;
            float[] y = new float[n + 1];
            float[] cdf = new float[n + 1];
            y[n] = SENTINEL;
            cdf[n] = SENTINEL;
            UnaryKernel.geluWithCdf(x, 2, 1, y, 0, 1, cdf, 0, 1, n);
            float[] want = new float[n];
            UnaryKernel.run(UnaryOp.GELU_ERF, 0f, 0f, x, 2, 1, want, 0, 1, n);
            org.junit.jupiter.api.Assertions.assertArrayEquals(want, java.util.Arrays.copyOf(y, n), ctx + " y");
            assertEquals(SENTINEL, y[n], ctx + ": wrote past y");
            assertEquals(SENTINEL, cdf[n], ctx + ": wrote past cdf");
            for (int i = 0; i < n; i++) {
                assertEquals(0.5 * (1 + Reference.erf(x[2 + i] / Math.sqrt(2))), cdf[i], 2e-7, ctx + " cdf " + i);
            }
            float[] grad = new float[n];
            UnaryKernel.geluGradFromCdf(x, 2, 1, cdf, 0, 1, g, 0, 1, grad, 0, 1, n);
            float[] wantGrad = new float[n];
            UnaryKernel.runGrad(UnaryOp.GELU_ERF, x, 2, 1, g, 0, 1, wantGrad, 0, 1, n);
            org.junit.jupiter.api.Assertions.assertArrayEquals(wantGrad, grad, ctx + " grad");
            // strided runs (scalar twins) give the same bits
            float[] ys = new float[2 * n];
            float[] cs = new float[3 * n];
            UnaryKernel.geluWithCdf(x, 2, 1, ys, 0, 2, cs, 0, 3, n);
            float[] gs = new float[2 * n];
            UnaryKernel.geluGradFromCdf(x, 2, 1, cs, 0, 3, g, 0, 1, gs, 0, 2, n);
            for (int i = 0; i < n; i++) {
                assertEquals(y[i], ys[2 * i], ctx + " strided y " + i);
                assertEquals(cdf[i], cs[3 * i], ctx + " strided cdf " + i);
                assertEquals(grad[i], gs[2 * i], ctx + " strided grad " + i);
            }
        }
    }

    @Test
    void erfKnownValues() {
        double[][] known = {{0.5, 0.5204998778}, {1, 0.8427007929}, {2, 0.9953222650}, {0, 0}, {-1, -0.8427007929},
            {3, 0.9999779095}};
        for (double[] k : known) {
            assertEquals(k[1], Reference.erf(k[0]), 1e-9, "Reference.erf(" + k[0] + ")");
            assertEquals(k[1], UnaryKernel.erf(k[0]), 2e-7, "UnaryKernel.erf(" + k[0] + ")");
        }
        assertEquals(1 - 0.9953222650, Reference.erfc(2), 1e-10);
        assertEquals(1.5374597944e-12, Reference.erfc(5), 1e-21, "erfc tail");
    }

    @Test
    void geluErfAtKnownErfValues() {
        // GELU(x) = x/2·(1 + erf(x/√2)): x = √2·z puts erf(z) at the known points.
        double[] z = {0.5, 1, 2, -0.5, -1, -2};
        double[] erf = {0.5204998778, 0.8427007929, 0.9953222650, -0.5204998778, -0.8427007929, -0.9953222650};
        int lanes = Simd.LANES;
        int n = z.length * lanes + z.length; // every value in the vector body and in the tail
        float[] x = new float[n];
        double[] expected = new double[n];
        for (int i = 0; i < n; i++) {
            int j = i % z.length;
            x[i] = (float) (Math.sqrt(2) * z[j]);
            // Recompute erf at the float input so rounding of x does not count against the kernel.
            double zz = x[i] / Math.sqrt(2);
            expected[i] = 0.5 * x[i] * (1 + Reference.erf(zz));
            assertEquals(erf[j], Reference.erf(z[j]), 1e-9);
        }
        float[] vec = new float[n];
        UnaryKernel.run(UnaryOp.GELU_ERF, 0, 0, x, 0, 1, vec, 0, 1, n);
        ArrayAssert.assertClose(expected, vec, 1e-6, 1e-7, "GELU_ERF run (vector + tail) at erf(0.5), erf(1), erf(2)");
        float[] strided = new float[2 * n];
        UnaryKernel.run(UnaryOp.GELU_ERF, 0, 0, x, 0, 1, strided, 0, 2, n);
        float[] picked = new float[n];
        for (int i = 0; i < n; i++) {
            picked[i] = strided[2 * i];
        }
        ArrayAssert.assertClose(expected, picked, 1e-6, 1e-7, "GELU_ERF scalar path");
        float[] ref = new float[n];
        UnaryKernel.reference(UnaryOp.GELU_ERF, 0, 0, x, 0, 1, ref, 0, 1, n);
        ArrayAssert.assertClose(expected, ref, 1e-6, 1e-7, "GELU_ERF reference");
        // GELU(√2) = √2/2·(1 + 0.8427007929) with the literal value.
        assertEquals(Math.sqrt(2) / 2 * (1 + 0.8427007929), vec[1], 2e-6);
    }
}

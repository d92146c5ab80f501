package dev.shears.tensor.cpu;

import static dev.shears.tensor.simd.Simd.F;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.shears.tensor.simd.Simd;
import dev.shears.tensor.spi.UnaryOp;
import dev.shears.testing.AwkwardSizes;
import dev.shears.testing.FreshClass;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link VectorMath}: accuracy against {@code Math} over dense sweeps, special values, and the
 * property it exists for: an element's result is the same bits wherever it is computed (vector
 * lane, scalar tail, strided run, before or after JIT compilation, at any vector width).
 */
@Tag("kernel")
class VectorMathKernelTest {
    /** The functions under test, each as scalar twin, vector version, double oracle and ulp bound. */
    enum Fn {
        // The bounds an exhaustive run over all 2^32 inputs measured (the targets were 2, 2 and 3).
        EXP(VectorMath::exp, VectorMath::exp, Math::exp, 1),
        LOG(VectorMath::log, VectorMath::log, Math::log, 1),
        TANH(VectorMath::tanh, VectorMath::tanh, Math::tanh, 2);

        final FloatFn scalar;
        final UnaryOperator<FloatVector> vector;
        final DoubleUnaryOperator oracle;
        final int maxUlp;

        Fn(FloatFn scalar, UnaryOperator<FloatVector> vector, DoubleUnaryOperator oracle, int maxUlp) {
            this.scalar = scalar;
            this.vector = vector;
            this.oracle = oracle;
            this.maxUlp = maxUlp;
        }
    }

    @FunctionalInterface
    interface FloatFn {
        float apply(float x);
    }

    /** Ops whose vector path is built on VectorMath and whose scalar path must match it bit for bit. */
    private static final UnaryOp[] TRANSCENDENTAL = {UnaryOp.EXP, UnaryOp.LOG, UnaryOp.TANH, UnaryOp.SIGMOID,
        UnaryOp.SILU, UnaryOp.GELU_TANH, UnaryOp.GELU_ERF};

    /** Distance in representable floats; 0 for two NaNs, MAX_VALUE for NaN against a number. */
    static long ulpDistance(float a, float b) {
        if (Float.isNaN(a) || Float.isNaN(b)) {
            return Float.isNaN(a) && Float.isNaN(b) ? 0 : Long.MAX_VALUE;
        }
        return Math.abs(ordered(a) - ordered(b));
    }

    private static long ordered(float f) {
        int bits = Float.floatToRawIntBits(f);
        return bits >= 0 ? bits : (long) Integer.MIN_VALUE - bits; // -0 and +0 both map to 0
    }

    /** {@code fn} over {@code x}: vector body on Simd.F, VectorMath's scalar twin on the tail. */
    private static float[] applyVector(Fn fn, float[] x) {
        float[] y = new float[x.length];
        int bound = F.loopBound(x.length);
        for (int i = 0; i < bound; i += F.length()) {
            fn.vector.apply(FloatVector.fromArray(F, x, i)).intoArray(y, i);
        }
        for (int i = bound; i < x.length; i++) {
            y[i] = fn.scalar.apply(x[i]);
        }
        return y;
    }

    /**
     * Checks every x against (float) oracle(x) within fn.maxUlp, and vector lanes against the scalar
     * twin bit for bit; the failure message names the worst ulp error seen and its input.
     */
    private static void checkAccuracy(Fn fn, float[] x, String what) {
        float[] vec = applyVector(fn, x);
        long worst = -1;
        float worstX = Float.NaN;
        for (int i = 0; i < x.length; i++) {
            float s = fn.scalar.apply(x[i]);
            if (Float.floatToIntBits(s) != Float.floatToIntBits(vec[i])) {
                fail(fn + " " + what + ": vector lane " + vec[i] + " != scalar " + s + " at x = " + x[i] + " ("
                        + Integer.toHexString(Float.floatToRawIntBits(x[i])) + "), bits " + Simd.BITS);
            }
            float want = (float) fn.oracle.applyAsDouble(x[i]);
            long d = ulpDistance(s, want);
            if (d > worst) {
                worst = d;
                worstX = x[i];
            }
        }
        String report = fn + " " + what + ": worst " + worst + " ulp at x = " + worstX + " (0x"
                + Integer.toHexString(Float.floatToRawIntBits(worstX)) + "): got " + fn.scalar.apply(worstX)
                + ", Math gives " + (float) fn.oracle.applyAsDouble(worstX) + "; bits " + Simd.BITS;
        assertTrue(worst <= fn.maxUlp, report + " exceeds " + fn.maxUlp + " ulp");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Fn.class)
    void denseSweepOfAllBitPatterns(Fn fn) {
        // Every 997th bit pattern (an odd stride, so low mantissa bits vary) over all 2^32 patterns:
        // both signs, every exponent, subnormals, infinities and NaNs.
        int stride = 997;
        int count = (int) ((1L << 32) / stride);
        float[] x = new float[count];
        for (int j = 0; j < count; j++) {
            x[j] = Float.intBitsToFloat((int) (j * (long) stride));
        }
        checkAccuracy(fn, x, "sweep of every " + stride + "th bit pattern");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Fn.class)
    void randomValuesInTheInterestingRange(Fn fn) {
        long seed = 4100 + fn.ordinal();
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[200_003];
        for (int i = 0; i < x.length; i++) {
            x[i] = switch (fn) {
                // The whole finite-result range, through subnormal results, and past both ends.
                case EXP -> (float) rnd.nextDouble(-106, 91);
                // Log-uniform over positive normals and subnormals.
                case LOG -> (float) Math.exp(rnd.nextDouble(-103.9, 88.7));
                // Half near zero (log-uniform magnitudes), half over the transition to ±1.
                case TANH -> (i % 2 == 0 ? (float) Math.exp(rnd.nextDouble(-20, 0)) : (float) rnd.nextDouble(0, 10))
                        * (rnd.nextBoolean() ? 1 : -1);
            };
        }
        checkAccuracy(fn, x, "random values, seed " + seed);
    }

    /** fn(x) by the scalar twin and by a vector with x in every lane: both must give {@code want}. */
    private static void assertSpecial(Fn fn, float x, float want) {
        float vec = fn.vector.apply(FloatVector.broadcast(F, x)).lane(0);
        float s = fn.scalar.apply(x);
        String ctx = fn + "(" + x + ") bits " + Simd.BITS;
        assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(s), ctx + " scalar: " + s);
        assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(vec), ctx + " vector: " + vec);
    }

    @Test
    void expSpecialValues() {
        assertSpecial(Fn.EXP, Float.NaN, Float.NaN);
        assertSpecial(Fn.EXP, Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY);
        assertSpecial(Fn.EXP, Float.NEGATIVE_INFINITY, 0f);
        assertSpecial(Fn.EXP, 0f, 1f);
        assertSpecial(Fn.EXP, -0f, 1f);
        assertSpecial(Fn.EXP, Float.MAX_VALUE, Float.POSITIVE_INFINITY);
        assertSpecial(Fn.EXP, -Float.MAX_VALUE, 0f);
        assertSpecial(Fn.EXP, Float.MIN_VALUE, 1f);
        assertSpecial(Fn.EXP, 89f, Float.POSITIVE_INFINITY);
        assertSpecial(Fn.EXP, -104f, 0f);
        // ln(FLOAT_MAX) = 88.7228391: the float below it is finite, the one above overflows.
        assertSpecial(Fn.EXP, 88.72283f, (float) Math.exp(88.72283f));
        assertTrue(Float.isFinite(VectorMath.exp(88.72283f)));
        assertSpecial(Fn.EXP, 88.72284f, Float.POSITIVE_INFINITY);
        // Around the fast-path limit, the smallest normal result, the smallest subnormal and zero.
        for (float edge : new float[] {87.3f, -87.3f, -87.33655f, -103.27893f, -103.97208f}) {
            float x = edge;
            for (int i = 0; i < 64; i++) {
                x = Math.nextDown(x);
            }
            for (int i = 0; i < 128; i++, x = Math.nextUp(x)) {
                float want = (float) Math.exp(x);
                float got = VectorMath.exp(x);
                assertTrue(ulpDistance(got, want) <= Fn.EXP.maxUlp, "exp(" + x + ") = " + got + ", Math gives " + want);
                assertSpecial(Fn.EXP, x, got);
            }
        }
    }

    @Test
    void expIsMonotoneAndNonNegativeThroughUnderflow() {
        // Every float in [-104.5, -86]: results go from normal through subnormal to zero.
        float prev = VectorMath.exp(-104.5f);
        assertEquals(0f, prev, "exp(-104.5)");
        int steps = 0;
        for (float x = Math.nextUp(-104.5f); x <= -86f; x = Math.nextUp(x), steps++) {
            float y = VectorMath.exp(x);
            if (!(y >= prev)) {
                fail("exp not monotone: exp(" + Math.nextDown(x) + ") = " + prev + " > exp(" + x + ") = " + y);
            }
            prev = y;
        }
        assertTrue(prev >= Float.MIN_NORMAL, "exp(-86) is normal: " + prev);
        assertTrue(steps > 2_000_000, "walked " + steps + " floats");
    }

    @Test
    void logSpecialValues() {
        assertSpecial(Fn.LOG, Float.NaN, Float.NaN);
        assertSpecial(Fn.LOG, 0f, Float.NEGATIVE_INFINITY);
        assertSpecial(Fn.LOG, -0f, Float.NEGATIVE_INFINITY);
        assertSpecial(Fn.LOG, -1f, Float.NaN);
        assertSpecial(Fn.LOG, -Float.MIN_VALUE, Float.NaN);
        assertSpecial(Fn.LOG, Float.NEGATIVE_INFINITY, Float.NaN);
        assertSpecial(Fn.LOG, Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY);
        assertSpecial(Fn.LOG, 1f, 0f);
        assertSpecial(Fn.LOG, 2f, (float) Math.log(2));
        // Extremes and subnormals (scaled by 2^23 inside) within 1 ulp.
        for (float x : new float[] {Float.MIN_VALUE, 2 * Float.MIN_VALUE, 1e-40f, 3.3e-39f,
            Math.nextDown(Float.MIN_NORMAL), Float.MIN_NORMAL, Float.MAX_VALUE, Math.nextDown(1f), Math.nextUp(1f),
            0.70710677f, 0.70710677f * 1.0000001f, 1.4142135f}) {
            float got = VectorMath.log(x);
            assertTrue(ulpDistance(got, (float) Math.log(x)) <= 1, "log(" + x + ") = " + got + ", Math gives "
                    + (float) Math.log(x));
            assertSpecial(Fn.LOG, x, got);
        }
    }

    @Test
    void tanhSpecialValuesAndSymmetry() {
        assertSpecial(Fn.TANH, Float.NaN, Float.NaN);
        assertSpecial(Fn.TANH, 0f, 0f);
        assertSpecial(Fn.TANH, -0f, -0f);
        assertSpecial(Fn.TANH, Float.POSITIVE_INFINITY, 1f);
        assertSpecial(Fn.TANH, Float.NEGATIVE_INFINITY, -1f);
        assertSpecial(Fn.TANH, Float.MAX_VALUE, 1f);
        assertSpecial(Fn.TANH, 9.1f, 1f);
        assertSpecial(Fn.TANH, -50f, -1f);
        assertSpecial(Fn.TANH, Float.MIN_VALUE, Float.MIN_VALUE);
        assertSpecial(Fn.TANH, -1e-30f, -1e-30f);
        // Near 0 the absolute error stays far below 2e-7, and tanh is odd bit for bit.
        SplittableRandom rnd = new SplittableRandom(4200);
        for (int i = 0; i < 100_000; i++) {
            float x = (float) rnd.nextDouble(-1, 1);
            float y = VectorMath.tanh(x);
            assertEquals(Math.tanh(x), y, 2e-7, "tanh(" + x + "), seed 4200");
            assertEquals(Float.floatToIntBits(-y), Float.floatToIntBits(VectorMath.tanh(-x)), "tanh(-" + x + ")");
        }
        // Both sides of the switch between the polynomial and the exp form.
        for (float x = 0.54f; x < 0.56f; x = Math.nextUp(x)) {
            float got = VectorMath.tanh(x);
            assertTrue(ulpDistance(got, (float) Math.tanh(x)) <= 2, "tanh(" + x + ") = " + got);
        }
    }

    /** Inputs that hit every path: typical values, wide values that overflow or underflow, specials. */
    private static float[] mixedInputs(UnaryOp op, SplittableRandom rnd, int n) {
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1e-40f, -1e-40f,
            88.8f, -88f, -103.5f, 20f, -20f};
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            int kind = rnd.nextInt(16);
            float x = kind == 0 ? special[rnd.nextInt(special.length)]
                    : kind == 1 ? (float) rnd.nextDouble(-120, 120)
                    : (float) (3 * rnd.nextDouble(-1, 1) * rnd.nextDouble(0, 2));
            v[i] = op == UnaryOp.LOG && kind != 0 ? (float) Math.exp(x * 0.3) : x;
        }
        return v;
    }

    /** The scalar definition each kernel element must reproduce bit for bit. */
    private static float scalarTwin(UnaryOp op, float x) {
        return switch (op) {
            case EXP -> VectorMath.exp(x);
            case LOG -> VectorMath.log(x);
            case TANH -> VectorMath.tanh(x);
            case SIGMOID -> 1f / (VectorMath.exp(-x) + 1f);
            case SILU -> x * (1f / (VectorMath.exp(-x) + 1f));
            default -> UnaryKernel.apply(op, x, 0f, 0f); // GELU: the float twins of the vector forms
        };
    }

    @Test
    void unaryKernelElementsDoNotDependOnTheirPosition() {
        int[] sizes = {1, 3, 7, 17, 31, 33, 127, Simd.LANES - 1, Simd.LANES + 1, 4 * Simd.LANES + 3, 1031};
        SplittableRandom rnd = new SplittableRandom(4300);
        for (UnaryOp op : TRANSCENDENTAL) {
            for (int n : sizes) {
                if (n < 1) {
                    continue;
                }
                int srcOff = rnd.nextInt(2 * Simd.LANES + 1);
                int dstOff = rnd.nextInt(2 * Simd.LANES + 1);
                float[] src = mixedInputs(op, rnd, srcOff + n);
                float[] dst = new float[dstOff + n];
                float[] strided = new float[2 * n];
                UnaryKernel.run(op, 0f, 0f, src, srcOff, 1, dst, dstOff, 1, n);
                UnaryKernel.run(op, 0f, 0f, src, srcOff, 1, strided, 0, 2, n); // the scalar path throughout
                for (int i = 0; i < n; i++) {
                    float x = src[srcOff + i];
                    float want = scalarTwin(op, x);
                    String ctx = op + " n " + n + " offsets " + srcOff + "/" + dstOff + " element " + i + " (x = " + x
                            + ", " + (i < F.loopBound(n) ? "vector body" : "tail") + ") seed 4300 bits " + Simd.BITS;
                    assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(dst[dstOff + i]), ctx);
                    assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(strided[2 * i]), ctx + ", strided");
                }
            }
        }
    }

    @Test
    void softmaxElementsDoNotDependOnTheirPosition() {
        SplittableRandom rnd = new SplittableRandom(4400);
        for (int n : AwkwardSizes.all()) {
            int off = rnd.nextInt(2 * Simd.LANES + 1);
            float[] src = new float[off + n];
            for (int i = 0; i < n; i++) {
                // Mostly logits within exp's fast range of the max, some far below it (masked-like).
                src[off + i] = rnd.nextInt(10) == 0 ? (float) rnd.nextDouble(-1e4, -90) : (float) rnd.nextDouble(-20, 20);
            }
            float max = Float.NEGATIVE_INFINITY;
            int argmax = 0;
            for (int i = 0; i < n; i++) {
                if (src[off + i] > max) {
                    max = src[off + i];
                    argmax = i;
                }
            }
            for (boolean log : new boolean[] {false, true}) {
                float[] out = new float[n];
                SoftmaxKernel.run(src, off, 1, n, 1, log, out, 0);
                String ctx = (log ? "logSoftmax" : "softmax") + " n " + n + " offset " + off + " seed 4400 bits "
                        + Simd.BITS;
                if (!Simd.ENABLED) {
                    // SIMD disabled: run is the double reference, itself the same on every call.
                    float[] ref = new float[n];
                    SoftmaxKernel.reference(src, off, 1, n, 1, log, ref, 0);
                    assertEquals(Arrays.toString(ref), Arrays.toString(out), ctx);
                    continue;
                }
                // exp(max - max) = 1 exactly, so the row's common factor (softmax: 1/Σ, log: -log Σ)
                // can be read at the argmax; every element is then its own VectorMath value times it.
                float common = out[argmax];
                for (int i = 0; i < n; i++) {
                    float d = src[off + i] - max;
                    float want = log ? d - (-common) : VectorMath.exp(d) * common;
                    assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(out[i]), ctx + " element " + i
                            + " (" + (i < F.loopBound(n) ? "vector body" : "tail") + ")");
                }
                assertEquals(1.0, sumOfProbabilities(out, log), 1e-5, ctx + ": probabilities sum to 1");
            }
        }
    }

    private static double sumOfProbabilities(float[] v, boolean log) {
        double s = 0;
        for (float f : v) {
            s += log ? Math.exp(f) : f;
        }
        return s;
    }

    @Test
    void sameBitsBeforeAndAfterJitCompilation() throws Exception {
        // The bug this class fixes: the interpreter's per-lane fallback and C2's intrinsics gave
        // different last bits. Fresh copies start interpreted; after warm-up they are compiled.
        Class<?> unary = FreshClass.load(UnaryKernel.class, VectorMath.class, SoftmaxKernel.class,
                ReduceKernel.class);
        Method run = unary.getMethod("run", UnaryOp.class, float.class, float.class, float[].class, int.class,
                int.class, float[].class, int.class, int.class, int.class);
        Class<?> softmax = unary.getClassLoader().loadClass(SoftmaxKernel.class.getName());
        Method softmaxRun = softmax.getMethod("run", float[].class, int.class, int.class, int.class, int.class,
                boolean.class, float[].class, int.class);
        SplittableRandom rnd = new SplittableRandom(4500);
        int n = 1031; // enough values that SVML and the per-lane fallback differed on some (they did)
        UnaryOp[] ops = {UnaryOp.EXP, UnaryOp.LOG, UnaryOp.TANH, UnaryOp.GELU_ERF};
        float[][] inputs = new float[ops.length][];
        float[][] cold = new float[ops.length][n];
        for (int k = 0; k < ops.length; k++) {
            inputs[k] = mixedInputs(ops[k], rnd, n);
            run.invoke(null, ops[k], 0f, 0f, inputs[k], 0, 1, cold[k], 0, 1, n);
        }
        float[] logits = mixedInputs(UnaryOp.EXP, rnd, 2 * n);
        for (int i = 0; i < logits.length; i++) {
            logits[i] = Float.isFinite(logits[i]) ? logits[i] : 0f;
        }
        float[] coldSoftmax = new float[logits.length];
        softmaxRun.invoke(null, logits, 0, 2, n, 1, false, coldSoftmax, 0);
        float[] warm = new float[n];
        float[] warmSoftmax = new float[logits.length];
        for (int rep = 0; rep < 12_000; rep++) {
            for (int k = 0; k < ops.length; k++) {
                run.invoke(null, ops[k], 0f, 0f, inputs[k], 0, 1, warm, 0, 1, n);
            }
            softmaxRun.invoke(null, logits, 0, 2, n, 1, false, warmSoftmax, 0);
        }
        for (int k = 0; k < ops.length; k++) {
            run.invoke(null, ops[k], 0f, 0f, inputs[k], 0, 1, warm, 0, 1, n);
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToIntBits(cold[k][i]), Float.floatToIntBits(warm[i]), ops[k] + "(" + inputs[k][i]
                        + ") cold " + cold[k][i] + " vs warm " + warm[i] + ", element " + i + " seed 4500 bits " + Simd.BITS);
            }
        }
        for (int i = 0; i < logits.length; i++) {
            assertEquals(Float.floatToIntBits(coldSoftmax[i]), Float.floatToIntBits(warmSoftmax[i]),
                    "softmax element " + i + " cold vs warm, seed 4500 bits " + Simd.BITS);
        }
    }
}

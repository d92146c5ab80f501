package dev.shears.tensor.cpu;

import static dev.shears.tensor.simd.Simd.F;

import dev.shears.tensor.simd.Simd;
import dev.shears.tensor.spi.UnaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Element-wise functions of one float array: {@code dst[i] = f(src[i])} over strided 1-D runs. */
public final class UnaryKernel {
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);
    private static final float GELU_CUBIC = 0.044715f;
    private static final float INV_SQRT_2 = (float) (1.0 / Math.sqrt(2.0));

    private UnaryKernel() {}

    /** Scalar reference: the function evaluated in double and rounded once. */
    public static void reference(UnaryOp op, float p0, float p1, float[] src, int srcOff, int srcStride,
                                 float[] dst, int dstOff, int dstStride, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i * dstStride] = (float) exact(op, src[srcOff + i * srcStride], p0, p1);
        }
    }

    /** {@code dst[dstOff + i·dstStride] = op(src[srcOff + i·srcStride])} for i in [0, n). */
    public static void run(UnaryOp op, float p0, float p1, float[] src, int srcOff, int srcStride,
                           float[] dst, int dstOff, int dstStride, int n) {
        int i = 0;
        if (Simd.ENABLED && srcStride == 1 && dstStride == 1) {
            i = F.loopBound(n);
            vectorLoop(op, p0, p1, src, srcOff, dst, dstOff, i);
        }
        for (; i < n; i++) {
            dst[dstOff + i * dstStride] = apply(op, src[srcOff + i * srcStride], p0, p1);
        }
    }

    /**
     * The vector paths over {@code [0, bound)}: one small loop method per op. A loop shared by
     * several ops (a switch per vector, or per-op loops in one method) ran 3-10x slower once a
     * second op had been seen, because C2 compiles the not-yet-taken paths without inlining and
     * boxes their vectors. Separate methods are compiled on their own profiles, and the dispatch
     * passes only arrays and ints.
     */
    private static void vectorLoop(UnaryOp op, float p0, float p1, float[] src, int s, float[] dst, int d, int bound) {
        switch (op) {
            case NEG -> negLoop(src, s, dst, d, bound);
            case ABS -> absLoop(src, s, dst, d, bound);
            case EXP -> expLoop(src, s, dst, d, bound);
            case LOG -> logLoop(src, s, dst, d, bound);
            case SQRT -> sqrtLoop(src, s, dst, d, bound);
            case RSQRT -> rsqrtLoop(src, s, dst, d, bound);
            case TANH -> tanhLoop(src, s, dst, d, bound);
            case SIGMOID -> sigmoidLoop(src, s, dst, d, bound);
            case RELU -> reluLoop(src, s, dst, d, bound);
            case GELU_TANH -> geluTanhLoop(src, s, dst, d, bound);
            case GELU_ERF -> geluErfLoop(src, s, dst, d, bound);
            case SILU -> siluLoop(src, s, dst, d, bound);
            case SQUARE -> squareLoop(src, s, dst, d, bound);
            case RECIPROCAL -> reciprocalLoop(src, s, dst, d, bound);
            case POW -> powLoop(src, s, dst, d, bound, p0);
            case CLAMP -> clampLoop(src, s, dst, d, bound, p0, p1);
        }
    }

    private static void negLoop(float[] src, int s, float[] dst, int d, int bound) {
        for (int i = 0; i < bound; i += F.length()) {
            FloatVector x = FloatVector.fromArray(F, src, s + i);
            x.neg().intoArray(dst, d + i);
        }
    }

    private static void absLoop(float[] src, int s, float[] dst, int d, int bound) {
        for (int i = 0; i < bound; i += F.length()) {
            FloatVector x = FloatVector.fromArray(F, src, s + i);
            x.abs().intoArray(dst, d + i);
        }
    }

    private static void expLoop(float[] src, int s, float[] dst, int d, int bound) {
        for (int i = 0; i < bound; i += F.length()) {
            FloatVector x = FloatVector.fromArray(F, src, s + i);
            VectorMath.exp(x).intoArray(dst, d + i);
        }
    }

    private static void logLoop(float[] src, int s, float[] dst, int d, int bound) {
        for (int i = 0; i < bound; i += F.length()) {
            FloatVector x = FloatVector.fromArray(F, src, s + i);
            VectorMath.log(x).intoArray(dst, d + i);
        }
    }

    private static void sqrtLoop(float[] src, int s, float[] dst, int d, int bound) {
        for (int i = 0; i < bound; i += F.length()) {
            FloatVector x = FloatVector.fromArray(F, src, s + i);
            x.sqrt().intoArray(dst, d + i);
        }
    }

    private static void rsqrtLoop(float[] src, int s, float[] dst, int d, int bound) {
        for (int i = 0; i < bound; i += F.length()) {
            FloatVector x = FloatVector.fromArray(F, src, s + i);
            x.broadcast(1f).div(x.sqrt()).intoArray(dst, d + i);
        }
    }

    private static void tanhLoop(float[] src, int s, float[] dst, int d, int bound) {
        for (int i = 0; i < bound; i += F.length()) {
            FloatVector x = FloatVector.fromArray(F, src, s + i);
            VectorMath.tanh(x).intoArray(dst, d + i);
        }
    }

    private static void sigmoidLoop(float[] src, int s, float[] dst, int d, int bound) {
        for (int i = 0; i < bound; i += F.length()) {
            FloatVector x = FloatVector.fromArray(F, src, s + i);
            sigmoid(x).intoArray(dst, d + i);
        }
    }

    private static void reluLoop(float[] src, int s, float[] dst, int d, int bound) {
        for (int i = 0; i < bound; i += F.length()) {
            FloatVector x = FloatVector.fromArray(F, src, s + i);
            x.max(0f).intoArray(dst, d + i);
        }
    }

    private static void geluTanhLoop(float[] src, int s, float[] dst, int d, int bound) {
        for (int i = 0; i < bound; i += F.length()) {
            FloatVector x = FloatVector.fromArray(F, src, s + i);
            geluTanh(x).intoArray(dst, d + i);
        }
    }

    private static void geluErfLoop(float[] src, int s, float[] dst, int d, int bound) {
        for (int i = 0; i < bound; i += F.length()) {
            FloatVector x = FloatVector.fromArray(F, src, s + i);
            geluErf(x).intoArray(dst, d + i);
        }
    }

    private static void siluLoop(float[] src, int s, float[] dst, int d, int bound) {
        for (int i = 0; i < bound; i += F.length()) {
            FloatVector x = FloatVector.fromArray(F, src, s + i);
            x.mul(sigmoid(x)).intoArray(dst, d + i);
        }
    }

    private static void squareLoop(float[] src, int s, float[] dst, int d, int bound) {
        for (int i = 0; i < bound; i += F.length()) {
            FloatVector x = FloatVector.fromArray(F, src, s + i);
            x.mul(x).intoArray(dst, d + i);
        }
    }

    private static void reciprocalLoop(float[] src, int s, float[] dst, int d, int bound) {
        for (int i = 0; i < bound; i += F.length()) {
            FloatVector x = FloatVector.fromArray(F, src, s + i);
            x.broadcast(1f).div(x).intoArray(dst, d + i);
        }
    }

    // POW stays on VectorOperators.POW (SVML once C2 compiles, Math.pow per lane before), so unlike
    // the VectorMath-based ops its last bit can still depend on JIT timing and on body vs tail.
    private static void powLoop(float[] src, int s, float[] dst, int d, int bound, float p0) {
        for (int i = 0; i < bound; i += F.length()) {
            FloatVector x = FloatVector.fromArray(F, src, s + i);
            x.lanewise(VectorOperators.POW, p0).intoArray(dst, d + i);
        }
    }

    private static void clampLoop(float[] src, int s, float[] dst, int d, int bound, float p0, float p1) {
        for (int i = 0; i < bound; i += F.length()) {
            FloatVector x = FloatVector.fromArray(F, src, s + i);
            x.max(p0).min(p1).intoArray(dst, d + i);
        }
    }

    private static FloatVector geluTanh(FloatVector x) {
        FloatVector inner = x.mul(x).mul(x).mul(GELU_CUBIC).add(x).mul(SQRT_2_OVER_PI);
        return VectorMath.tanh(inner).add(1f).mul(x).mul(0.5f);
    }

    private static FloatVector geluErf(FloatVector x) {
        return erf(x.mul(INV_SQRT_2)).add(1f).mul(x).mul(0.5f);
    }

    /**
     * The scalar float form used for tails and strided runs. Where the vector path is built from
     * {@link VectorMath}, this performs the same float operations in the same order, so an element
     * gets the same bits in the vector body, in the tail, in a strided run and with SIMD disabled.
     */
    static float apply(UnaryOp op, float x, float p0, float p1) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case EXP -> VectorMath.exp(x);
            case LOG -> VectorMath.log(x);
            case SQRT -> (float) Math.sqrt(x);
            case RSQRT -> (float) (1.0 / Math.sqrt(x));
            case TANH -> VectorMath.tanh(x);
            case SIGMOID -> sigmoid(x);
            case RELU -> x > 0f ? x : (x == x ? 0f : x);
            case GELU_TANH -> geluTanh(x);
            case GELU_ERF -> (erfFloat(x * INV_SQRT_2) + 1f) * x * 0.5f;
            case SILU -> x * sigmoid(x);
            case SQUARE -> x * x;
            case RECIPROCAL -> 1f / x;
            case POW -> (float) Math.pow(x, p0);
            case CLAMP -> Math.min(Math.max(x, p0), p1);
        };
    }

    /** The reference definition of each function, in double. */
    static double exact(UnaryOp op, double x, double p0, double p1) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case RSQRT -> 1.0 / Math.sqrt(x);
            case TANH -> Math.tanh(x);
            case SIGMOID -> 1.0 / (1.0 + Math.exp(-x));
            case RELU -> Double.isNaN(x) ? x : Math.max(x, 0.0);
            case GELU_TANH -> geluTanh(x);
            case GELU_ERF -> 0.5 * x * (1.0 + erf(x / Math.sqrt(2.0)));
            case SILU -> x / (1.0 + Math.exp(-x));
            case SQUARE -> x * x;
            case RECIPROCAL -> 1.0 / x;
            case POW -> Math.pow(x, p0);
            case CLAMP -> Math.min(Math.max(x, p0), p1);
        };
    }

    private static double geluTanh(double x) {
        return 0.5 * x * (1.0 + Math.tanh(Math.sqrt(2.0 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    /** Scalar twin of {@link #geluTanh(FloatVector)}. */
    private static float geluTanh(float x) {
        float inner = (x * x * x * GELU_CUBIC + x) * SQRT_2_OVER_PI;
        return (VectorMath.tanh(inner) + 1f) * x * 0.5f;
    }

    /** Scalar twin of {@link #sigmoid(FloatVector)}. */
    private static float sigmoid(float x) {
        return 1f / (VectorMath.exp(-x) + 1f);
    }

    private static FloatVector sigmoid(FloatVector x) {
        return x.broadcast(1f).div(VectorMath.exp(x.neg()).add(1f));
    }

    // Java has no erf. erfc(z) = t·exp(-z² + P(t)), t = 1/(1 + z/2), with the classic degree-9
    // Chebyshev fit for P has fractional error below 1.2e-7: within float rounding for GELU.
    static double erf(double x) {
        double z = Math.abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1.0 - r : r - 1.0;
    }

    /** Scalar twin of {@link #erf(FloatVector)}: the same fit in float. */
    static float erfFloat(float x) {
        float z = Math.abs(x);
        float t = z * 0.5f + 1f;
        t = 1f / t;
        float poly = t * 0.17087277f + -0.82215223f;
        poly = poly * t + 1.48851587f;
        poly = poly * t + -1.13520398f;
        poly = poly * t + 0.27886807f;
        poly = poly * t + -0.18628806f;
        poly = poly * t + 0.09678418f;
        poly = poly * t + 0.37409196f;
        poly = poly * t + 1.00002368f;
        poly = poly * t + -1.26551223f;
        float r = t * VectorMath.exp(-(z * z) + poly);
        return x < 0f ? r - 1f : -r + 1f;
    }

    private static FloatVector erf(FloatVector x) {
        FloatVector z = x.abs();
        FloatVector t = z.mul(0.5f).add(1f);
        t = t.broadcast(1f).div(t);
        FloatVector poly = t.mul(0.17087277f).add(-0.82215223f);
        poly = poly.mul(t).add(1.48851587f);
        poly = poly.mul(t).add(-1.13520398f);
        poly = poly.mul(t).add(0.27886807f);
        poly = poly.mul(t).add(-0.18628806f);
        poly = poly.mul(t).add(0.09678418f);
        poly = poly.mul(t).add(0.37409196f);
        poly = poly.mul(t).add(1.00002368f);
        poly = poly.mul(t).add(-1.26551223f);
        FloatVector r = t.mul(VectorMath.exp(z.mul(z).neg().add(poly)));
        FloatVector pos = r.neg().add(1f);
        return pos.blend(r.sub(1f), x.lt(0f));
    }
}

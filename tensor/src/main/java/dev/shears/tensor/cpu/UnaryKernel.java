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
    private static final float INV_SQRT_2PI = (float) (1.0 / Math.sqrt(2.0 * Math.PI));

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

    // ---- gradients -----------------------------------------------------------------------------

    /** Whether {@link #runGrad} supports {@code op}. */
    public static boolean hasGrad(UnaryOp op) {
        return op == UnaryOp.GELU_ERF || op == UnaryOp.GELU_TANH || op == UnaryOp.SILU;
    }

    /** Scalar reference: {@code dst = g · f'(x)} with the derivative evaluated in double, rounded once. */
    public static void gradReference(UnaryOp op, float[] x, int xOff, int xStride, float[] g, int gOff, int gStride,
                                     float[] dst, int dstOff, int dstStride, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i * dstStride] = (float) (g[gOff + i * gStride] * exactGrad(op, x[xOff + i * xStride]));
        }
    }

    /**
     * {@code dst[i] = g[i] · f'(x[i])} over strided runs, for the ops of {@link #hasGrad}: the
     * backward pass of GELU (exact or tanh) and SiLU in one pass instead of a chain of tensor ops.
     */
    public static void runGrad(UnaryOp op, float[] x, int xOff, int xStride, float[] g, int gOff, int gStride,
                               float[] dst, int dstOff, int dstStride, int n) {
        int i = 0;
        if (Simd.ENABLED && xStride == 1 && gStride == 1 && dstStride == 1) {
            i = F.loopBound(n);
            switch (op) {
                case GELU_ERF -> geluErfGradLoop(x, xOff, g, gOff, dst, dstOff, i);
                case GELU_TANH -> geluTanhGradLoop(x, xOff, g, gOff, dst, dstOff, i);
                case SILU -> siluGradLoop(x, xOff, g, gOff, dst, dstOff, i);
                default -> throw new IllegalArgumentException("UnaryKernel.runGrad: no gradient kernel for " + op);
            }
        }
        for (; i < n; i++) {
            dst[dstOff + i * dstStride] = applyGrad(op, x[xOff + i * xStride], g[gOff + i * gStride]);
        }
    }

    private static void geluErfGradLoop(float[] x, int xo, float[] g, int go, float[] dst, int d, int bound) {
        for (int i = 0; i < bound; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, xo + i);
            FloatVector.fromArray(F, g, go + i).mul(geluErfGrad(v)).intoArray(dst, d + i);
        }
    }

    private static void geluTanhGradLoop(float[] x, int xo, float[] g, int go, float[] dst, int d, int bound) {
        for (int i = 0; i < bound; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, xo + i);
            FloatVector.fromArray(F, g, go + i).mul(geluTanhGrad(v)).intoArray(dst, d + i);
        }
    }

    private static void siluGradLoop(float[] x, int xo, float[] g, int go, float[] dst, int d, int bound) {
        for (int i = 0; i < bound; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, xo + i);
            FloatVector sg = sigmoid(v);
            FloatVector dv = v.mul(sg.neg().add(1f)).add(1f).mul(sg);
            FloatVector.fromArray(F, g, go + i).mul(dv).intoArray(dst, d + i);
        }
    }

    /**
     * Exact GELU that also keeps Φ(x) for the backward pass: {@code y[i] = gelu(x[i])} with the
     * bits of {@link #run}'s GELU_ERF, and {@code cdf[i] = Φ(x[i]) = (erf(x/√2) + 1)·½}, as
     * {@link #runGrad} computes it, so {@link #geluGradFromCdf} gives runGrad's bits without the erf.
     */
    public static void geluWithCdf(float[] x, int xOff, int xStride, float[] y, int yOff, int yStride,
                                   float[] cdf, int cOff, int cStride, int n) {
        int i = 0;
        if (Simd.ENABLED && xStride == 1 && yStride == 1 && cStride == 1) {
            i = F.loopBound(n);
            geluWithCdfLoop(x, xOff, y, yOff, cdf, cOff, i);
        }
        for (; i < n; i++) {
            float v = x[xOff + i * xStride];
            float e1 = erfFloat(v * INV_SQRT_2) + 1f;
            y[yOff + i * yStride] = e1 * v * 0.5f;
            cdf[cOff + i * cStride] = e1 * 0.5f;
        }
    }

    private static void geluWithCdfLoop(float[] x, int xo, float[] y, int yo, float[] cdf, int co, int bound) {
        for (int i = 0; i < bound; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, xo + i);
            FloatVector e1 = erf(v.mul(INV_SQRT_2)).add(1f);
            e1.mul(v).mul(0.5f).intoArray(y, yo + i);
            e1.mul(0.5f).intoArray(cdf, co + i);
        }
    }

    /**
     * {@code dst[i] = g[i]·(Φ + x·φ(x))} from the Φ that {@link #geluWithCdf} kept: the bits of
     * {@link #runGrad}'s GELU_ERF, with one exp and no erf per element.
     */
    public static void geluGradFromCdf(float[] x, int xOff, int xStride, float[] cdf, int cOff, int cStride,
                                       float[] g, int gOff, int gStride, float[] dst, int dstOff, int dstStride, int n) {
        int i = 0;
        if (Simd.ENABLED && xStride == 1 && cStride == 1 && gStride == 1 && dstStride == 1) {
            i = F.loopBound(n);
            geluGradFromCdfLoop(x, xOff, cdf, cOff, g, gOff, dst, dstOff, i);
        }
        for (; i < n; i++) {
            float v = x[xOff + i * xStride];
            float pdf = VectorMath.exp(v * v * -0.5f) * INV_SQRT_2PI;
            dst[dstOff + i * dstStride] = g[gOff + i * gStride] * (v * pdf + cdf[cOff + i * cStride]);
        }
    }

    private static void geluGradFromCdfLoop(float[] x, int xo, float[] cdf, int co, float[] g, int go, float[] dst,
                                            int d, int bound) {
        for (int i = 0; i < bound; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, xo + i);
            FloatVector pdf = VectorMath.exp(v.mul(v).mul(-0.5f)).mul(INV_SQRT_2PI);
            FloatVector dv = v.mul(pdf).add(FloatVector.fromArray(F, cdf, co + i));
            FloatVector.fromArray(F, g, go + i).mul(dv).intoArray(dst, d + i);
        }
    }

    /** Φ(x) + x·φ(x). */
    private static FloatVector geluErfGrad(FloatVector x) {
        FloatVector cdf = erf(x.mul(INV_SQRT_2)).add(1f).mul(0.5f);
        FloatVector pdf = VectorMath.exp(x.mul(x).mul(-0.5f)).mul(INV_SQRT_2PI);
        return x.mul(pdf).add(cdf);
    }

    /** ½(1 + tanh u) + ½x(1 - tanh²u)·u', u = √(2/π)(x + 0.044715x³). */
    private static FloatVector geluTanhGrad(FloatVector x) {
        FloatVector x2 = x.mul(x);
        FloatVector t = VectorMath.tanh(x2.mul(x).mul(GELU_CUBIC).add(x).mul(SQRT_2_OVER_PI));
        FloatVector du = x2.mul(3f * GELU_CUBIC).add(1f).mul(SQRT_2_OVER_PI);
        return t.add(1f).mul(0.5f).add(x.mul(0.5f).mul(t.mul(t).neg().add(1f)).mul(du));
    }

    /** Scalar twins of the gradient loops: the same float operations in the same order. */
    static float applyGrad(UnaryOp op, float x, float g) {
        return switch (op) {
            case GELU_ERF -> {
                float cdf = (erfFloat(x * INV_SQRT_2) + 1f) * 0.5f;
                float pdf = VectorMath.exp(x * x * -0.5f) * INV_SQRT_2PI;
                yield g * (x * pdf + cdf);
            }
            case GELU_TANH -> {
                float x2 = x * x;
                float t = VectorMath.tanh((x2 * x * GELU_CUBIC + x) * SQRT_2_OVER_PI);
                float du = (x2 * (3f * GELU_CUBIC) + 1f) * SQRT_2_OVER_PI;
                yield g * ((t + 1f) * 0.5f + x * 0.5f * (-(t * t) + 1f) * du);
            }
            case SILU -> {
                float sg = sigmoid(x);
                yield g * ((x * (-sg + 1f) + 1f) * sg);
            }
            default -> throw new IllegalArgumentException("UnaryKernel.applyGrad: no gradient for " + op);
        };
    }

    /** f'(x) from the math, in double. */
    static double exactGrad(UnaryOp op, double x) {
        return switch (op) {
            case GELU_ERF -> 0.5 * (1.0 + erf(x / Math.sqrt(2.0))) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
            case GELU_TANH -> {
                double c = Math.sqrt(2.0 / Math.PI);
                double t = Math.tanh(c * (x + 0.044715 * x * x * x));
                yield 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x);
            }
            case SILU -> {
                double sg = 1.0 / (1.0 + Math.exp(-x));
                yield sg * (1 + x * (1 - sg));
            }
            default -> throw new IllegalArgumentException("UnaryKernel.exactGrad: no gradient for " + op);
        };
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

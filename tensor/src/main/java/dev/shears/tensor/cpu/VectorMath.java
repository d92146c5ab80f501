package dev.shears.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Reproducible float32 exp, log and tanh, as vector and scalar twins.
 *
 * <p>Why not {@code lanewise(EXP/LOG/TANH)}: C2 compiles those to SVML, while the interpreter and C1
 * fall back to per-lane {@code Math} calls; the two differ by an ulp, so results depended on JIT
 * timing. These versions use only lane operations that IEEE 754 defines exactly (add, sub, mul,
 * div, fma, min/max, compares and blends, int/float conversion and bit reinterpretation), which
 * every execution mode and vector width computes bit for bit the same. Each scalar version performs
 * the same float operations in the same order ({@code Math.fma} where the vector fuses), so a
 * kernel's scalar tail agrees with its vector body and the SIMD-disabled path with both.
 *
 * <p>Accuracy, checked over all 2^32 inputs against {@code (float) Math.f(x)}: exp and log within
 * 1 ulp, tanh within 2 ulp (against the exact value: 1.06, 0.85 and 1.58 ulp); special values as
 * in {@code Math}. VectorMathKernelTest re-checks a dense sample.
 */
public final class VectorMath {
    // ---- exp -------------------------------------------------------------------------------
    // exp(x) = 2^k · exp(r), k = round(x/ln2), r = x - k·ln2 with |r| <= ln2/2.

    private static final float LOG2E = 1.44269504f;
    /** 1.5·2^23: adding it rounds x·log2(e) to an integer, which lands in the low mantissa bits. */
    private static final float SHIFTER = 0x1.8p23f;
    private static final int SHIFTER_BITS = Float.floatToRawIntBits(SHIFTER);
    // Cody-Waite: ln2 = LN2_HI + LN2_LO. LN2_HI is ln2 cut to 16 significant bits, so k·LN2_HI is
    // exact for |k| <= 256 and x - k·LN2_HI cancels exactly; LN2_LO = (float) (ln2 - LN2_HI) adds
    // the next 24 bits, leaving an error of ~1e-12·|k| in r.
    private static final float LN2_HI = 0x1.62e4p-1f;        // 0.693145751953125
    private static final float LN2_LO = 0x1.7f7d1cp-20f;     // 1.4286068e-6
    // exp(r) ≈ 1 + r·(E1 + r·(E2 + ... + r·E6)): a minimax fit of relative error on |r| <= 0.3467,
    // made for this class with Lawson's iteration and rounded to float; fit error 2e-9 (0.03 ulp).
    private static final float E1 = 1.0f;
    private static final float E2 = 0.49999994f;
    private static final float E3 = 0.1666643f;
    private static final float E4 = 0.041668005f;
    private static final float E5 = 0.008374184f;
    private static final float E6 = 0.0013843619f;
    /** |x| <= this keeps k in [-126, 126], so 2^k is a normal float and one multiply scales. */
    private static final float EXP_FAST_LIMIT = 87.3f;
    /** Clamp for the wide path: exp(89) overflows to +inf and exp(-104) rounds to +0 anyway. */
    private static final float EXP_HI = 89f;
    private static final float EXP_LO = -104f;

    // ---- log -------------------------------------------------------------------------------
    // log(x) = e·ln2 + log(m), x = m·2^e with m in [√½, √2). With f = m - 1 and s = f/(2 + f),
    // log(m) = 2·atanh(s) = 2s + s·R, R = Σ 2z^j/(2j+1), z = s² <= 0.0295; four Taylor terms leave a
    // relative error below 2e-9. It is summed as f - (f²/2 - s·(f²/2 + R)) (2s = f - s·f), so the
    // leading f is exact and rounding only touches a small correction.

    private static final float LG1 = 2f / 3;
    private static final float LG2 = 2f / 5;
    private static final float LG3 = 2f / 7;
    private static final float LG4 = 2f / 9;
    private static final int SQRT_HALF_BITS = Float.floatToRawIntBits(0.70710677f);
    private static final float MIN_NORMAL = Float.MIN_NORMAL;
    /** bits(x) - NORMAL_BITS <u NORMAL_RANGE exactly for positive normal finite x. */
    private static final int NORMAL_BITS = Float.floatToRawIntBits(MIN_NORMAL);
    private static final int NORMAL_RANGE = Float.floatToRawIntBits(Float.POSITIVE_INFINITY) - NORMAL_BITS;
    private static final float TWO_23 = 0x1p23f;

    // ---- tanh ------------------------------------------------------------------------------
    // |x| < 0.55: x + x³·P(x²), P a degree-4 minimax fit of relative error (Lawson, made for this
    // class; fit error 1e-9), because near 0 the form below cancels and loses relative accuracy.
    // Otherwise 1 - 2/(e^{2|x|} + 1) with the sign of x; at |x| >= 9.1 that is 1 in float, so |x|
    // is clamped there and the exp never leaves its fast range.

    private static final float TANH_SMALL = 0.55f;
    private static final float TANH_SATURATE = 9.1f;
    private static final float T3 = -0.33333316f;
    private static final float T5 = 0.13332586f;
    private static final float T7 = -0.05385231f;
    private static final float T9 = 0.02107168f;
    private static final float T11 = -0.0062742396f;
    private static final int SIGN = 0x8000_0000;

    private VectorMath() {}

    // ---- vector ----------------------------------------------------------------------------

    /** e^x per lane: +inf above ~88.72, subnormal below ~-87.34, +0 below ~-103.97, NaN stays NaN. */
    public static FloatVector exp(FloatVector x) {
        if (x.abs().compare(VectorOperators.GT, EXP_FAST_LIMIT).anyTrue()) {
            return expWide(x);
        }
        return expFast(x);
    }

    /** exp for |x| <= EXP_FAST_LIMIT (NaN gives NaN): 2^k is built directly from k's bits. */
    private static FloatVector expFast(FloatVector x) {
        FloatVector z = x.fma(LOG2E, SHIFTER);
        IntVector k = z.reinterpretAsInts().sub(SHIFTER_BITS);
        return expReduced(x, z).mul(k.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
    }

    /**
     * Any x, clamped to [-104, 89]: k then lies in [-150, 128], and 2^k is applied as two normal
     * halves, 2^(k>>1) exactly and then 2^(k - (k>>1)) with one rounding: subnormal results are
     * rounded once, then +0, and results above FLOAT_MAX become +inf. In the fast range this gives
     * the same bits as expFast (both scalings are exact there), so the branch never shows.
     */
    private static FloatVector expWide(FloatVector x) {
        FloatVector xc = x.max(EXP_LO).min(EXP_HI);
        FloatVector z = xc.fma(LOG2E, SHIFTER);
        IntVector k = z.reinterpretAsInts().sub(SHIFTER_BITS);
        IntVector k1 = k.lanewise(VectorOperators.ASHR, 1);
        IntVector k2 = k.sub(k1);
        FloatVector s1 = k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = k2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return expReduced(xc, z).mul(s1).mul(s2);
    }

    /** exp(r) for r = x - k·ln2, k = z - SHIFTER. */
    private static FloatVector expReduced(FloatVector x, FloatVector z) {
        FloatVector k = z.sub(SHIFTER);
        FloatVector r = k.fma(x.broadcast(-LN2_HI), x);
        r = k.fma(x.broadcast(-LN2_LO), r);
        FloatVector p = r.fma(x.broadcast(E6), x.broadcast(E5));
        p = p.fma(r, x.broadcast(E4));
        p = p.fma(r, x.broadcast(E3));
        p = p.fma(r, x.broadcast(E2));
        p = p.fma(r, x.broadcast(E1));
        return p.fma(r, x.broadcast(1f));
    }

    /** Natural log per lane: log(±0) = -inf, log(x < 0) = NaN, log(+inf) = +inf, subnormals exact. */
    public static FloatVector log(FloatVector x) {
        // Vectors of positive, normal, finite x (one unsigned compare on the bits) need no fix-ups.
        IntVector ix = x.reinterpretAsInts();
        if (ix.sub(NORMAL_BITS).compare(VectorOperators.ULT, NORMAL_RANGE).allTrue()) {
            IntVector bits = ix.sub(SQRT_HALF_BITS);
            return logReduced(x, bits, (FloatVector) bits.lanewise(VectorOperators.ASHR, 23)
                    .convert(VectorOperators.I2F, 0));
        }
        return logWide(x);
    }

    /** log of any x: subnormals are scaled up by 2^23 first, then specials are blended in. */
    private static FloatVector logWide(FloatVector x) {
        VectorMask<Float> tiny = x.compare(VectorOperators.LT, MIN_NORMAL);
        FloatVector xs = x.blend(x.mul(TWO_23), tiny); // subnormals become normal; e is corrected below
        IntVector bits = xs.reinterpretAsInts().sub(SQRT_HALF_BITS);
        FloatVector e = ((FloatVector) bits.lanewise(VectorOperators.ASHR, 23).convert(VectorOperators.I2F, 0))
                .sub(23f, tiny);
        FloatVector y = logReduced(x, bits, e);
        y = y.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY));
        y = y.blend(Float.NEGATIVE_INFINITY, x.compare(VectorOperators.EQ, 0f));
        return y.blend(Float.NaN, x.compare(VectorOperators.GE, 0f).not());
    }

    /** e·ln2 + log(m) for bits = bits(x·2^-e) - bits(√½), whose low 23 bits give m. */
    private static FloatVector logReduced(FloatVector x, IntVector bits, FloatVector e) {
        FloatVector f = bits.and(0x007F_FFFF).add(SQRT_HALF_BITS).reinterpretAsFloats().sub(1f);
        FloatVector s = f.div(f.add(2f));
        FloatVector z = s.mul(s);
        FloatVector r = z.fma(x.broadcast(LG4), x.broadcast(LG3));
        r = r.fma(z, x.broadcast(LG2));
        r = r.fma(z, x.broadcast(LG1));
        r = r.mul(z);
        FloatVector hfsq = f.mul(f).mul(0.5f);
        FloatVector tail = s.fma(hfsq.add(r), e.mul(LN2_LO));
        return e.fma(x.broadcast(LN2_HI), f.sub(hfsq.sub(tail)));
    }

    /** tanh per lane: odd, ±1 for large |x| and ±inf, NaN stays NaN. */
    public static FloatVector tanh(FloatVector x) {
        // Evaluated at |x| (>= +0 on both paths), then given the sign of x: this keeps tanh(-0) = -0.
        FloatVector a = x.abs();
        FloatVector a2 = a.mul(a);
        FloatVector p = a2.fma(x.broadcast(T11), x.broadcast(T9));
        p = p.fma(a2, x.broadcast(T7));
        p = p.fma(a2, x.broadcast(T5));
        p = p.fma(a2, x.broadcast(T3));
        FloatVector small = a.fma(a2.mul(p), a);
        FloatVector e = expFast(a.min(TANH_SATURATE).mul(2f));
        FloatVector big = x.broadcast(1f).sub(x.broadcast(2f).div(e.add(1f)));
        FloatVector y = big.blend(small, a.compare(VectorOperators.LT, TANH_SMALL));
        return y.reinterpretAsInts().or(x.reinterpretAsInts().and(SIGN)).reinterpretAsFloats(); // copysign
    }

    // ---- scalar twins: the same float operations, lane by lane -------------------------------

    /** Scalar twin of {@link #exp(FloatVector)}. */
    public static float exp(float x) {
        return Math.abs(x) > EXP_FAST_LIMIT ? expWide(x) : expFast(x);
    }

    private static float expFast(float x) {
        float z = Math.fma(x, LOG2E, SHIFTER);
        int k = Float.floatToRawIntBits(z) - SHIFTER_BITS;
        return expReduced(x, z) * Float.intBitsToFloat((k + 127) << 23);
    }

    private static float expWide(float x) {
        float xc = Math.min(Math.max(x, EXP_LO), EXP_HI);
        float z = Math.fma(xc, LOG2E, SHIFTER);
        int k = Float.floatToRawIntBits(z) - SHIFTER_BITS;
        int k1 = k >> 1;
        int k2 = k - k1;
        return expReduced(xc, z) * Float.intBitsToFloat((k1 + 127) << 23) * Float.intBitsToFloat((k2 + 127) << 23);
    }

    private static float expReduced(float x, float z) {
        float k = z - SHIFTER;
        float r = Math.fma(k, -LN2_HI, x);
        r = Math.fma(k, -LN2_LO, r);
        float p = Math.fma(r, E6, E5);
        p = Math.fma(p, r, E4);
        p = Math.fma(p, r, E3);
        p = Math.fma(p, r, E2);
        p = Math.fma(p, r, E1);
        return Math.fma(p, r, 1f);
    }

    /** Scalar twin of {@link #log(FloatVector)}. */
    public static float log(float x) {
        if (x == Float.POSITIVE_INFINITY) {
            return Float.POSITIVE_INFINITY;
        }
        if (x == 0f) {
            return Float.NEGATIVE_INFINITY;
        }
        if (!(x >= 0f)) {
            return Float.NaN;
        }
        boolean tiny = x < MIN_NORMAL;
        float xs = tiny ? x * TWO_23 : x;
        int bits = Float.floatToRawIntBits(xs) - SQRT_HALF_BITS;
        float e = (float) (bits >> 23);
        if (tiny) {
            e = e - 23f;
        }
        float f = Float.intBitsToFloat((bits & 0x007F_FFFF) + SQRT_HALF_BITS) - 1f;
        float s = f / (f + 2f);
        float z = s * s;
        float r = Math.fma(z, LG4, LG3);
        r = Math.fma(r, z, LG2);
        r = Math.fma(r, z, LG1);
        r = r * z;
        float hfsq = f * f * 0.5f;
        float tail = Math.fma(s, hfsq + r, e * LN2_LO);
        return Math.fma(e, LN2_HI, f - (hfsq - tail));
    }

    /** Scalar twin of {@link #tanh(FloatVector)}. */
    public static float tanh(float x) {
        float a = Math.abs(x);
        float y;
        if (a < TANH_SMALL) {
            float a2 = a * a;
            float p = Math.fma(a2, T11, T9);
            p = Math.fma(p, a2, T7);
            p = Math.fma(p, a2, T5);
            p = Math.fma(p, a2, T3);
            y = Math.fma(a, a2 * p, a);
        } else {
            float e = expFast(Math.min(a, TANH_SATURATE) * 2f);
            y = 1f - 2f / (e + 1f);
        }
        return Math.copySign(y, x);
    }
}

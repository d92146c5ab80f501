package dev.shears.tensor.cpu;

import static dev.shears.tensor.simd.Simd.F;

import dev.shears.tensor.simd.Simd;
import dev.shears.tensor.spi.AdamStep;
import jdk.incubator.vector.FloatVector;

/**
 * One fused Adam/AdamW update over contiguous runs: a single pass reads w, g, m, v (and the mask)
 * and writes w, m, v, where the unfused tensor expression allocated six temporaries per parameter.
 * The vector lanes and the scalar tail evaluate the same float operations in the same order
 * ({@link AdamStep}), so the result does not depend on vector width or alignment.
 */
public final class AdamKernel {
    private AdamKernel() {}

    /** Scalar reference: {@link AdamStep}'s formula in double, rounded once per state element. */
    public static void reference(AdamStep s, float[] w, float[] g, float[] mask, float[] m, float[] v, int n) {
        for (int i = 0; i < n; i++) {
            double mk = mask == null ? 1 : mask[i];
            double gi = g[i] * mk;
            double wi = w[i] * (1 - s.decay() * mk);
            double mi = m[i] * (double) s.beta1() + gi * s.oneMinusBeta1();
            double vi = v[i] * (double) s.beta2() + gi * gi * s.oneMinusBeta2();
            m[i] = (float) mi;
            v[i] = (float) vi;
            w[i] = (float) (wi - s.stepSize() * mk * mi / (Math.sqrt(vi) / s.sqrtBias2() + s.eps()));
        }
    }

    /**
     * Updates elements {@code [lo, hi)}; {@code w}, {@code g}, {@code m}, {@code v} and {@code mask}
     * (null: no mask) start at the given offsets.
     */
    public static void run(AdamStep s, float[] w, int wOff, float[] g, int gOff, float[] mask, int maskOff,
                           float[] m, int mOff, float[] v, int vOff, int lo, int hi) {
        int i = lo;
        if (Simd.ENABLED) {
            int bound = lo + F.loopBound(hi - lo);
            if (mask == null) {
                unmaskedLoop(s, w, wOff, g, gOff, m, mOff, v, vOff, i, bound);
            } else {
                maskedLoop(s, w, wOff, g, gOff, mask, maskOff, m, mOff, v, vOff, i, bound);
            }
            i = bound;
        }
        float oneMinusB1 = s.oneMinusBeta1();
        float oneMinusB2 = s.oneMinusBeta2();
        float keep = 1f - s.decay();
        for (; i < hi; i++) {
            float gi = g[gOff + i];
            float wi = w[wOff + i];
            float mk = 1f;
            if (mask != null) {
                mk = mask[maskOff + i];
                gi = gi * mk;
                wi = wi + (wi * mk) * -s.decay();
            } else {
                wi = wi * keep;
            }
            float mi = m[mOff + i] * s.beta1() + gi * oneMinusB1;
            float vi = v[vOff + i] * s.beta2() + (gi * gi) * oneMinusB2;
            float upd = mi / ((float) Math.sqrt(vi) / s.sqrtBias2() + s.eps());
            if (mask != null) {
                upd = upd * mk;
            }
            m[mOff + i] = mi;
            v[vOff + i] = vi;
            w[wOff + i] = wi + upd * -s.stepSize();
        }
    }

    private static void unmaskedLoop(AdamStep s, float[] w, int wOff, float[] g, int gOff,
                                     float[] m, int mOff, float[] v, int vOff, int lo, int bound) {
        float oneMinusB1 = s.oneMinusBeta1();
        float oneMinusB2 = s.oneMinusBeta2();
        float keep = 1f - s.decay();
        float negStep = -s.stepSize();
        for (int i = lo; i < bound; i += F.length()) {
            FloatVector gi = FloatVector.fromArray(F, g, gOff + i);
            FloatVector wi = FloatVector.fromArray(F, w, wOff + i).mul(keep);
            FloatVector mi = FloatVector.fromArray(F, m, mOff + i).mul(s.beta1()).add(gi.mul(oneMinusB1));
            FloatVector vi = FloatVector.fromArray(F, v, vOff + i).mul(s.beta2()).add(gi.mul(gi).mul(oneMinusB2));
            FloatVector upd = mi.div(vi.sqrt().div(s.sqrtBias2()).add(s.eps()));
            mi.intoArray(m, mOff + i);
            vi.intoArray(v, vOff + i);
            wi.add(upd.mul(negStep)).intoArray(w, wOff + i);
        }
    }

    private static void maskedLoop(AdamStep s, float[] w, int wOff, float[] g, int gOff, float[] mask, int maskOff,
                                   float[] m, int mOff, float[] v, int vOff, int lo, int bound) {
        float oneMinusB1 = s.oneMinusBeta1();
        float oneMinusB2 = s.oneMinusBeta2();
        float negDecay = -s.decay();
        float negStep = -s.stepSize();
        for (int i = lo; i < bound; i += F.length()) {
            FloatVector mk = FloatVector.fromArray(F, mask, maskOff + i);
            FloatVector gi = FloatVector.fromArray(F, g, gOff + i).mul(mk);
            FloatVector w0 = FloatVector.fromArray(F, w, wOff + i);
            FloatVector wi = w0.add(w0.mul(mk).mul(negDecay));
            FloatVector mi = FloatVector.fromArray(F, m, mOff + i).mul(s.beta1()).add(gi.mul(oneMinusB1));
            FloatVector vi = FloatVector.fromArray(F, v, vOff + i).mul(s.beta2()).add(gi.mul(gi).mul(oneMinusB2));
            FloatVector upd = mi.div(vi.sqrt().div(s.sqrtBias2()).add(s.eps())).mul(mk);
            mi.intoArray(m, mOff + i);
            vi.intoArray(v, vOff + i);
            wi.add(upd.mul(negStep)).intoArray(w, wOff + i);
        }
    }
}

package dev.shears.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shears.tensor.spi.AdamStep;
import dev.shears.testing.ArrayAssert;
import dev.shears.testing.AwkwardSizes;
import dev.shears.testing.Operands;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("kernel")
class AdamKernelTest {
    private static final int OFFSET = 3;

    /** Step t of Adam with lr 1e-2, betas (0.9, 0.999), eps 1e-8 and the given decay. */
    private static AdamStep step(int t, double weightDecay) {
        return AdamStep.of(1e-2, 0.9, 0.999, 1e-8, weightDecay, t);
    }

    private static float[] mask(SplittableRandom rnd, int n) {
        float[] m = new float[n];
        for (int i = 0; i < n; i++) {
            m[i] = rnd.nextInt(3) == 0 ? 0f : 1f;
        }
        return m;
    }

    private static float[] shifted(float[] a) {
        float[] out = new float[a.length + OFFSET];
        System.arraycopy(a, 0, out, OFFSET, a.length);
        return out;
    }

    private static float[] unshifted(float[] a) {
        return Arrays.copyOfRange(a, OFFSET, a.length);
    }

    @ParameterizedTest(name = "masked={0}")
    @ValueSource(booleans = {false, true})
    void threeStepsMatchTheReferenceAtAwkwardSizesAndOffsets(boolean masked) {
        for (int n : AwkwardSizes.all()) {
            SplittableRandom rnd = new SplittableRandom(1000 + n);
            float[] w = Operands.gaussian(rnd, n);
            float[] mk = masked ? mask(rnd, n) : null;
            float[] refW = w.clone();
            float[] refM = new float[n];
            float[] refV = new float[n];
            float[] sw = shifted(w);
            float[] sm = new float[n + OFFSET];
            float[] sv = new float[n + OFFSET];
            float[] smk = mk == null ? null : shifted(mk);
            for (int t = 1; t <= 3; t++) {
                float[] g = Operands.gaussian(rnd, n);
                AdamStep s = step(t, 0.1);
                AdamKernel.reference(s, refW, g, mk, refM, refV, n);
                AdamKernel.run(s, sw, OFFSET, shifted(g), OFFSET, smk, OFFSET, sm, OFFSET, sv, OFFSET, 0, n);
            }
            String ctx = "n=" + n + " masked=" + masked;
            ArrayAssert.assertClose(refM, unshifted(sm), 1e-5, 1e-7, ctx + " exp_avg");
            ArrayAssert.assertClose(refV, unshifted(sv), 1e-5, 1e-9, ctx + " exp_avg_sq");
            ArrayAssert.assertClose(refW, unshifted(sw), 1e-5, 1e-6, ctx + " param");
            for (int i = 0; i < OFFSET; i++) {
                assertEquals(0f, sw[i], "element before the offset was written, " + ctx);
            }
        }
    }

    @ParameterizedTest(name = "masked={0}")
    @ValueSource(booleans = {false, true})
    void vectorLanesAndScalarTailAgreeBitForBit(boolean masked) {
        int n = 131;
        SplittableRandom rnd = new SplittableRandom(7);
        float[] w = Operands.gaussian(rnd, n);
        float[] g = Operands.gaussian(rnd, n);
        float[] m = Operands.uniform(rnd, n, -0.1, 0.1);
        float[] v = Operands.uniform(rnd, n, 0, 0.01);
        float[] mk = masked ? mask(rnd, n) : null;
        float[] wa = w.clone(), ma = m.clone(), va = v.clone();
        float[] wb = w.clone(), mb = m.clone(), vb = v.clone();
        AdamStep s = step(5, 0.01);
        AdamKernel.run(s, wa, 0, g, 0, mk, 0, ma, 0, va, 0, 0, n);
        for (int i = 0; i < n; i++) {
            AdamKernel.run(s, wb, 0, g, 0, mk, 0, mb, 0, vb, 0, i, i + 1); // every element on the scalar path
        }
        assertArrayEquals(wb, wa, "param");
        assertArrayEquals(mb, ma, "exp_avg");
        assertArrayEquals(vb, va, "exp_avg_sq");
    }

    @ParameterizedTest(name = "n={0}")
    @ValueSource(ints = {1, 17, 67})
    void maskedWeightsStayExactlyZeroAndTheirMomentsUntouched(int n) {
        SplittableRandom rnd = new SplittableRandom(31 + n);
        float[] mk = mask(rnd, n);
        mk[0] = 0f;
        float[] w = Operands.gaussian(rnd, n);
        for (int i = 0; i < n; i++) {
            w[i] *= mk[i];
        }
        float[] m = new float[n];
        float[] v = new float[n];
        for (int t = 1; t <= 4; t++) {
            AdamKernel.run(step(t, 0.5), w, 0, Operands.gaussian(rnd, n), 0, mk, 0, m, 0, v, 0, 0, n);
        }
        for (int i = 0; i < n; i++) {
            if (mk[i] == 0f) {
                assertEquals(0f, w[i], "masked weight " + i);
                assertEquals(0f, m[i], "masked exp_avg " + i);
                assertEquals(0f, v[i], "masked exp_avg_sq " + i);
            }
        }
    }
}

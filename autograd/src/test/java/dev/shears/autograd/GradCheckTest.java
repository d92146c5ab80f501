package dev.shears.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.tensor.Tensor;
import org.junit.jupiter.api.Test;

class GradCheckTest {

    /** tanh with a backward off by a factor on one element only. */
    private static final class BrokenTanh implements Function {
        @Override
        public Tensor forward(Tensor... in) {
            return in[0].tanh();
        }

        @Override
        public Tensor[] backward(Tensor g, Tensor[] in, Tensor out) {
            Tensor d = out.square().neg().add(1f);
            float[] wrong = new float[in[0].numel()];
            java.util.Arrays.fill(wrong, 1f);
            wrong[4] = 1.2f;
            return new Tensor[] {g.mul(d).mul(Tensor.of(wrong, in[0].shape().dims()))};
        }
    }

    @Test
    void aCorrectGradientPassesWithAReport() {
        GradCheck.Report r = GradCheck.check(v -> v[0].tanh().mul(v[1]), Inputs.randn(1, 2, 3), Inputs.randn(2, 3));
        assertTrue(r.passed());
        assertEquals(9, r.checked());
        assertTrue(r.worstRatio() <= 1);
    }

    @Test
    void aWrongGradientFailsNamingTheWorstElementValuesAndSeed() {
        GradCheck.GradCheckFailure f = assertThrows(GradCheck.GradCheckFailure.class,
                () -> GradCheck.check(v -> Var.apply(new BrokenTanh(), v[0]), Inputs.randn(3, 2, 3)));
        GradCheck.Report r = f.report();
        assertEquals(0, r.input());
        assertEquals(4, r.element());
        assertEquals(1.2, r.analytic() / r.numeric(), 1e-2);
        String m = f.getMessage();
        assertTrue(m.contains("input 0 element 4") && m.contains("analytic") && m.contains("numeric")
                && m.contains("seed " + GradCheck.Options.DEFAULT.seed()), m);
    }

    @Test
    void aMissingBroadcastSumIsCaught() {
        // a backward that forgets unbroadcast fails the engine's shape check
        Function noUnbroadcast = new Function() {
            @Override
            public Tensor forward(Tensor... in) {
                return in[0].add(in[1]);
            }

            @Override
            public Tensor[] backward(Tensor g, Tensor[] in, Tensor out) {
                return new Tensor[] {g, g};
            }
        };
        assertThrows(IllegalStateException.class,
                () -> GradCheck.check(v -> Var.apply(noUnbroadcast, v[0], v[1]), Inputs.randn(4, 2, 3), Inputs.randn(5, 3)));
    }

    @Test
    void optionsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new GradCheck.Options(0, 1e-2, 1e-3, 1));
        GradCheck.Options o = GradCheck.Options.DEFAULT.withEps(1e-3).withTolerance(5e-2, 5e-3).withSeed(9);
        assertTrue(GradCheck.check(o, v -> v[0].exp(), Inputs.randn(6, 4)).passed());
    }
}

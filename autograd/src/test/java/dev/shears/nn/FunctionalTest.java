package dev.shears.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.autograd.Inputs;
import dev.shears.autograd.Var;
import dev.shears.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Loss values against double-precision references. */
class FunctionalTest {

    /** Mean cross-entropy with label smoothing in double, and its gradient. */
    private static double referenceCe(float[] logits, int[] labels, int c, double eps, double[] grad) {
        int n = labels.length;
        double total = 0;
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                max = Math.max(max, logits[i * c + j]);
            }
            double s = 0;
            for (int j = 0; j < c; j++) {
                s += Math.exp(logits[i * c + j] - max);
            }
            double lse = max + Math.log(s);
            for (int j = 0; j < c; j++) {
                double q = eps / c + (j == labels[i] ? 1 - eps : 0);
                double logp = logits[i * c + j] - lse;
                total -= q * logp;
                grad[i * c + j] = (Math.exp(logp) - q) / n;
            }
        }
        return total / n;
    }

    private static void checkCe(float[] logits, int[] labels, int c, float eps, double tol) {
        Var x = Var.param(Tensor.of(logits, labels.length, c));
        Var loss = Functional.crossEntropy(x, Tensor.ofInts(labels, labels.length), eps);
        double[] grad = new double[logits.length];
        double ref = referenceCe(logits, labels, c, eps, grad);
        assertEquals(ref, loss.item(), tol * Math.max(1, Math.abs(ref)), "loss");
        loss.backward();
        float[] g = x.grad().toFloatArray();
        for (int k = 0; k < g.length; k++) {
            assertTrue(Float.isFinite(g[k]));
            assertEquals(grad[k], g[k], 1e-6, "grad " + k);
        }
    }

    @Test
    void crossEntropyMatchesReference() {
        float[] logits = Inputs.randn(1, 8, 5).mul(3f).toFloatArray();
        int[] labels = {0, 4, 2, 2, 1, 3, 0, 4};
        checkCe(logits, labels, 5, 0f, 1e-6);
        checkCe(logits, labels, 5, 0.1f, 1e-6);
        checkCe(logits, labels, 5, 1f, 1e-6);
    }

    @Test
    void crossEntropyIsStableOnHugeLogits() {
        float[] logits = {1e4f, -1e4f, 0f, -1e4f, 1e4f, 1e4f, 3f, -1e4f, 2f};
        int[] labels = {1, 0, 2};
        checkCe(logits, labels, 3, 0f, 1e-6);
        checkCe(logits, labels, 3, 0.1f, 1e-6);
        Var loss = Functional.crossEntropy(Var.constant(Tensor.of(new float[] {1e4f, -1e4f}, 1, 2)),
                Tensor.ofInts(new int[] {0}, 1));
        assertEquals(0f, loss.item(), 0f);
    }

    @Test
    void crossEntropyRejectsBadLabels() {
        Var x = Var.constant(Inputs.randn(2, 2, 3));
        var e = assertThrows(IllegalArgumentException.class,
                () -> Functional.crossEntropy(x, Tensor.ofInts(new int[] {0, 3}, 2)));
        assertTrue(e.getMessage().contains("label 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Functional.crossEntropy(x, Tensor.zeros(2)));
        assertThrows(RuntimeException.class, () -> Functional.crossEntropy(x, Tensor.ofInts(new int[] {0}, 1)));
    }

    @Test
    void mseValue() {
        Var a = Var.constant(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
        Var b = Var.constant(Tensor.of(new float[] {1, 0, 4, 1}, 2, 2));
        assertEquals((0 + 4 + 1 + 9) / 4.0, Functional.mse(a, b).item(), 1e-6);
    }

    @Test
    void klDivMatchesReference() {
        float[] s = Inputs.randn(3, 3, 4).toFloatArray();
        float[] t = Inputs.randn(4, 3, 4).toFloatArray();
        double temp = 2.5;
        double ref = 0;
        for (int i = 0; i < 3; i++) {
            double[] p = softmax(t, i, 4, temp);
            double[] q = softmax(s, i, 4, temp);
            for (int j = 0; j < 4; j++) {
                ref += p[j] * (Math.log(p[j]) - Math.log(q[j]));
            }
        }
        ref = ref / 3 * temp * temp;
        Var loss = Functional.klDiv(Var.constant(Tensor.of(s, 3, 4)), Tensor.of(t, 3, 4), (float) temp);
        assertEquals(ref, loss.item(), 1e-5);
        Var same = Functional.klDiv(Var.constant(Tensor.of(t, 3, 4)), Tensor.of(t, 3, 4), 3f);
        assertEquals(0, same.item(), 1e-6);
    }

    private static double[] softmax(float[] x, int row, int c, double temp) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < c; j++) {
            max = Math.max(max, x[row * c + j] / temp);
        }
        double[] out = new double[c];
        double s = 0;
        for (int j = 0; j < c; j++) {
            out[j] = Math.exp(x[row * c + j] / temp - max);
            s += out[j];
        }
        for (int j = 0; j < c; j++) {
            out[j] /= s;
        }
        return out;
    }
}

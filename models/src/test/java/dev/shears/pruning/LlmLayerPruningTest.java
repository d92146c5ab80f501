package dev.shears.pruning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.autograd.Var;
import dev.shears.nn.Linear;
import dev.shears.sparse.Mask;
import dev.shears.tensor.Rng;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Activation statistics, magnitude, Wanda and SparseGPT on single layers against references. */
class LlmLayerPruningTest {

    /** Correlated inputs [n, cols]: a random mix of a few latent factors plus noise, with one dead column. */
    private static float[] inputs(int n, int cols, long seed) {
        Rng rng = Rng.seeded(seed);
        float[] mix = new float[4 * cols];
        for (int i = 0; i < mix.length; i++) {
            mix[i] = (float) rng.nextGaussian();
        }
        float[] x = new float[n * cols];
        for (int r = 0; r < n; r++) {
            double[] z = {rng.nextGaussian(), rng.nextGaussian(), rng.nextGaussian(), rng.nextGaussian()};
            for (int j = 0; j < cols; j++) {
                double v = 0.3 * rng.nextGaussian() * (1 + j % 3);
                for (int f = 0; f < 4; f++) {
                    v += z[f] * mix[f * cols + j];
                }
                x[r * cols + j] = j == cols - 3 ? 0f : (float) v;
            }
        }
        return x;
    }

    private static ActivationStats stats(float[] x, int n, int cols) {
        ActivationStats s = ActivationStats.withGram(cols);
        s.accept(Tensor.of(java.util.Arrays.copyOfRange(x, 0, 7 * cols), 7, cols)); // two batches
        s.accept(Tensor.of(java.util.Arrays.copyOfRange(x, 7 * cols, n * cols), 1, n - 7, cols));
        return s;
    }

    /** ‖(W − Ŵ)Xᵀ‖² over the calibration rows. */
    private static double outputError(Tensor w, Tensor pruned, float[] x, int n, int cols) {
        float[] a = w.toFloatArray();
        float[] b = pruned.toFloatArray();
        int rows = w.dim(0);
        double err = 0;
        for (int s = 0; s < n; s++) {
            for (int r = 0; r < rows; r++) {
                double d = 0;
                for (int j = 0; j < cols; j++) {
                    d += (a[r * cols + j] - b[r * cols + j]) * x[s * cols + j];
                }
                err += d * d;
            }
        }
        return err;
    }

    @Test
    void statisticsMatchSumsOverAllRowsAndTheHook() {
        int n = 23;
        int cols = 9;
        float[] x = inputs(n, cols, 1);
        ActivationStats s = stats(x, n, cols);
        assertEquals(n, s.rows());
        double[] h = s.hessian();
        for (int i = 0; i < cols; i++) {
            double norm = 0;
            for (int j = 0; j < cols; j++) {
                double g = 0;
                for (int r = 0; r < n; r++) {
                    g += (double) x[r * cols + i] * x[r * cols + j];
                }
                assertEquals(2 * g / n, h[i * cols + j], 1e-4 * (1 + Math.abs(g)));
            }
            for (int r = 0; r < n; r++) {
                norm += (double) x[r * cols + i] * x[r * cols + i];
            }
            assertEquals(Math.sqrt(norm), s.columnNorms()[i], 1e-6 * (1 + norm));
        }
        Linear fc = new Linear(cols, 4, Rng.seeded(2));
        ActivationStats hooked = ActivationStats.of(cols);
        try (var reg = hooked.attach(fc)) {
            fc.forward(Var.constant(Tensor.of(x, n, cols)));
        }
        assertArrayEquals(s.sumOfSquares(), hooked.sumOfSquares(), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> ActivationStats.of(5).attach(fc));
    }

    @Test
    void magnitudeAndWandaKeepExactCountsByTheirScores() {
        Tensor w = Tensor.randn(Rng.seeded(3), 6, 12);
        Mask mag = LayerPruning.magnitude(w, PruningPattern.unstructured(0.5));
        assertEquals(36, mag.keptCount());
        float[] v = w.toFloatArray();
        float minKept = Float.MAX_VALUE;
        float maxPruned = 0;
        for (int i = 0; i < v.length; i++) {
            if (mag.isKept(i)) {
                minKept = Math.min(minKept, Math.abs(v[i]));
            } else {
                maxPruned = Math.max(maxPruned, Math.abs(v[i]));
            }
        }
        assertTrue(maxPruned <= minKept, "one threshold over the matrix");

        double[] norms = new double[12];
        for (int j = 0; j < 12; j++) {
            norms[j] = j == 5 ? 100 : 0.01 * (j + 1); // column 5 dominates the inputs
        }
        Mask wanda = LayerPruning.wanda(w, norms, PruningPattern.unstructured(0.5));
        for (int r = 0; r < 6; r++) {
            int kept = 0;
            for (int j = 0; j < 12; j++) {
                kept += wanda.isKept(r * 12 + j) ? 1 : 0;
            }
            assertEquals(6, kept, "half of every row");
            assertTrue(wanda.isKept(r * 12 + 5), "the high-norm input survives in row " + r);
        }
        Mask nm = LayerPruning.wanda(w, norms, PruningPattern.twoFour());
        for (int g = 0; g < 6 * 3; g++) {
            int kept = 0;
            for (int t = 0; t < 4; t++) {
                kept += nm.isKept(g * 4 + t) ? 1 : 0;
            }
            assertEquals(2, kept, "2 of group " + g);
        }
    }

    /** Sequential OBS with explicit inverse-Hessian downdates, for a given mask: what SparseGPT's blocked form must equal. */
    private static double[] sequentialObs(Tensor weight, double[] hessian, Mask mask) {
        int rows = weight.dim(0);
        int cols = weight.dim(1);
        double[] h = hessian.clone();
        float[] wf = weight.toFloatArray();
        double[] w = new double[wf.length];
        double mean = 0;
        for (int j = 0; j < cols; j++) {
            if (h[j * cols + j] == 0) {
                h[j * cols + j] = 1;
                for (int r = 0; r < rows; r++) {
                    wf[r * cols + j] = 0;
                }
            }
            mean += h[j * cols + j];
        }
        for (int i = 0; i < wf.length; i++) {
            w[i] = wf[i];
        }
        for (int j = 0; j < cols; j++) {
            h[j * cols + j] += 0.01 * mean / cols;
        }
        double[] hinv = Cholesky.inverse("test", h, cols);
        for (int j = 0; j < cols; j++) {
            double d = hinv[j * cols + j];
            for (int r = 0; r < rows; r++) {
                if (!mask.isKept(r * cols + j)) {
                    double e = w[r * cols + j] / d;
                    for (int k = j; k < cols; k++) {
                        w[r * cols + k] -= e * hinv[j * cols + k];
                    }
                    w[r * cols + j] = 0;
                }
            }
            double[] next = hinv.clone(); // eliminate column j
            for (int a = 0; a < cols; a++) {
                for (int b = 0; b < cols; b++) {
                    next[a * cols + b] -= hinv[a * cols + j] * hinv[j * cols + b] / d;
                }
            }
            hinv = next;
        }
        return w;
    }

    @Test
    void sparseGptEqualsSequentialObsAndBeatsMaskingAlone() {
        int n = 60;
        int cols = 16;
        float[] x = inputs(n, cols, 4);
        double[] h = stats(x, n, cols).hessian();
        Tensor w = Tensor.randn(Rng.seeded(5), 5, cols);
        for (PruningPattern p : new PruningPattern[] {PruningPattern.twoFour(), PruningPattern.unstructured(0.5)}) {
            SparseGpt.Result r = SparseGpt.prune(w, h, p, 8, 0.01); // two blocks: the lazy update is exercised
            double[] reference = sequentialObs(w, h, r.mask());
            float[] got = r.weight().toFloatArray();
            for (int i = 0; i < got.length; i++) {
                assertEquals(reference[i], got[i], 1e-4 * (1 + Math.abs(reference[i])), p + " weight " + i);
                if (!r.mask().isKept(i)) {
                    assertEquals(0f, got[i], p + ": pruned entries are zero");
                }
            }
            assertEquals(40, r.mask().keptCount(), p + " keeps half");
            Tensor masked = r.mask().apply(w);
            assertTrue(outputError(w, r.weight(), x, n, cols) < outputError(w, masked, x, n, cols),
                    p + ": the update lowers the output error of the same mask");
            Mask wanda = LayerPruning.wanda(w, stats(x, n, cols).columnNorms(), p);
            assertTrue(outputError(w, r.weight(), x, n, cols) < outputError(w, wanda.apply(w), x, n, cols),
                    p + ": SparseGPT beats Wanda on its calibration data");
        }
        Mask m24 = SparseGpt.prune(w, h, PruningPattern.twoFour()).mask();
        for (int g = 0; g < 5 * cols / 4; g++) {
            int kept = 0;
            for (int t = 0; t < 4; t++) {
                kept += m24.isKept(g * 4 + t) ? 1 : 0;
            }
            assertEquals(2, kept, "2 of group " + g);
        }
        ShapeException bad = assertThrows(ShapeException.class,
                () -> SparseGpt.prune(Tensor.randn(Rng.seeded(6), 2, 6), new double[36], PruningPattern.twoFour()));
        assertTrue(bad.getMessage().contains("multiples of 4"), bad.getMessage());
    }
}

package dev.shears.pruning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.nn.ArmorLinear;
import dev.shears.sparse.Mask;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ArmorTest {

    private static NoWag.Normalized weight(int rows, int cols, long seed) {
        Rng rng = Rng.seeded(seed);
        Tensor w = Tensor.randn(rng, rows, cols);
        double[] sumSq = new double[cols];
        for (int j = 0; j < cols; j++) {
            sumSq[j] = 50 * (1 + rng.nextDouble() * (j % 5));
        }
        return NoWag.normalize(w, sumSq, 100);
    }

    /** The proxy loss of ARMOR's folded output, recomputed from scratch in normalised space. */
    private static double recomputedLoss(NoWag.Normalized w, Armor.Result r) {
        float[] dense = r.dense();
        float[] normalised = new float[dense.length];
        for (int i = 0; i < w.rows(); i++) {
            for (int j = 0; j < w.cols(); j++) {
                normalised[i * w.cols() + j] = (float) (dense[i * w.cols() + j] / w.colScale()[j] / w.rowScale()[i]);
            }
        }
        return w.proxyLoss(normalised);
    }

    @Test
    void startsAtNoWagPAndTheSparseStepsAloneNeverIncreaseIt() {
        NoWag.Normalized w = weight(16, 32, 1);
        Mask start = NoWag.mask(w, PruningPattern.twoFour());
        // lr 0: only the closed-form group updates move, and each is optimal for its group
        Armor.Result r = Armor.compress(w, start, 8, new Armor.Settings(300, 0, 1000, 1), Rng.seeded(2));
        assertEquals(NoWag.proxyLoss(w, start), r.initialLoss(), 1e-9, "A = B = I, V = W̄ is NoWag-P");
        double[] c = r.lossCurve();
        for (int i = 1; i < c.length; i++) {
            assertTrue(c[i] <= c[i - 1] + 1e-9, "loss rose at iteration " + r.lossSteps()[i] + ": " + c[i - 1] + " -> " + c[i]);
        }
        // with A = B = I the best core for a support is W̄ itself and the best support is NoWag-P's top 2
        assertEquals(r.initialLoss(), r.finalLoss(), 1e-6, "NoWag-P is already optimal for the core alone");
        assertEquals(r.finalLoss(), recomputedLoss(w, r), 1e-5, "the tracked loss is the true loss of the output");
    }

    @Test
    void fullIterationsLowerTheLossAndKeepAStrict24Core() {
        NoWag.Normalized w = weight(16, 32, 3);
        Mask start = NoWag.mask(w, PruningPattern.twoFour());
        Armor.Result r = Armor.compress(w, start, 8, Armor.Settings.of(400, 1e-3), Rng.seeded(4));
        assertTrue(r.finalLoss() < 0.5 * r.initialLoss(), r.initialLoss() + " -> " + r.finalLoss());
        assertEquals(r.finalLoss(), recomputedLoss(w, r), 1e-5);
        for (int g = 0; g < 16 * 32 / 4; g++) {
            int kept = 0;
            for (int t = 0; t < 4; t++) {
                kept += r.mask().isKept(g * 4 + t) ? 1 : 0;
                if (!r.mask().isKept(g * 4 + t)) {
                    assertEquals(0f, r.core()[g * 4 + t]);
                }
            }
            assertEquals(2, kept, "group " + g);
        }
        assertEquals((16 + 32) * 8, r.extraParameters());

        // the layer holds the same factorisation: A'·S·B' equals the folded dense weight
        ArmorLinear layer = r.toLayer(null);
        assertEquals(8, layer.blockSize());
        float[] want = r.dense();
        float[] got = layer.toDense().toFloatArray();
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-5 * (1 + Math.abs(want[i])), "element " + i);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Armor.compress(w, start, 12, Armor.Settings.of(1, 1e-3), Rng.seeded(5)));
        assertTrue(e.getMessage().contains("block 12"), e.getMessage());
    }
}

package dev.shears.pruning;

import dev.shears.autograd.Var;
import dev.shears.lm.BlockStack;
import dev.shears.nn.Functional;
import dev.shears.nn.Linear;
import dev.shears.sparse.Mask;
import dev.shears.tensor.Tensor;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * GBLM-Pruner (methods.md §2.4): Wanda's score plus a gradient term,
 * {@code S_ij = |W_ij|·‖X_j‖₂ + |W_ij|·G_ij}, where {@code G_ij} is the ℓ2 norm over calibration
 * sequences of the scaled per-sequence gradient {@code α·∂loss/∂W_ij} of the dense model's
 * language-modelling loss. α only balances the two terms; α = 0 is Wanda.
 */
public final class Gblm {
    private Gblm() {}

    /**
     * G for every Linear inside the blocks: one backward pass per calibration sequence of the dense
     * model's next-token cross-entropy, accumulating {@code (α·g)²}, then the square root. Leaves
     * the model's gradients cleared.
     */
    public static Map<Linear, float[]> gradientNorms(BlockStack model, Tensor calibration, double alpha) {
        if (calibration.rank() != 2 || calibration.dim(1) < 2) {
            throw new IllegalArgumentException("Gblm: calibration " + calibration.shape() + " must be [sequences, T >= 2]");
        }
        Map<Linear, double[]> sums = new IdentityHashMap<>();
        List<Linear> linears = new java.util.ArrayList<>();
        for (int b = 0; b < model.blockCount(); b++) {
            linears.addAll(model.blockModule(b).modules(Linear.class).values());
        }
        linears.forEach(l -> sums.put(l, new double[l.weight().numel()]));
        int t = calibration.dim(1);
        for (int s = 0; s < calibration.dim(0); s++) {
            int[] ids = calibration.narrow(0, s, 1).contiguous().toIntArray();
            Tensor input = Tensor.ofInts(java.util.Arrays.copyOf(ids, t - 1), 1, t - 1);
            Tensor target = Tensor.ofInts(java.util.Arrays.copyOfRange(ids, 1, t), t - 1);
            Var logits = model.forwardAll(input);
            Var loss = Functional.crossEntropy(logits.reshape(t - 1, logits.dim(-1)), target);
            linears.forEach(l -> l.weight().zeroGrad());
            loss.backward();
            for (Linear l : linears) {
                float[] g = l.weight().grad().contiguous().toFloatArray();
                double[] acc = sums.get(l);
                for (int i = 0; i < g.length; i++) {
                    double v = alpha * g[i];
                    acc[i] += v * v;
                }
            }
        }
        linears.forEach(l -> l.weight().zeroGrad());
        Map<Linear, float[]> out = new IdentityHashMap<>();
        sums.forEach((l, acc) -> {
            float[] g = new float[acc.length];
            for (int i = 0; i < g.length; i++) {
                g[i] = (float) Math.sqrt(acc[i]);
            }
            out.put(l, g);
        });
        return out;
    }

    /** The mask of {@code S = |W|·‖X_j‖₂ + |W|·G} by row or N:M group, as Wanda selects. */
    public static Mask mask(Tensor weight, double[] columnNorms, float[] gradientNorm, PruningPattern pattern) {
        Tensor wanda = LayerPruning.wandaScores(weight, columnNorms);
        float[] s = wanda.toFloatArray();
        float[] w = weight.contiguous().toFloatArray();
        if (gradientNorm.length != w.length) {
            throw new IllegalArgumentException("Gblm.mask: " + gradientNorm.length + " gradient norms for a weight "
                    + weight.shape());
        }
        for (int i = 0; i < s.length; i++) {
            s[i] += Math.abs(w[i]) * gradientNorm[i];
        }
        return LayerPruning.byRowScores(Tensor.of(s, weight.dim(0), weight.dim(1)), pattern);
    }
}

package dev.shears.optim;

import dev.shears.autograd.Var;
import dev.shears.tensor.Tensor;
import java.util.List;

/** Gradient clipping over a set of parameters (in place on their gradients). */
public final class GradClip {
    private GradClip() {}

    /** The global L2 norm of all gradients (parameters without one count as zero), in double. */
    public static double globalNorm(List<? extends Var> params) {
        double sq = 0;
        for (Var p : params) {
            Tensor g = p.grad();
            if (g == null) {
                continue;
            }
            for (float x : g.contiguous().toFloatArray()) {
                sq += (double) x * x;
            }
        }
        return Math.sqrt(sq);
    }

    /**
     * Scales every gradient by maxNorm / (norm + 1e-6) when the global norm exceeds
     * {@code maxNorm} (torch.nn.utils.clip_grad_norm_); returns the norm before clipping, for logs.
     */
    public static double clipNorm(List<? extends Var> params, double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("GradClip.clipNorm: maxNorm " + maxNorm + " must be > 0");
        }
        double norm = globalNorm(params);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1) {
            for (Var p : params) {
                if (p.grad() != null) {
                    p.grad().muli((float) coef);
                }
            }
        }
        return norm;
    }

    /** Clamps every gradient element into [-clip, clip]. */
    public static void clipValue(List<? extends Var> params, float clip) {
        if (!(clip > 0)) {
            throw new IllegalArgumentException("GradClip.clipValue: clip " + clip + " must be > 0");
        }
        for (Var p : params) {
            if (p.grad() != null) {
                p.grad().copyFrom(p.grad().clamp(-clip, clip));
            }
        }
    }
}

package dev.shears.optim;

import dev.shears.autograd.Var;
import dev.shears.tensor.Tensor;
import dev.shears.tensor.parallel.Parallel;
import java.util.List;

/** Gradient clipping over a set of parameters (in place on their gradients). */
public final class GradClip {
    private GradClip() {}

    /**
     * The global L2 norm of all gradients (parameters without one count as zero), summed in double:
     * per parameter in parallel (eight interleaved partial sums), then over parameters in order.
     */
    public static double globalNorm(List<? extends Var> params) {
        double[] sq = new double[params.size()];
        Parallel.forRange(params.size(), 1, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                Tensor g = params.get(i).grad();
                sq[i] = g == null ? 0 : sumOfSquares(g.contiguous().toFloatArray());
            }
        });
        double total = 0;
        for (double s : sq) {
            total += s;
        }
        return Math.sqrt(total);
    }

    private static double sumOfSquares(float[] x) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        double s4 = 0;
        double s5 = 0;
        double s6 = 0;
        double s7 = 0;
        int i = 0;
        for (; i + 8 <= x.length; i += 8) {
            s0 += (double) x[i] * x[i];
            s1 += (double) x[i + 1] * x[i + 1];
            s2 += (double) x[i + 2] * x[i + 2];
            s3 += (double) x[i + 3] * x[i + 3];
            s4 += (double) x[i + 4] * x[i + 4];
            s5 += (double) x[i + 5] * x[i + 5];
            s6 += (double) x[i + 6] * x[i + 6];
            s7 += (double) x[i + 7] * x[i + 7];
        }
        for (; i < x.length; i++) {
            s0 += (double) x[i] * x[i];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
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
            // Gradients in separate storages are scaled in parallel, one per task; otherwise in order.
            java.util.Set<Object> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            boolean distinct = true;
            for (Var p : params) {
                distinct &= p.grad() == null || seen.add(p.grad().storage());
            }
            Parallel.forRange(params.size(), distinct ? 1 : params.size(), (lo, hi) -> {
                for (int i = lo; i < hi; i++) {
                    Tensor g = params.get(i).grad();
                    if (g != null) {
                        g.muli((float) coef);
                    }
                }
            });
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

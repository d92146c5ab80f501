package dev.shears.pruning;

import dev.shears.nn.InputHooks;
import dev.shears.nn.Linear;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;

/**
 * Running statistics of a linear layer's inputs X (rows = tokens or samples, columns = input
 * features), accumulated batch by batch without keeping the activations (methods.md §0.2.4): the
 * row count, each column's sum and sum of squares, and optionally the Gram matrix XᵀX, in double
 * precision. Inputs of any rank {@code [..., features]} count as {@code numel / features} rows.
 *
 * <pre>{@code
 * ActivationStats s = ActivationStats.withGram(layer.inFeatures());
 * try (var hook = s.attach(layer)) { model.forward(calibration); }
 * double[] h = s.hessian();                       // 2·XᵀX / N for SparseGPT
 * }</pre>
 */
public final class ActivationStats {
    private final int features;
    private final double[] sum;
    private final double[] sumSq;
    private final double[] gram;
    private long rows;

    private ActivationStats(int features, boolean gram) {
        if (features < 1) {
            throw new IllegalArgumentException("ActivationStats: features " + features + " must be >= 1");
        }
        this.features = features;
        this.sum = new double[features];
        this.sumSq = new double[features];
        this.gram = gram ? new double[features * features] : null;
    }

    /** Count, sums and sums of squares per feature. */
    public static ActivationStats of(int features) {
        return new ActivationStats(features, false);
    }

    /** As {@link #of}, plus the features x features Gram matrix XᵀX. */
    public static ActivationStats withGram(int features) {
        return new ActivationStats(features, true);
    }

    /** Streams every later input of {@code layer} into these statistics until the registration is closed. */
    public InputHooks.Registration attach(Linear layer) {
        if (layer.inFeatures() != features) {
            throw new IllegalArgumentException("ActivationStats: " + features + " features, but " + layer + " takes "
                    + layer.inFeatures());
        }
        return layer.onInput(this::accept);
    }

    /** Adds the rows of {@code x} [..., features]. */
    public void accept(Tensor x) {
        if (x.rank() < 1 || x.dim(-1) != features) {
            throw new ShapeException("ActivationStats: input " + x.shape() + " must end in " + features);
        }
        int n = x.numel() / features;
        float[] v = x.contiguous().toFloatArray();
        for (int r = 0; r < n; r++) {
            int o = r * features;
            for (int j = 0; j < features; j++) {
                double a = v[o + j];
                sum[j] += a;
                sumSq[j] += a * a;
            }
        }
        if (gram != null) {
            Tensor m = Tensor.of(v, n, features);
            float[] g = m.t().matmul(m).contiguous().toFloatArray(); // XᵀX of this batch by the GEMM
            for (int i = 0; i < g.length; i++) {
                gram[i] += g[i];
            }
        }
        rows += n;
    }

    public int features() {
        return features;
    }

    /** Rows seen so far. */
    public long rows() {
        return rows;
    }

    /** ‖X_j‖₂ of every column (Wanda's input norm). */
    public double[] columnNorms() {
        double[] out = new double[features];
        for (int j = 0; j < features; j++) {
            out[j] = Math.sqrt(sumSq[j]);
        }
        return out;
    }

    /** Σ x_j² of every column. */
    public double[] sumOfSquares() {
        return sumSq.clone();
    }

    /** Σ x_j of every column. */
    public double[] sums() {
        return sum.clone();
    }

    /**
     * {@code H = 2·XᵀX / N}, row-major features x features (SparseGPT's Hessian of the layer-wise
     * squared error).
     *
     * @throws IllegalStateException without a Gram matrix or before any row
     */
    public double[] hessian() {
        if (gram == null) {
            throw new IllegalStateException("ActivationStats: built without the Gram matrix; use withGram");
        }
        if (rows == 0) {
            throw new IllegalStateException("ActivationStats: no rows seen yet");
        }
        double[] h = new double[gram.length];
        for (int i = 0; i < h.length; i++) {
            h[i] = 2 * gram[i] / rows;
        }
        return h;
    }
}

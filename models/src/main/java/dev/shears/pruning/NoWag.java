package dev.shears.pruning;

import dev.shears.sparse.Mask;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;

/**
 * NoWag-P (methods.md §1.3-1.5), the pruning that ARMOR starts from: the weight is normalised by
 * its column norms and then by the row norms of the result ({@code W̄ = W / c / r}), each entry is
 * scored {@code h_j · W̄_ij²} with {@code h_j = 2·Σ x_j² / N} from one dense calibration pass, and
 * the best are kept per row (unstructured) or per N:M group. The pruned weight is {@code W ⊙ M}.
 * The proxy loss {@code Σ h_j (W̄ − Ŵ̄)²_ij / Σ h_j W̄_ij²} measures any reconstruction in the
 * normalised space.
 */
public final class NoWag {
    private NoWag() {}

    /**
     * A weight in normalised space.
     *
     * @param normalized W̄ [rows, cols], row-major
     * @param rowScale   r, one per row
     * @param colScale   c, one per column
     * @param h          the repaired calibration statistic, one per column
     */
    public record Normalized(int rows, int cols, float[] normalized, double[] rowScale, double[] colScale, double[] h) {

        /** Σ h_j · W̄_ij²: the proxy loss's denominator (the error of an all-zero reconstruction). */
        public double zeroLoss() {
            double z = 0;
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    double w = normalized[i * cols + j];
                    z += h[j] * w * w;
                }
            }
            return z;
        }

        /** The proxy loss of a reconstruction {@code approx} of W̄ (row-major, same shape). */
        public double proxyLoss(float[] approx) {
            double num = 0;
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    double e = normalized[i * cols + j] - approx[i * cols + j];
                    num += h[j] * e * e;
                }
            }
            return num / zeroLoss();
        }
    }

    /**
     * Normalises {@code weight} [rows, cols] with the column statistic {@code sumSq} (Σ x_j² over
     * {@code n} calibration rows): c_j = ‖W[:, j]‖ + 1e-5, r_i = ‖(W/c)[i, :]‖ + 1e-5, and
     * h_j = 2·sumSq_j / n with non-finite or non-positive entries replaced by the mean of the valid ones.
     */
    public static Normalized normalize(Tensor weight, double[] sumSq, long n) {
        LayerPruning.requireMatrix("NoWag.normalize", weight);
        int rows = weight.dim(0);
        int cols = weight.dim(1);
        if (sumSq.length != cols || n < 1) {
            throw new ShapeException("NoWag.normalize: " + sumSq.length + " column statistics over " + n
                    + " rows for a weight " + weight.shape());
        }
        float[] w = weight.contiguous().toFloatArray();
        double[] c = new double[cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                c[j] += (double) w[i * cols + j] * w[i * cols + j];
            }
        }
        for (int j = 0; j < cols; j++) {
            c[j] = Math.sqrt(c[j]) + 1e-5;
        }
        double[] r = new double[rows];
        float[] out = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            double s = 0;
            for (int j = 0; j < cols; j++) {
                double v = w[i * cols + j] / c[j];
                s += v * v;
            }
            r[i] = Math.sqrt(s) + 1e-5;
            for (int j = 0; j < cols; j++) {
                out[i * cols + j] = (float) (w[i * cols + j] / c[j] / r[i]);
            }
        }
        return new Normalized(rows, cols, out, r, c, repairedH(sumSq, n));
    }

    private static double[] repairedH(double[] sumSq, long n) {
        double[] h = new double[sumSq.length];
        double valid = 0;
        int count = 0;
        for (int j = 0; j < h.length; j++) {
            h[j] = 2 * sumSq[j] / n;
            if (Double.isFinite(h[j]) && h[j] > 0) {
                valid += h[j];
                count++;
            }
        }
        double mean = count == 0 ? 1 : valid / count;
        for (int j = 0; j < h.length; j++) {
            if (!(Double.isFinite(h[j]) && h[j] > 0)) {
                h[j] = mean;
            }
        }
        return h;
    }

    /** NoWag-P's mask: the best {@code h_j · W̄_ij²} per row (unstructured) or per N:M group. */
    public static Mask mask(Normalized w, PruningPattern pattern) {
        float[] s = new float[w.normalized().length];
        for (int i = 0; i < w.rows(); i++) {
            for (int j = 0; j < w.cols(); j++) {
                double v = w.normalized()[i * w.cols() + j];
                s[i * w.cols() + j] = (float) (w.h()[j] * v * v);
            }
        }
        return LayerPruning.byRowScores(Tensor.of(s, w.rows(), w.cols()), pattern);
    }

    /** The proxy loss of NoWag-P's own result, W̄ ⊙ M. */
    public static double proxyLoss(Normalized w, Mask mask) {
        float[] approx = w.normalized().clone();
        for (int i = 0; i < approx.length; i++) {
            if (!mask.isKept(i)) {
                approx[i] = 0;
            }
        }
        return w.proxyLoss(approx);
    }
}

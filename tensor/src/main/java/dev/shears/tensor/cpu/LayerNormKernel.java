package dev.shears.tensor.cpu;

import static dev.shears.tensor.simd.Simd.F;

import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import jdk.incubator.vector.FloatVector;

/**
 * Layer normalisation of the rows of a contiguous {@code [rows, n]} block, forward and backward in
 * one pass each: {@code y = (x - μ)·ρ ⊙ w + b} with μ the row mean, ρ = 1/√(σ² + ε) and σ² the
 * biased row variance (w and b optional). The forward pass keeps μ and ρ per row for the backward
 * pass, which gives dx, dw = Σ_rows g ⊙ x̂ and db = Σ_rows g (x̂ = (x - μ)·ρ).
 *
 * <p>Rows are split into chunks fixed by the sizes alone and the weight and bias gradients are
 * summed chunk by chunk in chunk order, so results do not depend on the thread count. Row sums
 * add their vector lanes pairwise in a fixed order. With {@link Simd#ENABLED} false the scalar
 * {@link #forwardReference} and {@link #backwardReference} run.
 */
public final class LayerNormKernel {
    private static final int L = Simd.LANES;
    /** Elements per parallel task. */
    private static final int GRAIN = 1 << 14;

    private LayerNormKernel() {}

    private static int rowGrain(int n) {
        return Math.max(1, GRAIN / Math.max(1, n));
    }

    // ==== reference ==============================================================================

    /** The definition in double, rounded once per output (same contract as {@link #forward}). */
    public static void forwardReference(float[] x, int xOff, int rows, int n, float[] w, float[] b, float eps,
                                        float[] y, float[] mean, float[] rstd) {
        for (int r = 0; r < rows; r++) {
            int at = xOff + r * n;
            double mu = 0;
            for (int j = 0; j < n; j++) {
                mu += x[at + j];
            }
            mu /= n;
            double var = 0;
            for (int j = 0; j < n; j++) {
                double c = x[at + j] - mu;
                var += c * c;
            }
            var /= n;
            double rs = 1 / Math.sqrt(var + eps);
            mean[r] = (float) mu;
            rstd[r] = (float) rs;
            for (int j = 0; j < n; j++) {
                double v = (x[at + j] - mu) * rs;
                y[r * n + j] = (float) (v * (w == null ? 1 : w[j]) + (b == null ? 0 : b[j]));
            }
        }
    }

    /** The gradients by their definitions in double (same contract as {@link #backward}). */
    public static void backwardReference(float[] g, float[] x, int xOff, int rows, int n, float[] w, float[] mean,
                                         float[] rstd, float[] dx, float[] dw, float[] db) {
        double[] sw = new double[n];
        double[] sb = new double[n];
        for (int r = 0; r < rows; r++) {
            int at = xOff + r * n;
            double a = 0;
            double c = 0;
            for (int j = 0; j < n; j++) {
                double xh = (x[at + j] - (double) mean[r]) * rstd[r];
                double gx = (double) g[r * n + j] * (w == null ? 1 : w[j]);
                a += gx;
                c += gx * xh;
                sw[j] += (double) g[r * n + j] * xh;
                sb[j] += g[r * n + j];
            }
            for (int j = 0; j < n; j++) {
                double xh = (x[at + j] - (double) mean[r]) * rstd[r];
                double gx = (double) g[r * n + j] * (w == null ? 1 : w[j]);
                dx[r * n + j] = (float) (rstd[r] * (gx - a / n - xh * c / n));
            }
        }
        for (int j = 0; j < n; j++) {
            if (dw != null) {
                dw[j] = (float) sw[j];
            }
            if (db != null) {
                db[j] = (float) sb[j];
            }
        }
    }

    // ==== fast paths =============================================================================

    /**
     * Normalises rows {@code x[xOff + r·n ..]} into {@code y} (contiguous from 0) and writes each
     * row's mean and 1/√(σ² + ε); {@code w} and {@code b} ([n]) may be null.
     */
    public static void forward(float[] x, int xOff, int rows, int n, float[] w, float[] b, float eps,
                               float[] y, float[] mean, float[] rstd) {
        if (!Simd.ENABLED) {
            Parallel.forRange(rows, rowGrain(n), (lo, hi) -> forwardReferenceRows(x, xOff, lo, hi, n, w, b, eps, y,
                    mean, rstd));
            return;
        }
        Parallel.forRange(rows, rowGrain(n), (lo, hi) -> {
            float[] lanes = new float[L];
            for (int r = lo; r < hi; r++) {
                forwardRow(x, xOff + r * n, n, w, b, eps, y, r * n, mean, rstd, r, lanes);
            }
        });
    }

    private static void forwardReferenceRows(float[] x, int xOff, int lo, int hi, int n, float[] w, float[] b,
                                             float eps, float[] y, float[] mean, float[] rstd) {
        float[] yr = new float[(hi - lo) * n];
        float[] mr = new float[hi - lo];
        float[] rr = new float[hi - lo];
        forwardReference(x, xOff + lo * n, hi - lo, n, w, b, eps, yr, mr, rr);
        System.arraycopy(yr, 0, y, lo * n, yr.length);
        System.arraycopy(mr, 0, mean, lo, mr.length);
        System.arraycopy(rr, 0, rstd, lo, rr.length);
    }

    private static void forwardRow(float[] x, int at, int n, float[] w, float[] b, float eps, float[] y, int yAt,
                                   float[] mean, float[] rstd, int r, float[] lanes) {
        int bound = F.loopBound(n);
        FloatVector acc = FloatVector.zero(F);
        int j = 0;
        for (; j < bound; j += L) {
            acc = acc.add(FloatVector.fromArray(F, x, at + j));
        }
        acc.intoArray(lanes, 0);
        float sum = treeSum(lanes);
        for (; j < n; j++) {
            sum += x[at + j];
        }
        float mu = sum / n;
        FloatVector vmu = FloatVector.broadcast(F, mu);
        acc = FloatVector.zero(F);
        for (j = 0; j < bound; j += L) {
            FloatVector c = FloatVector.fromArray(F, x, at + j).sub(vmu);
            acc = c.fma(c, acc);
        }
        acc.intoArray(lanes, 0);
        float ss = treeSum(lanes);
        for (; j < n; j++) {
            float c = x[at + j] - mu;
            ss = Math.fma(c, c, ss);
        }
        float rs = (float) (1.0 / Math.sqrt(ss / n + eps));
        mean[r] = mu;
        rstd[r] = rs;
        for (j = 0; j < bound; j += L) {
            FloatVector v = FloatVector.fromArray(F, x, at + j).sub(vmu).mul(rs);
            if (w != null) {
                v = v.mul(FloatVector.fromArray(F, w, j));
            }
            if (b != null) {
                v = v.add(FloatVector.fromArray(F, b, j));
            }
            v.intoArray(y, yAt + j);
        }
        for (; j < n; j++) {
            float v = (x[at + j] - mu) * rs;
            if (w != null) {
                v *= w[j];
            }
            if (b != null) {
                v += b[j];
            }
            y[yAt + j] = v;
        }
    }

    /**
     * The gradients for the output gradient {@code g} (contiguous [rows, n]) of {@link #forward}
     * with its {@code mean} and {@code rstd}: dx (contiguous [rows, n]) and, when not null, dw and
     * db ([n], overwritten).
     */
    public static void backward(float[] g, float[] x, int xOff, int rows, int n, float[] w, float[] mean,
                                float[] rstd, float[] dx, float[] dw, float[] db) {
        if (rows == 0) {
            if (dw != null) {
                java.util.Arrays.fill(dw, 0, n, 0f);
            }
            if (db != null) {
                java.util.Arrays.fill(db, 0, n, 0f);
            }
            return;
        }
        int grain = rowGrain(n);
        int chunks = Parallel.chunkCount(rows, grain);
        float[] pw = dw == null ? null : new float[chunks * n];
        float[] pb = db == null ? null : new float[chunks * n];
        Parallel.forChunks(rows, grain, (chunk, lo, hi) -> {
            if (!Simd.ENABLED) {
                float[] sw = pw == null ? null : new float[n];
                float[] sb = pb == null ? null : new float[n];
                float[] dxr = new float[(hi - lo) * n];
                float[] gr = java.util.Arrays.copyOfRange(g, lo * n, hi * n);
                backwardReference(gr, x, xOff + lo * n, hi - lo, n, w, java.util.Arrays.copyOfRange(mean, lo, hi),
                        java.util.Arrays.copyOfRange(rstd, lo, hi), dxr, sw, sb);
                System.arraycopy(dxr, 0, dx, lo * n, dxr.length);
                if (sw != null) {
                    System.arraycopy(sw, 0, pw, chunk * n, n);
                }
                if (sb != null) {
                    System.arraycopy(sb, 0, pb, chunk * n, n);
                }
                return;
            }
            float[] lanes = new float[L];
            for (int r = lo; r < hi; r++) {
                backwardRow(g, r * n, x, xOff + r * n, n, w, mean[r], rstd[r], dx, pw, pb, chunk * n, lanes);
            }
        });
        // Chunk partials in chunk order: the same sums for any thread count.
        for (int j = 0; j < n; j++) {
            if (dw != null) {
                float s = 0f;
                for (int c = 0; c < chunks; c++) {
                    s += pw[c * n + j];
                }
                dw[j] = s;
            }
            if (db != null) {
                float s = 0f;
                for (int c = 0; c < chunks; c++) {
                    s += pb[c * n + j];
                }
                db[j] = s;
            }
        }
    }

    private static void backwardRow(float[] g, int gAt, float[] x, int xAt, int n, float[] w, float mu, float rs,
                                    float[] dx, float[] pw, float[] pb, int pAt, float[] lanes) {
        int bound = F.loopBound(n);
        FloatVector vmu = FloatVector.broadcast(F, mu);
        FloatVector accA = FloatVector.zero(F);
        FloatVector accC = FloatVector.zero(F);
        int j = 0;
        for (; j < bound; j += L) {
            FloatVector gv = FloatVector.fromArray(F, g, gAt + j);
            FloatVector xh = FloatVector.fromArray(F, x, xAt + j).sub(vmu).mul(rs);
            FloatVector gx = w == null ? gv : gv.mul(FloatVector.fromArray(F, w, j));
            accA = accA.add(gx);
            accC = gx.fma(xh, accC);
            if (pw != null) {
                gv.fma(xh, FloatVector.fromArray(F, pw, pAt + j)).intoArray(pw, pAt + j);
            }
            if (pb != null) {
                gv.add(FloatVector.fromArray(F, pb, pAt + j)).intoArray(pb, pAt + j);
            }
        }
        accA.intoArray(lanes, 0);
        float a = treeSum(lanes);
        accC.intoArray(lanes, 0);
        float c = treeSum(lanes);
        for (int t = j; t < n; t++) {
            float xh = (x[xAt + t] - mu) * rs;
            float gx = w == null ? g[gAt + t] : g[gAt + t] * w[t];
            a += gx;
            c = Math.fma(gx, xh, c);
            if (pw != null) {
                pw[pAt + t] = Math.fma(g[gAt + t], xh, pw[pAt + t]);
            }
            if (pb != null) {
                pb[pAt + t] += g[gAt + t];
            }
        }
        float ma = a / n;
        float mc = c / n;
        FloatVector vma = FloatVector.broadcast(F, ma);
        FloatVector vmc = FloatVector.broadcast(F, mc);
        for (j = 0; j < bound; j += L) {
            FloatVector gv = FloatVector.fromArray(F, g, gAt + j);
            FloatVector xh = FloatVector.fromArray(F, x, xAt + j).sub(vmu).mul(rs);
            FloatVector gx = w == null ? gv : gv.mul(FloatVector.fromArray(F, w, j));
            gx.sub(vma).sub(xh.mul(vmc)).mul(rs).intoArray(dx, gAt + j);
        }
        for (; j < n; j++) {
            float xh = (x[xAt + j] - mu) * rs;
            float gx = w == null ? g[gAt + j] : g[gAt + j] * w[j];
            dx[gAt + j] = (gx - ma - xh * mc) * rs;
        }
    }

    /** The lanes summed pairwise (a fixed order). */
    private static float treeSum(float[] v) {
        for (int w = v.length / 2; w >= 1; w /= 2) {
            for (int i = 0; i < w; i++) {
                v[i] = v[i] + v[i + w];
            }
        }
        return v[0];
    }
}

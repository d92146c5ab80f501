package dev.shears.tensor.cpu;

import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fused causal multi-head attention, forward and backward, for the small heads of language models
 * (T, S and D in the tens to hundreds): {@code out = softmax(scale·q·kᵀ + causal mask)·v} per
 * (batch, head) in one pass, without a mask tensor, a scores tensor or per-head GEMM packing.
 *
 * <p>Operands are 4-D and addressed through element strides: q [B, Hq, T, D], k and v
 * [B, Hkv, S, D], with query head h reading key/value head {@code h / (Hq / Hkv)}. Query t sits at
 * position {@code S - T + t} and sees keys {@code 0 .. S - T + t} (S = T without a cache; a KV
 * cache puts the earlier positions first). The attention weights are kept, zero past each row's
 * last visible key, as {@code probs} [B, Hq, T, S] (contiguous) for the backward pass. Outputs and
 * gradients are written through strides whose last (D) stride is 1.
 *
 * <p>Both products of each pass run in one register-blocked microkernel (8 rows x 2 vectors,
 * rows broadcast from their own layout, the other operand packed into a small per-thread buffer
 * with rows padded to 2 vectors), skipping the key blocks the mask hides. Work is split over
 * (batch, key/value head) pairs, each doing its whole query group, so the key and value gradients
 * of a group are accumulated by one task in a fixed order: results do not depend on the thread
 * count. With {@link Simd#ENABLED} false everything runs {@link #forwardReference} and
 * {@link #backwardReference}.
 */
public final class AttentionKernel {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.LANES;
    /** Columns of the microkernel's tile (two vectors). */
    private static final int NC = 2 * L;
    /** Rows of the microkernel's tile. */
    private static final int MR = 8;
    /** Multiply-adds per parallel task (below this a call runs on the calling thread). */
    private static final long GRAIN_WORK = 1L << 16;

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private AttentionKernel() {}


    /** The shapes of one call: batch, query heads, key/value heads, queries, keys, head dimension. */
    public record Dims(int batch, int heads, int kvHeads, int t, int s, int d) {
        public Dims {
            if (batch < 0 || heads < 1 || kvHeads < 1 || heads % kvHeads != 0 || t < 0 || s < t || d < 0) {
                throw new IllegalArgumentException("AttentionKernel: bad dims " + batch + ", " + heads + "/" + kvHeads
                        + " heads, T " + t + ", S " + s + ", D " + d);
            }
        }

        int group() {
            return heads / kvHeads;
        }

        /** Keys visible to query i. */
        int visible(int i) {
            return s - t + i + 1;
        }
    }

    /**
     * An operand of the kernel: {@code a[off + b*sb + h*sh + t*st + d*sd]}.
     */
    public record View(float[] a, int off, int sb, int sh, int st, int sd) {
        int at(int b, int h, int t) {
            return off + b * sb + h * sh + t * st;
        }

        float get(int b, int h, int t, int d) {
            return a[off + b * sb + h * sh + t * st + d * sd];
        }
    }

    // ==== reference ==============================================================================

    /**
     * The plain definition, one element at a time (double-precision sums): the oracle for
     * {@link #forward} in tests and the path with SIMD disabled. Same contract as {@link #forward}.
     */
    public static void forwardReference(Dims n, float scale, View q, View k, View v, View out, float[] probs, int pOff) {
        int group = n.group();
        double[] w = new double[n.s()];
        for (int b = 0; b < n.batch(); b++) {
            for (int h = 0; h < n.heads(); h++) {
                int kh = h / group;
                for (int i = 0; i < n.t(); i++) {
                    int vis = n.visible(i);
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < vis; j++) {
                        double dot = 0;
                        for (int c = 0; c < n.d(); c++) {
                            dot += (double) q.get(b, h, i, c) * k.get(b, kh, j, c);
                        }
                        w[j] = (float) dot * scale;
                        max = Math.max(max, w[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < vis; j++) {
                        w[j] = Math.exp(w[j] - max);
                        sum += w[j];
                    }
                    int row = pOff + ((b * n.heads() + h) * n.t() + i) * n.s();
                    for (int j = 0; j < n.s(); j++) {
                        probs[row + j] = j < vis ? (float) (w[j] / sum) : 0f;
                    }
                    for (int c = 0; c < n.d(); c++) {
                        double acc = 0;
                        for (int j = 0; j < vis; j++) {
                            acc += (double) probs[row + j] * v.get(b, kh, j, c);
                        }
                        out.a()[out.at(b, h, i) + c * out.sd()] = (float) acc;
                    }
                }
            }
        }
    }

    /**
     * The gradients by their definitions (double-precision sums), same contract as {@link #backward}:
     * dP = g·vᵀ, dS = P ⊙ (dP - Σⱼ dP ⊙ P)·scale, dq = dS·k, dk = dSᵀ·q and dv = Pᵀ·g, the last two
     * summed over each key/value head's query group.
     */
    public static void backwardReference(Dims n, float scale, View g, View q, View k, View v, float[] probs, int pOff,
            View dq, View dk, View dv) {
        int group = n.group();
        int s = n.s();
        double[][] dk2 = new double[s][n.d()];
        double[][] dv2 = new double[s][n.d()];
        double[] ds = new double[s];
        for (int b = 0; b < n.batch(); b++) {
            for (int kh = 0; kh < n.kvHeads(); kh++) {
                for (double[] row : dk2) {
                    java.util.Arrays.fill(row, 0);
                }
                for (double[] row : dv2) {
                    java.util.Arrays.fill(row, 0);
                }
                for (int h = kh * group; h < (kh + 1) * group; h++) {
                    for (int i = 0; i < n.t(); i++) {
                        int vis = n.visible(i);
                        int row = pOff + ((b * n.heads() + h) * n.t() + i) * s;
                        double dot = 0;
                        for (int j = 0; j < vis; j++) {
                            double dp = 0;
                            for (int c = 0; c < n.d(); c++) {
                                dp += (double) g.get(b, h, i, c) * v.get(b, kh, j, c);
                            }
                            ds[j] = dp;
                            dot += dp * probs[row + j];
                        }
                        for (int j = 0; j < vis; j++) {
                            ds[j] = probs[row + j] * (ds[j] - dot) * scale;
                        }
                        for (int c = 0; c < n.d(); c++) {
                            double acc = 0;
                            for (int j = 0; j < vis; j++) {
                                acc += ds[j] * k.get(b, kh, j, c);
                                dk2[j][c] += ds[j] * q.get(b, h, i, c);
                                dv2[j][c] += (double) probs[row + j] * g.get(b, h, i, c);
                            }
                            dq.a()[dq.at(b, h, i) + c * dq.sd()] = (float) acc;
                        }
                    }
                }
                for (int j = 0; j < s; j++) {
                    for (int c = 0; c < n.d(); c++) {
                        dk.a()[dk.at(b, kh, j) + c * dk.sd()] = (float) dk2[j][c];
                        dv.a()[dv.at(b, kh, j) + c * dv.sd()] = (float) dv2[j][c];
                    }
                }
            }
        }
    }

    // ==== fast paths =============================================================================

    /** Per-thread packed operands, grown on demand. */
    private static final class Workspace {
        float[] bufA = new float[0];
        float[] bufB = new float[0];
        float[] bufC = new float[0];
        float[] bufD = new float[0];
        float[] bufE = new float[0];
        final float[] lanes = new float[L];
        final float[] tile = new float[MR * NC];
        final float[] rowStats = new float[MR];

        static float[] grow(float[] buf, int size) {
            return buf.length >= size ? buf : new float[size];
        }
    }

    /**
     * Causal attention: {@code out} [B, Hq, T, D] (last stride 1) and {@code probs} [B, Hq, T, S]
     * contiguous from {@code pOff}. Every element of both is written.
     */
    public static void forward(Dims n, float scale, View q, View k, View v, View out, float[] probs, int pOff) {
        if (n.batch() == 0 || n.t() == 0) {
            return;
        }
        if (!Simd.ENABLED || n.d() == 0) {
            forwardReference(n, scale, q, k, v, out, probs, pOff);
            return;
        }
        int tasks = n.batch() * n.kvHeads();
        Parallel.forRange(tasks, grain(n), (lo, hi) -> {
            for (int task = lo; task < hi; task++) {
                forwardTask(n, scale, task / n.kvHeads(), task % n.kvHeads(), q, k, v, out, probs, pOff);
            }
        });
    }

    /**
     * The gradients for the output gradient {@code g} [B, Hq, T, D] (any strides) and the
     * {@code probs} of {@link #forward}: dq [B, Hq, T, D], dk and dv [B, Hkv, S, D], each written
     * whole through strides whose last is 1.
     */
    public static void backward(Dims n, float scale, View g, View q, View k, View v, float[] probs, int pOff,
            View dq, View dk, View dv) {
        if (n.batch() == 0) {
            return;
        }
        if (!Simd.ENABLED || n.d() == 0 || n.t() == 0) {
            backwardReference(n, scale, g, q, k, v, probs, pOff, dq, dk, dv);
            return;
        }
        int tasks = n.batch() * n.kvHeads();
        Parallel.forRange(tasks, grain(n), (lo, hi) -> {
            for (int task = lo; task < hi; task++) {
                backwardTask(n, scale, task / n.kvHeads(), task % n.kvHeads(), g, q, k, v, probs, pOff, dq, dk, dv);
            }
        });
    }

    private static int grain(Dims n) {
        long work = Math.max(1L, (long) n.group() * n.t() * n.s() * Math.max(1, n.d()));
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, GRAIN_WORK / work));
    }

    private static int roundUp(int x, int m) {
        return (x + m - 1) / m * m;
    }

    /** dst[r * stride + c] = src(row r, column c) for r < rows, c < cols; zero up to the padded stride. */
    private static void packRows(View src, int b, int h, int rows, int cols, float[] dst, int stride) {
        for (int r = 0; r < rows; r++) {
            int s = src.at(b, h, r);
            int d = r * stride;
            if (src.sd() == 1) {
                copyRow(src.a(), s, dst, d, cols);
            } else {
                for (int c = 0; c < cols; c++) {
                    dst[d + c] = src.a()[s + c * src.sd()];
                }
            }
            zero(dst, d + cols, d + stride);
        }
    }

    /** dst[d, d + n) = src[s, s + n) with vector moves (rows here are short: a stub call per row cost more). */
    private static void copyRow(float[] src, int s, float[] dst, int d, int n) {
        int full = n / L * L;
        int c = 0;
        for (; c < full; c += L) {
            FloatVector.fromArray(F, src, s + c).intoArray(dst, d + c);
        }
        if (c < n) {
            VectorMask<Float> m = Simd.lanes(0, n - c);
            FloatVector.fromArray(F, src, s + c, m).intoArray(dst, d + c, m);
        }
    }

    /** a[from, to) = 0 with vector stores. */
    private static void zero(float[] a, int from, int to) {
        FloatVector z = FloatVector.zero(F);
        int i = from;
        for (; i + L <= to; i += L) {
            z.intoArray(a, i);
        }
        if (i < to) {
            z.intoArray(a, i, Simd.lanes(0, to - i));
        }
    }

    /** dst[c * stride + r] = src(row r, column c): the transpose, rows zero-padded to the stride. */
    private static void packTransposed(View src, int b, int h, int rows, int cols, float[] dst, int stride) {
        for (int c = 0; c < cols; c++) {
            zero(dst, c * stride + rows, (c + 1) * stride);
        }
        for (int r = 0; r < rows; r++) {
            int s = src.at(b, h, r);
            for (int c = 0; c < cols; c++) {
                dst[c * stride + r] = src.a()[s + c * src.sd()];
            }
        }
    }

    private static void forwardTask(Dims n, float scale, int b, int kh, View q, View k, View v, View out,
            float[] probs, int pOff) {
        int t = n.t();
        int s = n.s();
        int d = n.d();
        int off = s - t;
        int sp = roundUp(s, NC);
        int dp = roundUp(d, NC);
        Workspace ws = WORKSPACE.get();
        float[] kt = ws.bufA = Workspace.grow(ws.bufA, d * sp);
        float[] vp = ws.bufB = Workspace.grow(ws.bufB, s * dp);
        packTransposed(k, b, kh, s, d, kt, sp);
        packRows(v, b, kh, s, d, vp, dp);
        for (int h = kh * n.group(); h < (kh + 1) * n.group(); h++) {
            int pBase = pOff + (b * n.heads() + h) * t * s;
            for (int i0 = 0; i0 < t; i0 += MR) {
                int rows = Math.min(MR, t - i0);
                int keys = off + i0 + rows; // visible to the block's last row
                int a0 = q.at(b, h, i0);
                int c0 = pBase + i0 * s;
                // scores = scale · q · kᵀ over the visible key blocks
                for (int jb = 0; jb < keys; jb += NC) {
                    microkernel(0, d, q.a(), a0, q.st(), q.sd(), kt, jb, sp, probs, c0 + jb, s, rows,
                            Math.min(NC, keys - jb), scale, false, ws.tile);
                }
                softmaxRows(probs, c0, s, rows, n.visible(i0), ws.lanes, ws.rowStats);
                // out = P · v (weights past a row's last key are zero)
                int o0 = out.at(b, h, i0);
                for (int cb = 0; cb < d; cb += NC) {
                    microkernel(0, keys, probs, c0, s, 1, vp, cb, dp, out.a(), o0 + cb, out.st(), rows,
                            Math.min(NC, d - cb), 1f, false, ws.tile);
                }
            }
        }
    }

    private static void backwardTask(Dims n, float scale, int b, int kh, View g, View q, View k, View v,
            float[] probs, int pOff, View dq, View dk, View dv) {
        int t = n.t();
        int s = n.s();
        int d = n.d();
        int off = s - t;
        int sp = roundUp(s, NC);
        int dp = roundUp(d, NC);
        Workspace ws = WORKSPACE.get();
        float[] vt = ws.bufA = Workspace.grow(ws.bufA, d * sp);
        float[] kp = ws.bufB = Workspace.grow(ws.bufB, s * dp);
        float[] qp = ws.bufC = Workspace.grow(ws.bufC, t * dp);
        float[] gp = ws.bufD = Workspace.grow(ws.bufD, t * dp);
        float[] ds = ws.bufE = Workspace.grow(ws.bufE, t * sp);
        packTransposed(v, b, kh, s, d, vt, sp);
        packRows(k, b, kh, s, d, kp, dp);
        for (int h = kh * n.group(); h < (kh + 1) * n.group(); h++) {
            boolean acc = h > kh * n.group();
            int pBase = pOff + (b * n.heads() + h) * t * s;
            packRows(q, b, h, t, d, qp, dp);
            packRows(g, b, h, t, d, gp, dp);
            for (int i0 = 0; i0 < t; i0 += MR) {
                int rows = Math.min(MR, t - i0);
                int keys = off + i0 + rows;
                // dP = g · vᵀ, then dS = P ⊙ (dP - Σ dP ⊙ P) · scale, zero past each row's last key
                for (int jb = 0; jb < keys; jb += NC) {
                    microkernel(0, d, gp, i0 * dp, dp, 1, vt, jb, sp, ds, i0 * sp + jb, sp, rows,
                            Math.min(NC, keys - jb), 1f, false, ws.tile);
                }
                for (int r = 0; r < rows; r++) {
                    softmaxGradRow(ds, (i0 + r) * sp, probs, pBase + (i0 + r) * s, n.visible(i0 + r), sp, scale,
                            ws.lanes);
                }
                // dq = dS · k
                int o0 = dq.at(b, h, i0);
                for (int cb = 0; cb < d; cb += NC) {
                    microkernel(0, keys, ds, i0 * sp, sp, 1, kp, cb, dp, dq.a(), o0 + cb, dq.st(), rows,
                            Math.min(NC, d - cb), 1f, false, ws.tile);
                }
            }
            // dk (+)= dSᵀ · q and dv (+)= Pᵀ · g; query i only reaches keys j <= off + i
            for (int j0 = 0; j0 < s; j0 += MR) {
                int rows = Math.min(MR, s - j0);
                int from = Math.max(0, j0 - off);
                int ok = dk.at(b, kh, j0);
                int ov = dv.at(b, kh, j0);
                for (int cb = 0; cb < d; cb += NC) {
                    int cols = Math.min(NC, d - cb);
                    microkernel(from, t, ds, j0, 1, sp, qp, cb, dp, dk.a(), ok + cb, dk.st(), rows, cols, 1f, acc,
                            ws.tile);
                    microkernel(from, t, probs, pBase + j0, 1, s, gp, cb, dp, dv.a(), ov + cb, dv.st(), rows, cols, 1f,
                            acc, ws.tile);
                }
            }
        }
    }

    /**
     * Softmax in place of {@code rows} rows of {@code len} starting at {@code p0}; row r has its
     * first {@code vis0 + r} entries visible and zeros after. Stage by stage over the rows so the
     * rows' latency chains (max, exp and sum, scale) overlap.
     */
    private static void softmaxRows(float[] p, int p0, int len, int rows, int vis0, float[] lanes, float[] stats) {
        for (int r = 0; r < rows; r++) {
            stats[r] = rowMax(p, p0 + r * len, vis0 + r);
        }
        for (int r = 0; r < rows; r++) {
            stats[r] = (float) (1.0 / expRow(p, p0 + r * len, vis0 + r, stats[r], lanes));
        }
        for (int r = 0; r < rows; r++) {
            int row = p0 + r * len;
            int vis = vis0 + r;
            int full = vis / L * L;
            float inv = stats[r];
            int j = 0;
            for (; j < full; j += L) {
                FloatVector.fromArray(F, p, row + j).mul(inv).intoArray(p, row + j);
            }
            if (full < vis) {
                VectorMask<Float> tail = Simd.lanes(0, vis - full);
                FloatVector.fromArray(F, p, row + full, tail).mul(inv).intoArray(p, row + full, tail);
            }
            zero(p, row + vis, row + len);
        }
    }

    private static float rowMax(float[] p, int row, int vis) {
        int full = vis / L * L;
        FloatVector vmax = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < full; j += L) {
            vmax = vmax.max(FloatVector.fromArray(F, p, row + j));
        }
        if (full < vis) {
            VectorMask<Float> tail = Simd.lanes(0, vis - full);
            vmax = vmax.max(FloatVector.broadcast(F, Float.NEGATIVE_INFINITY).blend(
                    FloatVector.fromArray(F, p, row + full, tail), tail));
        }
        return vmax.reduceLanes(VectorOperators.MAX);
    }

    /** p[j] = exp(p[j] - max) for j < vis; returns their sum (lanes added in a fixed tree order). */
    private static float expRow(float[] p, int row, int vis, float max, float[] lanes) {
        int full = vis / L * L;
        FloatVector m = FloatVector.broadcast(F, max);
        FloatVector sum = FloatVector.zero(F);
        for (int j = 0; j < full; j += L) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(F, p, row + j).sub(m));
            sum = sum.add(e);
            e.intoArray(p, row + j);
        }
        if (full < vis) {
            VectorMask<Float> tail = Simd.lanes(0, vis - full);
            FloatVector e = FloatVector.zero(F).blend(
                    VectorMath.exp(FloatVector.fromArray(F, p, row + full, tail).sub(m)), tail);
            sum = sum.add(e);
            e.intoArray(p, row + full, tail);
        }
        sum.intoArray(lanes, 0);
        return treeSum(lanes);
    }

    /** The lanes summed pairwise (a fixed order, short latency chain). */
    private static float treeSum(float[] x) {
        for (int w = x.length / 2; w >= 1; w /= 2) {
            for (int i = 0; i < w; i++) {
                x[i] = x[i] + x[i + w];
            }
        }
        return x[0];
    }

    /**
     * ds[row, j] = P[j] · (dP[j] - Σ dP ⊙ P) · scale for j < vis (dP is held in ds), zero up to
     * {@code len}.
     */
    private static void softmaxGradRow(float[] ds, int row, float[] probs, int prow, int vis, int len, float scale,
            float[] lanes) {
        int full = vis / L * L;
        VectorMask<Float> tail = Simd.lanes(0, vis - full);
        FloatVector dot = FloatVector.zero(F);
        int j = 0;
        for (; j < full; j += L) {
            dot = FloatVector.fromArray(F, ds, row + j).fma(FloatVector.fromArray(F, probs, prow + j), dot);
        }
        if (full < vis) {
            dot = FloatVector.fromArray(F, ds, row + full, tail).fma(FloatVector.fromArray(F, probs, prow + full, tail),
                    dot);
        }
        dot.intoArray(lanes, 0);
        FloatVector sum = FloatVector.broadcast(F, treeSum(lanes));
        for (j = 0; j < full; j += L) {
            FloatVector pv = FloatVector.fromArray(F, probs, prow + j);
            pv.mul(FloatVector.fromArray(F, ds, row + j).sub(sum)).mul(scale).intoArray(ds, row + j);
        }
        if (full < vis) {
            FloatVector pv = FloatVector.fromArray(F, probs, prow + full, tail);
            pv.mul(FloatVector.fromArray(F, ds, row + full, tail).sub(sum)).mul(scale).intoArray(ds, row + full, tail);
        }
        zero(ds, row + vis, row + len);
    }

    /**
     * C[r, 0:cols] (+)= alpha · Σ_{p in [p0, p1)} A[r, p] · B[p, 0:cols] for r < rows (at most
     * {@link #MR}), cols at most {@link #NC}. A[r, p] = a[a0 + r * ars + p * aps] (rows past
     * {@code rows} repeat the last real one and are not stored); B[p, :] is the {@link #NC} floats
     * at {@code bo + p * bs} (a padded buffer); C row r starts at {@code co + r * crs}.
     * Straight-line so the sixteen accumulators stay in registers; a full tile is stored from them,
     * a partial one through {@code tile}.
     */
    private static void microkernel(int p0, int p1, float[] a, int a0, int ars, int aps,
            float[] b, int bo, int bs, float[] c, int co, int crs, int rows, int cols, float alpha, boolean acc,
            float[] tile) {
        int a1 = a0 + Math.min(1, rows - 1) * ars;
        int a2 = a0 + Math.min(2, rows - 1) * ars;
        int a3 = a0 + Math.min(3, rows - 1) * ars;
        int a4 = a0 + Math.min(4, rows - 1) * ars;
        int a5 = a0 + Math.min(5, rows - 1) * ars;
        int a6 = a0 + Math.min(6, rows - 1) * ars;
        int a7 = a0 + Math.min(7, rows - 1) * ars;
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        FloatVector c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        for (int p = p0; p < p1; p++) {
            int bp = bo + p * bs;
            int ap = p * aps;
            FloatVector b0 = FloatVector.fromArray(F, b, bp);
            FloatVector b1 = FloatVector.fromArray(F, b, bp + L);
            FloatVector x = FloatVector.broadcast(F, a[a0 + ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, a[a1 + ap]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, a[a2 + ap]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, a[a3 + ap]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(F, a[a4 + ap]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(F, a[a5 + ap]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(F, a[a6 + ap]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(F, a[a7 + ap]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        if (cols == NC && rows == MR && !acc) {
            c00.mul(alpha).intoArray(c, co);
            c01.mul(alpha).intoArray(c, co + L);
            c10.mul(alpha).intoArray(c, co + crs);
            c11.mul(alpha).intoArray(c, co + crs + L);
            c20.mul(alpha).intoArray(c, co + 2 * crs);
            c21.mul(alpha).intoArray(c, co + 2 * crs + L);
            c30.mul(alpha).intoArray(c, co + 3 * crs);
            c31.mul(alpha).intoArray(c, co + 3 * crs + L);
            c40.mul(alpha).intoArray(c, co + 4 * crs);
            c41.mul(alpha).intoArray(c, co + 4 * crs + L);
            c50.mul(alpha).intoArray(c, co + 5 * crs);
            c51.mul(alpha).intoArray(c, co + 5 * crs + L);
            c60.mul(alpha).intoArray(c, co + 6 * crs);
            c61.mul(alpha).intoArray(c, co + 6 * crs + L);
            c70.mul(alpha).intoArray(c, co + 7 * crs);
            c71.mul(alpha).intoArray(c, co + 7 * crs + L);
            return;
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NC);
        c11.intoArray(tile, NC + L);
        c20.intoArray(tile, 2 * NC);
        c21.intoArray(tile, 2 * NC + L);
        c30.intoArray(tile, 3 * NC);
        c31.intoArray(tile, 3 * NC + L);
        c40.intoArray(tile, 4 * NC);
        c41.intoArray(tile, 4 * NC + L);
        c50.intoArray(tile, 5 * NC);
        c51.intoArray(tile, 5 * NC + L);
        c60.intoArray(tile, 6 * NC);
        c61.intoArray(tile, 6 * NC + L);
        c70.intoArray(tile, 7 * NC);
        c71.intoArray(tile, 7 * NC + L);
        storeTile(tile, c, co, crs, rows, cols, alpha, acc);
    }

    /** C rows (+)= alpha · the tile's rows, the first {@code cols} columns. */
    private static void storeTile(float[] tile, float[] c, int co, int crs, int rows, int cols, float alpha,
            boolean acc) {
        int full = cols / L * L;
        VectorMask<Float> m = Simd.lanes(0, cols - full);
        for (int r = 0; r < rows; r++) {
            int at = co + r * crs;
            int ti = r * NC;
            int v = 0;
            for (; v < full; v += L) {
                FloatVector x = FloatVector.fromArray(F, tile, ti + v).mul(alpha);
                if (acc) {
                    x = x.add(FloatVector.fromArray(F, c, at + v));
                }
                x.intoArray(c, at + v);
            }
            if (full < cols) {
                FloatVector x = FloatVector.fromArray(F, tile, ti + v).mul(alpha);
                if (acc) {
                    x = x.add(FloatVector.fromArray(F, c, at + v, m));
                }
                x.intoArray(c, at + v, m);
            }
        }
    }
}

package dev.shears.sparse.cpu;

import static dev.shears.sparse.cpu.Lanes.F;
import static dev.shears.sparse.cpu.Lanes.L;

import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Products of a CSR weight W [m rows = out features, k cols = in features] with dense row-major
 * operands, in the shape of a linear layer ({@code y = x · Wᵀ}) and its backward.
 *
 * <p><b>Layout.</b> {@code rowPtr} holds m + 1 offsets from 0; row r's non-zeros are
 * {@code [rowPtr[r], rowPtr[r + 1])} of {@code colIdx} and {@code values}, columns ascending, rows
 * may be empty. Column indices are {@code char[]} (unsigned 16-bit, k ≤ 65536: a quarter fewer
 * bytes) or {@code int[]}; both overloads share one implementation.
 *
 * <ul>
 *   <li><b>GEMV</b> (n = 1): one scalar dot per row with four accumulators, about 0.5 ns per
 *       non-zero from L2 (a vector gather measured the same with 16-bit indices, which must first
 *       be widened into an int[] map; kernels.md §5.3); rows split across tasks by non-zero count.
 *   <li><b>Batches</b> (n ≥ 2), XNNPACK-style: X is transposed into panels {@code Xᵀ [k, P]} of up
 *       to {@link #PANEL_VECTORS} vectors of batch rows, so each non-zero is one broadcast weight
 *       times contiguous vectors of Xᵀ accumulated in registers into the row of Yᵀ, which is then
 *       written to Y's column. No gathers.
 *   <li><b>Transposed</b> {@code dX = dY · W}: tasks own column ranges of dX (each row's non-zeros
 *       in the range found by binary search), so the scatter has no races; batches run on
 *       transposed panels of dY and dX.
 *   <li><b>SDDMM</b> {@code dValues[p] = Σ_i dY[i, r] · X[i, col(p)]}: one dot over the batch per
 *       non-zero, on transposed panels of dY and X.
 * </ul>
 * Every output element is computed by one task in a fixed order, so results are identical for any
 * thread count. With {@link Simd#ENABLED} false the references run. Arguments are {@code assert}ed;
 * the format classes validate the structure.
 */
public final class SpmmCsrKernel {
    /** Vectors of batch rows per transposed panel: four accumulators per row of W. */
    static final int PANEL_VECTORS = 4;
    /** Fewest columns per task of the transposed product: each task searches every row once. */
    static final int MIN_RANGE_COLUMNS = 512;

    private SpmmCsrKernel() {}

    // ---------------------------------------------------------------- public entry points

    /** {@code Y[n, m] (+)= X[n, k] · Wᵀ}, 16-bit column indices; X at {@code x[xOff]}, Y at {@code y[yOff]}. */
    public static void run(int n, int m, int k, int[] rowPtr, char[] colIdx, float[] values,
            float[] x, int xOff, float[] y, int yOff, boolean accumulate) {
        assert check("SpmmCsrKernel.run", n, m, k, rowPtr, colIdx, null, values, x, xOff, n, k, y, yOff, n, m);
        forward(n, m, k, rowPtr, colIdx, null, values, x, xOff, y, yOff, accumulate);
    }

    /** {@code Y[n, m] (+)= X[n, k] · Wᵀ}, 32-bit column indices. */
    public static void run(int n, int m, int k, int[] rowPtr, int[] colIdx, float[] values,
            float[] x, int xOff, float[] y, int yOff, boolean accumulate) {
        assert check("SpmmCsrKernel.run", n, m, k, rowPtr, null, colIdx, values, x, xOff, n, k, y, yOff, n, m);
        forward(n, m, k, rowPtr, null, colIdx, values, x, xOff, y, yOff, accumulate);
    }

    /** The scalar definition of {@link #run} (float sums over each row's non-zeros in order). */
    public static void reference(int n, int m, int k, int[] rowPtr, char[] colIdx, float[] values,
            float[] x, int xOff, float[] y, int yOff, boolean accumulate) {
        assert check("SpmmCsrKernel.reference", n, m, k, rowPtr, colIdx, null, values, x, xOff, n, k, y, yOff, n, m);
        referenceForward(n, m, k, rowPtr, colIdx, null, values, x, xOff, y, yOff, accumulate);
    }

    /** The scalar definition of {@link #run}, 32-bit column indices. */
    public static void reference(int n, int m, int k, int[] rowPtr, int[] colIdx, float[] values,
            float[] x, int xOff, float[] y, int yOff, boolean accumulate) {
        assert check("SpmmCsrKernel.reference", n, m, k, rowPtr, null, colIdx, values, x, xOff, n, k, y, yOff, n, m);
        referenceForward(n, m, k, rowPtr, null, colIdx, values, x, xOff, y, yOff, accumulate);
    }

    /** {@code dX[n, k] (+)= dY[n, m] · W}, the input gradient of {@link #run}; 16-bit column indices. */
    public static void runTransposed(int n, int m, int k, int[] rowPtr, char[] colIdx, float[] values,
            float[] dy, int dyOff, float[] dx, int dxOff, boolean accumulate) {
        assert check("SpmmCsrKernel.runTransposed", n, m, k, rowPtr, colIdx, null, values, dy, dyOff, n, m, dx, dxOff, n, k);
        transposed(n, m, k, rowPtr, colIdx, null, values, dy, dyOff, dx, dxOff, accumulate);
    }

    /** {@code dX[n, k] (+)= dY[n, m] · W}, 32-bit column indices. */
    public static void runTransposed(int n, int m, int k, int[] rowPtr, int[] colIdx, float[] values,
            float[] dy, int dyOff, float[] dx, int dxOff, boolean accumulate) {
        assert check("SpmmCsrKernel.runTransposed", n, m, k, rowPtr, null, colIdx, values, dy, dyOff, n, m, dx, dxOff, n, k);
        transposed(n, m, k, rowPtr, null, colIdx, values, dy, dyOff, dx, dxOff, accumulate);
    }

    /** The scalar definition of {@link #runTransposed} (rows of W added in ascending order). */
    public static void referenceTransposed(int n, int m, int k, int[] rowPtr, char[] colIdx, float[] values,
            float[] dy, int dyOff, float[] dx, int dxOff, boolean accumulate) {
        assert check("SpmmCsrKernel.referenceTransposed", n, m, k, rowPtr, colIdx, null, values, dy, dyOff, n, m,
                dx, dxOff, n, k);
        referenceTransposed(n, m, k, rowPtr, colIdx, null, values, dy, dyOff, dx, dxOff, accumulate);
    }

    /** The scalar definition of {@link #runTransposed}, 32-bit column indices. */
    public static void referenceTransposed(int n, int m, int k, int[] rowPtr, int[] colIdx, float[] values,
            float[] dy, int dyOff, float[] dx, int dxOff, boolean accumulate) {
        assert check("SpmmCsrKernel.referenceTransposed", n, m, k, rowPtr, null, colIdx, values, dy, dyOff, n, m,
                dx, dxOff, n, k);
        referenceTransposed(n, m, k, rowPtr, null, colIdx, values, dy, dyOff, dx, dxOff, accumulate);
    }

    /**
     * The weight gradient of {@link #run} at the non-zeros:
     * {@code dValues[p] (+)= Σ_i dY[i, r] · X[i, colIdx[p]]} for p in row r; 16-bit column indices.
     */
    public static void sddmm(int n, int m, int k, int[] rowPtr, char[] colIdx, float[] dy, int dyOff,
            float[] x, int xOff, float[] dValues, boolean accumulate) {
        assert check("SpmmCsrKernel.sddmm", n, m, k, rowPtr, colIdx, null, dValues, dy, dyOff, n, m, x, xOff, n, k);
        sddmm(n, m, k, rowPtr, colIdx, null, dy, dyOff, x, xOff, dValues, accumulate);
    }

    /** The weight gradient of {@link #run} at the non-zeros, 32-bit column indices. */
    public static void sddmm(int n, int m, int k, int[] rowPtr, int[] colIdx, float[] dy, int dyOff,
            float[] x, int xOff, float[] dValues, boolean accumulate) {
        assert check("SpmmCsrKernel.sddmm", n, m, k, rowPtr, null, colIdx, dValues, dy, dyOff, n, m, x, xOff, n, k);
        sddmm(n, m, k, rowPtr, null, colIdx, dy, dyOff, x, xOff, dValues, accumulate);
    }

    /** The scalar definition of {@link #sddmm} (float sums over i ascending). */
    public static void referenceSddmm(int n, int m, int k, int[] rowPtr, char[] colIdx, float[] dy, int dyOff,
            float[] x, int xOff, float[] dValues, boolean accumulate) {
        assert check("SpmmCsrKernel.referenceSddmm", n, m, k, rowPtr, colIdx, null, dValues, dy, dyOff, n, m, x, xOff, n, k);
        referenceSddmm(n, m, k, rowPtr, colIdx, null, dy, dyOff, x, xOff, dValues, accumulate);
    }

    /** The scalar definition of {@link #sddmm}, 32-bit column indices. */
    public static void referenceSddmm(int n, int m, int k, int[] rowPtr, int[] colIdx, float[] dy, int dyOff,
            float[] x, int xOff, float[] dValues, boolean accumulate) {
        assert check("SpmmCsrKernel.referenceSddmm", n, m, k, rowPtr, null, colIdx, dValues, dy, dyOff, n, m, x, xOff, n, k);
        referenceSddmm(n, m, k, rowPtr, null, colIdx, dy, dyOff, x, xOff, dValues, accumulate);
    }

    private static boolean check(String op, int n, int m, int k, int[] rowPtr, char[] narrow, int[] wide,
            float[] values, float[] in, int inOff, int inRows, int inCols, float[] out, int outOff, int outRows, int outCols) {
        int indexCount = narrow != null ? narrow.length : wide.length;
        return Checks.sizes(op, n, m, k) && (narrow == null || Checks.narrowColumns(op, k))
                && Checks.csr(op, m, rowPtr, indexCount, values.length)
                && Checks.dense(op, "input", in, inOff, inRows, inCols)
                && Checks.dense(op, "output", out, outOff, outRows, outCols);
    }

    /**
     * Column of non-zero p from whichever index array is present. The test is loop-invariant in
     * every loop that calls this, so the JIT unswitches the loop into a char and an int version.
     */
    private static int col(char[] narrow, int[] wide, int p) {
        return narrow != null ? narrow[p] : wide[p];
    }

    // ---------------------------------------------------------------- forward: Y = X · Wᵀ

    private static void forward(int n, int m, int k, int[] rowPtr, char[] narrow, int[] wide, float[] values,
            float[] x, int xOff, float[] y, int yOff, boolean accumulate) {
        if (n == 0 || m == 0) {
            return;
        }
        if (!Simd.ENABLED) {
            referenceForward(n, m, k, rowPtr, narrow, wide, values, x, xOff, y, yOff, accumulate);
        } else if (n == 1) {
            forRowsByNonZeros(m, rowPtr, 1, (lo, hi) -> {
                for (int r = lo; r < hi; r++) {
                    MaskedRows.store(y, yOff + r, rowDot(rowPtr[r], rowPtr[r + 1], narrow, wide, values, x, xOff),
                            accumulate);
                }
            });
        } else {
            for (int n0 = 0; n0 < n; n0 += PANEL_VECTORS * L) {
                int rows = Math.min(PANEL_VECTORS * L, n - n0);
                int panel = Grain.ceilDiv(rows, L) * L;
                float[] xt = transposeIn(x, xOff + n0 * k, k, rows, k, panel, Scratch.INPUT);
                int yBase = yOff + n0 * m;
                forRowsByNonZeros(m, rowPtr, panel, (lo, hi) ->
                        panelRows(lo, hi, rows, panel, m, rowPtr, narrow, wide, values, xt, y, yBase, accumulate));
            }
        }
    }

    /** Σ values[p] · x[xo + col(p)] over [p0, p1), four accumulators combined pairwise. */
    private static float rowDot(int p0, int p1, char[] narrow, int[] wide, float[] values, float[] x, int xo) {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        int p = p0;
        for (; p + 3 < p1; p += 4) {
            s0 = Math.fma(values[p], x[xo + col(narrow, wide, p)], s0);
            s1 = Math.fma(values[p + 1], x[xo + col(narrow, wide, p + 1)], s1);
            s2 = Math.fma(values[p + 2], x[xo + col(narrow, wide, p + 2)], s2);
            s3 = Math.fma(values[p + 3], x[xo + col(narrow, wide, p + 3)], s3);
        }
        for (; p < p1; p++) {
            s0 = Math.fma(values[p], x[xo + col(narrow, wide, p)], s0);
        }
        return (s0 + s1) + (s2 + s3);
    }

    /**
     * Rows [lo, hi) of W against a transposed panel {@code xt [k, panel]} of {@code rows} batch
     * rows: row r of Yᵀ = Σ_p values[p] · xt[col(p), :], written to column r of Y
     * ({@code y[yBase + i * m + r]}). Four vectors of the panel at a time in registers, then single
     * vectors (the row's non-zeros stay in L1 between passes).
     */
    private static void panelRows(int lo, int hi, int rows, int panel, int m, int[] rowPtr, char[] narrow, int[] wide,
            float[] values, float[] xt, float[] y, int yBase, boolean accumulate) {
        float[] out = Scratch.floats(Scratch.OUTPUT, panel);
        for (int r = lo; r < hi; r++) {
            int p0 = rowPtr[r];
            int p1 = rowPtr[r + 1];
            int v = 0;
            for (; v + 4 * L <= panel; v += 4 * L) {
                rowTimesPanel4(p0, p1, narrow, wide, values, xt, panel, v, out);
            }
            for (; v < panel; v += L) {
                rowTimesPanel1(p0, p1, narrow, wide, values, xt, panel, v, out);
            }
            for (int i = 0; i < rows; i++) {
                MaskedRows.store(y, yBase + i * m + r, out[i], accumulate);
            }
        }
    }

    /** out[v, v + 4L) = Σ_p values[p] · xt[col(p) * panel + v, + 4L), four accumulators. */
    private static void rowTimesPanel4(int p0, int p1, char[] narrow, int[] wide, float[] values, float[] xt,
            int panel, int v, float[] out) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int p = p0; p < p1; p++) {
            FloatVector w = FloatVector.broadcast(F, values[p]);
            int at = col(narrow, wide, p) * panel + v;
            a0 = w.fma(FloatVector.fromArray(F, xt, at), a0);
            a1 = w.fma(FloatVector.fromArray(F, xt, at + L), a1);
            a2 = w.fma(FloatVector.fromArray(F, xt, at + 2 * L), a2);
            a3 = w.fma(FloatVector.fromArray(F, xt, at + 3 * L), a3);
        }
        a0.intoArray(out, v);
        a1.intoArray(out, v + L);
        a2.intoArray(out, v + 2 * L);
        a3.intoArray(out, v + 3 * L);
    }

    /** out[v, v + L) = Σ_p values[p] · xt[col(p) * panel + v, + L). */
    private static void rowTimesPanel1(int p0, int p1, char[] narrow, int[] wide, float[] values, float[] xt,
            int panel, int v, float[] out) {
        FloatVector a = FloatVector.zero(F);
        for (int p = p0; p < p1; p++) {
            a = FloatVector.broadcast(F, values[p]).fma(FloatVector.fromArray(F, xt, col(narrow, wide, p) * panel + v), a);
        }
        a.intoArray(out, v);
    }

    private static void referenceForward(int n, int m, int k, int[] rowPtr, char[] narrow, int[] wide, float[] values,
            float[] x, int xOff, float[] y, int yOff, boolean accumulate) {
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < m; r++) {
                float s = 0f;
                for (int p = rowPtr[r]; p < rowPtr[r + 1]; p++) {
                    s += values[p] * x[xOff + i * k + col(narrow, wide, p)];
                }
                MaskedRows.store(y, yOff + i * m + r, s, accumulate);
            }
        }
    }

    // ---------------------------------------------------------------- transposed: dX = dY · W

    private static void transposed(int n, int m, int k, int[] rowPtr, char[] narrow, int[] wide, float[] values,
            float[] dy, int dyOff, float[] dx, int dxOff, boolean accumulate) {
        if (n == 0 || k == 0) {
            return;
        }
        if (!Simd.ENABLED) {
            referenceTransposed(n, m, k, rowPtr, narrow, wide, values, dy, dyOff, dx, dxOff, accumulate);
            return;
        }
        int grain = Math.max(MIN_RANGE_COLUMNS, Grain.of((long) rowPtr[m] * n / k));
        if (n == 1) {
            Parallel.forRange(k, grain, (c0, c1) -> {
                if (!accumulate) {
                    Arrays.fill(dx, dxOff + c0, dxOff + c1, 0f);
                }
                for (int r = 0; r < m; r++) {
                    float g = dy[dyOff + r];
                    int end = rowPtr[r + 1];
                    for (int p = firstAtOrAfter(narrow, wide, rowPtr[r], end, c0); p < end; p++) {
                        int c = col(narrow, wide, p);
                        if (c >= c1) {
                            break;
                        }
                        dx[dxOff + c] = Math.fma(g, values[p], dx[dxOff + c]);
                    }
                }
            });
            return;
        }
        for (int n0 = 0; n0 < n; n0 += PANEL_VECTORS * L) {
            int rows = Math.min(PANEL_VECTORS * L, n - n0);
            int panel = Grain.ceilDiv(rows, L) * L;
            float[] dyt = transposeIn(dy, dyOff + n0 * m, m, rows, m, panel, Scratch.INPUT);
            float[] dxt = Scratch.floats(Scratch.OUTPUT, k * panel);
            int dxBase = dxOff + n0 * k;
            Parallel.forRange(k, grain, (c0, c1) -> {
                if (accumulate) {
                    transposeRange(dx, dxBase, k, rows, dxt, panel, c0, c1);
                } else {
                    Arrays.fill(dxt, c0 * panel, c1 * panel, 0f);
                }
                for (int r = 0; r < m; r++) {
                    int end = rowPtr[r + 1];
                    for (int p = firstAtOrAfter(narrow, wide, rowPtr[r], end, c0); p < end; p++) {
                        int c = col(narrow, wide, p);
                        if (c >= c1) {
                            break;
                        }
                        FloatVector w = FloatVector.broadcast(F, values[p]);
                        for (int v = 0; v < panel; v += L) {
                            int d = c * panel + v;
                            w.fma(FloatVector.fromArray(F, dyt, r * panel + v), FloatVector.fromArray(F, dxt, d)).intoArray(dxt, d);
                        }
                    }
                }
                for (int i = 0; i < rows; i++) {
                    for (int c = c0; c < c1; c++) {
                        dx[dxBase + i * k + c] = dxt[c * panel + i];
                    }
                }
            });
        }
    }

    /** First p in [p0, p1) whose column is at least c (columns ascend within a row). */
    private static int firstAtOrAfter(char[] narrow, int[] wide, int p0, int p1, int c) {
        int lo = p0;
        int hi = p1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (col(narrow, wide, mid) < c) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static void referenceTransposed(int n, int m, int k, int[] rowPtr, char[] narrow, int[] wide,
            float[] values, float[] dy, int dyOff, float[] dx, int dxOff, boolean accumulate) {
        for (int i = 0; i < n; i++) {
            if (!accumulate) {
                Arrays.fill(dx, dxOff + i * k, dxOff + (i + 1) * k, 0f);
            }
            for (int r = 0; r < m; r++) {
                for (int p = rowPtr[r]; p < rowPtr[r + 1]; p++) {
                    dx[dxOff + i * k + col(narrow, wide, p)] += dy[dyOff + i * m + r] * values[p];
                }
            }
        }
    }

    // ---------------------------------------------------------------- SDDMM

    private static void sddmm(int n, int m, int k, int[] rowPtr, char[] narrow, int[] wide, float[] dy, int dyOff,
            float[] x, int xOff, float[] dValues, boolean accumulate) {
        if (m == 0 || rowPtr[m] == 0) {
            return;
        }
        if (!Simd.ENABLED || n <= 1) {
            // One product per non-zero (or none): nothing to vectorize over.
            if (Simd.ENABLED) {
                forRowsByNonZeros(m, rowPtr, 1, (lo, hi) ->
                        scalarSddmmRows(lo, hi, n, m, k, rowPtr, narrow, wide, dy, dyOff, x, xOff, dValues, accumulate));
            } else {
                referenceSddmm(n, m, k, rowPtr, narrow, wide, dy, dyOff, x, xOff, dValues, accumulate);
            }
            return;
        }
        for (int n0 = 0; n0 < n; n0 += PANEL_VECTORS * L) {
            int rows = Math.min(PANEL_VECTORS * L, n - n0);
            int panel = Grain.ceilDiv(rows, L) * L;
            float[] xt = transposeIn(x, xOff + n0 * k, k, rows, k, panel, Scratch.INPUT);
            float[] dyt = transposeIn(dy, dyOff + n0 * m, m, rows, m, panel, Scratch.OUTPUT);
            boolean add = accumulate || n0 > 0;
            forRowsByNonZeros(m, rowPtr, panel, (lo, hi) -> {
                for (int r = lo; r < hi; r++) {
                    for (int p = rowPtr[r]; p < rowPtr[r + 1]; p++) {
                        int at = col(narrow, wide, p) * panel;
                        FloatVector s = FloatVector.zero(F);
                        for (int v = 0; v < panel; v += L) {
                            s = FloatVector.fromArray(F, xt, at + v).fma(FloatVector.fromArray(F, dyt, r * panel + v), s);
                        }
                        MaskedRows.store(dValues, p, Lanes.sumTree(s), add);
                    }
                }
            });
        }
    }

    private static void referenceSddmm(int n, int m, int k, int[] rowPtr, char[] narrow, int[] wide, float[] dy,
            int dyOff, float[] x, int xOff, float[] dValues, boolean accumulate) {
        scalarSddmmRows(0, m, n, m, k, rowPtr, narrow, wide, dy, dyOff, x, xOff, dValues, accumulate);
    }

    /** Rows [lo, hi) of {@link #sddmm} in scalar code: one dot over the batch per non-zero. */
    private static void scalarSddmmRows(int lo, int hi, int n, int m, int k, int[] rowPtr, char[] narrow, int[] wide,
            float[] dy, int dyOff, float[] x, int xOff, float[] dValues, boolean accumulate) {
        for (int r = lo; r < hi; r++) {
            for (int p = rowPtr[r]; p < rowPtr[r + 1]; p++) {
                float s = 0f;
                for (int i = 0; i < n; i++) {
                    s += dy[dyOff + i * m + r] * x[xOff + i * k + col(narrow, wide, p)];
                }
                MaskedRows.store(dValues, p, s, accumulate);
            }
        }
    }

    // ---------------------------------------------------------------- shared

    /**
     * Runs {@code body} over row ranges of about equal non-zero counts: a row goes to the task whose
     * range of non-zeros holds its first one (trailing empty rows to the last task). The split
     * depends only on rowPtr and the grain.
     */
    private static void forRowsByNonZeros(int m, int[] rowPtr, long workPerNonZero, Parallel.RangeBody body) {
        int nnz = rowPtr[m];
        if (nnz == 0) {
            body.run(0, m);
            return;
        }
        Parallel.forRange(nnz, Grain.of(workPerNonZero), (lo, hi) -> {
            int r0 = firstRowFrom(rowPtr, m, lo);
            int r1 = hi == nnz ? m : firstRowFrom(rowPtr, m, hi);
            if (r0 < r1) {
                body.run(r0, r1);
            }
        });
    }

    /** First row r < m with rowPtr[r] >= p, or m. */
    private static int firstRowFrom(int[] rowPtr, int m, int p) {
        int lo = 0;
        int hi = m;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (rowPtr[mid] < p) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * The transposed panel {@code [cols, panel]} of the {@code rows} row-major rows (stride
     * {@code stride}) at {@code a[off]}, lanes past {@code rows} zero, in this thread's scratch slot;
     * filled in parallel over column ranges.
     */
    private static float[] transposeIn(float[] a, int off, int stride, int rows, int cols, int panel, int slot) {
        float[] t = Scratch.floats(slot, cols * panel);
        Parallel.forRange(cols, Grain.of(panel), (c0, c1) -> transposeRange(a, off, stride, rows, t, panel, c0, c1));
        return t;
    }

    /** Columns [c0, c1) of the transposed panel (see {@link #transposeIn}). */
    private static void transposeRange(float[] a, int off, int stride, int rows, float[] t, int panel, int c0, int c1) {
        Arrays.fill(t, c0 * panel, c1 * panel, 0f);
        for (int i = 0; i < rows; i++) {
            int src = off + i * stride;
            for (int c = c0; c < c1; c++) {
                t[c * panel + i] = a[src + c];
            }
        }
    }
}

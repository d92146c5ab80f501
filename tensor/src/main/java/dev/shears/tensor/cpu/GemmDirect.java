package dev.shears.tensor.cpu;

import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link GemmKernel}'s unpacked path for tiny products, a few rows (GEMV, small batches) and
 * single columns, where packing would cost more than it saves. Two forms:
 * <ul>
 *   <li><b>axpy</b> (B's rows contiguous): for each p, {@code C[i, cols] += A[i, p] * B[p, cols]}
 *       over a chunk of columns that stays in L1, so B streams through once in order;
 *   <li><b>dot</b> (A's rows and B's columns contiguous, e.g. x · W^T with W row-major): one dot
 *       product per element, each B column read once and reused for every row.
 * </ul>
 * Parallel over columns (or rows when there are more of them) in chunks fixed by the sizes alone,
 * so results are the same for any thread count (an element's rounding may still depend on where
 * the chunk edges fall: a leftover odd row or column takes the four-accumulator dot).
 */
final class GemmDirect {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.LANES;
    /**
     * Up to this many rows, A·B with B's columns contiguous (A·Wᵀ shapes: a convolution's weight
     * gradient, few output channels against long rows) takes the dot form when the dots are long
     * ({@link #MIN_DOT_LENGTH}): packing such a B is a scalar transpose that cost more than the whole
     * product, while short dots would spend their time summing lanes.
     */
    static final int MAX_DOT_ROWS = 16;
    static final int MIN_DOT_LENGTH = 32 * L;
    /** Elements of each dot handled per sweep over the columns (16 KB of every row of A). */
    static final int DOT_CHUNK = 4096;
    /** Products with at most this many multiply-adds always come here (any layout). */
    static final long MAX_WORK = 32L * 32 * 32;
    /** Up to this many rows of A, vectorizable layouts come here rather than to the packed path. */
    static final int MAX_ROWS = 4;
    /**
     * Most columns of C per sweep over k in the axpy form: MAX_ROWS rows of them stay in L2 while
     * long runs of each row of B stream past (short runs at a large stride measured 2x slower).
     */
    static final int CHUNK = 4096;
    /** Multiply-adds per parallel task. */
    private static final long GRAIN_WORK = 1L << 18;

    private GemmDirect() {}

    /** Whether this path should take the product (the shapes and strides of {@link GemmKernel#run}). */
    static boolean suits(int m, int n, int k, int aColStride, int bRowStride, int bColStride) {
        boolean axpy = bColStride == 1;
        boolean dot = bRowStride == 1 && aColStride == 1;
        return (long) m * n * k <= MAX_WORK || (m <= MAX_ROWS && (axpy || bRowStride == 1)) || (n == 1 && dot)
                || (m <= MAX_DOT_ROWS && k >= MIN_DOT_LENGTH && dot && !axpy);
    }

    static void run(int m, int n, int k,
            float[] a, int aOff, int aRs, int aCs,
            float[] b, int bOff, int bRs, int bCs,
            float[] c, int cOff, int cRs, boolean accumulate) {
        if (bCs == 1) {
            // One column range per thread: the longest contiguous runs of B per task.
            int grain = Math.max(ceilDiv(n, Parallel.threads()), grain(n, (long) m * k));
            Parallel.forRange(n, grain, (lo, hi) ->
                    axpy(m, k, lo, hi, a, aOff, aRs, aCs, b, bOff, bRs, c, cOff, cRs, accumulate));
        } else if (bRs == 1 && aCs != 1 && m <= MAX_ROWS) {
            // A few strided rows of A: copy them contiguous (m * k floats) and take the dot form.
            float[] rowsOfA = new float[m * k];
            for (int i = 0; i < m; i++) {
                for (int p = 0; p < k; p++) {
                    rowsOfA[i * k + p] = a[aOff + i * aRs + p * aCs];
                }
            }
            run(m, n, k, rowsOfA, 0, k, 1, b, bOff, bRs, bCs, c, cOff, cRs, accumulate);
        } else if (bRs == 1 && aCs == 1) {
            if (n >= m) {
                Parallel.forRange(n, grain(n, (long) m * k), (lo, hi) ->
                        dot(0, m, lo, hi, k, a, aOff, aRs, b, bOff, bCs, c, cOff, cRs, accumulate));
            } else {
                Parallel.forRange(m, grain(m, (long) n * k), (lo, hi) ->
                        dot(lo, hi, 0, n, k, a, aOff, aRs, b, bOff, bCs, c, cOff, cRs, accumulate));
            }
        } else {
            GemmKernel.reference(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, cRs, accumulate);
        }
    }

    /** Items per task so a task does about GRAIN_WORK multiply-adds. */
    private static int grain(int items, long workPerItem) {
        return (int) Math.max(1, Math.min(items, GRAIN_WORK / Math.max(1, workPerItem)));
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    /** C[:, lo:hi] (+)= A · B[:, lo:hi] with B's rows contiguous; each element is an FMA chain over p. */
    private static void axpy(int m, int k, int lo, int hi, float[] a, int aOff, int aRs, int aCs,
            float[] b, int bOff, int bRs, float[] c, int cOff, int cRs, boolean accumulate) {
        for (int j0 = lo; j0 < hi; j0 += CHUNK) {
            int j1 = Math.min(hi, j0 + CHUNK);
            int jv = j0 + F.loopBound(j1 - j0);
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    int ci = cOff + i * cRs;
                    Arrays.fill(c, ci + j0, ci + j1, 0f);
                }
            }
            for (int p = 0; p < k; p++) {
                int bp = bOff + p * bRs;
                for (int i = 0; i < m; i++) {
                    float x = a[aOff + i * aRs + p * aCs];
                    FloatVector xv = FloatVector.broadcast(F, x);
                    int ci = cOff + i * cRs;
                    int j = j0;
                    for (; j < jv; j += L) {
                        xv.fma(FloatVector.fromArray(F, b, bp + j), FloatVector.fromArray(F, c, ci + j)).intoArray(c, ci + j);
                    }
                    for (; j < j1; j++) {
                        c[ci + j] = Math.fma(x, b[bp + j], c[ci + j]);
                    }
                }
            }
        }
    }

    /**
     * C[iLo:iHi, jLo:jHi] (+)= A · B with A's rows and B's columns contiguous: one dot product per
     * element. Long dots run in chunks of {@link #DOT_CHUNK} so the chunk of every row of A stays in
     * cache while all columns of B pass (unchunked, a batch-long weight-gradient dot re-streamed A
     * from memory once per column); each chunk's sum is added to C in chunk order.
     */
    private static void dot(int iLo, int iHi, int jLo, int jHi, int k, float[] a, int aOff, int aRs,
            float[] b, int bOff, int bCs, float[] c, int cOff, int cRs, boolean accumulate) {
        float[] lanes = new float[L];
        float[] sums = new float[8];
        for (int p0 = 0; p0 < k; p0 += DOT_CHUNK) {
            int len = Math.min(DOT_CHUNK, k - p0);
            boolean add = accumulate || p0 > 0;
            for (int j = jLo; j < jHi; j += 2) {
                int bj = bOff + j * bCs + p0;
                for (int i = iLo; i < iHi; i += 2) {
                    int ai = aOff + i * aRs + p0;
                    if (i + 3 < iHi && j + 1 < jHi) {
                        // Four rows against two columns: eight independent FMA chains (four left the
                        // FMA units waiting on latency), six loads per eight FMAs.
                        dotBlock4(a, ai, aRs, b, bj, bj + bCs, len, lanes, sums);
                        for (int e = 0; e < 8; e++) {
                            store(c, cOff + (i + e / 2) * cRs + j + e % 2, sums[e], add);
                        }
                        i += 2;
                    } else if (i + 1 < iHi && j + 1 < jHi) {
                        // Two rows against two columns: each loaded vector feeds two FMAs.
                        dotBlock(a, ai, ai + aRs, b, bj, bj + bCs, len, lanes, sums);
                        store(c, cOff + i * cRs + j, sums[0], add);
                        store(c, cOff + i * cRs + j + 1, sums[1], add);
                        store(c, cOff + (i + 1) * cRs + j, sums[2], add);
                        store(c, cOff + (i + 1) * cRs + j + 1, sums[3], add);
                    } else {
                        for (int ii = i; ii < Math.min(i + 2, iHi); ii++) {
                            for (int jj = j; jj < Math.min(j + 2, jHi); jj++) {
                                store(c, cOff + ii * cRs + jj,
                                        dotRun(a, aOff + ii * aRs + p0, b, bOff + jj * bCs + p0, len, lanes), add);
                            }
                        }
                    }
                }
            }
        }
    }

    private static void store(float[] c, int at, float s, boolean add) {
        c[at] = add ? c[at] + s : s;
    }

    /**
     * The eight dots of rows a0 + {0..3}·aRs with columns b0, b1 over [0, len) into sums (row-major:
     * sums[2r + c]); per dot one accumulator, lanes summed in order, scalar tail, as {@link #dotBlock}.
     */
    private static void dotBlock4(float[] a, int a0, int aRs, float[] b, int b0, int b1, int len, float[] lanes,
                                  float[] sums) {
        int a1 = a0 + aRs, a2 = a1 + aRs, a3 = a2 + aRs;
        int k1 = F.loopBound(len);
        FloatVector s00 = FloatVector.zero(F), s01 = s00, s10 = s00, s11 = s00;
        FloatVector s20 = s00, s21 = s00, s30 = s00, s31 = s00;
        int p = 0;
        for (; p < k1; p += L) {
            FloatVector y0 = FloatVector.fromArray(F, b, b0 + p);
            FloatVector y1 = FloatVector.fromArray(F, b, b1 + p);
            FloatVector x = FloatVector.fromArray(F, a, a0 + p);
            s00 = x.fma(y0, s00);
            s01 = x.fma(y1, s01);
            x = FloatVector.fromArray(F, a, a1 + p);
            s10 = x.fma(y0, s10);
            s11 = x.fma(y1, s11);
            x = FloatVector.fromArray(F, a, a2 + p);
            s20 = x.fma(y0, s20);
            s21 = x.fma(y1, s21);
            x = FloatVector.fromArray(F, a, a3 + p);
            s30 = x.fma(y0, s30);
            s31 = x.fma(y1, s31);
        }
        sums[0] = finish(s00, a, a0, b, b0, p, len, lanes);
        sums[1] = finish(s01, a, a0, b, b1, p, len, lanes);
        sums[2] = finish(s10, a, a1, b, b0, p, len, lanes);
        sums[3] = finish(s11, a, a1, b, b1, p, len, lanes);
        sums[4] = finish(s20, a, a2, b, b0, p, len, lanes);
        sums[5] = finish(s21, a, a2, b, b1, p, len, lanes);
        sums[6] = finish(s30, a, a3, b, b0, p, len, lanes);
        sums[7] = finish(s31, a, a3, b, b1, p, len, lanes);
    }

    /** A dot's accumulator summed over lanes in order, plus the scalar tail [from, len). */
    private static float finish(FloatVector acc, float[] a, int ai, float[] b, int bj, int from, int len, float[] lanes) {
        float r = sumLanes(acc, lanes);
        for (int p = from; p < len; p++) {
            r = Math.fma(a[ai + p], b[bj + p], r);
        }
        return r;
    }

    /** The four dots of rows a0, a1 with columns b0, b1 over [0, len) into sums (a0b0, a0b1, a1b0, a1b1). */
    private static void dotBlock(float[] a, int a0, int a1, float[] b, int b0, int b1, int len, float[] lanes,
                                 float[] sums) {
        int k1 = F.loopBound(len);
        FloatVector s00 = FloatVector.zero(F), s01 = s00, s10 = s00, s11 = s00;
        int p = 0;
        for (; p < k1; p += L) {
            FloatVector x0 = FloatVector.fromArray(F, a, a0 + p);
            FloatVector x1 = FloatVector.fromArray(F, a, a1 + p);
            FloatVector y0 = FloatVector.fromArray(F, b, b0 + p);
            FloatVector y1 = FloatVector.fromArray(F, b, b1 + p);
            s00 = x0.fma(y0, s00);
            s01 = x0.fma(y1, s01);
            s10 = x1.fma(y0, s10);
            s11 = x1.fma(y1, s11);
        }
        sums[0] = finish(s00, a, a0, b, b0, p, len, lanes);
        sums[1] = finish(s01, a, a0, b, b1, p, len, lanes);
        sums[2] = finish(s10, a, a1, b, b0, p, len, lanes);
        sums[3] = finish(s11, a, a1, b, b1, p, len, lanes);
    }

    /** Σ a[ai + p]·b[bj + p] for p in [0, len): four vector accumulators, lanes summed in order, scalar tail. */
    private static float dotRun(float[] a, int ai, float[] b, int bj, int len, float[] lanes) {
        int k4 = len - len % (4 * L);
        int k1 = F.loopBound(len);
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
        int p = 0;
        for (; p < k4; p += 4 * L) {
            s0 = FloatVector.fromArray(F, a, ai + p).fma(FloatVector.fromArray(F, b, bj + p), s0);
            s1 = FloatVector.fromArray(F, a, ai + p + L).fma(FloatVector.fromArray(F, b, bj + p + L), s1);
            s2 = FloatVector.fromArray(F, a, ai + p + 2 * L).fma(FloatVector.fromArray(F, b, bj + p + 2 * L), s2);
            s3 = FloatVector.fromArray(F, a, ai + p + 3 * L).fma(FloatVector.fromArray(F, b, bj + p + 3 * L), s3);
        }
        for (; p < k1; p += L) {
            s0 = FloatVector.fromArray(F, a, ai + p).fma(FloatVector.fromArray(F, b, bj + p), s0);
        }
        float s = sumLanes(s0.add(s1).add(s2.add(s3)), lanes);
        for (; p < len; p++) {
            s = Math.fma(a[ai + p], b[bj + p], s);
        }
        return s;
    }

    /** Lanes summed in index order: reduceLanes leaves the order to the JIT; this keeps results reproducible. */
    private static float sumLanes(FloatVector v, float[] lanes) {
        v.intoArray(lanes, 0);
        float s = 0f;
        for (float x : lanes) {
            s += x;
        }
        return s;
    }
}

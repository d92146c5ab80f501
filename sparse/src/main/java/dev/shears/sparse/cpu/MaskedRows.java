package dev.shears.sparse.cpu;

import static dev.shears.sparse.cpu.Lanes.F;
import static dev.shears.sparse.cpu.Lanes.L;

import dev.shears.tensor.cpu.GemmKernel;
import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The products of the two mask-word layouts, which differ only in where a row's values start:
 * W [m, k] as 16-bit masks ({@code ceil(k/16)} words per row, bit j of word w = column 16w + j
 * kept) and the kept values packed row by row in ascending column order. Row r's values start at
 * {@code rowStart[r]} (bitmap) or, with {@code rowStart == null}, at {@code r * (k/2)} (2:4).
 *
 * <p>A chunk of L columns (L = 4, 8 or 16 lanes) lies inside one mask word, so decoding it is: take
 * its bits, load L packed values, {@code expand} them to the kept lanes, advance the value pointer
 * by the popcount. For 2:4 every full chunk holds L/2 values. Columns past the last full chunk
 * (k mod L) are summed in scalar code.
 *
 * <ul>
 *   <li><b>Forward</b> {@code Y[n, m] (+)= X[n, k] · Wᵀ}, parallel over rows of W. GEMV: one row
 *       of W at a time, so W is read as one sequential stream. Below {@link #TILE_BATCH} rows of X:
 *       register-blocked dot products of pairs of W rows with X rows in groups of eight (or four),
 *       each decoded chunk feeding up to eight FMAs and each X load two. From {@link #TILE_BATCH}
 *       on the product is compute-bound and the CPU has no sparse FMA: each task scatters a tile
 *       of W rows into a dense transposed {@code [TILE_DEPTH, TILE_ROWS]} buffer and runs
 *       {@link GemmKernel} on it.
 *   <li><b>Transposed</b> {@code dX[n, k] (+)= dY[n, m] · W}: small batches are split over column
 *       ranges of whole mask words (each task owns its columns of dX, so there are no races);
 *       large ones decompress row tiles and run {@link GemmKernel}.
 *   <li><b>SDDMM</b> {@code dValues = (dYᵀ · X) at the kept positions}: tiles of dense gradient rows
 *       from {@link GemmKernel}, compressed with the masks into the values order.
 * </ul>
 * Every output element is computed by one task in a fixed order that depends only on the shapes,
 * so results are identical for any thread count. With {@link Simd#ENABLED} false the references run.
 */
final class MaskedRows {
    /** Rows of X from which the forward product decompresses tiles and runs the dense GEMM. */
    static final int TILE_BATCH = 16;
    /** W rows per forward tile (columns of the transposed tile). */
    static final int TILE_ROWS = 64;
    /** Columns of W per forward tile, a multiple of 16: the tile is 256 KB, half of L2. */
    static final int TILE_DEPTH = 1024;
    /** W rows per tile of the large-batch transposed product (the GEMM's depth). */
    static final int TRANSPOSED_TILE_ROWS = 256;
    /** Floats of dense gradient per SDDMM tile (512 KB). */
    static final int SDDMM_TILE = 1 << 17;
    /**
     * Fewest mask words per column range of the small-batch transposed product: each range reads a
     * run of every row of W, and runs shorter than a few KB stream poorly from memory.
     */
    static final int MIN_RANGE_WORDS = 64;

    private MaskedRows() {}

    /** Mask words per row. */
    static int words(int k) {
        return (k + 15) >>> 4;
    }

    /** Index of row r's first value. */
    static int start(int[] rowStart, int r, int k) {
        return rowStart == null ? r * (k >>> 1) : rowStart[r];
    }

    // ---------------------------------------------------------------- forward: Y = X · Wᵀ

    static void forward(int n, int m, int k, float[] values, char[] masks, int[] rowStart,
            float[] x, int xOff, float[] y, int yOff, boolean accumulate) {
        if (n == 0 || m == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                Arrays.fill(y, yOff, yOff + n * m, 0f);
            }
        } else if (!Simd.ENABLED) {
            reference(n, m, k, values, masks, rowStart, x, xOff, y, yOff, accumulate);
        } else if (n == 1) {
            Parallel.forRange(m, Grain.of(k), (lo, hi) ->
                    gemvRows(lo, hi, k, values, masks, rowStart, x, xOff, y, yOff, accumulate));
        } else if (n < TILE_BATCH) {
            Parallel.forRange(Grain.ceilDiv(m, 2), Grain.of(2L * n * k), (lo, hi) ->
                    batchRows(2 * lo, Math.min(m, 2 * hi), n, m, k, values, masks, rowStart, x, xOff, y, yOff, accumulate));
        } else {
            Parallel.forRange(Grain.ceilDiv(m, TILE_ROWS), 1, (lo, hi) -> {
                for (int t = lo; t < hi; t++) {
                    forwardTile(t * TILE_ROWS, Math.min(m, (t + 1) * TILE_ROWS), n, m, k, values, masks, rowStart,
                            x, xOff, y, yOff, accumulate);
                }
            });
        }
    }

    /**
     * {@code y[yBase + r] (+)= W[r, :] · x} for rows [r0, r1), one row at a time: a single stream
     * of values and masks measured 1.6x faster from memory than two or four rows side by side.
     */
    static void gemvRows(int r0, int r1, int k, float[] values, char[] masks, int[] rowStart,
            float[] x, int xOff, float[] y, int yBase, boolean accumulate) {
        float[] sums = Scratch.floats(Scratch.SUMS, 2 * L);
        int words = words(k);
        for (int r = r0; r < r1; r++) {
            store(y, yBase + r, rowDot(k, values, start(rowStart, r, k), masks, r * words, x, xOff, sums), accumulate);
        }
    }

    /** W[r, :] · x for the row with values from vp and mask words from maskRow; two accumulators. */
    private static float rowDot(int k, float[] values, int vp, char[] masks, int maskRow, float[] x, int xo,
            float[] sums) {
        FloatVector a = FloatVector.zero(F), b = a;
        int full = k - k % L;
        int last = values.length - L;
        int col = 0;
        for (; col + L < full && vp <= last - L; col += 2 * L) {
            int bitsA = Lanes.chunkBits(masks, maskRow, col);
            int bitsB = Lanes.chunkBits(masks, maskRow, col + L);
            a = Lanes.expand(values, vp, bitsA).fma(FloatVector.fromArray(F, x, xo + col), a);
            vp += Integer.bitCount(bitsA);
            b = Lanes.expand(values, vp, bitsB).fma(FloatVector.fromArray(F, x, xo + col + L), b);
            vp += Integer.bitCount(bitsB);
        }
        a.intoArray(sums, 0);
        b.intoArray(sums, L);
        return Lanes.sum(sums, 0) + Lanes.sum(sums, L) + restDot(col, k, values, vp, masks, maskRow, x, xo);
    }

    /**
     * Rows [r0, r1) of W against 2..TILE_BATCH-1 rows of X: W rows in pairs, X rows in groups of
     * eight while more than four remain, then a quad (a missing X row is the last real one again,
     * computed and not stored). X stays in L2 and each loaded X vector feeds two FMAs. Measured
     * alternatives, all slower: blocking the columns so X sits in L1 (W's rows then stream in
     * short runs, 1.5x slower), one W row against eight X rows (L2-bound), and decompressing the
     * pair into a dense buffer first (storing while streaming W halved the read speed).
     */
    private static void batchRows(int r0, int r1, int n, int m, int k, float[] values, char[] masks, int[] rowStart,
            float[] x, int xOff, float[] y, int yOff, boolean accumulate) {
        float[] sums = Scratch.floats(Scratch.SUMS, 16 * L + 16);
        int words = words(k);
        for (int ra = r0; ra < r1; ra += 2) {
            int rb = Math.min(ra + 1, r1 - 1);
            int va = start(rowStart, ra, k);
            int vb = start(rowStart, rb, k);
            for (int i = 0; i < n; ) {
                int group = n - i > 4 ? 8 : 4;
                if (group == 8) {
                    dot2x8(k, values, va, vb, masks, ra * words, rb * words, x, xOff, i, n, sums);
                } else {
                    dot2x4(k, values, va, vb, masks, ra * words, rb * words, x, xOff, i, n, sums);
                }
                int out = 2 * group * L;
                for (int j = 0; j < Math.min(group, n - i); j++) {
                    int at = yOff + (i + j) * m;
                    store(y, at + ra, sums[out + j], accumulate);
                    if (rb != ra) {
                        store(y, at + rb, sums[out + group + j], accumulate);
                    }
                }
                i += group;
            }
        }
    }

    /**
     * The dot products of W rows a, b (values from va, vb; mask words from ma, mb) with X rows
     * i..i+3 (at {@code x[xOff + row * k]}, rows past n clamped to n - 1): row a's four at
     * sums[8L..8L+3], row b's at sums[8L+4..8L+7]; sums[0, 8L) holds the accumulators.
     */
    private static void dot2x4(int k, float[] values, int va, int vb, char[] masks, int ma, int mb,
            float[] x, int xOff, int i, int n, float[] sums) {
        int x0 = xRow(xOff, i, n, k);
        int x1 = xRow(xOff, i + 1, n, k);
        int x2 = xRow(xOff, i + 2, n, k);
        int x3 = xRow(xOff, i + 3, n, k);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        int full = k - k % L;
        int last = values.length - L;
        int col = 0;
        // Row a <= row b and values are stored row after row, so vb is the larger pointer.
        for (; col < full && vb <= last; col += L) {
            int bitsA = Lanes.chunkBits(masks, ma, col);
            int bitsB = Lanes.chunkBits(masks, mb, col);
            FloatVector wa = Lanes.expand(values, va, bitsA);
            FloatVector wb = Lanes.expand(values, vb, bitsB);
            va += Integer.bitCount(bitsA);
            vb += Integer.bitCount(bitsB);
            FloatVector xv = FloatVector.fromArray(F, x, x0 + col);
            a0 = wa.fma(xv, a0);
            b0 = wb.fma(xv, b0);
            xv = FloatVector.fromArray(F, x, x1 + col);
            a1 = wa.fma(xv, a1);
            b1 = wb.fma(xv, b1);
            xv = FloatVector.fromArray(F, x, x2 + col);
            a2 = wa.fma(xv, a2);
            b2 = wb.fma(xv, b2);
            xv = FloatVector.fromArray(F, x, x3 + col);
            a3 = wa.fma(xv, a3);
            b3 = wb.fma(xv, b3);
        }
        a0.intoArray(sums, 0);
        a1.intoArray(sums, L);
        a2.intoArray(sums, 2 * L);
        a3.intoArray(sums, 3 * L);
        b0.intoArray(sums, 4 * L);
        b1.intoArray(sums, 5 * L);
        b2.intoArray(sums, 6 * L);
        b3.intoArray(sums, 7 * L);
        finish(4, col, k, values, va, vb, masks, ma, mb, x, xOff, i, n, sums);
    }

    /** {@link #dot2x4} for X rows i..i+7: row a's eight at sums[16L..16L+7], row b's at sums[16L+8..16L+15]. */
    private static void dot2x8(int k, float[] values, int va, int vb, char[] masks, int ma, int mb,
            float[] x, int xOff, int i, int n, float[] sums) {
        int x0 = xRow(xOff, i, n, k);
        int x1 = xRow(xOff, i + 1, n, k);
        int x2 = xRow(xOff, i + 2, n, k);
        int x3 = xRow(xOff, i + 3, n, k);
        int x4 = xRow(xOff, i + 4, n, k);
        int x5 = xRow(xOff, i + 5, n, k);
        int x6 = xRow(xOff, i + 6, n, k);
        int x7 = xRow(xOff, i + 7, n, k);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0, b6 = a0, b7 = a0;
        int full = k - k % L;
        int last = values.length - L;
        int col = 0;
        // Row a <= row b and values are stored row after row, so vb is the larger pointer.
        for (; col < full && vb <= last; col += L) {
            int bitsA = Lanes.chunkBits(masks, ma, col);
            int bitsB = Lanes.chunkBits(masks, mb, col);
            FloatVector wa = Lanes.expand(values, va, bitsA);
            FloatVector wb = Lanes.expand(values, vb, bitsB);
            va += Integer.bitCount(bitsA);
            vb += Integer.bitCount(bitsB);
            FloatVector xv = FloatVector.fromArray(F, x, x0 + col);
            a0 = wa.fma(xv, a0);
            b0 = wb.fma(xv, b0);
            xv = FloatVector.fromArray(F, x, x1 + col);
            a1 = wa.fma(xv, a1);
            b1 = wb.fma(xv, b1);
            xv = FloatVector.fromArray(F, x, x2 + col);
            a2 = wa.fma(xv, a2);
            b2 = wb.fma(xv, b2);
            xv = FloatVector.fromArray(F, x, x3 + col);
            a3 = wa.fma(xv, a3);
            b3 = wb.fma(xv, b3);
            xv = FloatVector.fromArray(F, x, x4 + col);
            a4 = wa.fma(xv, a4);
            b4 = wb.fma(xv, b4);
            xv = FloatVector.fromArray(F, x, x5 + col);
            a5 = wa.fma(xv, a5);
            b5 = wb.fma(xv, b5);
            xv = FloatVector.fromArray(F, x, x6 + col);
            a6 = wa.fma(xv, a6);
            b6 = wb.fma(xv, b6);
            xv = FloatVector.fromArray(F, x, x7 + col);
            a7 = wa.fma(xv, a7);
            b7 = wb.fma(xv, b7);
        }
        a0.intoArray(sums, 0);
        a1.intoArray(sums, L);
        a2.intoArray(sums, 2 * L);
        a3.intoArray(sums, 3 * L);
        a4.intoArray(sums, 4 * L);
        a5.intoArray(sums, 5 * L);
        a6.intoArray(sums, 6 * L);
        a7.intoArray(sums, 7 * L);
        b0.intoArray(sums, 8 * L);
        b1.intoArray(sums, 9 * L);
        b2.intoArray(sums, 10 * L);
        b3.intoArray(sums, 11 * L);
        b4.intoArray(sums, 12 * L);
        b5.intoArray(sums, 13 * L);
        b6.intoArray(sums, 14 * L);
        b7.intoArray(sums, 15 * L);
        finish(8, col, k, values, va, vb, masks, ma, mb, x, xOff, i, n, sums);
    }

    /** Offset of X row {@code row}, clamped to the last real row. */
    private static int xRow(int xOff, int row, int n, int k) {
        return xOff + Math.min(row, n - 1) * k;
    }

    /**
     * Completes a 2 x {@code group} block: the lane sums of the stored accumulators
     * (sums[j * L] for row a with X row i + j, sums[(group + j) * L] for row b) plus the scalar rest
     * of the rows from column col, into sums[2 * group * L + j] and sums[2 * group * L + group + j].
     */
    private static void finish(int group, int col, int k, float[] values, int va, int vb, char[] masks, int ma, int mb,
            float[] x, int xOff, int i, int n, float[] sums) {
        int out = 2 * group * L;
        for (int j = 0; j < group; j++) {
            int xo = xRow(xOff, i + j, n, k);
            sums[out + j] = Lanes.sum(sums, j * L) + restDot(col, k, values, va, masks, ma, x, xo);
            sums[out + group + j] = Lanes.sum(sums, (group + j) * L) + restDot(col, k, values, vb, masks, mb, x, xo);
        }
    }

    /**
     * Σ over the kept columns c in [col, end) of the row (values from vp; col a multiple of L) of
     * value · x[xc + c], in scalar code: the columns after the last full chunk, and the chunks
     * whose vector load would pass the end of the values.
     */
    private static float restDot(int col, int end, float[] values, int vp, char[] masks, int maskRow,
            float[] x, int xc) {
        float s = 0f;
        for (; col < end; col += L) {
            for (int bits = Lanes.chunkBits(masks, maskRow, col); bits != 0; bits &= bits - 1) {
                s += values[vp++] * x[xc + col + Integer.numberOfTrailingZeros(bits)];
            }
        }
        return s;
    }

    /**
     * Rows [r0, r1) of W as one GEMM: scatter them, {@link #TILE_DEPTH} columns at a time, into a
     * zeroed transposed tile (row c of the tile = column k0 + c of W; B of the GEMM read with unit
     * column stride, so it packs by copying) and add X[:, k0:k0+kb] · tile to Y[:, r0:r1].
     */
    private static void forwardTile(int r0, int r1, int n, int m, int k, float[] values, char[] masks, int[] rowStart,
            float[] x, int xOff, float[] y, int yOff, boolean accumulate) {
        float[] tile = Scratch.floats(Scratch.INPUT, TILE_DEPTH * TILE_ROWS);
        int[] next = Scratch.ints(Scratch.ROW_POINTERS, TILE_ROWS);
        int h = r1 - r0;
        int words = words(k);
        for (int t = 0; t < h; t++) {
            next[t] = start(rowStart, r0 + t, k);
        }
        for (int k0 = 0; k0 < k; k0 += TILE_DEPTH) {
            int kb = Math.min(TILE_DEPTH, k - k0);
            Arrays.fill(tile, 0, kb * TILE_ROWS, 0f);
            int w0 = k0 >>> 4;
            int w1 = words(k0 + kb);
            for (int t = 0; t < h; t++) {
                int vp = next[t];
                int maskRow = (r0 + t) * words;
                for (int w = w0; w < w1; w++) {
                    int at = ((w << 4) - k0) * TILE_ROWS + t;
                    for (int bits = masks[maskRow + w]; bits != 0; bits &= bits - 1) {
                        tile[at + Integer.numberOfTrailingZeros(bits) * TILE_ROWS] = values[vp++];
                    }
                }
                next[t] = vp;
            }
            GemmKernel.run(n, h, kb, x, xOff + k0, k, 1, tile, 0, TILE_ROWS, 1, y, yOff + r0, m, accumulate || k0 > 0);
        }
    }

    static void reference(int n, int m, int k, float[] values, char[] masks, int[] rowStart,
            float[] x, int xOff, float[] y, int yOff, boolean accumulate) {
        int words = words(k);
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < m; r++) {
                float s = 0f;
                int vp = start(rowStart, r, k);
                for (int c = 0; c < k; c++) {
                    if (kept(masks, r * words, c)) {
                        s += values[vp++] * x[xOff + i * k + c];
                    }
                }
                store(y, yOff + i * m + r, s, accumulate);
            }
        }
    }

    // ---------------------------------------------------------------- transposed: dX = dY · W

    static void transposed(int n, int m, int k, float[] values, char[] masks, int[] rowStart,
            float[] dy, int dyOff, float[] dx, int dxOff, boolean accumulate) {
        if (n == 0 || k == 0) {
            return;
        }
        if (!Simd.ENABLED) {
            referenceTransposed(n, m, k, values, masks, rowStart, dy, dyOff, dx, dxOff, accumulate);
        } else if (n >= TILE_BATCH && m > 0) {
            transposedTiled(n, m, k, values, masks, rowStart, dy, dyOff, dx, dxOff, accumulate);
        } else {
            int words = words(k);
            int grain = Math.max(MIN_RANGE_WORDS, Grain.of(16L * n * m));
            int chunks = Parallel.chunkCount(words, grain);
            int[] offsets = rowStart == null ? null : chunkOffsets(m, k, masks, rowStart, words, grain, chunks);
            Parallel.forChunks(words, grain, (c, w0, w1) -> transposedRange(w0 << 4, Math.min(k, w1 << 4), n, m, k,
                    values, masks, rowStart, offsets, c, chunks, dy, dyOff, dx, dxOff, accumulate));
        }
    }

    /**
     * Where each row's values stand at the start of each column range of {@link Parallel#forChunks}
     * over the mask words: {@code [m, chunks]}, in this thread's scratch.
     */
    private static int[] chunkOffsets(int m, int k, char[] masks, int[] rowStart, int words, int grain, int chunks) {
        int[] offsets = Scratch.ints(Scratch.OFFSETS, m * chunks);
        int size = Parallel.chunkSize(words, grain);
        Parallel.forRange(m, Grain.of(words), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int vp = rowStart[r];
                for (int c = 0; c < chunks; c++) {
                    offsets[r * chunks + c] = vp;
                    for (int w = c * size; w < Math.min(words, (c + 1) * size); w++) {
                        vp += Integer.bitCount(masks[r * words + w]);
                    }
                }
            }
        });
        return offsets;
    }

    /** dX[:, col0:col1) (+)= dY · W[:, col0:col1), col0 a multiple of 16; range c of chunks. */
    private static void transposedRange(int col0, int col1, int n, int m, int k, float[] values, char[] masks,
            int[] rowStart, int[] offsets, int c, int chunks, float[] dy, int dyOff, float[] dx, int dxOff,
            boolean accumulate) {
        if (!accumulate) {
            for (int i = 0; i < n; i++) {
                Arrays.fill(dx, dxOff + i * k + col0, dxOff + i * k + col1, 0f);
            }
        }
        int words = words(k);
        int full = col0 + (col1 - col0) / L * L;
        int last = values.length - L;
        for (int r = 0; r < m; r++) {
            int vp = rowStart == null ? r * (k >>> 1) + (col0 >>> 1) : offsets[r * chunks + c];
            int maskRow = r * words;
            int col = col0;
            for (; col < full && vp <= last; col += L) {
                int bits = Lanes.chunkBits(masks, maskRow, col);
                if (bits == 0) {
                    continue;
                }
                FloatVector w = Lanes.expand(values, vp, bits);
                vp += Integer.bitCount(bits);
                for (int i = 0; i < n; i++) {
                    int d = dxOff + i * k + col;
                    FloatVector.broadcast(F, dy[dyOff + i * m + r]).fma(w, FloatVector.fromArray(F, dx, d)).intoArray(dx, d);
                }
            }
            for (; col < col1; col += L) {
                for (int bits = Lanes.chunkBits(masks, maskRow, col); bits != 0; bits &= bits - 1) {
                    float v = values[vp++];
                    int d = dxOff + col + Integer.numberOfTrailingZeros(bits);
                    for (int i = 0; i < n; i++) {
                        dx[d + i * k] = Math.fma(dy[dyOff + i * m + r], v, dx[d + i * k]);
                    }
                }
            }
        }
    }

    /**
     * Large batches: tiles of {@link #TRANSPOSED_TILE_ROWS} rows of W decompressed to dense rows
     * (in parallel), then dX (+)= dY[:, tile rows] · tile by {@link GemmKernel}, which splits the
     * product itself.
     */
    private static void transposedTiled(int n, int m, int k, float[] values, char[] masks, int[] rowStart,
            float[] dy, int dyOff, float[] dx, int dxOff, boolean accumulate) {
        int words = words(k);
        float[] tile = Scratch.floats(Scratch.INPUT, TRANSPOSED_TILE_ROWS * k);
        for (int r0 = 0; r0 < m; r0 += TRANSPOSED_TILE_ROWS) {
            int first = r0;
            int h = Math.min(TRANSPOSED_TILE_ROWS, m - r0);
            Parallel.forRange(h, Grain.of(k), (lo, hi) -> {
                for (int t = lo; t < hi; t++) {
                    int r = first + t;
                    decompressRow(k, values, start(rowStart, r, k), masks, r * words, tile, t * k);
                }
            });
            GemmKernel.run(n, k, h, dy, dyOff + r0, m, 1, tile, 0, k, 1, dx, dxOff, k, accumulate || r0 > 0);
        }
    }

    /** Writes the dense row (k floats at dst[d]) of the masked row with values from vp. */
    private static void decompressRow(int k, float[] values, int vp, char[] masks, int maskRow, float[] dst, int d) {
        int full = k - k % L;
        int last = values.length - L;
        int col = 0;
        for (; col < full && vp <= last; col += L) {
            int bits = Lanes.chunkBits(masks, maskRow, col);
            Lanes.expand(values, vp, bits).intoArray(dst, d + col);
            vp += Integer.bitCount(bits);
        }
        Arrays.fill(dst, d + col, d + k, 0f);
        for (; col < k; col += L) {
            for (int bits = Lanes.chunkBits(masks, maskRow, col); bits != 0; bits &= bits - 1) {
                dst[d + col + Integer.numberOfTrailingZeros(bits)] = values[vp++];
            }
        }
    }

    static void referenceTransposed(int n, int m, int k, float[] values, char[] masks, int[] rowStart,
            float[] dy, int dyOff, float[] dx, int dxOff, boolean accumulate) {
        int words = words(k);
        for (int i = 0; i < n; i++) {
            if (!accumulate) {
                Arrays.fill(dx, dxOff + i * k, dxOff + (i + 1) * k, 0f);
            }
            for (int r = 0; r < m; r++) {
                int vp = start(rowStart, r, k);
                for (int c = 0; c < k; c++) {
                    if (kept(masks, r * words, c)) {
                        dx[dxOff + i * k + c] += dy[dyOff + i * m + r] * values[vp++];
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- SDDMM: dValues = (dYᵀ · X) at the kept positions

    static void sddmm(int n, int m, int k, char[] masks, int[] rowStart, float[] dy, int dyOff,
            float[] x, int xOff, float[] dValues, boolean accumulate) {
        if (m == 0 || k == 0) {
            return;
        }
        if (!Simd.ENABLED) {
            referenceSddmm(n, m, k, masks, rowStart, dy, dyOff, x, xOff, dValues, accumulate);
            return;
        }
        int tileRows = Math.max(1, SDDMM_TILE / k);
        Parallel.forRange(Grain.ceilDiv(m, tileRows), Grain.of((long) tileRows * k * Math.max(1, n)), (lo, hi) -> {
            float[] tile = Scratch.floats(Scratch.INPUT, tileRows * k);
            int words = words(k);
            for (int r0 = lo * tileRows; r0 < Math.min(m, hi * tileRows); r0 += tileRows) {
                int h = Math.min(tileRows, m - r0);
                GemmKernel.run(h, k, n, dy, dyOff + r0, 1, m, x, xOff, k, 1, tile, 0, k, false);
                for (int t = 0; t < h; t++) {
                    int r = r0 + t;
                    compressRow(k, tile, t * k, masks, r * words, dValues, start(rowStart, r, k),
                            start(rowStart, r + 1, k), accumulate);
                }
            }
        });
    }

    /**
     * Stores (or adds) the kept elements of the dense row src[s..s+k) to the row's packed values,
     * [vp, end). A compressed chunk is stored as a whole vector: its lanes past the chunk's own
     * values are zero (or, accumulating, the old values reloaded), and later chunks of the same row
     * overwrite them; so vector stores stop L values before the row's end and the rest is scalar.
     */
    private static void compressRow(int k, float[] src, int s, char[] masks, int maskRow, float[] values, int vp,
            int end, boolean accumulate) {
        int full = k - k % L;
        int col = 0;
        for (; col < full && vp <= end - L; col += L) {
            int bits = Lanes.chunkBits(masks, maskRow, col);
            FloatVector v = FloatVector.fromArray(F, src, s + col).compress(VectorMask.fromLong(F, bits));
            if (accumulate) {
                v = v.add(FloatVector.fromArray(F, values, vp));
            }
            v.intoArray(values, vp);
            vp += Integer.bitCount(bits);
        }
        for (; col < k; col += L) {
            for (int bits = Lanes.chunkBits(masks, maskRow, col); bits != 0; bits &= bits - 1) {
                store(values, vp++, src[s + col + Integer.numberOfTrailingZeros(bits)], accumulate);
            }
        }
    }

    static void referenceSddmm(int n, int m, int k, char[] masks, int[] rowStart, float[] dy, int dyOff,
            float[] x, int xOff, float[] dValues, boolean accumulate) {
        int words = words(k);
        for (int r = 0; r < m; r++) {
            int vp = start(rowStart, r, k);
            for (int c = 0; c < k; c++) {
                if (kept(masks, r * words, c)) {
                    float s = 0f;
                    for (int i = 0; i < n; i++) {
                        s += dy[dyOff + i * m + r] * x[xOff + i * k + c];
                    }
                    store(dValues, vp++, s, accumulate);
                }
            }
        }
    }

    // ----------------------------------------------------------------

    private static boolean kept(char[] masks, int maskRow, int c) {
        return (masks[maskRow + (c >>> 4)] >>> (c & 15) & 1) != 0;
    }

    static void store(float[] a, int at, float s, boolean accumulate) {
        a[at] = accumulate ? a[at] + s : s;
    }
}

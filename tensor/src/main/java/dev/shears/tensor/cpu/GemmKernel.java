package dev.shears.tensor.cpu;

import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dense FP32 matrix multiply: {@code C[m x n] (+)= A[m x k] · B[k x n]}.
 *
 * <p>A and B are read through arbitrary element strides (a transposed operand is just swapped
 * strides, a broadcast one has stride 0); C is row-major with row stride {@code cRowStride} and
 * column stride 1. Arguments are only {@code assert}ed: the tensor layer validates them.
 *
 * <p><b>Packed path</b> (everything {@link GemmDirect} does not take, see below). The depth
 * is cut into passes of {@link #KC}. Per pass, each task takes a block of {@link #NT} columns,
 * packs {@code B[pass, block]} into {@link #NR}-wide micro-panels in a private buffer (it stays
 * in L2), and sweeps its rows of A against it, {@link #MR} rows at a time. A is read in place when
 * its rows are contiguous (each 6 x KC micro-panel then sits in L1 for the whole column block),
 * otherwise it is packed once per pass into shared MR-row micro-panels (with vector moves when A is
 * transposed, its rows adjacent). When rows are split into several ranges and the pass's B is small
 * ({@link #SHARED_B_MAX}; a linear layer's weight), B is instead packed once, in parallel, into one
 * buffer all tasks read, and rows are split finer ({@link #ROWS_MIN_SHARED}). The microkernel keeps an
 * MR x NR tile of C in {@code MR * NV = 24} vector accumulators, broadcasting one element of A
 * against {@link #NV} vectors of B per step (the 512-bit shape is 6 x 64), and the tile is then
 * added to C. Large KC keeps the passes over C few.
 *
 * <p><b>Reproducibility.</b> Every element of C is the same sequence of operations whatever the
 * thread count or task split: per pass a fused multiply-add chain over p in order, starting from
 * zero, added to C pass after pass. Tasks only decide who computes which tile, so results are
 * bit-identical for 1 or N threads.
 *
 * <p>With {@link Simd#ENABLED} false everything runs {@link #reference}. Tiny products, GEMV and
 * other products of at most {@link GemmDirect#MAX_ROWS} rows, and single columns take
 * {@link GemmDirect} when their layout vectorizes; skinny products ({@code n} below half a tile)
 * run transposed so the long side fills the tile width.
 */
public final class GemmKernel {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.LANES;

    /** Rows of the register tile: one broadcast of A each per step. */
    static final int MR = 6;
    /** Vectors per row of the register tile: MR * NV = 24 accumulators of the 32 vector registers. */
    static final int NV = 4;
    /** Columns of the register tile (64 at 512 bits). */
    static final int NR = NV * L;
    /**
     * Depth of one pass. A 6 x KC micro-panel of A is 24 KiB (L1d is 48 KiB); a KC x NT block of
     * packed B is 512 KiB at 512 bits (L2 is 1 MiB). On Zen 5 (N = 1024, 2048) 1024 measured a few
     * points of peak above 512 and 256: fewer passes over C, whose updates come from DRAM.
     */
    static final int KC = 1024;
    /** Products of at most this many row panels read B in place instead of packing it. */
    static final int DIRECT_B_PANELS = 3;
    /** Columns of C per task: two micro-panels, so an A micro-panel is reused from L1 twice per load. */
    static final int NT = 2 * NR;
    /** Tasks aimed for per pass and thread; rows are split only when there are too few column blocks. */
    static final int TASKS_PER_THREAD = 4;
    /** Fewest rows of A per task when rows are split and each task packs its own B block. */
    static final int ROWS_MIN = 96;
    /**
     * Fewest rows of A per task when B is packed once for all tasks: splitting rows then costs no
     * packing, and small tasks keep the threads' shares even (a 128 x 128 weight gradient over 768
     * rows was two tasks, one per thread, and a late helper left the caller waiting for half of it).
     */
    static final int ROWS_MIN_SHARED = 4 * MR;
    /** Floats of shared packed A per pass (strided A only): 8 MiB, so rows are taken in blocks of this / KC. */
    static final int PACKED_A_MAX = 2 << 20;
    /** A micro-panels per packing task. */
    static final int PACK_GRAIN = 8;
    /**
     * Most floats of one pass's packed B that are packed once and shared by all tasks (2 MiB; each
     * task reads only its column block of it) when rows are split into several ranges; past this each
     * task packs its own column block, as large products need to keep it in their core's L2.
     */
    static final int SHARED_B_MAX = 512 << 10;
    /** Floats of packed B per packing task when B is packed once for all tasks. */
    static final int SHARED_B_GRAIN = 32 << 10;

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private GemmKernel() {}

    /**
     * {@code C[m x n] (+)= A[m x k] · B[k x n]}. Element (i, p) of A is
     * {@code a[aOff + i * aRowStride + p * aColStride]}, element (p, j) of B is
     * {@code b[bOff + p * bRowStride + j * bColStride]} and element (i, j) of C is
     * {@code c[cOff + i * cRowStride + j]}. With {@code accumulate} false C is overwritten
     * (k = 0 then gives zeros), otherwise the product is added to it.
     */
    public static void run(int m, int n, int k,
            float[] a, int aOff, int aRowStride, int aColStride,
            float[] b, int bOff, int bRowStride, int bColStride,
            float[] c, int cOff, int cRowStride, boolean accumulate) {
        assert m >= 0 && n >= 0 && k >= 0 : "negative size " + m + " x " + n + " x " + k;
        assert m <= 1 || cRowStride >= n : "C rows overlap: cRowStride " + cRowStride + " < n " + n;
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    int row = cOff + i * cRowStride;
                    Arrays.fill(c, row, row + n, 0f);
                }
            }
            return;
        }
        if (!Simd.ENABLED) {
            reference(m, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride,
                    c, cOff, cRowStride, accumulate);
        } else if (GemmDirect.suits(m, n, k, aColStride, bRowStride, bColStride)) {
            GemmDirect.run(m, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride,
                    c, cOff, cRowStride, accumulate);
        } else if (n < NR / 2 && m > n) {
            // Skinny C: compute C^T = B^T · A^T so the long side fills the NR columns of the tile.
            new Packed(n, m, k, b, bOff, bColStride, bRowStride, a, aOff, aColStride, aRowStride,
                    c, cOff, 1, cRowStride, accumulate).run();
        } else {
            new Packed(m, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride,
                    c, cOff, cRowStride, 1, accumulate).run();
        }
    }

    /**
     * The obviously correct scalar triple loop (float accumulation, p ascending), same contract
     * as {@link #run}. Used with SIMD disabled and as the oracle for {@link #run} in tests.
     */
    public static void reference(int m, int n, int k,
            float[] a, int aOff, int aRowStride, int aColStride,
            float[] b, int bOff, int bRowStride, int bColStride,
            float[] c, int cOff, int cRowStride, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    sum += a[aOff + i * aRowStride + p * aColStride] * b[bOff + p * bRowStride + j * bColStride];
                }
                int ci = cOff + i * cRowStride + j;
                c[ci] = accumulate ? c[ci] + sum : sum;
            }
        }
    }

    /** Per-thread buffers, grown on demand and kept for later calls. */
    private static final class Workspace {
        /** Shared packed A of a call made from this thread (strided A only). */
        float[] packedA = new float[0];
        /** This thread's packed B block while it runs a task. */
        float[] packedB = new float[0];
        /** B of one pass packed once for all tasks of a call made from this thread (small products). */
        float[] sharedB = new float[0];
        /** The microkernel's output tile. */
        final float[] tile = new float[MR * NR];

        float[] packedA(int size) {
            if (packedA.length < size) {
                packedA = new float[size];
            }
            return packedA;
        }

        float[] sharedB(int size) {
            if (sharedB.length < size) {
                sharedB = new float[size];
            }
            return sharedB;
        }

        float[] packedB(int size) {
            if (packedB.length < size) {
                packedB = new float[size];
            }
            return packedB;
        }
    }

    /**
     * One product on the packed path. C is addressed with general strides so the skinny case can
     * run transposed (the tile is then stored element by element).
     */
    private static final class Packed {
        final int m;
        final int n;
        final int k;
        final float[] a;
        final int aOff;
        final int aRs;
        final int aCs;
        final float[] b;
        final int bOff;
        final int bRs;
        final int bCs;
        final float[] c;
        final int cOff;
        final int cRs;
        final int cCs;
        final boolean accumulate;
        /** Whether the microkernel reads A in place (rows contiguous along k) rather than packed. */
        final boolean directA;
        /** Columns per task: NT, or NR when NT-wide blocks would give fewer tasks than threads. */
        int colBlock;
        // The current pass: rows [i0, i0 + rows) and depth [pc, pc + kc); packedA holds its A when !directA.
        int i0;
        int rows;
        int pc;
        int kc;
        float[] packedA;
        /** This pass's B packed whole (panel q at q * NR * kc), or null when each task packs its own block. */
        float[] sharedB;

        Packed(int m, int n, int k, float[] a, int aOff, int aRs, int aCs, float[] b, int bOff, int bRs, int bCs,
                float[] c, int cOff, int cRs, int cCs, boolean accumulate) {
            this.m = m;
            this.n = n;
            this.k = k;
            this.a = a;
            this.aOff = aOff;
            this.aRs = aRs;
            this.aCs = aCs;
            this.b = b;
            this.bOff = bOff;
            this.bRs = bRs;
            this.bCs = bCs;
            this.c = c;
            this.cOff = cOff;
            this.cRs = cRs;
            this.cCs = cCs;
            this.accumulate = accumulate;
            this.directA = aCs == 1;
        }

        void run() {
            Workspace ws = WORKSPACE.get();
            // Narrow products (a linear layer's 120 outputs) would be one NT block, one thread: halve the blocks.
            colBlock = ceilDiv(n, NT) < Parallel.threads() ? NR : NT;
            int colBlocks = ceilDiv(n, colBlock);
            int targetTasks = TASKS_PER_THREAD * Parallel.threads();
            // Packed A is bounded, so strided A is taken in row blocks; A read in place needs none.
            int rowBlock = directA ? m : Math.max(MR, PACKED_A_MAX / Math.min(KC, k) / MR * MR);
            for (i0 = 0; i0 < m; i0 += rowBlock) {
                rows = Math.min(rowBlock, m - i0);
                int panels = ceilDiv(rows, MR);
                int bPanels = ceilDiv(n, NR);
                boolean directB = bCs == 1 && panels <= DIRECT_B_PANELS;
                boolean shareable = !directB && (long) bPanels * NR * Math.min(KC, k) <= SHARED_B_MAX;
                // Split rows only when column blocks alone give too few tasks: unless B is packed once
                // for all tasks, each split packs B again.
                int rowRanges = Math.max(1, Math.min(ceilDiv(targetTasks, colBlocks),
                        rows / (shareable ? ROWS_MIN_SHARED : ROWS_MIN)));
                int panelsPerRange = ceilDiv(panels, rowRanges);
                int tasks = colBlocks * ceilDiv(panels, panelsPerRange);
                for (pc = 0; pc < k; pc += KC) {
                    kc = Math.min(KC, k - pc);
                    if (!directA) {
                        packedA = ws.packedA(panels * MR * kc);
                        Parallel.forRange(panels, PACK_GRAIN, this::packA);
                    }
                    // Several row ranges would each pack the same B block: pack it once for all of them.
                    sharedB = null;
                    if (tasks > colBlocks && shareable) {
                        float[] shared = ws.sharedB(bPanels * NR * kc);
                        Parallel.forRange(bPanels, Math.max(1, SHARED_B_GRAIN / (NR * kc)), (lo, hi) -> {
                            for (int q = lo; q < hi; q++) {
                                packB(q * NR, Math.min(NR, n - q * NR), shared, q * NR * kc);
                            }
                        });
                        sharedB = shared;
                    }
                    Parallel.forRange(tasks, 1, (lo, hi) -> blocks(lo, hi, colBlocks, panelsPerRange));
                }
            }
        }

        /**
         * Packs A micro-panels [lo, hi) of this pass: panel q is rows i0 + [q * MR, q * MR + MR) as
         * kc x MR, zero-padded. One panel at a time, so the writes stay one sequential stream
         * (measured 1.7-2x faster on a transposed A than walking p across many panels).
         */
        void packA(int lo, int hi) {
            float[] dst = packedA;
            for (int q = lo; q < hi; q++) {
                int h = Math.min(MR, rows - q * MR);
                int d = q * MR * kc;
                int src = aOff + (i0 + q * MR) * aRs + pc * aCs;
                int p = 0;
                if (aRs == 1 && h == MR && L >= MR) {
                    // A transposed (a weight gradient's gᵀ): each p's MR values are contiguous; move them
                    // as one vector. A vector also writes the next L - MR slots, so the last few p of the
                    // panel (whose spill would reach the next panel, maybe another task's) stay scalar.
                    int pEnd = kc - (L + MR - 1) / MR + 1;
                    for (; p < pEnd; p++) {
                        int sp = src + p * aCs;
                        if (sp + L > a.length) {
                            break;
                        }
                        FloatVector.fromArray(F, a, sp).intoArray(dst, d + p * MR);
                    }
                }
                for (; p < kc; p++) {
                    int s = src + p * aCs;
                    int dp = d + p * MR;
                    for (int r = 0; r < h; r++) {
                        dst[dp + r] = a[s + r * aRs];
                    }
                    for (int r = h; r < MR; r++) {
                        dst[dp + r] = 0f;
                    }
                }
            }
        }

        /**
         * Packs B[pc:pc+kc, j0:j0+cols] into NR-column micro-panels (panel q: kc x NR, from
         * {@code dst[at]}), zero-padded.
         */
        void packB(int j0, int cols, float[] dst, int at) {
            for (int q = 0; q * NR < cols; q++) {
                int w = Math.min(NR, cols - q * NR);
                int d = at + q * NR * kc;
                int src = bOff + pc * bRs + (j0 + q * NR) * bCs;
                if (bCs == 1) {
                    for (int p = 0; p < kc; p++) {
                        System.arraycopy(b, src + p * bRs, dst, d + p * NR, w);
                    }
                } else {
                    // Transposed-like B: walk 16 steps of p per column so each line read is used whole.
                    for (int p0 = 0; p0 < kc; p0 += 16) {
                        int p1 = Math.min(kc, p0 + 16);
                        for (int j = 0; j < w; j++) {
                            int s = src + j * bCs;
                            for (int p = p0; p < p1; p++) {
                                dst[d + p * NR + j] = b[s + p * bRs];
                            }
                        }
                    }
                }
                if (w < NR) {
                    for (int p = 0; p < kc; p++) {
                        Arrays.fill(dst, d + p * NR + w, d + (p + 1) * NR, 0f);
                    }
                }
            }
        }

        /** Tasks [lo, hi) of this pass: task t is column block t % colBlocks against row range t / colBlocks. */
        void blocks(int lo, int hi, int colBlocks, int panelsPerRange) {
            Workspace ws = WORKSPACE.get();
            float[] tile = ws.tile;
            float[] shared = sharedB;
            float[] pb = shared != null ? shared : ws.packedB(NT * kc);
            float[] pa = directA ? a : packedA;
            boolean add = accumulate || pc > 0;
            int panels = ceilDiv(rows, MR);
            for (int t = lo; t < hi; t++) {
                int j0 = (t % colBlocks) * colBlock;
                int cols = Math.min(colBlock, n - j0);
                int q0 = (t / colBlocks) * panelsPerRange;
                int q1 = Math.min(panels, q0 + panelsPerRange);
                // B rows read in place when few row panels would reuse a packed copy (a convolution's
                // few output channels against a batch of columns): packing cost more than the FMAs.
                // Only whole NR-wide panels; a narrower last one is packed (zero-padded).
                boolean directB = bCs == 1 && panels <= DIRECT_B_PANELS;
                int fullCols = directB ? cols / NR * NR : 0;
                // Offset of this block's first packed panel in pb.
                int pbOff = shared != null ? j0 * kc : 0;
                if (shared != null) {
                    assert !directB;
                } else if (!directB) {
                    packB(j0, cols, pb, 0);
                } else if (fullCols < cols) {
                    packB(j0 + fullCols, cols - fullCols, pb, 0);
                }
                for (int q = q0; q < q1; q++) {
                    int r0 = q * MR;
                    int h = Math.min(MR, rows - r0);
                    int a0;
                    int rowStep;
                    int pStep;
                    if (directA) {
                        a0 = aOff + (i0 + r0) * aRs + pc;
                        rowStep = aRs;
                        pStep = 1;
                    } else {
                        a0 = q * MR * kc;
                        rowStep = 1;
                        pStep = MR;
                    }
                    // Rows past the edge re-read the last real row (always in bounds); they are not stored.
                    int a1 = a0 + Math.min(1, h - 1) * rowStep;
                    int a2 = a0 + Math.min(2, h - 1) * rowStep;
                    int a3 = a0 + Math.min(3, h - 1) * rowStep;
                    int a4 = a0 + Math.min(4, h - 1) * rowStep;
                    int a5 = a0 + Math.min(5, h - 1) * rowStep;
                    int co = cOff + (i0 + r0) * cRs;
                    for (int jr = 0; jr < cols; jr += NR) {
                        if (jr < fullCols) {
                            microkernel(kc, pa, a0, a1, a2, a3, a4, a5, pStep, b, bOff + pc * bRs + j0 + jr, bRs, tile);
                        } else {
                            microkernel(kc, pa, a0, a1, a2, a3, a4, a5, pStep, pb, pbOff + (jr - fullCols) * kc, NR,
                                    tile);
                        }
                        int w = Math.min(NR, cols - jr);
                        int cj = co + (j0 + jr) * cCs;
                        if (cCs == 1 && w == NR) {
                            addTile(tile, c, cj, cRs, h, add);
                        } else {
                            addTileScalar(tile, c, cj, cRs, cCs, h, w, add);
                        }
                    }
                }
            }
        }
    }

    /**
     * The register-blocked core: tile[MR x NR] = sum over p < kc of A[r, p] * B[p, :], where
     * A[r, p] = a[ar + p * pStep] for the six row offsets and B[p, :] is the NR floats at
     * {@code bo + p * bStep} (a packed micro-panel with bStep = NR, or B's own rows). Straight-line so C2 keeps all 24 accumulators in registers; it writes a
     * scratch tile because merging into C here as well pushes C2 past its inlining node budget
     * (measured: 16 GFLOP/s instead of 240).
     */
    private static void microkernel(int kc, float[] a, int a0, int a1, int a2, int a3, int a4, int a5, int pStep,
            float[] b, int bo, int bStep, float[] tile) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        FloatVector c40 = c00, c41 = c00, c42 = c00, c43 = c00;
        FloatVector c50 = c00, c51 = c00, c52 = c00, c53 = c00;
        for (int p = 0; p < kc; p++) {
            int bp = bo + p * bStep;
            int ap = p * pStep;
            FloatVector b0 = FloatVector.fromArray(F, b, bp);
            FloatVector b1 = FloatVector.fromArray(F, b, bp + L);
            FloatVector b2 = FloatVector.fromArray(F, b, bp + 2 * L);
            FloatVector b3 = FloatVector.fromArray(F, b, bp + 3 * L);
            FloatVector x = FloatVector.broadcast(F, a[a0 + ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(F, a[a1 + ap]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(F, a[a2 + ap]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(F, a[a3 + ap]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            c33 = x.fma(b3, c33);
            x = FloatVector.broadcast(F, a[a4 + ap]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            c42 = x.fma(b2, c42);
            c43 = x.fma(b3, c43);
            x = FloatVector.broadcast(F, a[a5 + ap]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            c52 = x.fma(b2, c52);
            c53 = x.fma(b3, c53);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c02.intoArray(tile, 2 * L);
        c03.intoArray(tile, 3 * L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c12.intoArray(tile, NR + 2 * L);
        c13.intoArray(tile, NR + 3 * L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c22.intoArray(tile, 2 * NR + 2 * L);
        c23.intoArray(tile, 2 * NR + 3 * L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c32.intoArray(tile, 3 * NR + 2 * L);
        c33.intoArray(tile, 3 * NR + 3 * L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + L);
        c42.intoArray(tile, 4 * NR + 2 * L);
        c43.intoArray(tile, 4 * NR + 3 * L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + L);
        c52.intoArray(tile, 5 * NR + 2 * L);
        c53.intoArray(tile, 5 * NR + 3 * L);
    }

    /** C (+)= the first {@code rows} rows of a full-width tile; C has unit column stride. */
    private static void addTile(float[] tile, float[] c, int co, int cRs, int rows, boolean add) {
        for (int r = 0; r < rows; r++) {
            int ci = co + r * cRs;
            int ti = r * NR;
            for (int v = 0; v < NR; v += L) {
                FloatVector t = FloatVector.fromArray(F, tile, ti + v);
                if (add) {
                    t = FloatVector.fromArray(F, c, ci + v).add(t);
                }
                t.intoArray(c, ci + v);
            }
        }
    }

    /** C (+)= the top-left rows x cols of the tile, C with general strides (edge tiles, transposed C). */
    private static void addTileScalar(float[] tile, float[] c, int co, int cRs, int cCs, int rows, int cols, boolean add) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                int ci = co + r * cRs + j * cCs;
                float t = tile[r * NR + j];
                c[ci] = add ? c[ci] + t : t;
            }
        }
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }
}

package dev.shears.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link GemmKernel}: {@code run} against {@code reference}, and {@code reference} against a naive
 * double-precision dot product, on seeded random operands of awkward sizes and layouts. The
 * tolerance is the float32 summation bound, relative to the sum of |a·b| of each element.
 */
@Tag("kernel")
class GemmKernelTest {
    private static final int[] AWKWARD = {1, 2, 3, 7, 15, 16, 17, 31, 33, 127};
    private static final double U = 0x1.0p-24;

    /** How an operand is laid out in its array. */
    enum Layout {
        /** Row-major with a padded leading dimension. */
        ROW_MAJOR,
        /** Stored transposed (column-major), padded. */
        TRANSPOSED,
        /** Both strides non-unit (every other element of a wider row-major array). */
        STRIDED,
        /** Every row is the same row (row stride 0). */
        BROADCAST_ROWS,
        /** Every column is the same column (column stride 0). */
        BROADCAST_COLS
    }

    /**
     * One product to check, built fluently ({@code GemmCase.of(m, n, k).a(TRANSPOSED).seed(7).check()}).
     * Elements of C outside the product (padding, offsets) must come back untouched.
     */
    static final class GemmCase {
        final int m;
        final int n;
        final int k;
        Layout aLayout = Layout.ROW_MAJOR;
        Layout bLayout = Layout.ROW_MAJOR;
        int offset = 0;
        int cPad = 0;
        boolean accumulate = false;
        long seed = 1;

        private GemmCase(int m, int n, int k) {
            this.m = m;
            this.n = n;
            this.k = k;
        }

        static GemmCase of(int m, int n, int k) {
            return new GemmCase(m, n, k);
        }

        GemmCase a(Layout layout) {
            aLayout = layout;
            return this;
        }

        GemmCase b(Layout layout) {
            bLayout = layout;
            return this;
        }

        /** Non-zero offsets into A, B and C, and C's row stride {@code n + cPad}. */
        GemmCase padded(int offset, int cPad) {
            this.offset = offset;
            this.cPad = cPad;
            return this;
        }

        GemmCase accumulate(boolean accumulate) {
            this.accumulate = accumulate;
            return this;
        }

        GemmCase seed(long seed) {
            this.seed = seed;
            return this;
        }

        @Override
        public String toString() {
            return "gemm m=" + m + " n=" + n + " k=" + k + " A " + aLayout + " B " + bLayout + " offset " + offset
                    + " cPad " + cPad + (accumulate ? " accumulate" : "") + " seed " + seed + " (" + Simd.describe() + ")";
        }

        /** Checks reference against double precision and run against reference; returns run's C. */
        float[] check() {
            Operands o = new Operands(this);
            double[] exact = o.exact();
            double[] magnitude = o.magnitude();
            float[] ref = o.c.clone();
            GemmKernel.reference(m, n, k, o.a, o.aOff, o.aRs, o.aCs, o.b, o.bOff, o.bRs, o.bCs, ref, o.cOff, o.cRs, accumulate);
            assertWithin(o, exact, magnitude, ref, 1, "reference vs double");
            float[] got = o.c.clone();
            GemmKernel.run(m, n, k, o.a, o.aOff, o.aRs, o.aCs, o.b, o.bOff, o.bRs, o.bCs, got, o.cOff, o.cRs, accumulate);
            double[] refAsExact = new double[ref.length];
            for (int i = 0; i < ref.length; i++) {
                refAsExact[i] = ref[i];
            }
            assertWithin(o, refAsExact, magnitude, got, 2, "run vs reference");
            return got;
        }

        /** |actual - expected| <= factor * gamma(k + 1) * magnitude inside the product; bit-equal outside. */
        private void assertWithin(Operands o, double[] expected, double[] magnitude, float[] actual, int factor, String what) {
            double gamma = (k + 1) * U / (1 - (k + 1) * U);
            for (int idx = 0; idx < actual.length; idx++) {
                int rel = idx - o.cOff;
                int i = rel >= 0 ? rel / o.cRs : -1;
                int j = rel >= 0 ? rel % o.cRs : -1;
                if (i < 0 || i >= m || j >= n) {
                    if (Float.floatToRawIntBits(actual[idx]) != Float.floatToRawIntBits(o.c[idx])) {
                        fail(this + ": " + what + ": element " + idx + " outside C changed from " + o.c[idx] + " to " + actual[idx]);
                    }
                    continue;
                }
                double tol = factor * gamma * magnitude[idx] + Double.MIN_NORMAL;
                double err = Math.abs(actual[idx] - expected[idx]);
                if (!(err <= tol)) {
                    fail(this + ": " + what + ": C[" + i + ", " + j + "] expected " + expected[idx] + " but was " + actual[idx]
                            + " (error " + err + " > tolerance " + tol + ")");
                }
            }
        }
    }

    /** The arrays, offsets and strides of one case, filled from its seed. */
    static final class Operands {
        final GemmCase g;
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

        Operands(GemmCase g) {
            this.g = g;
            SplittableRandom rng = new SplittableRandom(g.seed);
            int[] as = strides(g.aLayout, g.m, g.k);
            int[] bs = strides(g.bLayout, g.k, g.n);
            aOff = g.offset;
            aRs = as[0];
            aCs = as[1];
            a = random(rng, aOff + span(g.m, aRs, g.k, aCs));
            bOff = 2 * g.offset;
            bRs = bs[0];
            bCs = bs[1];
            b = random(rng, bOff + span(g.k, bRs, g.n, bCs));
            cOff = 3 * g.offset;
            cRs = g.n + g.cPad;
            c = random(rng, cOff + (g.m - 1) * cRs + g.n + g.cPad);
        }

        /** {row stride, column stride} of a rows x cols operand in this layout. */
        private static int[] strides(Layout layout, int rows, int cols) {
            return switch (layout) {
                case ROW_MAJOR -> new int[] {cols + 3, 1};
                case TRANSPOSED -> new int[] {1, rows + 5};
                case STRIDED -> new int[] {2 * cols + 1, 2};
                case BROADCAST_ROWS -> new int[] {0, 1};
                case BROADCAST_COLS -> new int[] {1, 0};
            };
        }

        private static int span(int rows, int rs, int cols, int cs) {
            return (rows - 1) * rs + (cols - 1) * cs + 1;
        }

        private static float[] random(SplittableRandom rng, int size) {
            float[] x = new float[Math.max(size, 1)];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (2 * rng.nextDouble() - 1);
            }
            return x;
        }

        /** C after the product in double precision, at C's own indices (padding left as is). */
        double[] exact() {
            double[] out = new double[c.length];
            for (int idx = 0; idx < c.length; idx++) {
                out[idx] = c[idx];
            }
            for (int i = 0; i < g.m; i++) {
                for (int j = 0; j < g.n; j++) {
                    double s = 0;
                    for (int p = 0; p < g.k; p++) {
                        s += (double) a[aOff + i * aRs + p * aCs] * b[bOff + p * bRs + j * bCs];
                    }
                    int idx = cOff + i * cRs + j;
                    out[idx] = g.accumulate ? c[idx] + s : s;
                }
            }
            return out;
        }

        /** Sum of |a·b| per element of C, plus |C| when accumulating: the scale of its rounding error. */
        double[] magnitude() {
            double[] out = new double[c.length];
            for (int i = 0; i < g.m; i++) {
                for (int j = 0; j < g.n; j++) {
                    double s = 0;
                    for (int p = 0; p < g.k; p++) {
                        s += Math.abs((double) a[aOff + i * aRs + p * aCs] * b[bOff + p * bRs + j * bCs]);
                    }
                    int idx = cOff + i * cRs + j;
                    out[idx] = g.accumulate ? s + Math.abs(c[idx]) : s;
                }
            }
            return out;
        }
    }

    @Test
    void awkwardSizesAllLayouts() {
        Layout[] layouts = {Layout.ROW_MAJOR, Layout.TRANSPOSED, Layout.STRIDED};
        int[] depths = {1, 2, 7, 16, 17, 33, 127};
        long seed = 100;
        for (int m : AWKWARD) {
            for (int n : AWKWARD) {
                int k = depths[(int) (seed % depths.length)];
                Layout al = layouts[(int) (seed % 3)];
                Layout bl = layouts[(int) ((seed / 3) % 3)];
                GemmCase.of(m, n, k).a(al).b(bl).padded((int) (seed % 4), (int) (seed % 3))
                        .accumulate(seed % 2 == 0).seed(seed).check();
                seed++;
            }
        }
    }

    @Test
    void awkwardDepths() {
        long seed = 300;
        for (int k : AWKWARD) {
            for (int[] mn : new int[][] {{7, 33}, {33, 7}, {17, 127}, {64, 64}}) {
                GemmCase.of(mn[0], mn[1], k).seed(seed++).check();
                GemmCase.of(mn[0], mn[1], k).a(Layout.TRANSPOSED).b(Layout.TRANSPOSED).accumulate(true).seed(seed++).check();
            }
        }
    }

    @Test
    void largerThanTheBlocks() {
        int kc = GemmKernel.KC;
        int nt = GemmKernel.NT;
        int rows = GemmKernel.ROWS_MIN;
        long seed = 500;
        int[][] shapes = {
            {300, 300, 300}, {301, 299, 302},
            {37, nt - 1, kc + 1}, {rows - 1, nt + 1, kc - 1}, {rows + 1, 2 * nt + 1, kc}, {2 * rows + 1, nt, kc + 1},
            {13, 3 * nt - 1, 2 * kc + 3}, {130, 2 * nt + 7, 40}, {250, 129, 97},
        };
        for (int[] s : shapes) {
            GemmCase.of(s[0], s[1], s[2]).padded(1, 2).seed(seed++).check();
            GemmCase.of(s[0], s[1], s[2]).a(Layout.TRANSPOSED).b(Layout.TRANSPOSED).accumulate(true).seed(seed++).check();
        }
        GemmCase.of(300, 300, 300).a(Layout.STRIDED).b(Layout.TRANSPOSED).seed(seed++).check();
        GemmCase.of(300, 300, 300).a(Layout.ROW_MAJOR).b(Layout.STRIDED).accumulate(true).seed(seed++).check();
    }

    @Test
    void stridedAPackedInRowBlocks() {
        // Strided A is packed at most PACKED_A_MAX floats per pass: this crosses one row block.
        int rowBlock = GemmKernel.PACKED_A_MAX / GemmKernel.KC / GemmKernel.MR * GemmKernel.MR;
        GemmCase.of(rowBlock + 7, 40, GemmKernel.KC + 1).a(Layout.TRANSPOSED).seed(600).check();
    }

    @Test
    void broadcastOperands() {
        long seed = 700;
        for (int[] s : new int[][] {{5, 9, 11}, {40, 70, 90}, {130, 33, 300}}) {
            GemmCase.of(s[0], s[1], s[2]).a(Layout.BROADCAST_ROWS).seed(seed++).check();
            GemmCase.of(s[0], s[1], s[2]).a(Layout.BROADCAST_COLS).b(Layout.TRANSPOSED).seed(seed++).check();
            GemmCase.of(s[0], s[1], s[2]).b(Layout.BROADCAST_ROWS).accumulate(true).seed(seed++).check();
            GemmCase.of(s[0], s[1], s[2]).b(Layout.BROADCAST_COLS).a(Layout.STRIDED).seed(seed++).check();
        }
    }

    @Test
    void singleRowsAndColumns() {
        long seed = 800;
        Layout[] layouts = {Layout.ROW_MAJOR, Layout.TRANSPOSED, Layout.STRIDED};
        for (Layout al : layouts) {
            for (Layout bl : layouts) {
                GemmCase.of(1, 1000, 300).a(al).b(bl).seed(seed++).check();          // GEMV, parallel over columns
                GemmCase.of(GemmDirect.MAX_ROWS, GemmDirect.CHUNK * 2 + 3, 130).a(al).b(bl).accumulate(true).seed(seed++).check();
                GemmCase.of(GemmDirect.MAX_ROWS + 1, 700, 50).a(al).b(bl).seed(seed++).check();
                GemmCase.of(GemmDirect.MAX_DOT_ROWS, 25, GemmDirect.MIN_DOT_LENGTH + 3).a(al).b(bl).accumulate(true).seed(seed++).check(); // conv dW
                GemmCase.of(GemmDirect.MAX_DOT_ROWS + 1, 150, 101).a(al).b(bl).seed(seed++).check();
                GemmCase.of(7, 3 * GemmKernel.NR + 5, 25).a(al).b(bl).seed(seed++).check();   // B in place + a packed edge
                GemmCase.of(GemmKernel.DIRECT_B_PANELS * GemmKernel.MR, 2 * GemmKernel.NR, 150).a(al).b(bl).accumulate(true).seed(seed++).check();
                GemmCase.of(3, 5, 2 * GemmDirect.DOT_CHUNK + 37).a(al).b(bl).accumulate(true).seed(seed++).check(); // chunked dots
                GemmCase.of(1, 37, 1100).a(al).b(bl).accumulate(true).seed(seed++).check();
                GemmCase.of(500, 1, 300).a(al).b(bl).seed(seed++).check();           // single column
                GemmCase.of(300, 5, 77).a(al).b(bl).padded(2, 1).seed(seed++).check(); // skinny: runs transposed
                GemmCase.of(1, 1, 1).a(al).b(bl).accumulate(true).seed(seed++).check();
            }
        }
        GemmCase.of(200, GemmKernel.NR / 2 - 1, 150).accumulate(true).seed(seed++).check();
        GemmCase.of(200, GemmKernel.NR / 2, 150).seed(seed).check();
    }

    @Test
    void emptyDepthZeroesOrKeepsC() {
        for (boolean accumulate : new boolean[] {false, true}) {
            float[] got = GemmCase.of(4, 5, 0).padded(1, 2).accumulate(accumulate).seed(900).check();
            Operands o = new Operands(GemmCase.of(4, 5, 0).padded(1, 2).seed(900));
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 5; j++) {
                    int idx = o.cOff + i * o.cRs + j;
                    assertEquals(accumulate ? o.c[idx] : 0f, got[idx], "k = 0, accumulate " + accumulate + " at " + i + ", " + j);
                }
            }
        }
        float[] c = {1f, 2f};
        GemmKernel.run(0, 2, 3, new float[0], 0, 3, 1, new float[6], 0, 2, 1, c, 0, 2, false);
        GemmKernel.run(1, 0, 3, new float[3], 0, 3, 1, new float[0], 0, 0, 1, c, 0, 0, false);
        assertArrayEquals(new float[] {1f, 2f}, c, "m = 0 or n = 0 must leave C alone");
    }

    @Test
    void bPackedOnceForSplitRowsAndTransposedAPackedByVectors() {
        // Rows split into several ranges with a small B: one shared packed B per pass (two passes when
        // k > KC); a transposed A (unit row stride) is packed with vector moves but for its last p.
        int rows = 4 * GemmKernel.ROWS_MIN + 5;
        long seed = 950;
        Layout[] layouts = {Layout.ROW_MAJOR, Layout.TRANSPOSED, Layout.STRIDED};
        for (Layout al : layouts) {
            for (Layout bl : layouts) {
                GemmCase.of(rows, 2 * GemmKernel.NR + 3, 130).a(al).b(bl).padded(1, 2).seed(seed++).check();
                GemmCase.of(rows, GemmKernel.NR / 2 + 1, GemmKernel.KC + 7).a(al).b(bl).accumulate(true).seed(seed++)
                        .check();
            }
        }
        for (int k : new int[] {1, 2, 3, 4, 5, 17}) { // depths around the packed A's scalar tail
            GemmCase.of(rows, 40, k).a(Layout.TRANSPOSED).b(Layout.TRANSPOSED).seed(seed++).check();
            GemmCase.of(2 * GemmKernel.MR + 1, 40, k).a(Layout.TRANSPOSED).accumulate(true).seed(seed++).check();
        }
    }

    @Test
    void sameBitsForAnyThreadCount() {
        long seed = 1000;
        int[][] shapes = {{300, 300, 300}, {517, 131, 1100}, {1, 3000, 200}, {700, 9, 64}, {96, 640, 33},
            {768, 128, 128}, {768, 512, 128}};
        for (int[] s : shapes) {
            for (Layout al : new Layout[] {Layout.ROW_MAJOR, Layout.TRANSPOSED}) {
                GemmCase g = GemmCase.of(s[0], s[1], s[2]).a(al).b(Layout.TRANSPOSED).accumulate(true).seed(seed++);
                Operands o = new Operands(g);
                float[] many = o.c.clone();
                float[] one = o.c.clone();
                GemmKernel.run(g.m, g.n, g.k, o.a, o.aOff, o.aRs, o.aCs, o.b, o.bOff, o.bRs, o.bCs, many, o.cOff, o.cRs, true);
                Parallel.withThreads(1, () ->
                        GemmKernel.run(g.m, g.n, g.k, o.a, o.aOff, o.aRs, o.aCs, o.b, o.bOff, o.bRs, o.bCs, one, o.cOff, o.cRs, true));
                assertArrayEquals(one, many, g + ": " + Parallel.poolSize() + " threads differ from 1");
            }
        }
    }
}

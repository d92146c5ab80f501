package dev.shears.cuda.sparse;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code gemv24.cu} run in Java, one expression per line of the kernel: each lane's global loads
 * of A fragments, metadata and X, the MMAs (through {@link WarpModel}), the cross-warp sum and the
 * stores. The result must be the dense product for batches 1..8 on awkward sizes.
 */
class Gemv24KernelModelTest {
    static final int WARPS = 8;

    static Stream<Arguments> cases() {
        return Stream.of(Arguments.of(1, 4, 1), Arguments.of(7, 28, 2), Arguments.of(17, 36, 3),
                Arguments.of(33, 100, 8), Arguments.of(40, 548, 5));
    }

    @ParameterizedTest(name = "M {0}, K {1}, N {2}")
    @MethodSource("cases")
    void sparseGemvComputesTheProduct(int m, int k, int n) {
        Fixtures.assertModel24ComputesLinear(m, k, n, 7L * m + k, 4, "gemv24", (h, w, x, y) -> run(h,
                Fixtures.words(w.values()), w.meta(), Fixtures.words(x), y, m, n, w.paddedCols(), w.paddedCols(), m,
                true));
    }

    @ParameterizedTest(name = "M {0}, K {1}, N {2}")
    @MethodSource("cases")
    void denseTwinComputesTheProduct(int m, int k, int n) {
        GpuHalf h = GpuHalf.BF16;
        Fixtures.assertTwinComputesLinear(h, m, k, n, 9, 4, "gemv twin", (w, x, kp, y) -> run(h, Fixtures.words(w),
                null, Fixtures.words(x), y, m, n, kp, kp, m, false));
    }

    /** The grid: one CTA per 16-row tile. */
    private static void run(GpuHalf h, int[] w, int[] meta, int[] x, float[] y, int m, int n, int kp, int ldx,
            int ldy, boolean sparse) {
        int mp = (m + 15) & ~15;
        for (int tile = 0; tile < mp / 16; tile++) {
            float[][][] partial = new float[WARPS][32][4];
            for (int warp = 0; warp < WARPS; warp++) {
                if (sparse) {
                    sparseWarp(h, w, meta, x, n, kp, ldx, tile, warp, partial[warp]);
                } else {
                    denseWarp(h, w, x, n, kp, ldx, tile, warp, partial[warp]);
                }
            }
            for (int warp = 0; warp < 4; warp++) { // reduce_store: warp i sums accumulator i
                for (int lane = 0; lane < 32; lane++) {
                    float s = 0f;
                    for (int v = 0; v < WARPS; v++) {
                        s += partial[v][lane][warp];
                    }
                    int mm = tile * 16 + (lane >> 2) + (warp >> 1) * 8;
                    int nn = 2 * (lane & 3) + (warp & 1);
                    if (mm < m && nn < n) {
                        y[nn * ldy + mm] = s;
                    }
                }
            }
        }
    }

    private static void sparseWarp(GpuHalf h, int[] w, int[] meta, int[] x, int n, int kp, int ldx, int tile,
            int warp, float[][] c) {
        int kt0 = kp / 32;
        int rowWords = kp / 4;
        for (int kt = warp; kt < kt0; kt += WARPS) {
            int[][] a = new int[32][];
            int[][] b = new int[32][];
            int[] e = new int[32];
            for (int lane = 0; lane < 32; lane++) {
                int g = lane >> 2;
                int t = lane & 3;
                int wg = (tile * 16 + g) * rowWords + t;
                int wg8 = wg + 8 * rowWords;
                a[lane] = new int[] {w[wg + kt * 8], w[wg8 + kt * 8], w[wg + kt * 8 + 4], w[wg8 + kt * 8 + 4]};
                e[lane] = meta[tile * kt0 * 16 + 2 * g + (t & 1) + kt * 16];
                b[lane] = loadX(x, g * (ldx / 2) + t, g < n, kt);
            }
            WarpModel.mmaSp(h, a, b, e, c);
        }
    }

    private static void denseWarp(GpuHalf h, int[] w, int[] x, int n, int kp, int ldx, int tile, int warp,
            float[][] c) {
        int rowWords = kp / 2;
        for (int kt = warp; kt < kp / 32; kt += WARPS) {
            int[][] b = new int[32][];
            for (int lane = 0; lane < 32; lane++) {
                b[lane] = loadX(x, (lane >> 2) * (ldx / 2) + (lane & 3), (lane >> 2) < n, kt);
            }
            for (int hh = 0; hh < 2; hh++) {
                int[][] a = new int[32][];
                int[][] bh = new int[32][];
                for (int lane = 0; lane < 32; lane++) {
                    int wg = (tile * 16 + (lane >> 2)) * rowWords + (lane & 3);
                    int wg8 = wg + 8 * rowWords;
                    int k = kt * 16 + hh * 8;
                    a[lane] = new int[] {w[wg + k], w[wg8 + k], w[wg + k + 4], w[wg8 + k + 4]};
                    bh[lane] = new int[] {b[lane][2 * hh], b[lane][2 * hh + 1]};
                }
                WarpModel.mmaDense(h, a, bh, c);
            }
        }
    }

    private static int[] loadX(int[] x, int xg, boolean valid, int kt) {
        int[] b = new int[4];
        for (int i = 0; i < 4; i++) {
            b[i] = valid ? x[xg + kt * 16 + 4 * i] : 0;
        }
        return b;
    }
}

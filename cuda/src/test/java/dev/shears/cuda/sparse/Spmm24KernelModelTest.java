package dev.shears.cuda.sparse;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code spmm24.cu} run in Java: its copies into shared memory (with the swizzles), its ldmatrix
 * addresses and metadata reads per warp and lane, its MMAs (through {@link WarpModel}) and its
 * stores, one expression per line of the kernel. On awkward sizes, with a fresh 2:4 pattern per
 * row and group, the result must be the dense product: this checks that the kernel's index
 * arithmetic fetches the right words. The dense twin is checked the same way.
 */
class Spmm24KernelModelTest {
    // The constants of spmm24.cu.
    static final int BM = 128, BN = 128, BK = 64, THREADS = 256, WARPS = 8;
    static final int WARPS_N = 4, WM = 64, WN = 32, MI = WM / 16, NI = WN / 8;
    static final int SPARSE_A = BM * BK / 2, META = BM / 16 * (BK / 32) * 16, DENSE_A = BM * BK, B_TILE = BN * BK;

    static Stream<Arguments> cases() {
        return Stream.of(Arguments.of(1, 4, 1), Arguments.of(7, 28, 3), Arguments.of(17, 36, 2),
                Arguments.of(33, 100, 9), Arguments.of(130, 68, 5), Arguments.of(16, 132, 131));
    }

    @ParameterizedTest(name = "M {0}, K {1}, N {2}")
    @MethodSource("cases")
    void sparseKernelComputesTheProduct(int m, int k, int n) {
        Fixtures.assertModel24ComputesLinear(m, k, n, 31L * m + k, 3, "spmm24", (h, w, x, y) -> gemm(true, h,
                w.values(), w.meta(), x, y, m, n, w.paddedCols(), w.paddedCols(), m));
    }

    @ParameterizedTest(name = "M {0}, K {1}, N {2}")
    @MethodSource("cases")
    void denseTwinComputesTheProduct(int m, int k, int n) {
        GpuHalf h = GpuHalf.F16;
        Fixtures.assertTwinComputesLinear(h, m, k, n, 8, 3, "dense twin", (w, x, kp, y) -> gemm(false, h, w, null, x,
                y, m, n, kp, kp, m));
    }

    static int swz64(int row, int ch) {
        return row * 32 + ((ch ^ ((row >> 1) & 3)) << 3);
    }

    static int swz128(int row, int ch) {
        return row * 64 + ((ch ^ (row & 7)) << 3);
    }

    /** The kernel over its whole grid; the pipeline only reorders when stages land, so stages run in turn. */
    static void gemm(boolean sparse, GpuHalf h, short[] w, int[] meta, short[] x, float[] y, int m, int n, int kp,
            int ldx, int ldy) {
        for (int bx = 0; bx < Math.ceilDiv(m, BM); bx++) {
            for (int by = 0; by < Math.ceilDiv(n, BN); by++) {
                cta(sparse, h, w, meta, x, y, m, n, kp, ldx, ldy, bx * BM, by * BN);
            }
        }
    }

    private static void cta(boolean sparse, GpuHalf h, short[] w, int[] meta, short[] x, float[] y, int m, int n,
            int kp, int ldx, int ldy, int m0, int n0) {
        int mp = (m + 15) & ~15;
        float[][][][][] acc = new float[WARPS][MI][NI][32][4];
        for (int kb = 0; kb < kp / BK; kb++) {
            short[] sA = new short[sparse ? SPARSE_A : DENSE_A];
            int[] sM = new int[META];
            short[] sB = new short[B_TILE];
            for (int tid = 0; tid < THREADS; tid++) {
                if (sparse) {
                    for (int i = 0; i < 2; i++) {
                        int c = tid + i * THREADS;
                        int row = c >> 2;
                        int ch = c & 3;
                        int mm = Math.min(m0 + row, mp - 1);
                        System.arraycopy(w, mm * (kp / 2) + kb * (BK / 2) + ch * 8, sA, swz64(row, ch), 8);
                    }
                    if (tid < 64) {
                        int tr = tid >> 3;
                        int part = tid & 7;
                        int gtr = Math.min(m0 / 16 + tr, mp / 16 - 1);
                        System.arraycopy(meta, (gtr * (kp / 32) + 2 * kb) * 16 + part * 4, sM, tr * 32 + part * 4, 4);
                    }
                } else {
                    loadRows128(sA, w, m0, mp, kp, kb, tid);
                }
                loadRows128(sB, x, n0, n, ldx, kb, tid);
            }
            for (int warp = 0; warp < WARPS; warp++) {
                int wm = warp / WARPS_N;
                int wn = warp % WARPS_N;
                if (sparse) {
                    computeSparse(h, sA, sM, sB, acc[warp], wm, wn);
                } else {
                    computeDense(h, sA, sB, acc[warp], wm, wn);
                }
            }
        }
        for (int warp = 0; warp < WARPS; warp++) {
            int wm = warp / WARPS_N;
            int wn = warp % WARPS_N;
            for (int mi = 0; mi < MI; mi++) {
                for (int ni = 0; ni < NI; ni++) {
                    for (int lane = 0; lane < 32; lane++) {
                        for (int i = 0; i < 4; i++) {
                            int mm = m0 + wm * WM + mi * 16 + (lane >> 2) + (i >> 1) * 8;
                            int nn = n0 + wn * WN + ni * 8 + 2 * (lane & 3) + (i & 1);
                            if (mm < m && nn < n) {
                                y[nn * ldy + mm] = acc[warp][mi][ni][lane][i];
                            }
                        }
                    }
                }
            }
        }
    }

    /** load_rows128: rows r0..r0+127 of g [rows, ld], columns 64kb..+63, rows past the end clamped. */
    private static void loadRows128(short[] s, short[] g, int r0, int rows, int ld, int kb, int tid) {
        for (int i = 0; i < 4; i++) {
            int c = tid + i * THREADS;
            int row = c >> 3;
            int ch = c & 7;
            int r = Math.min(r0 + row, rows - 1);
            System.arraycopy(g, r * ld + kb * BK + ch * 8, s, swz128(row, ch), 8);
        }
    }

    private static void computeSparse(GpuHalf h, short[] sA, int[] sM, short[] sB, float[][][][] acc, int wm, int wn) {
        for (int ks = 0; ks < BK / 32; ks++) {
            int[][][] a = new int[MI][][];
            int[][][] b = new int[NI][][];
            int[][] e = new int[MI][32];
            for (int mi = 0; mi < MI; mi++) {
                int[] addr = new int[32];
                for (int lane = 0; lane < 32; lane++) {
                    int row = wm * WM + mi * 16 + (lane & 7) + ((lane >> 3) & 1) * 8;
                    addr[lane] = swz64(row, ks * 2 + (lane >> 4));
                    e[mi][lane] = sM[(wm * MI + mi) * 32 + ks * 16 + 2 * (lane >> 2) + (lane & 1)];
                }
                a[mi] = WarpModel.ldmatrixX4(sA, addr);
            }
            for (int ni = 0; ni < NI; ni++) {
                int[] addr = new int[32];
                for (int lane = 0; lane < 32; lane++) {
                    int row = wn * WN + ni * 8 + (lane & 7);
                    addr[lane] = swz128(row, ks * 4 + (lane >> 3));
                }
                b[ni] = WarpModel.ldmatrixX4(sB, addr);
            }
            for (int mi = 0; mi < MI; mi++) {
                for (int ni = 0; ni < NI; ni++) {
                    WarpModel.mmaSp(h, a[mi], b[ni], e[mi], acc[mi][ni]);
                }
            }
        }
    }

    private static void computeDense(GpuHalf h, short[] sA, short[] sB, float[][][][] acc, int wm, int wn) {
        for (int ks = 0; ks < BK / 16; ks++) {
            int[][][] a = new int[MI][][];
            int[][][] b = new int[NI][32][2];
            for (int mi = 0; mi < MI; mi++) {
                int[] addr = new int[32];
                for (int lane = 0; lane < 32; lane++) {
                    int row = wm * WM + mi * 16 + (lane & 7) + ((lane >> 3) & 1) * 8;
                    addr[lane] = swz128(row, ks * 2 + (lane >> 4));
                }
                a[mi] = WarpModel.ldmatrixX4(sA, addr);
            }
            for (int nj = 0; nj < NI / 2; nj++) {
                int[] addr = new int[32];
                for (int lane = 0; lane < 32; lane++) {
                    int row = wn * WN + (2 * nj + ((lane >> 4) & 1)) * 8 + (lane & 7);
                    addr[lane] = swz128(row, ks * 2 + ((lane >> 3) & 1));
                }
                int[][] r = WarpModel.ldmatrixX4(sB, addr);
                for (int lane = 0; lane < 32; lane++) {
                    b[2 * nj][lane] = new int[] {r[lane][0], r[lane][1]};
                    b[2 * nj + 1][lane] = new int[] {r[lane][2], r[lane][3]};
                }
            }
            for (int mi = 0; mi < MI; mi++) {
                for (int ni = 0; ni < NI; ni++) {
                    WarpModel.mmaDense(h, a[mi], b[ni], acc[mi][ni]);
                }
            }
        }
    }
}

package dev.shears.sparse.cpu;

import static dev.shears.sparse.cpu.Lanes.F;
import static dev.shears.sparse.cpu.Lanes.L;

import dev.shears.tensor.cpu.GemmKernel;
import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Products with a block-diagonal matrix D [nd, nd], nd = nb · b, stored as {@code blocks}
 * ({@code nb * b * b} floats, block i row-major at {@code i * b * b}), against a dense row-major
 * X [n, nd]: {@code Y = X · Dᵀ} (the shape of a linear layer with weight D), {@code Y = X · D} (its
 * input gradient) and the gradient of the blocks.
 *
 * <p>Each block is an independent small product on column slices of X and Y: for a few rows of X
 * direct dot products (X · Dᵀ, rows of D contiguous) or row updates (X · D), otherwise a GEMM by
 * {@link GemmKernel} (nested inside a task it runs inline), whose per-call cost would dominate a
 * 32 x 32 block against one row. Tasks take whole blocks, so results are identical for any thread
 * count. With {@link Simd#ENABLED} false the references run. Arguments are
 * {@code assert}ed.
 */
public final class BlockDiagMatmulKernel {
    /** Rows of X from which a block's product goes to {@link GemmKernel}. */
    static final int GEMM_ROWS = 8;

    private BlockDiagMatmulKernel() {}

    /** {@code Y[n, nd] (+)= X[n, nd] · Dᵀ}: {@code Y[:, block i] = X[:, block i] · D_iᵀ}. */
    public static void run(int n, int nb, int b, float[] blocks, float[] x, int xOff, float[] y, int yOff,
            boolean accumulate) {
        assert check("BlockDiagMatmulKernel.run", n, nb, b, blocks, x, xOff, y, yOff);
        apply(n, nb, b, blocks, true, x, xOff, y, yOff, accumulate);
    }

    /** The scalar definition of {@link #run}. */
    public static void reference(int n, int nb, int b, float[] blocks, float[] x, int xOff, float[] y, int yOff,
            boolean accumulate) {
        assert check("BlockDiagMatmulKernel.reference", n, nb, b, blocks, x, xOff, y, yOff);
        referenceApply(n, nb, b, blocks, true, x, xOff, y, yOff, accumulate);
    }

    /** {@code Y[n, nd] (+)= X[n, nd] · D}, the input gradient of {@link #run}. */
    public static void runTransposed(int n, int nb, int b, float[] blocks, float[] x, int xOff, float[] y, int yOff,
            boolean accumulate) {
        assert check("BlockDiagMatmulKernel.runTransposed", n, nb, b, blocks, x, xOff, y, yOff);
        apply(n, nb, b, blocks, false, x, xOff, y, yOff, accumulate);
    }

    /** The scalar definition of {@link #runTransposed}. */
    public static void referenceTransposed(int n, int nb, int b, float[] blocks, float[] x, int xOff, float[] y,
            int yOff, boolean accumulate) {
        assert check("BlockDiagMatmulKernel.referenceTransposed", n, nb, b, blocks, x, xOff, y, yOff);
        referenceApply(n, nb, b, blocks, false, x, xOff, y, yOff, accumulate);
    }

    /**
     * The gradient of the blocks for {@link #run}: {@code dBlocks[i] (+)= dY[:, block i]ᵀ · X[:, block i]},
     * i.e. {@code dD_i[p, q] = Σ_s dY[s, i·b + p] · X[s, i·b + q]}; dBlocks laid out as {@code blocks}.
     */
    public static void gradient(int n, int nb, int b, float[] dy, int dyOff, float[] x, int xOff, float[] dBlocks,
            boolean accumulate) {
        assert check("BlockDiagMatmulKernel.gradient", n, nb, b, dBlocks, x, xOff, dy, dyOff);
        int nd = nb * b;
        if (!Simd.ENABLED) {
            referenceGradient(n, nb, b, dy, dyOff, x, xOff, dBlocks, accumulate);
            return;
        }
        Parallel.forRange(nb, Grain.of((long) n * b * b), (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                GemmKernel.run(b, b, n, dy, dyOff + i * b, 1, nd, x, xOff + i * b, nd, 1,
                        dBlocks, i * b * b, b, accumulate);
            }
        });
    }

    /** The scalar definition of {@link #gradient} (float sums over s ascending). */
    public static void referenceGradient(int n, int nb, int b, float[] dy, int dyOff, float[] x, int xOff,
            float[] dBlocks, boolean accumulate) {
        assert check("BlockDiagMatmulKernel.referenceGradient", n, nb, b, dBlocks, x, xOff, dy, dyOff);
        int nd = nb * b;
        for (int i = 0; i < nb; i++) {
            for (int p = 0; p < b; p++) {
                for (int q = 0; q < b; q++) {
                    float s = 0f;
                    for (int row = 0; row < n; row++) {
                        s += dy[dyOff + row * nd + i * b + p] * x[xOff + row * nd + i * b + q];
                    }
                    MaskedRows.store(dBlocks, i * b * b + p * b + q, s, accumulate);
                }
            }
        }
    }

    /** Y (+)= X · Dᵀ ({@code transposeD}) or X · D, block by block. */
    private static void apply(int n, int nb, int b, float[] blocks, boolean transposeD, float[] x, int xOff,
            float[] y, int yOff, boolean accumulate) {
        if (!Simd.ENABLED) {
            referenceApply(n, nb, b, blocks, transposeD, x, xOff, y, yOff, accumulate);
            return;
        }
        int nd = nb * b;
        Parallel.forRange(nb, Grain.of((long) n * b * b), (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                applyBlock(n, b, blocks, i * b * b, transposeD, x, xOff + i * b, nd, y, yOff + i * b, nd, accumulate);
            }
        });
    }

    /**
     * One block: {@code Y[n, b] (+)= X[n, b] · D_bᵀ} ({@code transposeD}) or {@code X · D_b}, the
     * b x b block row-major at {@code blocks[blockOff]}, X and Y rows at the given offsets and strides.
     */
    static void applyBlock(int n, int b, float[] blocks, int blockOff, boolean transposeD,
            float[] x, int xo, int xStride, float[] y, int yo, int yStride, boolean accumulate) {
        if (n >= GEMM_ROWS) {
            // B of the GEMM is D_b^T (element (q, p) = D_b[p, q]) or D_b itself.
            GemmKernel.run(n, b, b, x, xo, xStride, 1, blocks, blockOff, transposeD ? 1 : b, transposeD ? b : 1,
                    y, yo, yStride, accumulate);
            return;
        }
        for (int row = 0; row < n; row++) {
            int xr = xo + row * xStride;
            int yr = yo + row * yStride;
            if (transposeD) {
                for (int p = 0; p < b; p++) {
                    MaskedRows.store(y, yr + p, dot(blocks, blockOff + p * b, x, xr, b), accumulate);
                }
            } else {
                if (!accumulate) {
                    Arrays.fill(y, yr, yr + b, 0f);
                }
                for (int q = 0; q < b; q++) {
                    axpy(x[xr + q], blocks, blockOff + q * b, y, yr, b);
                }
            }
        }
    }

    /** Σ a[ao + j] · c[co + j] over j < len: vector FMAs, an order-fixed lane sum, scalar tail. */
    private static float dot(float[] a, int ao, float[] c, int co, int len) {
        int full = len - len % L;
        FloatVector acc = FloatVector.zero(F);
        for (int j = 0; j < full; j += L) {
            acc = FloatVector.fromArray(F, a, ao + j).fma(FloatVector.fromArray(F, c, co + j), acc);
        }
        float s = Lanes.sumTree(acc);
        for (int j = full; j < len; j++) {
            s = Math.fma(a[ao + j], c[co + j], s);
        }
        return s;
    }

    /** y[yo + j] += alpha · d[dOff + j] over j < len. */
    private static void axpy(float alpha, float[] d, int dOff, float[] y, int yo, int len) {
        int full = len - len % L;
        FloatVector va = FloatVector.broadcast(F, alpha);
        for (int j = 0; j < full; j += L) {
            va.fma(FloatVector.fromArray(F, d, dOff + j), FloatVector.fromArray(F, y, yo + j)).intoArray(y, yo + j);
        }
        for (int j = full; j < len; j++) {
            y[yo + j] = Math.fma(alpha, d[dOff + j], y[yo + j]);
        }
    }

    private static void referenceApply(int n, int nb, int b, float[] blocks, boolean transposeD, float[] x, int xOff,
            float[] y, int yOff, boolean accumulate) {
        int nd = nb * b;
        for (int row = 0; row < n; row++) {
            for (int i = 0; i < nb; i++) {
                for (int p = 0; p < b; p++) {
                    float s = 0f;
                    for (int q = 0; q < b; q++) {
                        float d = transposeD ? blocks[i * b * b + p * b + q] : blocks[i * b * b + q * b + p];
                        s += x[xOff + row * nd + i * b + q] * d;
                    }
                    MaskedRows.store(y, yOff + row * nd + i * b + p, s, accumulate);
                }
            }
        }
    }

    private static boolean check(String op, int n, int nb, int b, float[] blocks, float[] in, int inOff,
            float[] out, int outOff) {
        if (n < 0 || nb < 0 || b < 0) {
            throw new AssertionError(op + ": negative size (n = " + n + ", nb = " + nb + ", b = " + b + ")");
        }
        return Checks.holds(op, "blocks", blocks.length, (long) nb * b * b)
                && Checks.dense(op, "input", in, inOff, n, nb * b)
                && Checks.dense(op, "output", out, outOff, n, nb * b);
    }
}

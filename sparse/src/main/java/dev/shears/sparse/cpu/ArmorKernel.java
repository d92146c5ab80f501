package dev.shears.sparse.cpu;

import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;

/**
 * The ARMOR layer's forward product {@code Y[n, m] (+)= X[n, k] · (A · S · B)ᵀ} without ever building
 * the dense weight: A [m, m] and B [k, k] block-diagonal with block size b (layout of
 * {@link BlockDiagMatmulKernel}), S [m, k] 2:4 sparse (layout of {@link Spmm24Kernel}).
 *
 * <p>It runs as {@code U = X · Bᵀ} (cheap: k·b multiply-adds per row), {@code V = U · Sᵀ} (the 2:4
 * product) and {@code Y = V · Aᵀ}. For a single row (decode) the last two are fused: U is one
 * thread-local vector, and each task takes whole blocks of b output rows, computes their 2:4 dot
 * products into a b-float scratch and applies A's block to it at once, so S is read in one pass and
 * nothing of size m round-trips through memory. Results are identical for any thread count.
 */
public final class ArmorKernel {
    private ArmorKernel() {}

    /**
     * {@code Y[n, m] (+)= X[n, k] · (A · S · B)ᵀ}; {@code aBlocks} holds m/b blocks, {@code bBlocks}
     * k/b blocks of b × b; X at {@code x[xOff]}, Y at {@code y[yOff]}, both row-major.
     */
    public static void run(int n, int m, int k, int b, float[] aBlocks, float[] values, char[] masks,
            float[] bBlocks, float[] x, int xOff, float[] y, int yOff, boolean accumulate) {
        assert check("ArmorKernel.run", n, m, k, b, aBlocks, values, masks, bBlocks, x, xOff, y, yOff);
        if (n == 0 || m == 0) {
            return;
        }
        if (!Simd.ENABLED) {
            reference(n, m, k, b, aBlocks, values, masks, bBlocks, x, xOff, y, yOff, accumulate);
            return;
        }
        float[] u = Scratch.floats(Scratch.ARMOR_IN, n * k);
        BlockDiagMatmulKernel.run(n, k / b, b, bBlocks, x, xOff, u, 0, false);
        if (n == 1) {
            Parallel.forRange(m / b, Grain.of((long) b * k), (lo, hi) -> {
                float[] v = Scratch.floats(Scratch.ARMOR_MID, b);
                for (int i = lo; i < hi; i++) {
                    int r0 = i * b;
                    MaskedRows.gemvRows(r0, r0 + b, k, values, masks, null, u, 0, v, -r0, false);
                    BlockDiagMatmulKernel.applyBlock(1, b, aBlocks, i * b * b, true, v, 0, b, y, yOff + r0, m, accumulate);
                }
            });
        } else {
            float[] v = Scratch.floats(Scratch.ARMOR_MID, n * m);
            Spmm24Kernel.run(n, m, k, values, masks, u, 0, v, 0, false);
            BlockDiagMatmulKernel.run(n, m / b, b, aBlocks, v, 0, y, yOff, accumulate);
        }
    }

    /** The definition of {@link #run}: the three reference products, one after the other. */
    public static void reference(int n, int m, int k, int b, float[] aBlocks, float[] values, char[] masks,
            float[] bBlocks, float[] x, int xOff, float[] y, int yOff, boolean accumulate) {
        assert check("ArmorKernel.reference", n, m, k, b, aBlocks, values, masks, bBlocks, x, xOff, y, yOff);
        float[] u = new float[n * k];
        float[] v = new float[n * m];
        BlockDiagMatmulKernel.reference(n, k / b, b, bBlocks, x, xOff, u, 0, false);
        Spmm24Kernel.reference(n, m, k, values, masks, u, 0, v, 0, false);
        BlockDiagMatmulKernel.reference(n, m / b, b, aBlocks, v, 0, y, yOff, accumulate);
    }

    private static boolean check(String op, int n, int m, int k, int b, float[] aBlocks, float[] values, char[] masks,
            float[] bBlocks, float[] x, int xOff, float[] y, int yOff) {
        if (b <= 0 || m % b != 0 || k % b != 0) {
            throw new AssertionError(op + ": block size b = " + b + " must be positive and divide m = " + m
                    + " and k = " + k);
        }
        return Checks.sizes(op, n, m, k) && Checks.semi24(op, m, k, values, masks)
                && Checks.holds(op, "aBlocks", aBlocks.length, (long) m * b)
                && Checks.holds(op, "bBlocks", bBlocks.length, (long) k * b)
                && Checks.dense(op, "x", x, xOff, n, k) && Checks.dense(op, "y", y, yOff, n, m);
    }
}

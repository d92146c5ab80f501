package dev.shears.sparse.cpu;

/**
 * Products of a 2:4 semi-structured weight W [m rows = out features, k cols = in features] with
 * dense row-major operands, in the shape of a linear layer ({@code y = x · Wᵀ}) and its backward.
 *
 * <p><b>Layout.</b> {@code values} holds {@code m * (k/2)} floats row-major: per group of 4 columns
 * the two kept values, lower column first. {@code masks} holds {@code ceil(k/16)} words per row:
 * bit j of word w of row r is set when column 16w + j is kept, exactly two bits per nibble, unused
 * bits of a row's last word zero. k is a multiple of 4. Word w's values start at
 * {@code r * (k/2) + 8w}.
 *
 * <p>The GEMV and small-batch path decodes each chunk of the mask with a vector {@code expand} of
 * the packed values and FMAs it against X (no gathers); from {@link MaskedRows#TILE_BATCH} rows of
 * X on, tiles of W are decompressed and handed to the dense GEMM, so 2:4 never loses to dense.
 * Results are identical for any thread count. Arguments are {@code assert}ed; the format classes
 * validate the structure.
 */
public final class Spmm24Kernel {
    private Spmm24Kernel() {}

    /** {@code Y[n, m] (+)= X[n, k] · Wᵀ}; X at {@code x[xOff]}, Y at {@code y[yOff]}, both row-major. */
    public static void run(int n, int m, int k, float[] values, char[] masks,
            float[] x, int xOff, float[] y, int yOff, boolean accumulate) {
        assert check("Spmm24Kernel.run", n, m, k, values, masks, x, xOff, n, k, y, yOff, n, m);
        MaskedRows.forward(n, m, k, values, masks, null, x, xOff, y, yOff, accumulate);
    }

    /** The scalar definition of {@link #run} (float sums over kept columns in ascending order). */
    public static void reference(int n, int m, int k, float[] values, char[] masks,
            float[] x, int xOff, float[] y, int yOff, boolean accumulate) {
        assert check("Spmm24Kernel.reference", n, m, k, values, masks, x, xOff, n, k, y, yOff, n, m);
        MaskedRows.reference(n, m, k, values, masks, null, x, xOff, y, yOff, accumulate);
    }

    /** {@code dX[n, k] (+)= dY[n, m] · W}, the input gradient of {@link #run}. */
    public static void runTransposed(int n, int m, int k, float[] values, char[] masks,
            float[] dy, int dyOff, float[] dx, int dxOff, boolean accumulate) {
        assert check("Spmm24Kernel.runTransposed", n, m, k, values, masks, dy, dyOff, n, m, dx, dxOff, n, k);
        MaskedRows.transposed(n, m, k, values, masks, null, dy, dyOff, dx, dxOff, accumulate);
    }

    /** The scalar definition of {@link #runTransposed} (rows of W added in ascending order). */
    public static void referenceTransposed(int n, int m, int k, float[] values, char[] masks,
            float[] dy, int dyOff, float[] dx, int dxOff, boolean accumulate) {
        assert check("Spmm24Kernel.referenceTransposed", n, m, k, values, masks, dy, dyOff, n, m, dx, dxOff, n, k);
        MaskedRows.referenceTransposed(n, m, k, values, masks, null, dy, dyOff, dx, dxOff, accumulate);
    }

    /**
     * The weight gradient of {@link #run} at the kept positions:
     * {@code dValues[kept (r, c)] (+)= Σ_i dY[i, r] · X[i, c]}, written in the order of
     * {@code values} ({@code m * (k/2)} floats).
     */
    public static void sddmm(int n, int m, int k, char[] masks, float[] dy, int dyOff,
            float[] x, int xOff, float[] dValues, boolean accumulate) {
        assert check("Spmm24Kernel.sddmm", n, m, k, dValues, masks, dy, dyOff, n, m, x, xOff, n, k);
        MaskedRows.sddmm(n, m, k, masks, null, dy, dyOff, x, xOff, dValues, accumulate);
    }

    /** The scalar definition of {@link #sddmm} (float sums over i ascending). */
    public static void referenceSddmm(int n, int m, int k, char[] masks, float[] dy, int dyOff,
            float[] x, int xOff, float[] dValues, boolean accumulate) {
        assert check("Spmm24Kernel.referenceSddmm", n, m, k, dValues, masks, dy, dyOff, n, m, x, xOff, n, k);
        MaskedRows.referenceSddmm(n, m, k, masks, null, dy, dyOff, x, xOff, dValues, accumulate);
    }

    private static boolean check(String op, int n, int m, int k, float[] values, char[] masks,
            float[] in, int inOff, int inRows, int inCols, float[] out, int outOff, int outRows, int outCols) {
        return Checks.sizes(op, n, m, k) && Checks.semi24(op, m, k, values, masks)
                && Checks.dense(op, "input", in, inOff, inRows, inCols)
                && Checks.dense(op, "output", out, outOff, outRows, outCols);
    }
}

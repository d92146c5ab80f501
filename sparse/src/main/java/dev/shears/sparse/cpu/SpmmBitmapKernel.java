package dev.shears.sparse.cpu;

/**
 * Products of a bitmap-sparse weight W [m rows = out features, k cols = in features] with dense
 * row-major operands, in the shape of a linear layer ({@code y = x · Wᵀ}) and its backward.
 *
 * <p><b>Layout.</b> {@code masks} holds {@code ceil(k/16)} words per row (bit j of word w of row r
 * set when column 16w + j is kept, any number per word, unused bits of a row's last word zero);
 * {@code values} holds the kept values row by row in ascending column order, row r's from
 * {@code rowStart[r]} to {@code rowStart[r + 1]} ({@code m + 1} offsets, the first 0).
 *
 * <p>The kernels are the 2:4 ones ({@link Spmm24Kernel}) with the value pointer advanced by the
 * popcount of each chunk's mask. Results are identical for any thread count. Arguments are
 * {@code assert}ed; the format classes validate the structure (popcounts matching the offsets).
 */
public final class SpmmBitmapKernel {
    private SpmmBitmapKernel() {}

    /** {@code Y[n, m] (+)= X[n, k] · Wᵀ}; X at {@code x[xOff]}, Y at {@code y[yOff]}, both row-major. */
    public static void run(int n, int m, int k, float[] values, char[] masks, int[] rowStart,
            float[] x, int xOff, float[] y, int yOff, boolean accumulate) {
        assert check("SpmmBitmapKernel.run", n, m, k, values, masks, rowStart, x, xOff, n, k, y, yOff, n, m);
        MaskedRows.forward(n, m, k, values, masks, rowStart, x, xOff, y, yOff, accumulate);
    }

    /** The scalar definition of {@link #run} (float sums over kept columns in ascending order). */
    public static void reference(int n, int m, int k, float[] values, char[] masks, int[] rowStart,
            float[] x, int xOff, float[] y, int yOff, boolean accumulate) {
        assert check("SpmmBitmapKernel.reference", n, m, k, values, masks, rowStart, x, xOff, n, k, y, yOff, n, m);
        MaskedRows.reference(n, m, k, values, masks, rowStart, x, xOff, y, yOff, accumulate);
    }

    /** {@code dX[n, k] (+)= dY[n, m] · W}, the input gradient of {@link #run}. */
    public static void runTransposed(int n, int m, int k, float[] values, char[] masks, int[] rowStart,
            float[] dy, int dyOff, float[] dx, int dxOff, boolean accumulate) {
        assert check("SpmmBitmapKernel.runTransposed", n, m, k, values, masks, rowStart, dy, dyOff, n, m, dx, dxOff, n, k);
        MaskedRows.transposed(n, m, k, values, masks, rowStart, dy, dyOff, dx, dxOff, accumulate);
    }

    /** The scalar definition of {@link #runTransposed} (rows of W added in ascending order). */
    public static void referenceTransposed(int n, int m, int k, float[] values, char[] masks, int[] rowStart,
            float[] dy, int dyOff, float[] dx, int dxOff, boolean accumulate) {
        assert check("SpmmBitmapKernel.referenceTransposed", n, m, k, values, masks, rowStart, dy, dyOff, n, m,
                dx, dxOff, n, k);
        MaskedRows.referenceTransposed(n, m, k, values, masks, rowStart, dy, dyOff, dx, dxOff, accumulate);
    }

    /**
     * The weight gradient of {@link #run} at the kept positions:
     * {@code dValues[kept (r, c)] (+)= Σ_i dY[i, r] · X[i, c]}, in the order of {@code values}.
     */
    public static void sddmm(int n, int m, int k, char[] masks, int[] rowStart, float[] dy, int dyOff,
            float[] x, int xOff, float[] dValues, boolean accumulate) {
        assert check("SpmmBitmapKernel.sddmm", n, m, k, dValues, masks, rowStart, dy, dyOff, n, m, x, xOff, n, k);
        MaskedRows.sddmm(n, m, k, masks, rowStart, dy, dyOff, x, xOff, dValues, accumulate);
    }

    /** The scalar definition of {@link #sddmm} (float sums over i ascending). */
    public static void referenceSddmm(int n, int m, int k, char[] masks, int[] rowStart, float[] dy, int dyOff,
            float[] x, int xOff, float[] dValues, boolean accumulate) {
        assert check("SpmmBitmapKernel.referenceSddmm", n, m, k, dValues, masks, rowStart, dy, dyOff, n, m, x, xOff, n, k);
        MaskedRows.referenceSddmm(n, m, k, masks, rowStart, dy, dyOff, x, xOff, dValues, accumulate);
    }

    private static boolean check(String op, int n, int m, int k, float[] values, char[] masks, int[] rowStart,
            float[] in, int inOff, int inRows, int inCols, float[] out, int outOff, int outRows, int outCols) {
        return Checks.sizes(op, n, m, k) && Checks.bitmap(op, m, k, values.length, masks, rowStart)
                && Checks.dense(op, "input", in, inOff, inRows, inCols)
                && Checks.dense(op, "output", out, outOff, outRows, outCols);
    }
}

package dev.shears.pruning;

/** Dense Cholesky factorisations in double precision for the Hessian-based pruners (n up to a few thousand). */
final class Cholesky {
    private Cholesky() {}

    /**
     * The lower factor L of a symmetric positive-definite {@code a} (n x n, row-major): a = L·Lᵀ.
     *
     * @throws IllegalArgumentException naming the pivot if {@code a} is not positive definite
     */
    static double[] lower(String op, double[] a, int n) {
        double[] l = new double[n * n];
        for (int j = 0; j < n; j++) {
            double d = a[j * n + j];
            for (int k = 0; k < j; k++) {
                d -= l[j * n + k] * l[j * n + k];
            }
            if (!(d > 0)) {
                throw new IllegalArgumentException(op + ": the matrix is not positive definite (pivot " + j + " is " + d
                        + "); raise the dampening");
            }
            double ljj = Math.sqrt(d);
            l[j * n + j] = ljj;
            for (int i = j + 1; i < n; i++) {
                double s = a[i * n + j];
                for (int k = 0; k < j; k++) {
                    s -= l[i * n + k] * l[j * n + k];
                }
                l[i * n + j] = s / ljj;
            }
        }
        return l;
    }

    /** {@code a⁻¹} of a symmetric positive-definite matrix, through its Cholesky factor. */
    static double[] inverse(String op, double[] a, int n) {
        double[] l = lower(op, a, n);
        // L⁻¹ by forward substitution, then a⁻¹ = L⁻ᵀ·L⁻¹
        double[] li = new double[n * n];
        for (int c = 0; c < n; c++) {
            li[c * n + c] = 1 / l[c * n + c];
            for (int i = c + 1; i < n; i++) {
                double s = 0;
                for (int k = c; k < i; k++) {
                    s -= l[i * n + k] * li[k * n + c];
                }
                li[i * n + c] = s / l[i * n + i];
            }
        }
        double[] inv = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int k = i; k < n; k++) { // (L⁻ᵀ L⁻¹)_ij = Σ_k L⁻¹_ki L⁻¹_kj, nonzero for k >= max(i, j)
                    s += li[k * n + i] * li[k * n + j];
                }
                inv[i * n + j] = s;
                inv[j * n + i] = s;
            }
        }
        return inv;
    }

    /** The upper factor U of {@code a⁻¹} = Uᵀ·U (SparseGPT's replacement for sequential downdates). */
    static double[] upperOfInverse(String op, double[] a, int n) {
        double[] l = lower(op, inverse(op, a, n), n);
        double[] u = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                u[i * n + j] = l[j * n + i];
            }
        }
        return u;
    }
}

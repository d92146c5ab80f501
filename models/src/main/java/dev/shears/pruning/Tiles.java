package dev.shears.pruning;

/**
 * b×b tiles of row-major matrices and the small products ARMOR's block-diagonal factors need; the
 * inner loops run along rows so the JIT vectorises them.
 */
final class Tiles {
    private Tiles() {}

    /** Tile (p, q) of {@code src} [.., cols] into {@code tile}. */
    static void readArray(float[] src, int p, int q, int bs, int cols, float[] tile) {
        for (int i = 0; i < bs; i++) {
            System.arraycopy(src, (p * bs + i) * cols + q * bs, tile, i * bs, bs);
        }
    }

    /** Tile (p, q) of {@code values ⊙ mask}. */
    static void readMasked(float[] values, boolean[] mask, int p, int q, int bs, int cols, float[] tile) {
        for (int i = 0; i < bs; i++) {
            int off = (p * bs + i) * cols + q * bs;
            for (int j = 0; j < bs; j++) {
                tile[i * bs + j] = mask[off + j] ? values[off + j] : 0f;
            }
        }
    }

    static void write(float[] dst, int p, int q, int bs, int cols, float[] tile) {
        for (int i = 0; i < bs; i++) {
            System.arraycopy(tile, i * bs, dst, (p * bs + i) * cols + q * bs, bs);
        }
    }

    /** c = a·b. */
    static void mul(float[] a, float[] b, float[] c, int n) {
        java.util.Arrays.fill(c, 0, n * n, 0f);
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                float aik = a[i * n + k];
                if (aik != 0f) {
                    for (int j = 0; j < n; j++) {
                        c[i * n + j] += aik * b[k * n + j];
                    }
                }
            }
        }
    }

    /** c = aᵀ·b. */
    static void mulTransposedLeft(float[] a, float[] b, float[] c, int n) {
        java.util.Arrays.fill(c, 0, n * n, 0f);
        mulAddTransposedLeft(a, b, c, n);
    }

    /** c += aᵀ·b. */
    static void mulAddTransposedLeft(float[] a, float[] b, float[] c, int n) {
        for (int k = 0; k < n; k++) {
            for (int i = 0; i < n; i++) {
                float aki = a[k * n + i];
                if (aki != 0f) {
                    for (int j = 0; j < n; j++) {
                        c[i * n + j] += aki * b[k * n + j];
                    }
                }
            }
        }
    }

    /** c = a·bᵀ. */
    static void mulTransposedRight(float[] a, float[] b, float[] c, int n) {
        java.util.Arrays.fill(c, 0, n * n, 0f);
        mulAddTransposedRight(a, b, c, n);
    }

    /** c += a·bᵀ. */
    static void mulAddTransposedRight(float[] a, float[] b, float[] c, int n) {
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0;
                for (int k = 0; k < n; k++) {
                    s += a[i * n + k] * b[j * n + k];
                }
                c[i * n + j] += s;
            }
        }
    }

    /** A·S·B [rows, cols] for block-diagonal A (rows/bs blocks) and B (cols/bs blocks). */
    static float[] product(int rows, int cols, int bs, float[][] a, float[] s, float[][] b) {
        float[] out = new float[rows * cols];
        float[] tile = new float[bs * bs];
        float[] t1 = new float[bs * bs];
        float[] y = new float[bs * bs];
        for (int p = 0; p < rows / bs; p++) {
            for (int q = 0; q < cols / bs; q++) {
                readArray(s, p, q, bs, cols, tile);
                mul(tile, b[q], t1, bs);
                mul(a[p], t1, y, bs);
                write(out, p, q, bs, cols, y);
            }
        }
        return out;
    }
}

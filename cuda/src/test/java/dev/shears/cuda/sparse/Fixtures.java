package dev.shears.cuda.sparse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shears.sparse.SemiStructured24;
import dev.shears.tensor.Tensor;
import java.util.SplittableRandom;

/** Seeded random operands for the sparse GPU tests, and their double-precision references. */
final class Fixtures {
    /** The six valid 2:4 position pairs. */
    static final int[][] PAIRS = {{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3}};

    private Fixtures() {}

    /**
     * A 2:4 matrix whose kept pair is drawn at random per row and group (so rows, groups and tile
     * halves differ: a swapped row, half-word or group shows), non-zero kept values in [-1, 1].
     */
    static SemiStructured24 random24(int rows, int cols, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] w = new float[rows * cols];
        float[] mask = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int q = 0; q < cols / 4; q++) {
                for (int p : PAIRS[rng.nextInt(PAIRS.length)]) {
                    int i = r * cols + 4 * q + p;
                    mask[i] = 1f;
                    w[i] = (float) (rng.nextBoolean() ? 1 : -1) * (0.25f + 0.75f * (float) rng.nextDouble());
                }
            }
        }
        return SemiStructured24.fromDenseAndMask(Tensor.of(w, rows, cols), Tensor.of(mask, rows, cols));
    }

    /** {@code n} floats uniform in [-1, 1]. */
    static float[] uniform(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (2 * rng.nextDouble() - 1);
        }
        return x;
    }

    /** {@code Y[n, m] = Σ_k X[n, k] · W[m, k]} in double, X and W rounded to {@code h} first. */
    static double[] linear(GpuHalf h, float[] x, float[] w, int n, int m, int k) {
        double[] y = new double[n * m];
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < m; r++) {
                double s = 0;
                for (int c = 0; c < k; c++) {
                    s += (double) h.round(x[i * k + c]) * h.round(w[r * k + c]);
                }
                y[i * m + r] = s;
            }
        }
        return y;
    }

    /** A Java model of a 2:4 kernel: fills {@code y [n, m]} from {@code w} and x packed with row stride {@code w.paddedCols()}. */
    interface Model24 {
        void run(GpuHalf h, Layout24 w, short[] x, float[] y);
    }

    /** A Java model of a dense twin: fills {@code y [n, m]} from {@link GpuDenseTwin#padded} w and x of row stride kp. */
    interface TwinModel {
        void run(short[] w, short[] x, int kp, float[] y);
    }

    /** Runs {@code model} on a random 2:4 W [m, k] and X [n, k] in both halves; y must be the dense product. */
    static void assertModel24ComputesLinear(int m, int k, int n, long wSeed, long xSeed, String what, Model24 model) {
        for (GpuHalf h : GpuHalf.values()) {
            SemiStructured24 w = random24(m, k, wSeed);
            Layout24 layout = Layout24.of(w, h);
            float[] x = uniform(n * k, xSeed);
            float[] y = new float[n * m];
            model.run(h, layout, HalfRows.pack(h, x, n, k, layout.paddedCols()), y);
            assertClose(linear(h, x, w.toDense().toFloatArray(), n, m, k), y, h + " " + what);
        }
    }

    /** Runs {@code model} on a random dense W [m, k] and X [n, k] in {@code h}; y must be the product. */
    static void assertTwinComputesLinear(GpuHalf h, int m, int k, int n, long wSeed, long xSeed, String what,
            TwinModel model) {
        int kp = Layout24.roundUp(k, Layout24.COL_MULTIPLE);
        float[] w = uniform(m * k, wSeed);
        float[] x = uniform(n * k, xSeed);
        float[] y = new float[n * m];
        model.run(GpuDenseTwin.padded(h, w, m, k), HalfRows.pack(h, x, n, k, kp), kp, y);
        assertClose(linear(h, x, w, n, m, k), y, what);
    }

    /** {@code actual} equals {@code expected} to fp32 accumulation error, element by element. */
    static void assertClose(double[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4 * (1 + Math.abs(expected[i])), what + " at " + i);
        }
    }

    /** Two 16-bit elements per int, {@code halves[2i]} in bits 15:0 of word i. */
    static int[] words(short[] halves) {
        int[] w = new int[halves.length / 2];
        for (int i = 0; i < w.length; i++) {
            w[i] = WarpModel.pack(halves[2 * i], halves[2 * i + 1]);
        }
        return w;
    }
}

package dev.shears.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import dev.shears.testing.ArrayAssert;
import dev.shears.testing.AwkwardSizes;
import dev.shears.testing.Operands;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** LayerNormKernel against its double-precision definition on awkward row lengths and counts. */
@Tag("kernel")
class LayerNormKernelTest {
    private static final float GUARD = -7777.5f;

    private static void check(int rows, int n, boolean affine, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int off = 3;
        float[] x = new float[off + rows * n + 2];
        Arrays.fill(x, Float.NaN);
        float[] data = Operands.gaussian(rnd, rows * n);
        for (int i = 0; i < data.length; i++) {
            x[off + i] = 2 * data[i] + 0.5f; // a mean away from zero
        }
        float[] w = affine ? Operands.gaussian(rnd, n) : null;
        float[] b = affine ? Operands.gaussian(rnd, n) : null;
        float[] g = Operands.gaussian(rnd, rows * n);
        String ctx = rows + " x " + n + (affine ? " affine" : "") + " seed " + seed + " bits " + Simd.BITS;

        float[] yRef = new float[rows * n];
        float[] mRef = new float[rows];
        float[] rRef = new float[rows];
        LayerNormKernel.forwardReference(x, off, rows, n, w, b, 1e-5f, yRef, mRef, rRef);
        float[] y = new float[rows * n + 1];
        y[rows * n] = GUARD;
        float[] m = new float[rows];
        float[] r = new float[rows];
        LayerNormKernel.forward(x, off, rows, n, w, b, 1e-5f, y, m, r);
        ArrayAssert.assertClose(yRef, Arrays.copyOf(y, rows * n), 1e-4, 1e-5, ctx + " y");
        ArrayAssert.assertClose(mRef, m, 1e-5, 1e-6, ctx + " mean");
        ArrayAssert.assertClose(rRef, r, 1e-4, 0, ctx + " rstd");
        assertEquals(GUARD, y[rows * n], ctx + ": wrote past y");

        float[] dxRef = new float[rows * n];
        float[] dwRef = affine ? new float[n] : null;
        float[] dbRef = affine ? new float[n] : null;
        LayerNormKernel.backwardReference(g, x, off, rows, n, w, m, r, dxRef, dwRef, dbRef);
        float[] dx = new float[rows * n + 1];
        dx[rows * n] = GUARD;
        float[] dw = affine ? new float[n] : null;
        float[] db = affine ? new float[n] : null;
        if (affine) {
            Arrays.fill(dw, GUARD); // overwritten, not accumulated into
            Arrays.fill(db, GUARD);
        }
        LayerNormKernel.backward(g, x, off, rows, n, w, m, r, dx, dw, db);
        ArrayAssert.assertClose(dxRef, Arrays.copyOf(dx, rows * n), 1e-3, 1e-5, ctx + " dx");
        assertEquals(GUARD, dx[rows * n], ctx + ": wrote past dx");
        if (affine) {
            ArrayAssert.assertClose(dwRef, dw, 1e-4, 1e-5 * rows, ctx + " dw");
            ArrayAssert.assertClose(dbRef, db, 1e-4, 1e-5 * rows, ctx + " db");
        }
    }

    @Test
    void matchesTheDefinitionOnAwkwardSizes() {
        long seed = 1;
        for (int n : AwkwardSizes.all()) {
            for (int rows : new int[] {1, 3, 17}) {
                check(rows, n, seed % 2 == 0, seed++);
            }
        }
        for (int rows : new int[] {255, 768}) { // several parallel chunks
            check(rows, 128, true, seed++);
            check(rows, Simd.LANES + 3, false, seed++);
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        int rows = 1000;
        int n = 37;
        SplittableRandom rnd = new SplittableRandom(9);
        float[] x = Operands.gaussian(rnd, rows * n);
        float[] w = Operands.gaussian(rnd, n);
        float[] b = Operands.gaussian(rnd, n);
        float[] g = Operands.gaussian(rnd, rows * n);
        float[][] out = new float[2][];
        for (int t = 1; t <= 2; t++) {
            float[] y = new float[rows * n];
            float[] m = new float[rows];
            float[] r = new float[rows];
            float[] dx = new float[rows * n];
            float[] dw = new float[n];
            float[] db = new float[n];
            Parallel.withThreads(t, () -> {
                LayerNormKernel.forward(x, 0, rows, n, w, b, 1e-5f, y, m, r);
                LayerNormKernel.backward(g, x, 0, rows, n, w, m, r, dx, dw, db);
            });
            float[] all = new float[0];
            for (float[] part : new float[][] {y, m, r, dx, dw, db}) {
                int at = all.length;
                all = Arrays.copyOf(all, at + part.length);
                System.arraycopy(part, 0, all, at, part.length);
            }
            out[t - 1] = all;
        }
        assertArrayEquals(out[0], out[1]);
    }
}

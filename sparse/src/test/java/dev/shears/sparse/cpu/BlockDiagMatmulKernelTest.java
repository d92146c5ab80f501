package dev.shears.sparse.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.shears.sparse.cpu.SparseFixture.Expected;
import dev.shears.tensor.Rng;
import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link BlockDiagMatmulKernel}: {@code X · Dᵀ}, {@code X · D} and the block gradient against their
 * references and dense double-precision products on the dense D, over block counts and sizes
 * (1, 3, 4, 32), batches 1 to 33 and 1-3 threads.
 */
@Tag("kernel")
class BlockDiagMatmulKernelTest {
    private static final int OFFSET = 2;

    private enum Op { FORWARD, TRANSPOSED, GRADIENT }

    @Test
    void blockCountsSizesAndBatches() {
        long seed = 10;
        for (int nb : new int[] {1, 3, 5}) {
            for (int b : new int[] {1, 3, 4, 32}) {
                for (int n : new int[] {1, 2, 7, 33}) {
                    for (Op op : Op.values()) {
                        check(op, n, nb, b, seed % 2 == 0, seed++);
                    }
                }
            }
        }
    }

    @Test
    void manyBlocks() {
        for (Op op : Op.values()) {
            check(op, 3, 130, 8, true, 90);
            check(op, 40, 20, 32, false, 91);
        }
    }

    private static void check(Op op, int n, int nb, int b, boolean accumulate, long seed) {
        Rng rng = Rng.seeded(seed);
        int nd = nb * b;
        String context = op + " n=" + n + " nb=" + nb + " b=" + b + (accumulate ? " accumulate" : "") + " seed " + seed
                + " (" + Simd.describe() + ")";
        float[] blocks = SparseFixture.random(nb * b * b, rng);
        float[] x = SparseFixture.random(OFFSET + n * nd, rng);
        float[] dy = SparseFixture.random(OFFSET + n * nd, rng);
        double[] dense = new double[nd * nd];
        for (int i = 0; i < nb; i++) {
            for (int p = 0; p < b; p++) {
                for (int q = 0; q < b; q++) {
                    dense[(i * b + p) * nd + i * b + q] = blocks[i * b * b + p * b + q];
                }
            }
        }
        float[] out = SparseFixture.random(op == Op.GRADIENT ? nb * b * b : OFFSET + n * nd + 1, rng);
        double[] wx = SparseFixture.widen(x);
        Expected expected = switch (op) {
            case FORWARD -> SparseFixture.product(n, nd, nd, wx, OFFSET, nd, 1, dense, 0, 1, nd, out, OFFSET, accumulate);
            case TRANSPOSED -> SparseFixture.product(n, nd, nd, wx, OFFSET, nd, 1, dense, 0, nd, 1, out, OFFSET, accumulate);
            case GRADIENT -> gradient(n, nb, b, dy, x, out, accumulate);
        };
        float[] ref = out.clone();
        call(op, true, n, nb, b, blocks, x, dy, ref, accumulate);
        expected.assertMatches(ref, 1, context + ": reference vs dense double");
        float[] first = null;
        for (int threads = 1; threads <= 3; threads++) {
            float[] got = out.clone();
            Parallel.withThreads(threads, () -> call(op, false, n, nb, b, blocks, x, dy, got, accumulate));
            expected.assertMatches(got, 2, context + ": run on " + threads + " thread(s) vs dense double");
            if (first == null) {
                first = got;
            } else {
                assertArrayEquals(first, got, context + ": " + threads + " threads differ from 1");
            }
        }
    }

    /** dD_i = dY[:, block i]ᵀ · X[:, block i] in double, laid out as the blocks. */
    private static Expected gradient(int n, int nb, int b, float[] dy, float[] x, float[] out, boolean accumulate) {
        int nd = nb * b;
        double[] value = new double[out.length];
        double[] magnitude = new double[out.length];
        for (int i = 0; i < nb; i++) {
            Expected block = SparseFixture.product(b, b, n, SparseFixture.widen(dy), OFFSET + i * b, 1, nd,
                    SparseFixture.widen(x), OFFSET + i * b, nd, 1, new float[b * b], 0, false);
            for (int e = 0; e < b * b; e++) {
                int at = i * b * b + e;
                value[at] = block.value()[e] + (accumulate ? out[at] : 0);
                magnitude[at] = block.magnitude()[e] + (accumulate ? Math.abs(out[at]) : 0);
            }
        }
        return new Expected(value, magnitude, n);
    }

    private static void call(Op op, boolean reference, int n, int nb, int b, float[] blocks, float[] x, float[] dy,
            float[] out, boolean accumulate) {
        switch (op) {
            case FORWARD -> {
                if (reference) {
                    BlockDiagMatmulKernel.reference(n, nb, b, blocks, x, OFFSET, out, OFFSET, accumulate);
                } else {
                    BlockDiagMatmulKernel.run(n, nb, b, blocks, x, OFFSET, out, OFFSET, accumulate);
                }
            }
            case TRANSPOSED -> {
                if (reference) {
                    BlockDiagMatmulKernel.referenceTransposed(n, nb, b, blocks, x, OFFSET, out, OFFSET, accumulate);
                } else {
                    BlockDiagMatmulKernel.runTransposed(n, nb, b, blocks, x, OFFSET, out, OFFSET, accumulate);
                }
            }
            case GRADIENT -> {
                if (reference) {
                    BlockDiagMatmulKernel.referenceGradient(n, nb, b, dy, OFFSET, x, OFFSET, out, accumulate);
                } else {
                    BlockDiagMatmulKernel.gradient(n, nb, b, dy, OFFSET, x, OFFSET, out, accumulate);
                }
            }
        }
    }
}

package dev.shears.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.tensor.Shape;
import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import dev.shears.tensor.spi.ReduceOp;
import dev.shears.testing.ArrayAssert;
import dev.shears.testing.AwkwardSizes;
import dev.shears.testing.FreshClass;
import dev.shears.testing.Operands;
import dev.shears.testing.Reference;
import dev.shears.testing.Reference.Reduction;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Tag("kernel")
class ReduceKernelTest {
    private static final int OFF = 3;

    @FunctionalInterface
    interface Kernel {
        void run(ReduceOp op, float[] src, int off, int outer, int r, int inner, float[] dst, int dstOff);
    }

    private static Reduction reduction(ReduceOp op) {
        return switch (op) {
            case SUM -> Reduction.SUM;
            case MAX -> Reduction.MAX;
            case MIN -> Reduction.MIN;
            default -> throw new IllegalArgumentException(op.toString());
        };
    }

    /** Reduces [outer, r, inner] (read from OFF) with the kernel and checks against the double reference. */
    private static void check(ReduceOp op, Kernel kernel, String which, int outer, int r, int inner, float[] data, String seed) {
        Shape s = Shape.of(outer, r, inner);
        float[] src = new float[OFF + s.numel() + 2];
        Arrays.fill(src, Float.NaN); // the padding must never be read
        System.arraycopy(data, 0, src, OFF, data.length);
        float[] dst = new float[2 + outer * inner + 2];
        Arrays.fill(dst, -7777.5f);
        kernel.run(op, src, OFF, outer, r, inner, dst, 2);
        float[] got = Arrays.copyOfRange(dst, 2, 2 + outer * inner);
        String ctx = which + " " + op + " [" + outer + ", " + r + ", " + inner + "] seed " + seed + " bits " + Simd.BITS;
        double[] expected = Reference.reduce(data, s, new int[] {1}, reduction(op));
        if (op == ReduceOp.SUM) {
            float[] abs = new float[data.length];
            for (int i = 0; i < abs.length; i++) {
                abs[i] = Math.abs(data[i]);
            }
            double[] bound = Reference.reduce(abs, s, new int[] {1}, Reduction.SUM);
            for (int i = 0; i < bound.length; i++) {
                bound[i] = 1e-6 * bound[i] + 1e-30;
            }
            ArrayAssert.assertWithin(expected, bound, got, ctx);
        } else {
            ArrayAssert.assertClose(expected, got, 0, 0, ctx);
        }
        assertEquals(-7777.5f, dst[0], ctx + ": wrote before dstOff");
        assertEquals(-7777.5f, dst[dst.length - 1], ctx + ": wrote past the output");
    }

    private static void sweep(ReduceOp op, Kernel kernel, String which, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] small = AwkwardSizes.small();
        for (int outer : new int[] {1, 2, 7}) {
            for (int r : small) {
                for (int inner : small) {
                    check(op, kernel, which, outer, r, inner, Operands.gaussian(rnd, outer * r * inner), String.valueOf(seed));
                }
            }
        }
        for (int n : AwkwardSizes.large()) {
            check(op, kernel, which, 1, n, 1, Operands.gaussian(rnd, n), String.valueOf(seed));
            check(op, kernel, which, 3, n, 1, Operands.gaussian(rnd, 3 * n), String.valueOf(seed));
            check(op, kernel, which, 1, 5, n, Operands.gaussian(rnd, 5 * n), String.valueOf(seed));
            check(op, kernel, which, 2, 3, n, Operands.gaussian(rnd, 6 * n), String.valueOf(seed));
        }
        // A long single run: split into chunks whose partials are combined in order.
        int n = 300_007;
        check(op, kernel, which, 1, n, 1, Operands.gaussian(rnd, n), String.valueOf(seed));
        check(op, kernel, which, 1, 0, 1, new float[0], String.valueOf(seed) + " (empty)");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = ReduceOp.class, names = {"SUM", "MAX", "MIN"})
    void runMatchesReference(ReduceOp op) {
        sweep(op, ReduceKernel::run, "run", 2600 + op.ordinal());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = ReduceOp.class, names = {"SUM", "MAX", "MIN"})
    void referenceMatchesDefinition(ReduceOp op) {
        sweep(op, ReduceKernel::reference, "reference", 2700 + op.ordinal());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = ReduceOp.class, names = {"MAX", "MIN"})
    void nanPropagatesOnEveryPath(ReduceOp op) {
        int lanes = Simd.LANES;
        int[][] shapes = {{1, 5 * lanes + 3, 1}, {1, 300_007, 1}, {4, 4 * lanes + 1, 1}, {1, 7, 2 * lanes + 3}, {3, 5, lanes + 1}};
        for (int[] sh : shapes) {
            int outer = sh[0];
            int r = sh[1];
            int inner = sh[2];
            for (int j : new int[] {0, r / 2, r - 1}) {
                float[] data = new float[outer * r * inner];
                for (int i = 0; i < data.length; i++) {
                    data[i] = i % 11;
                }
                int at = ((outer - 1) * r + j) * inner + inner - 1; // the last output's row j
                data[at] = Float.NaN;
                check(op, ReduceKernel::run, "run", outer, r, inner, data, "NaN at row " + j);
                check(op, ReduceKernel::reference, "reference", outer, r, inner, data, "NaN at row " + j);
                float[] dst = new float[outer * inner];
                ReduceKernel.run(op, data, 0, outer, r, inner, dst, 0);
                assertTrue(Float.isNaN(dst[outer * inner - 1]), op + " " + Arrays.toString(sh) + " NaN at " + j);
            }
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        SplittableRandom rnd = new SplittableRandom(2800);
        int n = 1_000_003;
        float[] v = Operands.gaussian(rnd, n);
        // [1, n, 1] one long run, [1000, 1000, 1] rows, [1, 1000, 1000] columns, [10, 1000, 100] blocks.
        int[][] shapes = {{1, n, 1}, {1000, 1000, 1}, {1, 1000, 1000}, {10, 1000, 100}};
        for (ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.MAX}) {
            for (int[] sh : shapes) {
                float[] many = new float[sh[0] * sh[2]];
                float[] one = new float[many.length];
                ReduceKernel.run(op, v, 0, sh[0], sh[1], sh[2], many, 0);
                Parallel.withThreads(1, () -> ReduceKernel.run(op, v, 0, sh[0], sh[1], sh[2], one, 0));
                assertArrayEquals(one, many, op + " " + Arrays.toString(sh) + " seed 2800: 1 vs " + Parallel.poolSize()
                        + " threads");
            }
        }
    }

    @Test
    void sumIsTheSameBeforeAndAfterJitWarmUp() throws Exception {
        // The interpreter and the compiled intrinsic of reduceLanes(ADD) add lanes in different
        // orders; a reproducible sum must not depend on which one ran.
        Class<?> fresh = FreshClass.load(ReduceKernel.class);
        var run = fresh.getMethod("run", ReduceOp.class, float[].class, int.class, int.class, int.class, int.class,
                float[].class, int.class);
        SplittableRandom rnd = new SplittableRandom(2850);
        int n = 1031;
        float[] v = Operands.gaussian(rnd, n);
        float[] cold = new float[1];
        run.invoke(null, ReduceOp.SUM, v, 0, 1, n, 1, cold, 0);
        float[] warm = new float[1];
        for (int i = 0; i < 60_000; i++) {
            run.invoke(null, ReduceOp.SUM, v, 0, 1, n, 1, warm, 0);
        }
        assertEquals(Float.floatToIntBits(cold[0]), Float.floatToIntBits(warm[0]),
                "seed 2850: sum of " + n + " cold " + cold[0] + " vs warm " + warm[0] + " (bits " + Simd.BITS + ")");
    }

    @Test
    void argReduceFirstIndexAndNaN() {
        SplittableRandom rnd = new SplittableRandom(2900);
        int[] small = AwkwardSizes.small();
        for (int outer : new int[] {1, 3}) {
            for (int r : small) {
                for (int inner : new int[] {1, 2, Simd.LANES + 1}) {
                    Shape s = Shape.of(outer, r, inner);
                    float[] data = new float[s.numel()];
                    for (int i = 0; i < data.length; i++) {
                        int k = rnd.nextInt(13);
                        data[i] = k == 0 ? Float.NaN : k % 4;
                    }
                    float[] src = new float[OFF + data.length];
                    System.arraycopy(data, 0, src, OFF, data.length);
                    for (ReduceOp op : new ReduceOp[] {ReduceOp.ARGMAX, ReduceOp.ARGMIN}) {
                        int[] dst = new int[1 + outer * inner];
                        ReduceKernel.argReduce(op, src, OFF, outer, r, inner, dst, 1);
                        assertArrayEquals(Reference.argReduce(data, s, 1, op == ReduceOp.ARGMAX),
                                Arrays.copyOfRange(dst, 1, dst.length), op + " " + s + " seed 2900");
                    }
                }
            }
        }
        float[] ties = {3, 1, 3, 1, Float.NaN, 3, Float.NaN};
        int[] out = new int[1];
        ReduceKernel.argReduce(ReduceOp.ARGMAX, ties, 0, 1, 4, 1, out, 0);
        assertEquals(0, out[0], "first of the equal maxima");
        ReduceKernel.argReduce(ReduceOp.ARGMIN, ties, 0, 1, 4, 1, out, 0);
        assertEquals(1, out[0], "first of the equal minima");
        ReduceKernel.argReduce(ReduceOp.ARGMIN, ties, 0, 1, 7, 1, out, 0);
        assertEquals(4, out[0], "the first NaN");
        assertThrows(IllegalArgumentException.class, () -> ReduceKernel.argReduce(ReduceOp.SUM, ties, 0, 1, 2, 1, out, 0));
        assertThrows(IllegalArgumentException.class,
                () -> ReduceKernel.reference(ReduceOp.ARGMAX, ties, 0, 1, 2, 1, new float[1], 0));
    }
}

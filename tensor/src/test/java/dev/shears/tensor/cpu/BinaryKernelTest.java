package dev.shears.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.shears.tensor.simd.Simd;
import dev.shears.tensor.spi.BinaryOp;
import dev.shears.tensor.spi.CompareOp;
import dev.shears.testing.ArrayAssert;
import dev.shears.testing.AwkwardSizes;
import dev.shears.testing.Operands;
import dev.shears.testing.Reference;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.DoubleBinaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Tag("kernel")
class BinaryKernelTest {
    private static final float SENTINEL = -7777.5f;
    private static final int[] SRC_STRIDES = {0, 1, 2};
    private static final int[] DST_STRIDES = {1, 2};

    static DoubleBinaryOperator definition(BinaryOp op) {
        return switch (op) {
            case ADD -> Double::sum;
            case SUB -> (a, b) -> a - b;
            case MUL -> (a, b) -> a * b;
            case DIV -> (a, b) -> a / b;
            case MAX -> Reference::nanMax;
            case MIN -> Reference::nanMin;
            case POW -> Math::pow;
        };
    }

    @FunctionalInterface
    interface Kernel {
        void run(BinaryOp op, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride, float[] dst, int dstOff,
                 int dstStride, int n);
    }

    private static float[] inputs(SplittableRandom rnd, int n, boolean positive, boolean withNaN) {
        float[] v = Operands.gaussian(rnd, n);
        for (int i = 0; i < n; i++) {
            if (positive) {
                v[i] = 0.1f + Math.abs(v[i]);
            }
            if (withNaN && rnd.nextInt(17) == 0) {
                v[i] = Float.NaN;
            }
        }
        return v;
    }

    private static void check(BinaryOp op, Kernel kernel, String which, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double rtol = op == BinaryOp.POW ? 1e-5 : (op == BinaryOp.MAX || op == BinaryOp.MIN ? 0 : 1e-7);
        boolean nans = op == BinaryOp.MAX || op == BinaryOp.MIN;
        for (int n : AwkwardSizes.all()) {
            for (int as : SRC_STRIDES) {
                for (int bs : SRC_STRIDES) {
                    for (int ds : DST_STRIDES) {
                        int aOff = 1;
                        int bOff = 4;
                        int dOff = 3;
                        float[] a = inputs(rnd, aOff + as * (n - 1) + 3, op == BinaryOp.POW, nans);
                        float[] b = inputs(rnd, bOff + bs * (n - 1) + 2, false, nans);
                        float[] d = new float[dOff + ds * (n - 1) + 5];
                        Arrays.fill(d, SENTINEL);
                        kernel.run(op, a, aOff, as, b, bOff, bs, d, dOff, ds, n);
                        double[] expected = new double[n];
                        float[] got = new float[n];
                        for (int i = 0; i < n; i++) {
                            expected[i] = definition(op).applyAsDouble(a[aOff + i * as], b[bOff + i * bs]);
                            got[i] = d[dOff + i * ds];
                        }
                        String ctx = which + " " + op + " n " + n + " strides " + as + "/" + bs + "/" + ds + " seed " + seed
                                + " bits " + Simd.BITS;
                        ArrayAssert.assertClose(expected, got, rtol, 0, ctx);
                        checkGaps(d, dOff, ds, n, ctx);
                    }
                }
            }
        }
    }

    private static void checkGaps(float[] d, int dOff, int ds, int n, String ctx) {
        for (int i = 0; i < d.length; i++) {
            boolean written = i >= dOff && (i - dOff) % ds == 0 && (i - dOff) / ds < n;
            if (!written && d[i] != SENTINEL) {
                fail(ctx + ": wrote outside the destination run at " + i);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(BinaryOp.class)
    void runMatchesDefinition(BinaryOp op) {
        check(op, BinaryKernel::run, "run", 2200 + op.ordinal());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(BinaryOp.class)
    void referenceMatchesDefinition(BinaryOp op) {
        check(op, BinaryKernel::reference, "reference", 2300 + op.ordinal());
    }

    private static boolean definition(CompareOp op, float x, float y) {
        return switch (op) {
            case EQ -> x == y;
            case NE -> !(x == y);
            case LT -> x < y;
            case LE -> x <= y;
            case GT -> x > y;
            case GE -> x >= y;
        };
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(CompareOp.class)
    void compareMatchesDefinition(CompareOp op) {
        long seed = 2400 + op.ordinal();
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int n : AwkwardSizes.all()) {
            for (int as : SRC_STRIDES) {
                for (int bs : SRC_STRIDES) {
                    for (int ds : DST_STRIDES) {
                        // Few distinct values plus NaN: ties and unordered pairs are common.
                        float[] a = new float[2 + as * (n - 1) + 1];
                        float[] b = new float[1 + bs * (n - 1) + 1];
                        for (int i = 0; i < a.length; i++) {
                            a[i] = rnd.nextInt(9) == 0 ? Float.NaN : rnd.nextInt(3);
                        }
                        for (int i = 0; i < b.length; i++) {
                            b[i] = rnd.nextInt(9) == 0 ? Float.NaN : rnd.nextInt(3);
                        }
                        for (boolean useReference : new boolean[] {false, true}) {
                            byte[] d = new byte[2 + ds * (n - 1) + 3];
                            Arrays.fill(d, (byte) 77);
                            if (useReference) {
                                BinaryKernel.referenceCompare(op, a, 2, as, b, 1, bs, d, 2, ds, n);
                            } else {
                                BinaryKernel.runCompare(op, a, 2, as, b, 1, bs, d, 2, ds, n);
                            }
                            String ctx = (useReference ? "referenceCompare " : "runCompare ") + op + " n " + n + " strides "
                                    + as + "/" + bs + "/" + ds + " seed " + seed + " bits " + Simd.BITS;
                            for (int i = 0; i < d.length; i++) {
                                boolean written = i >= 2 && (i - 2) % ds == 0 && (i - 2) / ds < n;
                                if (written) {
                                    int j = (i - 2) / ds;
                                    float x = a[2 + j * as];
                                    float y = b[1 + j * bs];
                                    assertEquals(definition(op, x, y) ? 1 : 0, d[i], ctx + " at " + j + ": " + x + " vs " + y);
                                } else {
                                    assertEquals(77, d[i], ctx + ": wrote outside the run at " + i);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void whereSelectsPerElement() {
        SplittableRandom rnd = new SplittableRandom(2500);
        for (int n : AwkwardSizes.all()) {
            for (int cs : SRC_STRIDES) {
                for (int ds : DST_STRIDES) {
                    for (int as : new int[] {1, 2}) {
                        for (int bs : new int[] {1, 0}) { // unit strides take the vector path; b may be a scalar
                            byte[] c = new byte[1 + cs * (n - 1) + 1];
                            for (int i = 0; i < c.length; i++) {
                                c[i] = (byte) (rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(1, 256));
                            }
                            float[] a = Operands.gaussian(rnd, 2 * n + 2);
                            float[] b = Operands.gaussian(rnd, n + 1);
                            float[] d = new float[ds * (n - 1) + 3];
                            Arrays.fill(d, SENTINEL);
                            BinaryKernel.where(c, 1, cs, a, 2, as, b, 1, bs, d, 0, ds, n);
                            String ctx = "where n " + n + " strides cond " + cs + " a " + as + " b " + bs + " dst " + ds
                                    + " seed 2500";
                            for (int j = 0; j < n; j++) {
                                float expected = c[1 + j * cs] != 0 ? a[2 + as * j] : b[1 + bs * j];
                                assertEquals(expected, d[j * ds], ctx + " at " + j);
                            }
                            checkGaps(d, 0, ds, n, ctx);
                        }
                    }
                }
            }
        }
    }

    @Test
    void maxMinPropagateNaNFromEitherSide() {
        int n = 3 * Simd.LANES + 2;
        float[] a = new float[n];
        float[] b = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = i % 2 == 0 ? Float.NaN : i;
            b[i] = i % 3 == 0 ? Float.NaN : -i;
        }
        for (BinaryOp op : new BinaryOp[] {BinaryOp.MAX, BinaryOp.MIN}) {
            for (int bs : new int[] {1, 0}) {
                float[] d = new float[n];
                BinaryKernel.run(op, a, 0, 1, b, 0, bs, d, 0, 1, n);
                for (int i = 0; i < n; i++) {
                    float y = b[i * bs];
                    boolean nan = Float.isNaN(a[i]) || Float.isNaN(y);
                    assertEquals(nan, Float.isNaN(d[i]), op + " b stride " + bs + " at " + i + ": " + a[i] + ", " + y);
                }
            }
        }
    }
}

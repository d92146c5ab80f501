package dev.shears.tensor.cpu;

import static dev.shears.tensor.simd.Simd.F;

import dev.shears.tensor.simd.Simd;
import dev.shears.tensor.spi.BinaryOp;
import dev.shears.tensor.spi.CompareOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Element-wise functions of two float arrays over strided 1-D runs: arithmetic, comparisons and
 * select. A stride of 0 broadcasts a scalar; the vector paths cover unit and zero strides.
 */
public final class BinaryKernel {
    private BinaryKernel() {}

    /** Scalar reference for arithmetic, evaluated in double and rounded once. */
    public static void reference(BinaryOp op, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
                                 float[] dst, int dstOff, int dstStride, int n) {
        for (int i = 0; i < n; i++) {
            double x = a[aOff + i * aStride];
            double y = b[bOff + i * bStride];
            double r = switch (op) {
                case ADD -> x + y;
                case SUB -> x - y;
                case MUL -> x * y;
                case DIV -> x / y;
                case MAX -> Math.max(x, y);
                case MIN -> Math.min(x, y);
                case POW -> Math.pow(x, y);
            };
            dst[dstOff + i * dstStride] = (float) r;
        }
    }

    /** {@code dst[i] = a[i] op b[i]} over strided runs of length n. */
    public static void run(BinaryOp op, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
                           float[] dst, int dstOff, int dstStride, int n) {
        int i = 0;
        if (Simd.ENABLED && dstStride == 1 && (aStride | 1) == 1 && (bStride | 1) == 1) {
            int bound = F.loopBound(n);
            FloatVector aScalar = FloatVector.broadcast(F, a[aOff]);
            FloatVector bScalar = FloatVector.broadcast(F, b[bOff]);
            for (; i < bound; i += F.length()) {
                FloatVector x = aStride == 0 ? aScalar : FloatVector.fromArray(F, a, aOff + i);
                FloatVector y = bStride == 0 ? bScalar : FloatVector.fromArray(F, b, bOff + i);
                apply(op, x, y).intoArray(dst, dstOff + i);
            }
        }
        for (; i < n; i++) {
            dst[dstOff + i * dstStride] = apply(op, a[aOff + i * aStride], b[bOff + i * bStride]);
        }
    }

    static FloatVector apply(BinaryOp op, FloatVector x, FloatVector y) {
        return switch (op) {
            case ADD -> x.add(y);
            case SUB -> x.sub(y);
            case MUL -> x.mul(y);
            case DIV -> x.div(y);
            case MAX -> x.max(y);
            case MIN -> x.min(y);
            case POW -> x.lanewise(VectorOperators.POW, y);
        };
    }

    static float apply(BinaryOp op, float x, float y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case MAX -> Math.max(x, y);
            case MIN -> Math.min(x, y);
            case POW -> (float) Math.pow(x, y);
        };
    }

    /** Scalar reference for comparisons: 1 where {@code a op b}, else 0. */
    public static void referenceCompare(CompareOp op, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
                                        byte[] dst, int dstOff, int dstStride, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i * dstStride] = compare(op, a[aOff + i * aStride], b[bOff + i * bStride]) ? (byte) 1 : 0;
        }
    }

    /** {@code dst[i] = a[i] op b[i] ? 1 : 0}. */
    public static void runCompare(CompareOp op, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
                                  byte[] dst, int dstOff, int dstStride, int n) {
        int i = 0;
        if (Simd.ENABLED && dstStride == 1 && (aStride | 1) == 1 && (bStride | 1) == 1) {
            int bound = F.loopBound(n);
            FloatVector aScalar = FloatVector.broadcast(F, a[aOff]);
            FloatVector bScalar = FloatVector.broadcast(F, b[bOff]);
            for (; i < bound; i += F.length()) {
                FloatVector x = aStride == 0 ? aScalar : FloatVector.fromArray(F, a, aOff + i);
                FloatVector y = bStride == 0 ? bScalar : FloatVector.fromArray(F, b, bOff + i);
                VectorMask<Float> m = compare(op, x, y);
                long bits = m.toLong();
                for (int lane = 0; lane < F.length(); lane++) {
                    dst[dstOff + i + lane] = (byte) ((bits >>> lane) & 1);
                }
            }
        }
        for (; i < n; i++) {
            dst[dstOff + i * dstStride] = compare(op, a[aOff + i * aStride], b[bOff + i * bStride]) ? (byte) 1 : 0;
        }
    }

    // Each case names its operator as a constant so the JIT can intrinsify the comparison.
    private static VectorMask<Float> compare(CompareOp op, FloatVector x, FloatVector y) {
        return switch (op) {
            case EQ -> x.compare(VectorOperators.EQ, y);
            case NE -> x.compare(VectorOperators.NE, y);
            case LT -> x.compare(VectorOperators.LT, y);
            case LE -> x.compare(VectorOperators.LE, y);
            case GT -> x.compare(VectorOperators.GT, y);
            case GE -> x.compare(VectorOperators.GE, y);
        };
    }

    static boolean compare(CompareOp op, float x, float y) {
        return switch (op) {
            case EQ -> x == y;
            case NE -> x != y;
            case LT -> x < y;
            case LE -> x <= y;
            case GT -> x > y;
            case GE -> x >= y;
        };
    }

    /** {@code dst[i] = cond[i] != 0 ? a[i] : b[i]} (scalar: select is memory-bound and rare). */
    public static void where(byte[] cond, int cOff, int cStride, float[] a, int aOff, int aStride,
                             float[] b, int bOff, int bStride, float[] dst, int dstOff, int dstStride, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i * dstStride] = cond[cOff + i * cStride] != 0 ? a[aOff + i * aStride] : b[bOff + i * bStride];
        }
    }
}

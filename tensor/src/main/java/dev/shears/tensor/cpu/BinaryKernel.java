package dev.shears.tensor.cpu;

import static dev.shears.tensor.simd.Simd.F;

import dev.shears.tensor.simd.Simd;
import dev.shears.tensor.spi.BinaryOp;
import dev.shears.tensor.spi.CompareOp;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

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
            i = F.loopBound(n);
            vectorLoop(op, a, aOff, aStride == 0, b, bOff, bStride == 0, dst, dstOff, i);
        }
        for (; i < n; i++) {
            dst[dstOff + i * dstStride] = apply(op, a[aOff + i * aStride], b[bOff + i * bStride]);
        }
    }

    /**
     * The vector paths over {@code [0, bound)}: one small loop method per op, so each compiles on
     * its own profile (see UnaryKernel.vectorLoop for why a shared loop is slow). A broadcast
     * operand is one register; the choice is loop-invariant and hoisted by C2.
     */
    private static void vectorLoop(BinaryOp op, float[] a, int ao, boolean aScalar, float[] b, int bo, boolean bScalar,
                                   float[] dst, int d, int bound) {
        switch (op) {
            case ADD -> addLoop(a, ao, aScalar, b, bo, bScalar, dst, d, bound);
            case SUB -> subLoop(a, ao, aScalar, b, bo, bScalar, dst, d, bound);
            case MUL -> mulLoop(a, ao, aScalar, b, bo, bScalar, dst, d, bound);
            case DIV -> divLoop(a, ao, aScalar, b, bo, bScalar, dst, d, bound);
            case MAX -> maxLoop(a, ao, aScalar, b, bo, bScalar, dst, d, bound);
            case MIN -> minLoop(a, ao, aScalar, b, bo, bScalar, dst, d, bound);
            case POW -> powLoop(a, ao, aScalar, b, bo, bScalar, dst, d, bound);
        }
    }

    private static void addLoop(float[] a, int ao, boolean aScalar, float[] b, int bo, boolean bScalar,
                                float[] dst, int d, int bound) {
        FloatVector as = FloatVector.broadcast(F, a[ao]);
        FloatVector bs = FloatVector.broadcast(F, b[bo]);
        for (int i = 0; i < bound; i += F.length()) {
            FloatVector x = aScalar ? as : FloatVector.fromArray(F, a, ao + i);
            FloatVector y = bScalar ? bs : FloatVector.fromArray(F, b, bo + i);
            x.add(y).intoArray(dst, d + i);
        }
    }

    private static void subLoop(float[] a, int ao, boolean aScalar, float[] b, int bo, boolean bScalar,
                                float[] dst, int d, int bound) {
        FloatVector as = FloatVector.broadcast(F, a[ao]);
        FloatVector bs = FloatVector.broadcast(F, b[bo]);
        for (int i = 0; i < bound; i += F.length()) {
            FloatVector x = aScalar ? as : FloatVector.fromArray(F, a, ao + i);
            FloatVector y = bScalar ? bs : FloatVector.fromArray(F, b, bo + i);
            x.sub(y).intoArray(dst, d + i);
        }
    }

    private static void mulLoop(float[] a, int ao, boolean aScalar, float[] b, int bo, boolean bScalar,
                                float[] dst, int d, int bound) {
        FloatVector as = FloatVector.broadcast(F, a[ao]);
        FloatVector bs = FloatVector.broadcast(F, b[bo]);
        for (int i = 0; i < bound; i += F.length()) {
            FloatVector x = aScalar ? as : FloatVector.fromArray(F, a, ao + i);
            FloatVector y = bScalar ? bs : FloatVector.fromArray(F, b, bo + i);
            x.mul(y).intoArray(dst, d + i);
        }
    }

    private static void divLoop(float[] a, int ao, boolean aScalar, float[] b, int bo, boolean bScalar,
                                float[] dst, int d, int bound) {
        FloatVector as = FloatVector.broadcast(F, a[ao]);
        FloatVector bs = FloatVector.broadcast(F, b[bo]);
        for (int i = 0; i < bound; i += F.length()) {
            FloatVector x = aScalar ? as : FloatVector.fromArray(F, a, ao + i);
            FloatVector y = bScalar ? bs : FloatVector.fromArray(F, b, bo + i);
            x.div(y).intoArray(dst, d + i);
        }
    }

    private static void maxLoop(float[] a, int ao, boolean aScalar, float[] b, int bo, boolean bScalar,
                                float[] dst, int d, int bound) {
        FloatVector as = FloatVector.broadcast(F, a[ao]);
        FloatVector bs = FloatVector.broadcast(F, b[bo]);
        for (int i = 0; i < bound; i += F.length()) {
            FloatVector x = aScalar ? as : FloatVector.fromArray(F, a, ao + i);
            FloatVector y = bScalar ? bs : FloatVector.fromArray(F, b, bo + i);
            x.max(y).intoArray(dst, d + i);
        }
    }

    private static void minLoop(float[] a, int ao, boolean aScalar, float[] b, int bo, boolean bScalar,
                                float[] dst, int d, int bound) {
        FloatVector as = FloatVector.broadcast(F, a[ao]);
        FloatVector bs = FloatVector.broadcast(F, b[bo]);
        for (int i = 0; i < bound; i += F.length()) {
            FloatVector x = aScalar ? as : FloatVector.fromArray(F, a, ao + i);
            FloatVector y = bScalar ? bs : FloatVector.fromArray(F, b, bo + i);
            x.min(y).intoArray(dst, d + i);
        }
    }

    private static void powLoop(float[] a, int ao, boolean aScalar, float[] b, int bo, boolean bScalar,
                                float[] dst, int d, int bound) {
        FloatVector as = FloatVector.broadcast(F, a[ao]);
        FloatVector bs = FloatVector.broadcast(F, b[bo]);
        for (int i = 0; i < bound; i += F.length()) {
            FloatVector x = aScalar ? as : FloatVector.fromArray(F, a, ao + i);
            FloatVector y = bScalar ? bs : FloatVector.fromArray(F, b, bo + i);
            x.lanewise(VectorOperators.POW, y).intoArray(dst, d + i);
        }
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
                long bits = compareBits(op, x, y);
                for (int lane = 0; lane < F.length(); lane++) {
                    dst[dstOff + i + lane] = (byte) ((bits >>> lane) & 1);
                }
            }
        }
        for (; i < n; i++) {
            dst[dstOff + i * dstStride] = compare(op, a[aOff + i * aStride], b[bOff + i * bStride]) ? (byte) 1 : 0;
        }
    }

    // Each case names its operator as a constant so the JIT can intrinsify the comparison, and
    // returns plain bits so no mask object is merged across cases.
    private static long compareBits(CompareOp op, FloatVector x, FloatVector y) {
        return switch (op) {
            case EQ -> x.compare(VectorOperators.EQ, y).toLong();
            case NE -> x.compare(VectorOperators.NE, y).toLong();
            case LT -> x.compare(VectorOperators.LT, y).toLong();
            case LE -> x.compare(VectorOperators.LE, y).toLong();
            case GT -> x.compare(VectorOperators.GT, y).toLong();
            case GE -> x.compare(VectorOperators.GE, y).toLong();
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

    /**
     * Byte lanes matching the float lanes one to one, for the select masks; null where the vector
     * shape is unsupported (4 float lanes would need 32-bit byte vectors), and then the scalar loop runs.
     */
    private static final VectorSpecies<Byte> CONDITION_LANES = conditionSpecies();

    /** {@code dst[i] = cond[i] != 0 ? a[i] : b[i]}; vectorized for unit strides (b may be a broadcast scalar). */
    public static void where(byte[] cond, int cOff, int cStride, float[] a, int aOff, int aStride,
                             float[] b, int bOff, int bStride, float[] dst, int dstOff, int dstStride, int n) {
        int i = 0;
        if (CONDITION_LANES != null && cStride == 1 && aStride == 1 && dstStride == 1 && (bStride == 1 || bStride == 0)) {
            i = F.loopBound(n);
            whereLoop(cond, cOff, a, aOff, b, bOff, bStride, dst, dstOff, i);
        }
        for (; i < n; i++) {
            dst[dstOff + i * dstStride] = cond[cOff + i * cStride] != 0 ? a[aOff + i * aStride] : b[bOff + i * bStride];
        }
    }

    private static void whereLoop(byte[] cond, int c, float[] a, int aOff, float[] b, int bOff, int bStride,
                                  float[] dst, int d, int bound) {
        FloatVector bScalar = FloatVector.broadcast(F, b[bOff]);
        for (int i = 0; i < bound; i += F.length()) {
            VectorMask<Float> take = ByteVector.fromArray(CONDITION_LANES, cond, c + i)
                    .compare(VectorOperators.NE, (byte) 0).cast(F);
            FloatVector other = bStride == 0 ? bScalar : FloatVector.fromArray(F, b, bOff + i);
            other.blend(FloatVector.fromArray(F, a, aOff + i), take).intoArray(dst, d + i);
        }
    }

    private static VectorSpecies<Byte> conditionSpecies() {
        if (!Simd.ENABLED) {
            return null;
        }
        try {
            VectorSpecies<Byte> s = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * Byte.SIZE));
            return s.length() == F.length() ? s : null;
        } catch (IllegalArgumentException e) {
            return null; // no byte vector of that size on this platform
        }
    }
}

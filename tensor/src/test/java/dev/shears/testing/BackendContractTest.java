package dev.shears.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.tensor.Backends;
import dev.shears.tensor.DType;
import dev.shears.tensor.Device;
import dev.shears.tensor.DeviceMismatchException;
import dev.shears.tensor.FusedAttention;
import dev.shears.tensor.FusedLayerNorm;
import dev.shears.tensor.FusedUpdates;
import dev.shears.tensor.IndexedValues;
import dev.shears.tensor.Kernel2d;
import dev.shears.tensor.Shape;
import dev.shears.tensor.Tensor;
import dev.shears.tensor.simd.Simd;
import dev.shears.tensor.spi.AdamStep;
import dev.shears.tensor.spi.Availability;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract of the backend SPI, checked through the public {@link Tensor} API: every operation
 * run on {@link #device()} gives the CPU backend's result. Each check builds its inputs on the CPU
 * from an explicit seed (named in every failure message), moves them with {@code to(device())},
 * takes the same views there (transposed, permuted, narrowed out of a NaN-padded base, or
 * broadcast with stride 0), runs the operation, checks the result still lives on {@link #device()},
 * brings it back with {@code to(Device.CPU)} and compares it with the same operation on the CPU.
 *
 * <p>Tolerances are those of F32 arithmetic: data movement (copies, gathers, concatenation,
 * pooling argmax, selection) and IEEE-rounded operations must agree exactly or to a couple of
 * ulps; transcendental functions to a few ulps of both implementations; sums and matrix products
 * within the rigorous bound {@code 2 (n + 2) u Σ|terms|} of two summation orders. A backend that
 * computes products in reduced precision (TF32) breaks the contract unless it overrides
 * {@link #productRoundoff()}. Subnormal results may flush to zero.
 *
 * <p>Subclass per backend:
 *
 * <pre>{@code
 * @Tag("gpu")
 * class CudaBackendContractTest extends BackendContractTest {
 *     protected Device device() { return Device.cuda(0); }
 *     protected void assumeAvailable() { Assumptions.assumeTrue(CudaProbe.available(), "no usable CUDA device"); }
 * }
 * }</pre>
 *
 * A backend that does not implement an operation yet overrides its test (they are protected) to
 * check that it refuses, naming the operation and the device, instead of running on the CPU.
 *
 * <p>For {@link Device#CPU} the comparison is the CPU with itself: it checks the contract's own
 * plumbing and that {@code to(Device.CPU)}, which returns the tensor itself, is safe everywhere.
 */
public abstract class BackendContractTest {
    /** Unit roundoff of F32. */
    protected static final double U = 0x1p-24;
    /** Two ulps, relative: the agreement of two correctly rounded (or nearly) F32 results. */
    private static final double ROUNDED = 4 * U;
    /** Slack for results that may be subnormal on one side and flushed to zero on the other. */
    private static final double SUBNORMAL = Float.MIN_NORMAL;
    private static final int L = Simd.LANES;

    /** The device under test. */
    protected abstract Device device();

    /** Skips every test (reported as skipped, not failed) when {@link #device()} cannot be used here. */
    protected void assumeAvailable() {
        Availability a = Backends.availability(device().kind());
        Assumptions.assumeTrue(a.ok(), () -> device() + " is not available: " + a.reason());
    }

    /**
     * Unit roundoff of the device's accumulating products and sums (matmul, reductions); F32's
     * 2^-24 by default. Only a backend documented to compute in lower precision should raise it.
     */
    protected double productRoundoff() {
        return U;
    }

    @BeforeEach
    void requireDevice() {
        assumeAvailable();
    }

    // ==== plumbing ===============================================================================

    /** Value generators for inputs. */
    @FunctionalInterface
    protected interface Values {
        float[] draw(SplittableRandom rnd, int n);
    }

    /** Standard normal. */
    protected static final Values NORMAL = Operands::gaussian;

    /** Normal scaled by 3, the usual domain of activations. */
    protected static final Values WIDE = (rnd, n) -> scaled(Operands.gaussian(rnd, n), 3f, 0f);

    /** Strictly positive, in [0.05, ~10): for log, sqrt, reciprocal and fractional powers. */
    protected static final Values POSITIVE = (rnd, n) -> {
        float[] v = Operands.gaussian(rnd, n);
        for (int i = 0; i < n; i++) {
            v[i] = 0.05f + Math.abs(2 * v[i]);
        }
        return v;
    };

    /** Multiples of 0.5 in [-2, 2]: many ties, for comparisons, arg-reductions, selection and pooling. */
    protected static final Values TIES = (rnd, n) -> {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (rnd.nextInt(9) - 4) * 0.5f;
        }
        return v;
    };

    /** {@link #TIES} with about one NaN in ten. */
    protected static final Values TIES_AND_NAN = (rnd, n) -> {
        float[] v = TIES.draw(rnd, n);
        for (int i = 0; i < n; i++) {
            if (rnd.nextInt(10) == 0) {
                v[i] = Float.NaN;
            }
        }
        return v;
    };

    /** Logits of a large, offset scale (20·N(0,1) + 1000), to test the stability of softmax. */
    protected static final Values LARGE_LOGITS = (rnd, n) -> scaled(Operands.gaussian(rnd, n), 20f, 1000f);

    /** Normal logits with about one in five masked to -∞ (attention masks). */
    protected static final Values MASKED_LOGITS = (rnd, n) -> {
        float[] v = Operands.gaussian(rnd, n);
        for (int i = 0; i < n; i++) {
            if (rnd.nextInt(5) == 0) {
                v[i] = Float.NEGATIVE_INFINITY;
            }
        }
        return v;
    };

    private static float[] scaled(float[] v, float scale, float offset) {
        for (int i = 0; i < v.length; i++) {
            v[i] = v[i] * scale + offset;
        }
        return v;
    }

    /** How an input sits in memory. */
    protected enum View {
        /** Contiguous from element 0. */
        CONTIGUOUS,
        /** The last two axes swapped (falls back to NARROWED below rank 2). */
        TRANSPOSED,
        /** A random non-identity permutation of the axes (falls back to NARROWED below rank 2). */
        PERMUTED,
        /** Narrowed out of a base padded by 1 before and 2 after on every axis (NaN or 0 in the padding). */
        NARROWED,
        /** Expanded with stride 0 from size 1 on a random non-empty set of axes (CONTIGUOUS if none has size > 1). */
        BROADCAST
    }

    /** Layouts tried for inputs. */
    protected static final View[] VIEWS = View.values();

    /**
     * An input built the same way on both devices: a contiguous CPU base is moved as is with
     * {@code to(device)}, then the view is taken there, so the device sees a strided layout.
     */
    protected record Arg(Tensor base, UnaryOperator<Tensor> view, String description) {
        /** The input on {@code device}. */
        public Tensor on(Device device) {
            Tensor moved = base.to(device);
            assertEquals(device, moved.device(), () -> description + ": to(" + device + ") gave a tensor on " + moved.device());
            return view.apply(moved);
        }

        /**
         * The input on {@code device} over a fresh copy of the base, for in-place operations (on the
         * CPU, {@code to(Device.CPU)} returns the tensor itself, so both sides must not share a base).
         */
        public Tensor freshOn(Device device) {
            return new Arg(base.copy(), view, description).on(device);
        }

        @Override
        public String toString() {
            return description;
        }
    }

    /** Builds the base of an input: its dims and, for NARROWED, which flat positions are padding. */
    @FunctionalInterface
    private interface BaseMaker {
        Tensor make(int[] dims, boolean[] padding, SplittableRandom rnd);
    }

    /** An F32 input of logical shape {@code dims}, with values from {@code values}. */
    protected static Arg arg(View view, Values values, SplittableRandom rnd, int... dims) {
        return build(view, rnd, dims, "F32", (d, pad, r) -> {
            float[] v = values.draw(r, Shape.of(d).numel());
            for (int i = 0; i < v.length; i++) {
                if (pad[i]) {
                    v[i] = Float.NaN;
                }
            }
            return Tensor.of(v, d);
        });
    }

    /** An I32 input with values uniform in [lo, hi) (0 in any padding, so a stray read stays in range). */
    protected static Arg intArg(View view, int lo, int hi, SplittableRandom rnd, int... dims) {
        return build(view, rnd, dims, "I32 [" + lo + ", " + hi + ")", (d, pad, r) -> {
            int[] v = new int[Shape.of(d).numel()];
            for (int i = 0; i < v.length; i++) {
                v[i] = pad[i] ? 0 : lo + r.nextInt(hi - lo);
            }
            return Tensor.ofInts(v, d);
        });
    }

    /** A U8 input with random bytes, zero about one time in three (masks: anything non-zero is true). */
    protected static Arg byteArg(View view, SplittableRandom rnd, int... dims) {
        return build(view, rnd, dims, "U8", (d, pad, r) -> {
            byte[] v = new byte[Shape.of(d).numel()];
            for (int i = 0; i < v.length; i++) {
                v[i] = pad[i] || r.nextInt(3) == 0 ? 0 : (byte) (1 + r.nextInt(255));
            }
            return Tensor.ofBytes(v, d);
        });
    }

    private static Arg build(View requested, SplittableRandom rnd, int[] logical, String what, BaseMaker maker) {
        int[] dims = logical.clone();
        int r = dims.length;
        Shape s = Shape.of(dims);
        View view = requested;
        if ((view == View.TRANSPOSED || view == View.PERMUTED) && r < 2) {
            view = View.NARROWED;
        }
        if (view == View.BROADCAST && Arrays.stream(dims).noneMatch(d -> d > 1)) {
            view = View.CONTIGUOUS;
        }
        switch (view) {
            case TRANSPOSED -> {
                int[] b = dims.clone();
                b[r - 1] = dims[r - 2];
                b[r - 2] = dims[r - 1];
                return new Arg(maker.make(b, new boolean[s.numel()], rnd), t -> t.transpose(r - 2, r - 1),
                        what + " transposed " + s);
            }
            case PERMUTED -> {
                int[] perm = Operands.randomPermutation(rnd, r);
                int[] b = new int[r];
                int[] inverse = new int[r];
                for (int i = 0; i < r; i++) {
                    b[i] = dims[perm[i]];
                    inverse[perm[i]] = i;
                }
                return new Arg(maker.make(b, new boolean[s.numel()], rnd), t -> t.permute(inverse),
                        what + " permuted " + s + " (base axes " + Arrays.toString(perm) + ")");
            }
            case NARROWED -> {
                int[] b = new int[r];
                for (int i = 0; i < r; i++) {
                    b[i] = dims[i] + 3;
                }
                Shape bs = Shape.of(b);
                boolean[] pad = new boolean[bs.numel()];
                for (int f = 0; f < pad.length; f++) {
                    int[] idx = Reference.unflatten(f, bs);
                    for (int i = 0; i < r; i++) {
                        if (idx[i] < 1 || idx[i] > dims[i]) {
                            pad[f] = true;
                            break;
                        }
                    }
                }
                return new Arg(maker.make(b, pad, rnd), t -> {
                    for (int i = 0; i < r; i++) {
                        t = t.narrow(i, 1, dims[i]);
                    }
                    return t;
                }, what + " narrowed " + s + " from padded " + bs);
            }
            case BROADCAST -> {
                int[] b = dims.clone();
                boolean any = false;
                for (int i = 0; i < r; i++) {
                    if (dims[i] > 1 && rnd.nextBoolean()) {
                        b[i] = 1;
                        any = true;
                    }
                }
                for (int i = 0; i < r && !any; i++) {
                    if (dims[i] > 1) {
                        b[i] = 1;
                        any = true;
                    }
                }
                Shape bs = Shape.of(b);
                return new Arg(maker.make(b, new boolean[bs.numel()], rnd), t -> t.expand(dims),
                        what + " broadcast " + s + " from " + bs);
            }
            default -> {
                return new Arg(maker.make(dims, new boolean[s.numel()], rnd), t -> t, what + " contiguous " + s);
            }
        }
    }

    /** An operation on already placed inputs, run once per device. */
    @FunctionalInterface
    protected interface TensorOp {
        Tensor apply(Tensor[] in);
    }

    /** An operation returning values with indices. */
    @FunctionalInterface
    protected interface IndexedOp {
        IndexedValues apply(Tensor[] in);
    }

    /** The inputs on {@code device}. */
    protected static Tensor[] on(Device device, Arg... args) {
        Tensor[] t = new Tensor[args.length];
        for (int i = 0; i < args.length; i++) {
            t[i] = args[i].on(device);
        }
        return t;
    }

    /** Moves a CPU tensor to the device under test and checks it arrived there. */
    protected final Tensor toDevice(Tensor cpu) {
        Tensor d = cpu.to(device());
        assertEquals(device(), d.device(), () -> "to(" + device() + ") gave a tensor on " + d.device());
        return d;
    }

    /** Checks a result was computed on the device under test and brings it back to the CPU. */
    protected final Tensor back(Tensor result, String ctx) {
        assertEquals(device(), result.device(), () -> ctx + ": the result lives on " + result.device()
                + " but the inputs were on " + device());
        Tensor c = result.to(Device.CPU);
        assertEquals(Device.CPU, c.device(), () -> ctx + ": to(cpu) gave a tensor on " + c.device());
        assertEquals(result.shape(), c.shape(), () -> ctx + ": to(cpu) changed the shape");
        assertEquals(result.dtype(), c.dtype(), () -> ctx + ": to(cpu) changed the dtype");
        return c;
    }

    /** Asserts a device result matches the CPU's: device, dtype, shape, then values (exact for I32/U8). */
    protected final void assertMatches(Tensor expected, Tensor result, double rtol, double atol, String ctx) {
        Tensor actual = back(result, ctx);
        assertEquals(expected.dtype(), actual.dtype(), () -> ctx + ": dtype");
        assertEquals(expected.shape(), actual.shape(), () -> ctx + ": shape");
        if (expected.dtype() == DType.F32) {
            TensorAssert.assertClose(expected, actual, rtol, atol, ctx);
        } else {
            assertArrayEquals(expected.toIntArray(), actual.toIntArray(), () -> ctx + " " + expected.shape() + ": values");
        }
    }

    /** Asserts a device result equals the CPU's bit for bit (NaN matches any NaN; -0 differs from 0). */
    protected final void assertExact(Tensor expected, Tensor result, String ctx) {
        Tensor actual = back(result, ctx);
        assertEquals(expected.dtype(), actual.dtype(), () -> ctx + ": dtype");
        assertEquals(expected.shape(), actual.shape(), () -> ctx + ": shape");
        if (expected.dtype() == DType.F32) {
            assertArrayEquals(expected.toFloatArray(), actual.toFloatArray(), () -> ctx + " " + expected.shape() + ": values");
        } else {
            assertArrayEquals(expected.toIntArray(), actual.toIntArray(), () -> ctx + " " + expected.shape() + ": values");
        }
    }

    /** Asserts |expected - actual| ≤ bound element-wise, with bound a CPU tensor of the same shape. */
    protected final void assertWithin(Tensor expected, Tensor bound, Tensor result, String ctx) {
        Tensor actual = back(result, ctx);
        assertEquals(expected.shape(), actual.shape(), () -> ctx + ": shape");
        assertEquals(DType.F32, actual.dtype(), () -> ctx + ": dtype");
        ArrayAssert.assertWithin(Reference.toDouble(expected.toFloatArray()), Reference.toDouble(bound.toFloatArray()),
                actual.toFloatArray(), ctx + " " + expected.shape());
    }

    /** Runs {@code op} on both devices and compares. */
    protected final void check(String ctx, double rtol, double atol, TensorOp op, Arg... args) {
        String where = ctx + " on " + Arrays.toString(args);
        Tensor expected = op.apply(on(Device.CPU, args));
        Tensor actual = op.apply(on(device(), args));
        assertMatches(expected, actual, rtol, atol, where);
    }

    /** Runs {@code op} on both devices and requires bitwise-equal results. */
    protected final void checkExact(String ctx, TensorOp op, Arg... args) {
        String where = ctx + " on " + Arrays.toString(args);
        Tensor expected = op.apply(on(Device.CPU, args));
        Tensor actual = op.apply(on(device(), args));
        assertExact(expected, actual, where);
    }

    /** Runs {@code op} on both devices; they may differ by {@code bound} (computed on the CPU inputs). */
    protected final void checkWithin(String ctx, TensorOp op, TensorOp bound, Arg... args) {
        String where = ctx + " on " + Arrays.toString(args);
        Tensor[] cpu = on(Device.CPU, args);
        Tensor expected = op.apply(cpu);
        Tensor tol = bound.apply(cpu);
        Tensor actual = op.apply(on(device(), args));
        assertWithin(expected, tol, actual, where);
    }

    /** Runs an operation with indices on both devices: values within tolerance, indices exact. */
    protected final void checkIndexed(String ctx, double rtol, double atol, IndexedOp op, Arg... args) {
        String where = ctx + " on " + Arrays.toString(args);
        IndexedValues expected = op.apply(on(Device.CPU, args));
        IndexedValues actual = op.apply(on(device(), args));
        assertMatches(expected.values(), actual.values(), rtol, atol, where + " (values)");
        assertMatches(expected.indices(), actual.indices(), 0, 0, where + " (indices)");
    }

    private static String seed(long seed) {
        return "seed " + seed + ": ";
    }

    private static int[] dims(int... d) {
        return d;
    }

    // ==== memory: moving, reading, views and copies ==============================================

    @Test
    void roundTripIsExact() {
        long seed = 7001;
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, Float.MIN_VALUE,
            -Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 1f, -1f, 0.1f};
        List<int[]> shapes = List.of(dims(), dims(1), dims(0), dims(0, 3), dims(L - 1 > 0 ? L - 1 : 1), dims(L + 1),
                dims(3, 17), dims(2, 3, 33), dims(4099), dims(1, 1, 7));
        for (int[] d : shapes) {
            Shape s = Shape.of(d);
            String ctx = seed(seed) + "round trip of " + s;
            float[] f = Operands.gaussian(rnd, s.numel());
            for (int i = 0; i < f.length && i < specials.length; i++) {
                f[(i * 7) % f.length] = specials[i];
            }
            int[] ints = new int[s.numel()];
            for (int i = 0; i < ints.length; i++) {
                ints[i] = i % 5 == 0 ? (i % 2 == 0 ? Integer.MIN_VALUE : Integer.MAX_VALUE) : rnd.nextInt();
            }
            byte[] bytes = new byte[s.numel()];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) (i * 37 + rnd.nextInt(256));
            }
            for (Tensor t : List.of(Tensor.of(f, d), Tensor.ofInts(ints, d), Tensor.ofBytes(bytes, d))) {
                String c = ctx + " " + t.dtype();
                Tensor there = toDevice(t);
                assertEquals(t.shape(), there.shape(), c + ": shape on the device");
                assertEquals(t.dtype(), there.dtype(), c + ": dtype on the device");
                assertExact(t, there, c);
                switch (t.dtype()) {
                    case F32 -> assertArrayEquals(f, back(there, c).toFloatArray(), c + ": float bits");
                    case I32 -> assertArrayEquals(ints, back(there, c).toIntArray(), c + ": ints");
                    default -> assertArrayEquals(bytes, back(there, c).toByteArray(), c + ": bytes");
                }
                // Moving again to the same device is a no-op, and the original is untouched.
                assertSame(there, there.to(device()), c + ": to(its own device) must return the tensor itself");
            }
        }
        // Every byte value survives, and U8 reads as 0..255.
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        Tensor u8 = toDevice(Tensor.ofBytes(all, 16, 16));
        assertArrayEquals(all, back(u8, "all bytes").toByteArray(), "all 256 byte values");
        int[] asInts = back(u8, "all bytes").toIntArray();
        for (int i = 0; i < 256; i++) {
            assertEquals(i, asInts[i], "U8 byte " + i + " must read as an unsigned int");
        }
    }

    @Test
    void movingStridedViewsMovesTheirLogicalValues() {
        long seed = 7002;
        SplittableRandom rnd = new SplittableRandom(seed);
        for (View v : VIEWS) {
            for (int[] d : List.of(dims(7, 33), dims(3, 1, 17), dims(65))) {
                Arg a = arg(v, NORMAL, rnd, d);
                Arg i = intArg(v, -1000, 1000, rnd, d);
                Arg b = byteArg(v, rnd, d);
                for (Arg x : List.of(a, i, b)) {
                    String ctx = seed(seed) + "to(device) of a CPU view, " + x;
                    Tensor cpuView = x.on(Device.CPU);
                    Tensor moved = toDevice(cpuView);
                    if (!device().equals(Device.CPU)) { // to(cpu) of a CPU tensor is the tensor itself
                        assertTrue(moved.isContiguous(), ctx + ": a tensor moved to another device is contiguous");
                    }
                    assertExact(cpuView.contiguous(), moved, ctx);
                    // And the other way: a view taken on the device, moved back.
                    Tensor deviceView = x.on(device());
                    assertExact(cpuView.contiguous(), deviceView, seed(seed) + "to(cpu) of a device view, " + x);
                }
            }
        }
    }

    @Test
    void readsOnTheDevice() {
        long seed = 7003;
        SplittableRandom rnd = new SplittableRandom(seed);
        for (View v : VIEWS) {
            Arg x = arg(v, WIDE, rnd, 5, 17);
            Arg i = intArg(v, -50, 50, rnd, 5, 17);
            Arg b = byteArg(v, rnd, 5, 17);
            String ctx = seed(seed) + "reads of " + v;
            Tensor xc = x.on(Device.CPU);
            Tensor xd = x.on(device());
            assertArrayEquals(xc.toFloatArray(), xd.toFloatArray(), ctx + ": toFloatArray " + x);
            assertArrayEquals(xc.toIntArray(), xd.toIntArray(), ctx + ": toIntArray of F32 truncates " + x);
            assertArrayEquals(i.on(Device.CPU).toIntArray(), i.on(device()).toIntArray(), ctx + ": toIntArray " + i);
            assertArrayEquals(i.on(Device.CPU).toFloatArray(), i.on(device()).toFloatArray(), ctx + ": toFloatArray " + i);
            assertArrayEquals(b.on(Device.CPU).toByteArray(), b.on(device()).toByteArray(), ctx + ": toByteArray " + b);
            assertArrayEquals(b.on(Device.CPU).toIntArray(), b.on(device()).toIntArray(), ctx + ": toIntArray " + b);
            assertEquals(xc.narrow(0, 3, 1).narrow(1, 11, 1).item(), xd.narrow(0, 3, 1).narrow(1, 11, 1).item(),
                    ctx + ": item of " + x);
            assertEquals(xc.toString(), xd.toString().replace(device().toString(), Device.CPU.toString()),
                    ctx + ": toString");
        }
        assertEquals(2.5f, toDevice(Tensor.scalar(2.5f)).item(), "item of a rank-0 tensor");
    }

    @Test
    void viewsCopiesAndConversions() {
        long seed = 7004;
        SplittableRandom rnd = new SplittableRandom(seed);
        String s = seed(seed);
        for (View v : VIEWS) {
            Arg x = arg(v, WIDE, rnd, 3, 7, 17);
            checkExact(s + "copy", t -> t[0].copy(), x);
            checkExact(s + "contiguous", t -> t[0].contiguous(), x);
            checkExact(s + "transpose(0, 2).contiguous", t -> t[0].transpose(0, 2).contiguous(), x);
            checkExact(s + "permute(1, 2, 0).copy", t -> t[0].permute(1, 2, 0).copy(), x);
            checkExact(s + "narrow(2, 5, 9).copy", t -> t[0].narrow(2, 5, 9).copy(), x);
            checkExact(s + "slice(1, -4, -1).copy", t -> t[0].slice(1, -4, -1).copy(), x);
            checkExact(s + "reshape(21, 17)", t -> t[0].reshape(21, 17).contiguous(), x);
            checkExact(s + "reshape(-1)", t -> t[0].reshape(-1).contiguous(), x);
            checkExact(s + "flatten", t -> t[0].flatten().contiguous(), x);
            checkExact(s + "unsqueeze(1).expand(3, 4, 7, 17).copy", t -> t[0].unsqueeze(1).expand(3, 4, 7, 17).copy(), x);
            checkExact(s + "narrow(1, 2, 1).squeeze(1).copy", t -> t[0].narrow(1, 2, 1).squeeze(1).copy(), x);
            checkExact(s + "to(I32)", t -> t[0].to(DType.I32), x);
            checkExact(s + "to(I32).to(F32)", t -> t[0].to(DType.I32).to(DType.F32), x);
            Arg bytes = arg(v, (r, n) -> {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    f[i] = r.nextInt(256) + 0.75f;
                }
                return f;
            }, rnd, 3, 7, 17);
            checkExact(s + "to(U8) of 0..255.75", t -> t[0].to(DType.U8), bytes);
            Arg ints = intArg(v, -100_000, 100_000, rnd, 3, 7, 17);
            checkExact(s + "I32 to(F32)", t -> t[0].to(DType.F32), ints);
            checkExact(s + "I32 copy", t -> t[0].copy(), ints);
            checkExact(s + "I32 transpose(0, 1).contiguous", t -> t[0].transpose(0, 1).contiguous(), ints);
            Arg u8 = byteArg(v, rnd, 3, 7, 17);
            checkExact(s + "U8 to(F32)", t -> t[0].to(DType.F32), u8);
            checkExact(s + "U8 to(I32)", t -> t[0].to(DType.I32), u8);
            checkExact(s + "U8 permute(2, 0, 1).copy", t -> t[0].permute(2, 0, 1).copy(), u8);
        }
    }

    @Test
    void resultsLiveOnTheDevice() {
        long seed = 7005;
        SplittableRandom rnd = new SplittableRandom(seed);
        Tensor x = arg(View.NARROWED, POSITIVE, rnd, 2, 3, 6, 6).on(device());
        Tensor m = arg(View.TRANSPOSED, NORMAL, rnd, 6, 6).on(device());
        Tensor idx = intArg(View.CONTIGUOUS, 0, 3, rnd, 4).on(device());
        Kernel2d k = Kernel2d.square(3, 1, 1);
        List<Tensor> results = new ArrayList<>(List.of(
                x.exp(), x.pow(2f), x.add(x), x.add(1f), x.mul(2f), x.gt(1f), x.eq(x), Tensor.where(x.gt(1f), x, x.neg()),
                x.sum(), x.mean(), x.max(), x.min(), x.sum(1, true), x.var(2, false), x.argmax(3, false), x.argmin(0, true),
                x.softmax(-1), x.logSoftmax(1), m.matmul(m), m.matmul(m.narrow(1, 0, 1).squeeze(1)), x.copy(),
                x.contiguous(), x.to(DType.I32), x.to(DType.U8), x.reshape(-1), x.transpose(0, 3), x.narrow(2, 1, 2),
                x.expand(2, 2, 3, 6, 6), x.indexSelect(1, idx.narrow(0, 0, 2)),
                m.gather(0, idx.narrow(0, 0, 2).reshape(2, 1).expand(2, 6).contiguous()),
                m.scatterAdd(0, idx.narrow(0, 0, 2).reshape(2, 1).expand(2, 6).contiguous(), m.narrow(0, 0, 2)),
                m.indexAdd(1, idx, m.narrow(1, 0, 4)), x.im2col(k).col2im(3, 6, 6, k),
                x.avgPool2d(k, false).avgPool2dBackward(x.shape(), k, false),
                Tensor.concat(List.of(x, x), 1), Tensor.stack(List.of(m, m), 0), x.im2col(k), x.avgPool2d(k, true),
                x.topk(2, -1, true, true).values(), x.topk(2, -1, true, true).indices(),
                x.kthValue(2, 1, false).values(), x.kthValue(2, 1, false).indices(),
                x.maxPool2d(k).values(), x.maxPool2d(k).indices(), x.copy().addi(x), x.copy().fill(3f)));
        for (int i = 0; i < results.size(); i++) {
            Tensor r = results.get(i);
            assertEquals(device(), r.device(), seed(seed) + "result " + i + " " + r.shape() + " " + r.dtype()
                    + " of an operation on " + device() + " lives on " + r.device());
        }
    }

    // ==== element-wise ===========================================================================

    /** A unary operation with its input domain and the tolerance between two F32 implementations. */
    protected record UnaryCase(String name, UnaryOperator<Tensor> op, Values domain, double rtol, double atol,
                               boolean negativeInfinity) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Every public unary operation of {@link Tensor}. */
    protected static List<UnaryCase> unaryCases() {
        double tr = 5e-6;  // two transcendental implementations, each within ~2 ulps
        double tra = 1e-6;
        return List.of(
                new UnaryCase("neg", Tensor::neg, WIDE, 0, 0, true),
                new UnaryCase("abs", Tensor::abs, WIDE, 0, 0, true),
                new UnaryCase("exp", Tensor::exp, WIDE, tr, 0, true),
                new UnaryCase("log", Tensor::log, POSITIVE, tr, tra, true),
                new UnaryCase("sqrt", Tensor::sqrt, POSITIVE, ROUNDED, 0, true),
                new UnaryCase("rsqrt", Tensor::rsqrt, POSITIVE, tr, 0, true),
                new UnaryCase("tanh", Tensor::tanh, WIDE, tr, tra, true),
                new UnaryCase("sigmoid", Tensor::sigmoid, WIDE, tr, tra, true),
                new UnaryCase("relu", Tensor::relu, WIDE, 0, 0, true),
                new UnaryCase("gelu", Tensor::gelu, WIDE, 2e-5, 2e-6, false),
                new UnaryCase("geluTanh", Tensor::geluTanh, WIDE, 2e-5, 2e-6, false),
                new UnaryCase("silu", Tensor::silu, WIDE, tr, tra, false),
                new UnaryCase("square", Tensor::square, WIDE, ROUNDED, 0, true),
                new UnaryCase("reciprocal", Tensor::reciprocal, POSITIVE, ROUNDED, 0, true),
                new UnaryCase("pow(2.5)", t -> t.pow(2.5f), POSITIVE, 2e-5, 0, true),
                new UnaryCase("pow(-1.5)", t -> t.pow(-1.5f), POSITIVE, 2e-5, 0, true),
                new UnaryCase("pow(3)", t -> t.pow(3f), WIDE, 2e-5, 1e-6, true),
                new UnaryCase("pow(0.5)", t -> t.pow(0.5f), POSITIVE, 2e-5, 0, true),
                new UnaryCase("clamp(-0.5, 1.25)", t -> t.clamp(-0.5f, 1.25f), WIDE, 0, 0, true));
    }

    static Stream<Arguments> unaryArguments() {
        return unaryCases().stream().map(c -> Arguments.of(c, 7100L));
    }

    /** Logical shapes with awkward sizes for element-wise checks. */
    private static List<int[]> elementwiseShapes() {
        return List.of(dims(), dims(1), dims(Math.max(1, L - 1)), dims(L + 1), dims(4 * L + 3), dims(1031),
                dims(3, 17), dims(33, 5), dims(2, 7, 17), dims(5, 1, 3));
    }

    @ParameterizedTest(name = "{0}, seed={1}")
    @MethodSource("unaryArguments")
    void unaryOps(UnaryCase c, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int[] d : elementwiseShapes()) {
            for (View v : VIEWS) {
                check(seed(seed) + c.name(), c.rtol(), c.atol(), t -> c.op().apply(t[0]), arg(v, c.domain(), rnd, d));
            }
        }
    }

    @ParameterizedTest(name = "{0}, seed={1}")
    @MethodSource("unaryArguments")
    void unarySpecialValues(UnaryCase c, long seed) {
        List<Float> values = new ArrayList<>(List.of(Float.NaN, Float.POSITIVE_INFINITY, 0f, -0f, 1f, -1f, 100f, -100f,
                1e-30f, -1e-30f, 1e30f, -1e30f, 88.5f, -87.5f, 0.5f, -0.5f));
        if (c.negativeInfinity()) {
            values.add(Float.NEGATIVE_INFINITY);
        }
        float[] f = new float[values.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = values.get(i);
        }
        // Broadcast down a column, so the specials also meet a strided read.
        Arg x = new Arg(Tensor.of(f, f.length, 1), t -> t.expand(f.length, 3).transpose(0, 1), "specials " + values);
        check(seed(seed) + c.name() + " of NaN, ±∞, ±0 and extremes", c.rtol(), c.atol() + SUBNORMAL,
                t -> c.op().apply(t[0]), x);
    }

    /** A binary operation with operand domains and tolerance. */
    protected record BinaryCase(String name, java.util.function.BinaryOperator<Tensor> op, Values a, Values b,
                                double rtol, double atol) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Every public tensor-tensor arithmetic operation of {@link Tensor}. */
    protected static List<BinaryCase> binaryCases() {
        return List.of(
                new BinaryCase("add", Tensor::add, NORMAL, NORMAL, ROUNDED, SUBNORMAL),
                new BinaryCase("sub", Tensor::sub, NORMAL, NORMAL, ROUNDED, SUBNORMAL),
                new BinaryCase("mul", Tensor::mul, NORMAL, NORMAL, ROUNDED, SUBNORMAL),
                new BinaryCase("div", Tensor::div, NORMAL, POSITIVE, 2 * ROUNDED, SUBNORMAL),
                new BinaryCase("pow", Tensor::pow, POSITIVE, NORMAL, 2e-5, 1e-6),
                new BinaryCase("maximum", Tensor::maximum, TIES, NORMAL, 0, 0),
                new BinaryCase("minimum", Tensor::minimum, NORMAL, TIES, 0, 0));
    }

    static Stream<Arguments> binaryArguments() {
        return binaryCases().stream().map(c -> Arguments.of(c, 7200L));
    }

    /** Operand shape pairs: equal shapes, every broadcasting pattern, rank 0 and awkward sizes. */
    private static List<int[][]> binaryShapes() {
        return List.of(
                new int[][] {{7, 33}, {7, 33}},
                new int[][] {{3, 1, 17}, {5, 1}},
                new int[][] {{1}, {7, 33}},
                new int[][] {{}, {2, 3}},
                new int[][] {{2, 3}, {}},
                new int[][] {{17, 1}, {1, 33}},
                new int[][] {{2, 3, L + 1}, {L + 1}},
                new int[][] {{31}, {7, 31}},
                new int[][] {{4 * L + 3}, {4 * L + 3}});
    }

    @ParameterizedTest(name = "{0}, seed={1}")
    @MethodSource("binaryArguments")
    void binaryOps(BinaryCase c, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int trial = 0;
        for (int[][] shapes : binaryShapes()) {
            for (View va : VIEWS) {
                View vb = VIEWS[(va.ordinal() + trial++) % VIEWS.length];
                Arg a = arg(va, c.a(), rnd, shapes[0]);
                Arg b = arg(vb, c.b(), rnd, shapes[1]);
                check(seed(seed) + c.name(), c.rtol(), c.atol(), t -> c.op().apply(t[0], t[1]), a, b);
            }
        }
    }

    @Test
    void binarySpecialValues() {
        long seed = 7201;
        float[] s = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1f, -1f, 2.5f, -100f,
            1e-30f, 1e30f, -1e30f};
        Arg a = new Arg(Tensor.of(s, s.length, 1), t -> t, "specials column " + Arrays.toString(s));
        Arg b = new Arg(Tensor.of(s, s.length), t -> t, "specials row");
        String ctx = seed(seed) + "every pair of NaN, ±∞, ±0 and extremes: ";
        for (BinaryCase c : binaryCases()) {
            if (c.name().equals("pow")) {
                continue; // pow(±1, ±∞) and pow(1, NaN) differ between Java and C; not part of the contract
            }
            check(ctx + c.name(), c.rtol(), SUBNORMAL, t -> c.op().apply(t[0], t[1]), a, b);
        }
        check(ctx + "eq", 0, 0, t -> t[0].eq(t[1]), a, b);
        check(ctx + "ne", 0, 0, t -> t[0].ne(t[1]), a, b);
        check(ctx + "lt", 0, 0, t -> t[0].lt(t[1]), a, b);
        check(ctx + "le", 0, 0, t -> t[0].le(t[1]), a, b);
        check(ctx + "gt", 0, 0, t -> t[0].gt(t[1]), a, b);
        check(ctx + "ge", 0, 0, t -> t[0].ge(t[1]), a, b);
    }

    @Test
    void scalarOverloads() {
        long seed = 7202;
        SplittableRandom rnd = new SplittableRandom(seed);
        String s = seed(seed);
        for (int[] d : elementwiseShapes()) {
            for (View v : VIEWS) {
                Arg x = arg(v, NORMAL, rnd, d);
                check(s + "add(1.5)", ROUNDED, SUBNORMAL, t -> t[0].add(1.5f), x);
                check(s + "sub(-0.25)", ROUNDED, SUBNORMAL, t -> t[0].sub(-0.25f), x);
                check(s + "mul(3)", ROUNDED, SUBNORMAL, t -> t[0].mul(3f), x);
                check(s + "div(0.7)", 2 * ROUNDED, SUBNORMAL, t -> t[0].div(0.7f), x);
                check(s + "maximum(0.1)", 0, 0, t -> t[0].maximum(0.1f), x);
                check(s + "minimum(-0.2)", 0, 0, t -> t[0].minimum(-0.2f), x);
                Arg q = arg(v, TIES_AND_NAN, rnd, d);
                check(s + "eq(0.5)", 0, 0, t -> t[0].eq(0.5f), q);
                check(s + "ne(0.5)", 0, 0, t -> t[0].ne(0.5f), q);
                check(s + "lt(0)", 0, 0, t -> t[0].lt(0f), q);
                check(s + "le(0)", 0, 0, t -> t[0].le(0f), q);
                check(s + "gt(-1)", 0, 0, t -> t[0].gt(-1f), q);
                check(s + "ge(-1)", 0, 0, t -> t[0].ge(-1f), q);
                check(s + "maximum(NaN)", 0, 0, t -> t[0].maximum(Float.NaN), x);
            }
        }
    }

    @Test
    void comparisons() {
        long seed = 7203;
        SplittableRandom rnd = new SplittableRandom(seed);
        String s = seed(seed);
        int trial = 0;
        for (int[][] shapes : binaryShapes()) {
            for (View va : VIEWS) {
                View vb = VIEWS[(va.ordinal() + 2 + trial++) % VIEWS.length];
                Arg a = arg(va, TIES_AND_NAN, rnd, shapes[0]);
                Arg b = arg(vb, TIES_AND_NAN, rnd, shapes[1]);
                check(s + "eq", 0, 0, t -> t[0].eq(t[1]), a, b);
                check(s + "ne", 0, 0, t -> t[0].ne(t[1]), a, b);
                check(s + "lt", 0, 0, t -> t[0].lt(t[1]), a, b);
                check(s + "le", 0, 0, t -> t[0].le(t[1]), a, b);
                check(s + "gt", 0, 0, t -> t[0].gt(t[1]), a, b);
                check(s + "ge", 0, 0, t -> t[0].ge(t[1]), a, b);
            }
        }
    }

    @Test
    void where() {
        long seed = 7204;
        SplittableRandom rnd = new SplittableRandom(seed);
        String s = seed(seed) + "where";
        int[][][] triples = {
            {{7, 33}, {7, 33}, {7, 33}},
            {{7, 1, 33}, {5, 33}, {}},
            {{17}, {3, 17}, {3, 1}},
            {{1}, {2, 3, L + 1}, {L + 1}},
        };
        for (int[][] sh : triples) {
            for (View v : VIEWS) {
                View w = VIEWS[(v.ordinal() + 1) % VIEWS.length];
                Arg c = byteArg(v, rnd, sh[0]);
                Arg a = arg(w, NORMAL, rnd, sh[1]);
                Arg b = arg(v, TIES_AND_NAN, rnd, sh[2]);
                check(s + " (U8 mask moved)", 0, 0, t -> Tensor.where(t[0], t[1], t[2]), c, a, b);
                Arg f = arg(w, NORMAL, rnd, sh[0]);
                check(s + " (mask computed on the device)", 0, 0, t -> Tensor.where(t[0].gt(0f), t[1], t[2]), f, a, b);
            }
        }
    }

    // ==== in place ===============================================================================

    /** An in-place operation: mutates t[0] (a view of a fresh base) and returns its result. */
    private void checkInPlace(String ctx, double rtol, double atol, TensorOp op, Arg target, Arg... operands) {
        String where = ctx + " into " + target + " from " + Arrays.toString(operands);
        Tensor cpuBase = target.base().copy();
        Tensor devBase = toDevice(target.base().copy());
        Tensor[] cpu = new Tensor[operands.length + 1];
        Tensor[] dev = new Tensor[operands.length + 1];
        cpu[0] = target.view().apply(cpuBase);
        dev[0] = target.view().apply(devBase);
        for (int i = 0; i < operands.length; i++) {
            cpu[i + 1] = operands[i].on(Device.CPU);
            dev[i + 1] = operands[i].on(device());
        }
        Tensor cpuOut = op.apply(cpu);
        Tensor devOut = op.apply(dev);
        assertSame(cpu[0], cpuOut, where + ": an in-place operation returns its target (cpu)");
        assertSame(dev[0], devOut, where + ": an in-place operation returns its target");
        // The whole base: the view's elements changed, the padding and other elements did not.
        assertMatches(cpuBase, devBase, rtol, atol, where + " (whole base)");
        assertMatches(cpu[0], dev[0], rtol, atol, where + " (target view)");
    }

    @Test
    void inPlaceOps() {
        long seed = 7300;
        SplittableRandom rnd = new SplittableRandom(seed);
        String s = seed(seed);
        int[] d = {7, 33};
        for (View v : new View[] {View.CONTIGUOUS, View.TRANSPOSED, View.PERMUTED, View.NARROWED}) {
            for (View w : VIEWS) {
                Arg x = arg(v, NORMAL, rnd, d);
                Arg y = arg(w, NORMAL, rnd, d);
                Arg row = arg(w, POSITIVE, rnd, 1, 33);
                Arg col = arg(w, NORMAL, rnd, 7, 1);
                Arg p = arg(w, POSITIVE, rnd, d);
                checkInPlace(s + "addi", ROUNDED, SUBNORMAL, t -> t[0].addi(t[1]), x, y);
                checkInPlace(s + "addi (broadcast column)", ROUNDED, SUBNORMAL, t -> t[0].addi(t[1]), x, col);
                checkInPlace(s + "subi", ROUNDED, SUBNORMAL, t -> t[0].subi(t[1]), x, y);
                checkInPlace(s + "muli", ROUNDED, SUBNORMAL, t -> t[0].muli(t[1]), x, y);
                checkInPlace(s + "muli (broadcast row)", ROUNDED, SUBNORMAL, t -> t[0].muli(t[1]), x, row);
                checkInPlace(s + "divi", 2 * ROUNDED, SUBNORMAL, t -> t[0].divi(t[1]), x, p);
                checkInPlace(s + "addi(-0.75)", ROUNDED, SUBNORMAL, t -> t[0].addi(-0.75f), x);
                checkInPlace(s + "muli(1.5)", ROUNDED, SUBNORMAL, t -> t[0].muli(1.5f), x);
                checkInPlace(s + "addi(y, -0.1)", 2 * ROUNDED, 1e-7, t -> t[0].addi(t[1], -0.1f), x, y);
                checkInPlace(s + "addi(scalar tensor)", ROUNDED, SUBNORMAL, t -> t[0].addi(t[1]),
                        x, arg(View.CONTIGUOUS, NORMAL, rnd));
                checkInPlace(s + "fill(2.25)", 0, 0, t -> t[0].fill(2.25f), x);
                checkInPlace(s + "copyFrom", 0, 0, t -> t[0].copyFrom(t[1]), x, y);
                checkInPlace(s + "copyFrom (broadcast row)", 0, 0, t -> t[0].copyFrom(t[1]), x, row);
                checkInPlace(s + "copyFrom (I32, converted)", 0, 0, t -> t[0].copyFrom(t[1]), x,
                        intArg(w, -500, 500, rnd, d));
                checkInPlace(s + "copyFrom (U8, converted)", 0, 0, t -> t[0].copyFrom(t[1]), x, byteArg(w, rnd, d));
            }
            Arg i = intArg(v, -9, 9, rnd, d);
            checkInPlace(s + "fill(-3.75) of I32 truncates", 0, 0, t -> t[0].fill(-3.75f), i);
            checkInPlace(s + "I32 copyFrom F32 truncates", 0, 0, t -> t[0].copyFrom(t[1]), i, arg(v, WIDE, rnd, d));
            Arg b = byteArg(v, rnd, d);
            checkInPlace(s + "fill(200) of U8", 0, 0, t -> t[0].fill(200f), b);
            checkInPlace(s + "U8 copyFrom U8", 0, 0, t -> t[0].copyFrom(t[1]), b, byteArg(View.TRANSPOSED, rnd, d));
        }
    }

    @Test
    void fusedAdamSteps() {
        long seed = 7350;
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] d = {7, 33};
        for (boolean masked : new boolean[] {false, true}) {
            for (View gv : new View[] {View.CONTIGUOUS, View.TRANSPOSED, View.NARROWED}) {
                String ctx = seed(seed) + "adam step, grad " + gv + (masked ? ", masked" : "");
                Tensor w0 = Tensor.of(Operands.gaussian(rnd, 7 * 33), d);
                Tensor mask = masked ? Tensor.of(TIES.draw(rnd, 7 * 33), d).gt(0f).to(DType.F32) : null;
                Tensor[] cpu = {w0.copy(), Tensor.zeros(d), Tensor.zeros(d)};
                Tensor[] dev = {toDevice(w0.copy()), toDevice(Tensor.zeros(d)), toDevice(Tensor.zeros(d))};
                for (int t = 1; t <= 2; t++) {
                    Arg g = arg(gv, NORMAL, rnd, d);
                    AdamStep step = AdamStep.of(1e-2, 0.9, 0.999, 1e-8, 0.1, t);
                    FusedUpdates.adam(step, cpu[0], g.on(Device.CPU), mask, cpu[1], cpu[2]);
                    FusedUpdates.adam(step, dev[0], g.on(device()), mask == null ? null : toDevice(mask), dev[1], dev[2]);
                }
                assertMatches(cpu[1], dev[1], ROUNDED, SUBNORMAL, ctx + ": exp_avg");
                assertMatches(cpu[2], dev[2], ROUNDED, SUBNORMAL, ctx + ": exp_avg_sq");
                assertMatches(cpu[0], dev[0], 4 * ROUNDED, 1e-7, ctx + ": param");
            }
        }
    }

    @Test
    void inPlaceThroughAliasingViews() {
        long seed = 7301;
        SplittableRandom rnd = new SplittableRandom(seed);
        String s = seed(seed);
        for (View v : new View[] {View.CONTIGUOUS, View.NARROWED, View.TRANSPOSED}) {
            Arg x = arg(v, NORMAL, rnd, 17, 17);
            // The operand is a view of the target's own storage.
            checkInPlace(s + "x.addi(x.t())", ROUNDED, SUBNORMAL, t -> t[0].addi(t[0].t()), x);
            checkInPlace(s + "x.muli(x)", ROUNDED, SUBNORMAL, t -> t[0].muli(t[0]), x);
            checkInPlace(s + "x.copyFrom(x.t())", 0, 0, t -> t[0].copyFrom(t[0].t()), x);
            checkInPlace(s + "x.subi(row 3 of x)", ROUNDED, SUBNORMAL, t -> t[0].subi(t[0].narrow(0, 3, 1)), x);
            // Writes through a narrowed and a transposed window of the target reach only that window.
            checkInPlace(s + "window.fill", 0, 0, t -> {
                t[0].narrow(0, 2, 5).narrow(1, 3, 11).fill(-7f);
                return t[0];
            }, x);
            checkInPlace(s + "window.t().addi", ROUNDED, SUBNORMAL, t -> {
                t[0].narrow(1, 1, 9).t().addi(t[1]);
                return t[0];
            }, x, arg(View.BROADCAST, NORMAL, rnd, 9, 17));
            checkInPlace(s + "column.copyFrom", 0, 0, t -> {
                t[0].narrow(1, 16, 1).copyFrom(t[1]);
                return t[0];
            }, x, arg(View.NARROWED, NORMAL, rnd, 17, 1));
        }
    }

    // ==== reductions and softmax =================================================================

    private static List<int[]> axisSets(int rank) {
        List<int[]> sets = new ArrayList<>();
        sets.add(new int[0]);
        for (int mask = 1; mask < (1 << rank); mask++) {
            if (rank > 3 && Integer.bitCount(mask) != 1 && Integer.bitCount(mask) != rank && mask != 0b0110 && mask != 0b1010) {
                continue;
            }
            int[] axes = new int[Integer.bitCount(mask)];
            for (int a = 0, j = 0; a < rank; a++) {
                if ((mask & (1 << a)) != 0) {
                    axes[j++] = a;
                }
            }
            sets.add(axes);
        }
        sets.add(new int[] {-1});
        if (rank >= 2) {
            sets.add(new int[] {-1, 0});
        }
        return sets;
    }

    private static int count(int[] dims, int[] axes) {
        int n = 1;
        for (int a : axes) {
            n *= dims[a < 0 ? a + dims.length : a];
        }
        return n;
    }

    @Test
    void reductions() {
        long seed = 7400;
        SplittableRandom rnd = new SplittableRandom(seed);
        double u = productRoundoff();
        for (int[] d : List.of(dims(5, 17, 7), dims(33, 3), dims(65), dims(2, 3, 1, 7), dims(L + 1, 2))) {
            for (View v : VIEWS) {
                Arg x = arg(v, NORMAL, rnd, d);
                Arg q = arg(v, TIES_AND_NAN, rnd, d);
                for (int[] axes : axisSets(d.length)) {
                    int n = count(d, axes);
                    float f = (float) (2 * (n + 2) * u);
                    for (boolean keep : new boolean[] {false, true}) {
                        String s = seed(seed) + "axes " + Arrays.toString(axes) + " keepDim " + keep + ": ";
                        checkWithin(s + "sum", t -> t[0].sum(axes, keep), t -> t[0].abs().sum(axes, keep).mul(f), x);
                        checkWithin(s + "mean", t -> t[0].mean(axes, keep),
                                t -> t[0].abs().mean(axes, keep).mul(f + (float) (4 * u)), x);
                        check(s + "max", 0, 0, t -> t[0].max(axes, keep), x);
                        check(s + "min", 0, 0, t -> t[0].min(axes, keep), x);
                        check(s + "max with NaN and ties", 0, 0, t -> t[0].max(axes, keep), q);
                        check(s + "min with NaN and ties", 0, 0, t -> t[0].min(axes, keep), q);
                        int correction = keep ? 0 : 1;
                        if (n - correction > 0) {
                            float vf = (float) (4 * (n + 4) * u * n / (n - correction));
                            checkWithin(s + "var(correction " + correction + ")", t -> t[0].var(axes, keep, correction),
                                    t -> t[0].square().mean(axes, keep).mul(vf).add(1e-30f), x);
                        }
                    }
                    if (axes.length == 1 && n > 1) {
                        int a = axes[0];
                        float vf = (float) (4 * (n + 4) * u * n / (n - 1));
                        checkWithin(seed(seed) + "var(" + a + ", true)", t -> t[0].var(a, true),
                                t -> t[0].square().mean(a, true).mul(vf).add(1e-30f), x);
                        checkWithin(seed(seed) + "sum(" + a + ", false)", t -> t[0].sum(a, false),
                                t -> t[0].abs().sum(a, false).mul(f), x);
                        checkWithin(seed(seed) + "mean(" + a + ", true)", t -> t[0].mean(a, true),
                                t -> t[0].abs().mean(a, true).mul(f + (float) (4 * u)), x);
                        check(seed(seed) + "max(" + a + ", true)", 0, 0, t -> t[0].max(a, true), q);
                        check(seed(seed) + "min(" + a + ", false)", 0, 0, t -> t[0].min(a, false), q);
                    }
                }
                int all = Shape.of(d).numel();
                float fa = (float) (2 * (all + 2) * u);
                checkWithin(seed(seed) + "sum()", t -> t[0].sum(), t -> t[0].abs().sum().mul(fa), x);
                checkWithin(seed(seed) + "mean()", t -> t[0].mean(), t -> t[0].abs().mean().mul(fa + (float) (4 * u)), x);
                check(seed(seed) + "max()", 0, 0, t -> t[0].max(), x);
                check(seed(seed) + "min()", 0, 0, t -> t[0].min(), x);
                check(seed(seed) + "max() with NaN", 0, 0, t -> t[0].max(), q);
                check(seed(seed) + "min() with NaN", 0, 0, t -> t[0].min(), q);
            }
        }
    }

    @Test
    void argReductions() {
        long seed = 7401;
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int[] d : List.of(dims(5, 17, 7), dims(33, 3), dims(65), dims(1), dims(2, 1, L + 1))) {
            for (View v : VIEWS) {
                for (Values values : List.of(NORMAL, TIES, TIES_AND_NAN)) {
                    Arg x = arg(v, values, rnd, d);
                    for (int a = -1; a < d.length; a++) {
                        int axis = a;
                        for (boolean keep : new boolean[] {false, true}) {
                            String s = seed(seed) + "axis " + axis + " keepDim " + keep + ": ";
                            check(s + "argmax (first of ties; NaN wins)", 0, 0, t -> t[0].argmax(axis, keep), x);
                            check(s + "argmin (first of ties; NaN wins)", 0, 0, t -> t[0].argmin(axis, keep), x);
                        }
                    }
                }
            }
        }
    }

    @Test
    void softmax() {
        long seed = 7402;
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int[] d : List.of(dims(7, 33), dims(3, 17, 5), dims(1, 65), dims(65), dims(1), dims(2, L + 1))) {
            for (View v : VIEWS) {
                for (Values values : List.of(WIDE, LARGE_LOGITS, MASKED_LOGITS)) {
                    Arg x = arg(v, values, rnd, d);
                    for (int a = -1; a < d.length; a++) {
                        int axis = a;
                        String s = seed(seed) + "axis " + axis + ": ";
                        check(s + "softmax", 1e-5, 1e-6, t -> t[0].softmax(axis), x);
                        check(s + "logSoftmax", 1e-5, 1e-5, t -> t[0].logSoftmax(axis), x);
                    }
                }
            }
        }
    }

    // ==== fused layer ops =========================================================================

    @Test
    protected void fusedCausalAttention() {
        long seed = 7420;
        SplittableRandom rnd = new SplittableRandom(seed);
        // grouped heads (4 over 2) and a key prefix (T = 5 of S = 7), D past one vector
        for (View v : new View[] {View.CONTIGUOUS, View.PERMUTED, View.NARROWED}) {
            Arg q = arg(v, NORMAL, rnd, 2, 4, 5, L + 3);
            Arg k = arg(v, NORMAL, rnd, 2, 2, 7, L + 3);
            Arg val = arg(v, NORMAL, rnd, 2, 2, 7, L + 3);
            Arg g = arg(View.TRANSPOSED, NORMAL, rnd, 2, 4, 5, L + 3);
            String s = seed(seed) + v + ": ";
            check(s + "causal attention", 1e-5, 1e-6, t -> FusedAttention.causal(t[0], t[1], t[2], 0.3f).out(), q, k, val);
            check(s + "causal attention weights", 1e-5, 1e-7, t -> FusedAttention.causal(t[0], t[1], t[2], 0.3f).probs(),
                    q, k, val);
            for (int i = 0; i < 3; i++) {
                int which = i;
                check(s + "causal attention gradient " + i, 1e-4, 1e-6, t -> FusedAttention.causalBackward(t[3], t[0],
                        t[1], t[2], FusedAttention.causal(t[0], t[1], t[2], 0.3f).probs(), 0.3f)[which], q, k, val, g);
            }
        }
    }

    @Test
    void fusedLayerNorm() {
        long seed = 7430;
        SplittableRandom rnd = new SplittableRandom(seed);
        for (View v : new View[] {View.CONTIGUOUS, View.TRANSPOSED, View.NARROWED}) {
            Arg x = arg(v, WIDE, rnd, 3, 5, 2 * L + 1);
            Arg w = arg(View.CONTIGUOUS, NORMAL, rnd, 2 * L + 1);
            Arg b = arg(View.CONTIGUOUS, NORMAL, rnd, 2 * L + 1);
            Arg g = arg(View.PERMUTED, NORMAL, rnd, 3, 5, 2 * L + 1);
            int n = 2 * L + 1;
            String s = seed(seed) + v + ": ";
            check(s + "layer norm", 1e-5, 1e-5, t -> FusedLayerNorm.forward(t[0], n, t[1], t[2], 1e-5f).y(), x, w, b);
            check(s + "layer norm without affine", 1e-5, 1e-5, t -> FusedLayerNorm.forward(t[0], n, null, null, 1e-5f).y(),
                    x);
            for (int i = 0; i < 3; i++) {
                int which = i;
                check(s + "layer norm gradient " + i, 1e-4, 1e-5, t -> {
                    FusedLayerNorm.Result r = FusedLayerNorm.forward(t[0], n, t[1], t[2], 1e-5f);
                    return FusedLayerNorm.backward(t[3], t[0], n, t[1], r.mean(), r.rstd(), true, true, Shape.of(n))[which];
                }, x, w, b, g);
            }
        }
    }

    @Test
    void unaryBackwards() {
        long seed = 7440;
        SplittableRandom rnd = new SplittableRandom(seed);
        for (View v : VIEWS) {
            Arg x = arg(v, WIDE, rnd, 7, L + 2);
            Arg g = arg(View.CONTIGUOUS, NORMAL, rnd, 7, L + 2);
            String s = seed(seed) + v + ": ";
            check(s + "geluBackward", 1e-5, 1e-6, t -> t[0].geluBackward(t[1]), x, g);
            check(s + "geluTanhBackward", 1e-5, 1e-5, t -> t[0].geluTanhBackward(t[1]), x, g);
            check(s + "siluBackward", 1e-5, 1e-6, t -> t[0].siluBackward(t[1]), x, g);
            check(s + "geluWithCdf (gelu)", 1e-5, 1e-6, t -> t[0].geluWithCdf()[0], x);
            check(s + "geluWithCdf (cdf)", 1e-5, 1e-6, t -> t[0].geluWithCdf()[1], x);
            check(s + "geluBackward from the cdf", 1e-5, 1e-6, t -> t[0].geluBackward(t[1], t[0].geluWithCdf()[1]),
                    x, g);
        }
    }

    // ==== matrix products ========================================================================

    private void checkMatmul(String ctx, Arg a, Arg b) {
        Tensor ac = a.on(Device.CPU);
        int k = ac.rank() == 1 ? ac.dim(0) : ac.dim(-1);
        float f = (float) (2 * (k + 2) * productRoundoff());
        checkWithin(ctx, t -> t[0].matmul(t[1]), t -> t[0].abs().matmul(t[1].abs()).mul(f).add(1e-30f), a, b);
    }

    @Test
    void matmul2d() {
        long seed = 7500;
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] sizes = {1, 7, 17, 33, 65};
        View[] views = {View.CONTIGUOUS, View.TRANSPOSED, View.NARROWED, View.BROADCAST};
        int trial = 0;
        for (int m : sizes) {
            for (int n : sizes) {
                for (int k : sizes) {
                    View va = views[trial % views.length];
                    View vb = views[(trial / views.length + trial) % views.length];
                    trial++;
                    checkMatmul(seed(seed) + "matmul [" + m + ", " + k + "]·[" + k + ", " + n + "]",
                            arg(va, NORMAL, rnd, m, k), arg(vb, NORMAL, rnd, k, n));
                }
            }
        }
        // Explicit t() of both operands, as in x·Wᵀ and Aᵀ·B.
        for (int[] mnk : new int[][] {{17, 33, 65}, {65, 1, 33}, {1, 65, 17}}) {
            int m = mnk[0];
            int n = mnk[1];
            int k = mnk[2];
            Arg w = arg(View.CONTIGUOUS, NORMAL, rnd, n, k);
            Arg x = arg(View.CONTIGUOUS, NORMAL, rnd, m, k);
            Arg at = arg(View.CONTIGUOUS, NORMAL, rnd, k, m);
            Arg bt = arg(View.CONTIGUOUS, NORMAL, rnd, n, k);
            String s = seed(seed) + "m " + m + " n " + n + " k " + k + ": ";
            float f = (float) (2 * (k + 2) * productRoundoff());
            checkWithin(s + "x·wᵀ", t -> t[0].matmul(t[1].t()), t -> t[0].abs().matmul(t[1].t().abs()).mul(f), x, w);
            checkWithin(s + "aᵀ·b", t -> t[0].t().matmul(t[1].t().contiguous()),
                    t -> t[0].t().abs().matmul(t[1].t().abs()).mul(f), at, bt);
            checkWithin(s + "aᵀ·bᵀ", t -> t[0].t().matmul(t[1].t()),
                    t -> t[0].t().abs().matmul(t[1].t().abs()).mul(f), at, bt);
        }
    }

    @Test
    void matmulBatchedAndVectors() {
        long seed = 7501;
        SplittableRandom rnd = new SplittableRandom(seed);
        int trial = 0;
        for (int[] mnk : new int[][] {{17, 33, 65}, {1, 65, 17}, {33, 1, 7}, {L + 1, 17, 1}}) {
            int m = mnk[0];
            int n = mnk[1];
            int k = mnk[2];
            String s = seed(seed) + "m " + m + " n " + n + " k " + k + ": ";
            for (View va : VIEWS) {
                View vb = VIEWS[(va.ordinal() + 1 + trial++) % VIEWS.length];
                checkMatmul(s + "[3, m, k]·[3, k, n]", arg(va, NORMAL, rnd, 3, m, k), arg(vb, NORMAL, rnd, 3, k, n));
                checkMatmul(s + "[2, 1, m, k]·[3, k, n]", arg(va, NORMAL, rnd, 2, 1, m, k), arg(vb, NORMAL, rnd, 3, k, n));
                checkMatmul(s + "[4, m, k]·[k, n]", arg(va, NORMAL, rnd, 4, m, k), arg(vb, NORMAL, rnd, k, n));
                checkMatmul(s + "[m, k]·[2, k, n]", arg(va, NORMAL, rnd, m, k), arg(vb, NORMAL, rnd, 2, k, n));
                checkMatmul(s + "[k]·[k, n]", arg(va, NORMAL, rnd, k), arg(vb, NORMAL, rnd, k, n));
                checkMatmul(s + "[m, k]·[k]", arg(va, NORMAL, rnd, m, k), arg(vb, NORMAL, rnd, k));
                checkMatmul(s + "[3, m, k]·[k]", arg(va, NORMAL, rnd, 3, m, k), arg(vb, NORMAL, rnd, k));
                checkMatmul(s + "[k]·[k]", arg(va, NORMAL, rnd, k), arg(vb, NORMAL, rnd, k));
            }
            // Transposed views of batched operands, and a batch axis that is not outermost in memory.
            float f = (float) (2 * (k + 2) * productRoundoff());
            Arg a = arg(View.CONTIGUOUS, NORMAL, rnd, 3, k, m);
            Arg b = arg(View.CONTIGUOUS, NORMAL, rnd, 3, n, k);
            checkWithin(s + "[3, k, m]ᵀ·[3, n, k]ᵀ", t -> t[0].transpose(1, 2).matmul(t[1].transpose(-1, -2)),
                    t -> t[0].transpose(1, 2).abs().matmul(t[1].transpose(-1, -2).abs()).mul(f), a, b);
            Arg c = arg(View.CONTIGUOUS, NORMAL, rnd, m, 3, k);
            Arg e = arg(View.CONTIGUOUS, NORMAL, rnd, k, 3, n);
            checkWithin(s + "[m, 3, k] permuted·[k, 3, n] permuted",
                    t -> t[0].permute(1, 0, 2).matmul(t[1].permute(1, 0, 2)),
                    t -> t[0].permute(1, 0, 2).abs().matmul(t[1].permute(1, 0, 2).abs()).mul(f), c, e);
        }
    }

    // ==== indexing ===============================================================================

    @Test
    void gatherAndIndexSelect() {
        long seed = 7600;
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] d = {5, 7, L + 1};
        for (View v : VIEWS) {
            for (View w : new View[] {View.CONTIGUOUS, View.TRANSPOSED, View.NARROWED, View.BROADCAST}) {
                Arg x = arg(v, NORMAL, rnd, d);
                for (int axis = 0; axis < d.length; axis++) {
                    int a = axis;
                    int[] id = d.clone();
                    id[a] = 11;
                    String s = seed(seed) + "axis " + a + ": ";
                    checkExact(s + "gather", t -> t[0].gather(a, t[1]), x, intArg(w, 0, d[a], rnd, id));
                    checkExact(s + "gather (negative axis)", t -> t[0].gather(a - d.length, t[1]), x,
                            intArg(w, 0, d[a], rnd, d));
                    checkExact(s + "indexSelect (duplicates)", t -> t[0].indexSelect(a, t[1]), x,
                            intArg(w, 0, d[a], rnd, 13));
                    checkExact(s + "indexSelect (one)", t -> t[0].indexSelect(a, t[1]), x, intArg(w, 0, d[a], rnd, 1));
                }
            }
        }
    }

    @Test
    void scatterAddAndIndexAdd() {
        long seed = 7601;
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] d = {5, 7, 3};
        for (View v : VIEWS) {
            for (View w : new View[] {View.CONTIGUOUS, View.TRANSPOSED, View.NARROWED, View.BROADCAST}) {
                Arg x = arg(v, NORMAL, rnd, d);
                for (int axis = 0; axis < d.length; axis++) {
                    int a = axis;
                    int[] id = d.clone();
                    id[a] = 11; // more entries than the axis: every target is hit several times
                    String s = seed(seed) + "axis " + a + ": ";
                    // Duplicates may be summed in any order (atomics): within the bound of any order of
                    // at most 12 (or 14) terms, from the same scatter of absolute values.
                    float fs = (float) (2 * (12 + 2) * U);
                    TensorOp scatter = t -> t[0].scatterAdd(a, t[1], t[2]);
                    TensorOp scatterBound = t -> t[0].abs().scatterAdd(a, t[1], t[2].abs()).mul(fs);
                    checkWithin(s + "scatterAdd", scatter, scatterBound, x,
                            intArg(w, 0, d[a], rnd, id), arg(View.TRANSPOSED, NORMAL, rnd, id));
                    checkWithin(s + "scatterAdd (broadcast src)", scatter, scatterBound, x,
                            intArg(View.CONTIGUOUS, 0, d[a], rnd, id), arg(w, NORMAL, rnd, id));
                    int[] sd = d.clone();
                    sd[a] = 13;
                    float fi = (float) (2 * (14 + 2) * U);
                    TensorOp indexAdd = t -> t[0].indexAdd(a, t[1], t[2]);
                    TensorOp indexBound = t -> t[0].abs().indexAdd(a, t[1], t[2].abs()).mul(fi);
                    checkWithin(s + "indexAdd", indexAdd, indexBound, x,
                            intArg(w, 0, d[a], rnd, 13), arg(View.NARROWED, NORMAL, rnd, sd));
                    checkWithin(s + "indexAdd (broadcast src)", indexAdd, indexBound, x,
                            intArg(View.NARROWED, 0, d[a], rnd, 13), arg(w, NORMAL, rnd, sd));
                }
            }
        }
    }

    @Test
    void concatAndStack() {
        long seed = 7602;
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] d = {3, 5, 7};
        for (int axis = -1; axis < d.length; axis++) {
            int a = axis;
            int ax = a < 0 ? a + d.length : a;
            String s = seed(seed) + "axis " + a + ": ";
            Arg[] parts = new Arg[VIEWS.length];
            for (int i = 0; i < parts.length; i++) {
                int[] pd = d.clone();
                pd[ax] = 1 + 2 * i; // 1, 3, 5, ... along the axis
                parts[i] = arg(VIEWS[i], WIDE, rnd, pd);
            }
            checkExact(s + "concat of every layout", t -> Tensor.concat(List.of(t), a), parts);
            checkExact(s + "concat of one", t -> Tensor.concat(List.of(t[0]), a), parts[1]);
            Arg[] ints = {intArg(View.TRANSPOSED, -9, 9, rnd, d), intArg(View.CONTIGUOUS, -9, 9, rnd, d),
                intArg(View.BROADCAST, -9, 9, rnd, d)};
            checkExact(s + "concat of I32", t -> Tensor.concat(List.of(t), a), ints);
            Arg[] bytes = {byteArg(View.NARROWED, rnd, d), byteArg(View.PERMUTED, rnd, d)};
            checkExact(s + "concat of U8", t -> Tensor.concat(List.of(t), a), bytes);
            Arg[] same = new Arg[VIEWS.length];
            for (int i = 0; i < same.length; i++) {
                same[i] = arg(VIEWS[i], WIDE, rnd, d);
            }
            for (int st = -1; st <= d.length; st++) {
                int sa = st;
                checkExact(seed(seed) + "stack at " + sa, t -> Tensor.stack(List.of(t), sa), same);
            }
            checkExact(s + "stack of I32", t -> Tensor.stack(List.of(t), a), ints);
        }
    }

    // ==== selection ==============================================================================

    @Test
    protected void kthValue() {
        long seed = 7700;
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int n : new int[] {1, 2, L + 1, 17, 1031}) {
            for (View v : VIEWS) {
                for (Values values : List.of(NORMAL, TIES, TIES_AND_NAN)) {
                    Arg x = arg(v, values, rnd, n);
                    Arg m = arg(v, values, rnd, 3, n);
                    for (int k : new int[] {1, n / 2 + 1, n}) {
                        String s = seed(seed) + "n " + n + " k " + k + ": ";
                        float expected = x.on(Device.CPU).kthValue(k);
                        float actual = x.on(device()).kthValue(k);
                        assertEquals(expected, actual, s + "kthValue(k) of " + x);
                        float e2 = m.on(Device.CPU).kthValue(k);
                        assertEquals(e2, m.on(device()).kthValue(k), s + "kthValue(k) of " + m);
                        for (boolean keep : new boolean[] {false, true}) {
                            checkIndexed(s + "kthValue(k, 1, " + keep + ")", 0, 0, t -> t[0].kthValue(k, 1, keep), m);
                        }
                        if (k <= 3) {
                            checkIndexed(s + "kthValue(k, 0, false)", 0, 0, t -> t[0].kthValue(k, 0, false), m);
                        }
                    }
                }
            }
        }
    }

    @Test
    protected void topk() {
        long seed = 7701;
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int[] d : List.of(dims(7, 33), dims(L + 1, 3), dims(1031), dims(1))) {
            for (View v : VIEWS) {
                for (Values values : List.of(NORMAL, TIES, TIES_AND_NAN)) {
                    Arg x = arg(v, values, rnd, d);
                    for (int axis = -1; axis < d.length; axis++) {
                        int a = axis;
                        int size = d[a < 0 ? a + d.length : a];
                        for (int k : new int[] {0, 1, Math.min(3, size), size}) {
                            for (boolean largest : new boolean[] {true, false}) {
                                for (boolean sorted : new boolean[] {true, false}) {
                                    checkIndexed(seed(seed) + "topk(k " + k + ", axis " + a + ", largest " + largest
                                            + ", sorted " + sorted + ")", 0, 0,
                                            t -> t[0].topk(k, a, largest, sorted), x);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // ==== convolution and pooling ================================================================

    /** Kernel geometries: padding, strides, rectangles, dilation (im2col/col2im only) and 1×1. */
    private static final Kernel2d[] KERNELS = {
        Kernel2d.square(3, 1, 1),
        Kernel2d.square(2, 2, 0),
        new Kernel2d(3, 2, 2, 1, 1, 0, 1, 1),
        Kernel2d.square(1, 1, 0),
        new Kernel2d(3, 3, 1, 2, 2, 1, 2, 1),
        new Kernel2d(5, 1, 3, 1, 2, 0, 1, 1),
    };

    private static final int[][] IMAGES = {{1, 1, 7, 9}, {2, 3, 17, 5}, {1, 2, 1, 33}, {2, 1, L + 1, 3}};

    private static boolean fits(int[] img, Kernel2d k) {
        int spanH = k.dilH() * (k.kh() - 1) + 1;
        int spanW = k.dilW() * (k.kw() - 1) + 1;
        return spanH <= img[2] + 2 * k.padH() && spanW <= img[3] + 2 * k.padW();
    }

    private static boolean poolable(Kernel2d k) {
        return k.dilH() == 1 && k.dilW() == 1 && 2 * k.padH() <= k.kh() && 2 * k.padW() <= k.kw();
    }

    private static int out(int in, int k, int stride, int pad, int dil) {
        return Reference.outSize(in, k, stride, pad, dil);
    }

    @Test
    protected void im2colAndCol2im() {
        long seed = 7800;
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int[] img : IMAGES) {
            for (Kernel2d k : KERNELS) {
                if (!fits(img, k)) {
                    continue;
                }
                int oh = out(img[2], k.kh(), k.strideH(), k.padH(), k.dilH());
                int ow = out(img[3], k.kw(), k.strideW(), k.padW(), k.dilW());
                String s = seed(seed) + k + " on " + Arrays.toString(img) + ": ";
                for (View v : new View[] {View.CONTIGUOUS, View.PERMUTED, View.NARROWED, View.BROADCAST}) {
                    checkExact(s + "im2col", t -> t[0].im2col(k), arg(v, NORMAL, rnd, img));
                    Arg cols = arg(v, NORMAL, rnd, img[0], img[1] * k.kh() * k.kw(), oh * ow);
                    float f = (float) (2 * (k.kh() * k.kw() + 2) * U);
                    checkWithin(s + "col2im", t -> t[0].col2im(img[1], img[2], img[3], k),
                            t -> t[0].abs().col2im(img[1], img[2], img[3], k).mul(f), cols);
                }
            }
        }
    }

    @Test
    protected void convolutionAndWeightGradient() {
        long seed = 7802;
        SplittableRandom rnd = new SplittableRandom(seed);
        int o = 3;
        for (int[] img : IMAGES) {
            for (Kernel2d k : KERNELS) {
                if (!fits(img, k)) {
                    continue;
                }
                int oh = out(img[2], k.kh(), k.strideH(), k.padH(), k.dilH());
                int ow = out(img[3], k.kw(), k.strideW(), k.padW(), k.dilW());
                String s = seed(seed) + k + " on " + Arrays.toString(img) + ": ";
                Shape weightShape = Shape.of(o, img[1], k.kh(), k.kw());
                // Sums of c·kh·kw (forward) or n·oh·ow (weight gradient) products, in any order.
                float fy = (float) (2 * (img[1] * k.kh() * k.kw() + 2) * U);
                float fw = (float) (2 * (img[0] * oh * ow + 2) * U);
                for (View v : new View[] {View.CONTIGUOUS, View.PERMUTED, View.NARROWED}) {
                    Arg x = arg(v, NORMAL, rnd, img);
                    Arg w = arg(View.CONTIGUOUS, NORMAL, rnd, weightShape.dims());
                    checkWithin(s + "conv2d", t -> t[0].conv2d(t[1], k), t -> t[0].abs().conv2d(t[1].abs(), k).mul(fy), x, w);
                    Arg g = arg(v, NORMAL, rnd, img[0], o, oh, ow);
                    checkWithin(s + "conv2dWeightGrad", t -> t[0].conv2dWeightGrad(t[1], k, weightShape),
                            t -> t[0].abs().conv2dWeightGrad(t[1].abs(), k, weightShape).mul(fw), x, g);
                }
            }
        }
    }

    @Test
    protected void pooling() {
        long seed = 7801;
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int[] img : IMAGES) {
            for (Kernel2d k : KERNELS) {
                if (!fits(img, k) || !poolable(k)) {
                    continue;
                }
                int oh = out(img[2], k.kh(), k.strideH(), k.padH(), 1);
                int ow = out(img[3], k.kw(), k.strideW(), k.padW(), 1);
                String s = seed(seed) + k + " on " + Arrays.toString(img) + ": ";
                for (View v : new View[] {View.CONTIGUOUS, View.PERMUTED, View.NARROWED, View.BROADCAST}) {
                    checkIndexed(s + "maxPool2d", 0, 0, t -> t[0].maxPool2d(k), arg(v, NORMAL, rnd, img));
                    checkIndexed(s + "maxPool2d (ties and NaN)", 0, 0, t -> t[0].maxPool2d(k), arg(v, TIES_AND_NAN, rnd, img));
                    Arg x = arg(v, NORMAL, rnd, img);
                    Arg g = arg(v, NORMAL, rnd, img[0], img[1], oh, ow);
                    // Sums of at most kh·kw terms and one division, in any order.
                    float f = (float) (2 * (k.kh() * k.kw() + 3) * U);
                    for (boolean include : new boolean[] {true, false}) {
                        String p = s + "countIncludePad " + include + ": ";
                        checkWithin(p + "avgPool2d", t -> t[0].avgPool2d(k, include),
                                t -> t[0].abs().avgPool2d(k, include).mul(f), x);
                        checkWithin(p + "avgPool2dBackward", t -> t[0].avgPool2dBackward(Shape.of(img), k, include),
                                t -> t[0].abs().avgPool2dBackward(Shape.of(img), k, include).mul(f), g);
                    }
                }
            }
        }
    }

    // ==== devices are never mixed ================================================================

    private void expectMismatch(String what, Executable call) {
        DeviceMismatchException e = assertThrows(DeviceMismatchException.class, call,
                what + " must reject operands on " + device() + " and " + Device.CPU);
        String msg = String.valueOf(e.getMessage());
        assertTrue(msg.contains(device().toString()) && msg.contains(Device.CPU.toString()),
                what + ": the message must name both devices (" + device() + ", " + Device.CPU + "): " + msg);
    }

    @Test
    void mixingDevicesThrows() {
        Assumptions.assumeFalse(device().equals(Device.CPU), "with the CPU alone there is no second device to mix");
        long seed = 7900;
        SplittableRandom rnd = new SplittableRandom(seed);
        String s = seed(seed);
        Tensor ac = Tensor.of(NORMAL.draw(rnd, 12), 3, 4);
        Tensor bc = Tensor.of(POSITIVE.draw(rnd, 12), 3, 4);
        Tensor ad = toDevice(ac);
        Tensor bd = toDevice(bc);
        Tensor ic = Tensor.ofInts(new int[] {2, 0, 2}, 3);
        Tensor id = toDevice(ic);
        Tensor gc = Tensor.ofInts(new int[] {0, 3, 1, 1, 2, 0}, 3, 2);
        Tensor gd = toDevice(gc);
        Tensor mc = ac.gt(0f);
        Tensor md = toDevice(mc);
        for (boolean deviceFirst : new boolean[] {true, false}) {
            Tensor x = deviceFirst ? ad : ac;
            Tensor y = deviceFirst ? bc : bd;
            String o = s + (deviceFirst ? "device op cpu: " : "cpu op device: ");
            expectMismatch(o + "add", () -> x.add(y));
            expectMismatch(o + "sub", () -> x.sub(y));
            expectMismatch(o + "mul", () -> x.mul(y));
            expectMismatch(o + "div", () -> x.div(y));
            expectMismatch(o + "pow", () -> x.pow(y));
            expectMismatch(o + "maximum", () -> x.maximum(y));
            expectMismatch(o + "minimum", () -> x.minimum(y));
            expectMismatch(o + "eq", () -> x.eq(y));
            expectMismatch(o + "lt", () -> x.lt(y));
            expectMismatch(o + "ge", () -> x.ge(y));
            expectMismatch(o + "matmul", () -> x.matmul(y.t()));
            expectMismatch(o + "matmul (broadcast scalar-like)", () -> x.matmul(y.narrow(0, 0, 1).reshape(4)));
            expectMismatch(o + "where (mask elsewhere)", () -> Tensor.where(deviceFirst ? mc : md, x, x));
            expectMismatch(o + "where (b elsewhere)", () -> Tensor.where(deviceFirst ? md : mc, x, y));
            expectMismatch(o + "concat", () -> Tensor.concat(List.of(x, y), 0));
            expectMismatch(o + "stack", () -> Tensor.stack(List.of(x, y), 1));
            expectMismatch(o + "gather", () -> x.gather(1, deviceFirst ? gc : gd));
            expectMismatch(o + "indexSelect", () -> x.indexSelect(0, deviceFirst ? ic : id));
            expectMismatch(o + "scatterAdd (index)", () -> x.scatterAdd(1, deviceFirst ? gc : gd, x.narrow(1, 0, 2)));
            expectMismatch(o + "scatterAdd (src)", () -> x.scatterAdd(1, deviceFirst ? gd : gc, y.narrow(1, 0, 2)));
            expectMismatch(o + "indexAdd (index)", () -> x.indexAdd(0, deviceFirst ? ic : id, x));
            expectMismatch(o + "indexAdd (src)", () -> x.indexAdd(0, deviceFirst ? id : ic, y));
            // A rejected in-place call changes nothing.
            Tensor target = x.copy();
            expectMismatch(o + "addi", () -> target.addi(y));
            expectMismatch(o + "addi(alpha)", () -> target.addi(y, 0.5f));
            expectMismatch(o + "subi", () -> target.subi(y));
            expectMismatch(o + "muli", () -> target.muli(y));
            expectMismatch(o + "divi", () -> target.divi(y));
            expectMismatch(o + "copyFrom", () -> target.copyFrom(y));
            assertArrayEquals(ac.toFloatArray(), target.toFloatArray(),
                    o + "a rejected in-place call must leave its target unchanged");
        }
    }
}

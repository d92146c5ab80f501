package dev.shears.tensor;

import dev.shears.tensor.spi.Backend;
import dev.shears.tensor.spi.BinaryOp;
import dev.shears.tensor.spi.CompareOp;
import dev.shears.tensor.spi.ReduceOp;
import dev.shears.tensor.spi.Storage;
import dev.shears.tensor.spi.UnaryOp;
import dev.shears.tensor.spi.Window2d;
import java.util.Arrays;
import java.util.List;

/**
 * An n-dimensional array on a device: a {@link Storage} seen through a {@link Layout}.
 *
 * <p>Operations return new tensors and never change their inputs; views ({@link #reshape},
 * {@link #transpose}, {@link #narrow}, {@link #expand}, ...) share storage without copying.
 * Methods ending in {@code i} ({@link #addi}, {@link #muli}, {@link #fill}, {@link #copyFrom})
 * write in place and are meant for optimizers and initialisation; a write through a view is
 * visible in every tensor sharing the storage. Arithmetic needs F32; comparisons return U8 masks.
 * Every argument is checked before anything is allocated or written: a failed call changes
 * nothing and its message names the operation and the offending shapes or values.
 */
public final class Tensor {
    private final Storage storage;
    private final Layout layout;

    private Tensor(Storage storage, Layout layout) {
        this.storage = storage;
        this.layout = layout;
    }

    /** A tensor over an existing storage and layout (for backends and format classes). */
    public static Tensor wrap(Storage storage, Layout layout) {
        if (layout.extent() > storage.size()) {
            throw new ShapeException("Tensor.wrap: " + layout + " reaches element " + (layout.extent() - 1)
                    + " of a storage of " + storage.size());
        }
        return new Tensor(storage, layout);
    }

    // ==== creation ==============================================================================

    /** F32 zeros on the CPU. */
    public static Tensor zeros(int... shape) {
        return zeros(DType.F32, shape);
    }

    /** Zeros of {@code dtype} on the CPU. */
    public static Tensor zeros(DType dtype, int... shape) {
        Shape s = Shape.of(shape);
        return new Tensor(cpu().allocate(dtype, s.numel()), Layout.contiguous(s));
    }

    /** F32 ones on the CPU. */
    public static Tensor ones(int... shape) {
        return full(1f, shape);
    }

    /** An F32 tensor filled with {@code value}. */
    public static Tensor full(float value, int... shape) {
        Shape s = Shape.of(shape);
        float[] data = new float[s.numel()];
        Arrays.fill(data, value);
        return new Tensor(cpu().fromFloats(data), Layout.contiguous(s));
    }

    /** A rank-0 F32 tensor. */
    public static Tensor scalar(float value) {
        return new Tensor(cpu().fromFloats(new float[] {value}), Layout.contiguous(Shape.scalar()));
    }

    /** {@code [0, 1, ..., n-1]} as F32. */
    public static Tensor arange(int n) {
        return arange(0f, n, 1f);
    }

    /** {@code start, start + step, ...} while below {@code end} (above, for a negative step), as F32. */
    public static Tensor arange(float start, float end, float step) {
        if (step == 0f || !Float.isFinite(step) || !Float.isFinite(start) || !Float.isFinite(end)) {
            throw new IllegalArgumentException("arange: start " + start + ", end " + end + ", step " + step
                    + " must be finite with a non-zero step");
        }
        double count = Math.ceil((end - (double) start) / step);
        int n = (int) Math.max(0, Math.min(count, Integer.MAX_VALUE));
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = (float) (start + (double) i * step);
        }
        return of(data, n);
    }

    /** An F32 tensor holding a copy of {@code data} with the given shape. */
    public static Tensor of(float[] data, int... shape) {
        Shape s = checkedShape("Tensor.of", data.length, shape);
        return new Tensor(cpu().fromFloats(data.clone()), Layout.contiguous(s));
    }

    /**
     * An F32 CPU tensor over {@code data} itself, without a copy (data loaders build each batch in
     * a fresh array). The caller hands the array over and must not write to it afterwards.
     */
    public static Tensor adopt(float[] data, int... shape) {
        Shape s = checkedShape("Tensor.adopt", data.length, shape);
        return new Tensor(cpu().fromFloats(data), Layout.contiguous(s));
    }

    /** An I32 tensor holding a copy of {@code data} with the given shape. */
    public static Tensor ofInts(int[] data, int... shape) {
        Shape s = checkedShape("Tensor.ofInts", data.length, shape);
        return new Tensor(cpu().fromInts(data.clone()), Layout.contiguous(s));
    }

    /** A U8 tensor holding a copy of {@code data} with the given shape. */
    public static Tensor ofBytes(byte[] data, int... shape) {
        Shape s = checkedShape("Tensor.ofBytes", data.length, shape);
        return new Tensor(cpu().fromBytes(data.clone()), Layout.contiguous(s));
    }

    /** Uniform samples in [0, 1), reproducible from {@code rng}'s state. */
    public static Tensor rand(Rng rng, int... shape) {
        return uniform(rng, 0f, 1f, shape);
    }

    /** Uniform samples in [lo, hi). */
    public static Tensor uniform(Rng rng, float lo, float hi, int... shape) {
        if (!(hi > lo) || !Float.isFinite(lo) || !Float.isFinite(hi)) {
            throw new IllegalArgumentException("uniform: range [" + lo + ", " + hi + ") must be finite and non-empty");
        }
        Shape s = Shape.of(shape);
        float[] data = new float[s.numel()];
        for (int i = 0; i < data.length; i++) {
            float v = lo + (hi - lo) * rng.nextFloat();
            data[i] = v < hi ? v : Math.nextDown(hi); // lo + (hi - lo)·u can round up to hi
        }
        return new Tensor(cpu().fromFloats(data), Layout.contiguous(s));
    }

    /** Standard normal samples, reproducible from {@code rng}'s state. */
    public static Tensor randn(Rng rng, int... shape) {
        Shape s = Shape.of(shape);
        float[] data = new float[s.numel()];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) rng.nextGaussian();
        }
        return new Tensor(cpu().fromFloats(data), Layout.contiguous(s));
    }

    private static Shape checkedShape(String op, int length, int[] shape) {
        Shape s = Shape.of(shape);
        if (s.numel() != length) {
            throw new ShapeException(op + ": " + length + " values do not fill shape " + s + " (" + s.numel() + " elements)");
        }
        return s;
    }

    private static Backend cpu() {
        return Backends.get(Device.CPU);
    }

    // ==== accessors =============================================================================

    public Shape shape() {
        return layout.shape();
    }

    public DType dtype() {
        return storage.dtype();
    }

    public Device device() {
        return storage.device();
    }

    public Layout layout() {
        return layout;
    }

    /** The underlying storage (shared with every view of it); for backends and sparse formats. */
    public Storage storage() {
        return storage;
    }

    public int rank() {
        return layout.shape().rank();
    }

    /** Size of {@code axis} (negative counts from the end). */
    public int dim(int axis) {
        return layout.shape().dim(axis);
    }

    public int numel() {
        return layout.shape().numel();
    }

    public boolean isContiguous() {
        return layout.isContiguous();
    }

    private Backend backend() {
        return Backends.get(storage.device());
    }

    // ==== device, dtype and copies ==============================================================

    /** This tensor on {@code device} (itself if already there). */
    public Tensor to(Device device) {
        if (device.equals(device())) {
            return this;
        }
        Backend target = Backends.get(device);
        Tensor c = contiguous();
        Storage moved = switch (dtype()) {
            case F32 -> target.fromFloats(c.toFloatArray());
            case I32 -> target.fromInts(c.toIntArray());
            case U8 -> target.fromBytes(c.toByteArray());
            default -> throw new DTypeException("to(" + device + "): cannot move " + dtype() + " tensors");
        };
        return new Tensor(moved, Layout.contiguous(shape()));
    }

    /** This tensor converted to {@code dtype} (itself if already of it). F32 to I32 truncates toward zero. */
    public Tensor to(DType dtype) {
        if (dtype == dtype()) {
            return this;
        }
        Storage out = backend().allocate(dtype, numel());
        backend().copy(storage, layout, out, Layout.contiguous(shape()));
        return new Tensor(out, Layout.contiguous(shape()));
    }

    /** A contiguous tensor with the same values: itself if already contiguous from offset 0. */
    public Tensor contiguous() {
        if (layout.isContiguous() && layout.offset() == 0 && storage.size() == numel()) {
            return this;
        }
        return copy();
    }

    /** A fresh contiguous copy that shares nothing with this tensor. */
    public Tensor copy() {
        Storage out = backend().allocate(dtype(), numel());
        backend().copy(storage, layout, out, Layout.contiguous(shape()));
        return new Tensor(out, Layout.contiguous(shape()));
    }

    /** The values in row-major order as a new float array (any dtype, converted). */
    public float[] toFloatArray() {
        return backend().readFloats(storage, layout);
    }

    /** The values in row-major order as a new int array (F32 truncates toward zero). */
    public int[] toIntArray() {
        return backend().readInts(storage, layout);
    }

    /** The values of a U8 tensor in row-major order as a new byte array. */
    public byte[] toByteArray() {
        requireDType("toByteArray", DType.U8);
        int[] ints = toIntArray();
        byte[] out = new byte[ints.length];
        for (int i = 0; i < ints.length; i++) {
            out[i] = (byte) ints[i];
        }
        return out;
    }

    /** The value of a one-element tensor. */
    public float item() {
        if (numel() != 1) {
            throw new ShapeException("item: tensor has " + numel() + " elements (shape " + shape() + "), not 1");
        }
        return toFloatArray()[0];
    }

    // ==== views =================================================================================

    /** The same elements with a new shape; one size may be -1 (inferred). A view when strides allow, else a copy. */
    public Tensor reshape(int... newShape) {
        Shape target = inferShape("reshape", newShape);
        Layout view = layout.viewAs(target);
        return view != null ? new Tensor(storage, view) : copy().view(newShape);
    }

    /** Like {@link #reshape} but never copies: throws if the strides do not allow a view. */
    public Tensor view(int... newShape) {
        Shape target = inferShape("view", newShape);
        Layout view = layout.viewAs(target);
        if (view == null) {
            throw new ShapeException("view: cannot view " + layout + " as " + target
                    + " without copying; call contiguous() or reshape()");
        }
        return new Tensor(storage, view);
    }

    /** Collapses every axis into one. */
    public Tensor flatten() {
        return reshape(numel());
    }

    private Shape inferShape(String op, int[] newShape) {
        int infer = -1;
        long known = 1;
        for (int i = 0; i < newShape.length; i++) {
            if (newShape[i] == -1) {
                if (infer >= 0) {
                    throw new ShapeException(op + ": more than one -1 in " + Arrays.toString(newShape));
                }
                infer = i;
            } else if (newShape[i] < 0) {
                throw new ShapeException(op + ": size " + newShape[i] + " in " + Arrays.toString(newShape) + " is negative");
            } else {
                known *= newShape[i];
            }
        }
        int[] dims = newShape.clone();
        if (infer >= 0) {
            if (known == 0 || numel() % known != 0) {
                throw ShapeException.numelMismatch(op, shape(), newShape, known);
            }
            dims[infer] = (int) (numel() / known);
            known *= dims[infer];
        }
        if (known != numel()) {
            throw ShapeException.numelMismatch(op, shape(), newShape, known);
        }
        return Shape.of(dims);
    }

    /** Swaps two axes (a view). */
    public Tensor transpose(int axis0, int axis1) {
        return new Tensor(storage, layout.transpose(axis0, axis1));
    }

    /** The transpose of a matrix (a view). */
    public Tensor t() {
        if (rank() != 2) {
            throw ShapeException.rank("t", "a matrix", 2, shape());
        }
        return transpose(0, 1);
    }

    /** Reorders axes (a view): result axis i is input axis {@code order[i]}. */
    public Tensor permute(int... order) {
        return new Tensor(storage, layout.permute(order));
    }

    /** Elements {@code [start, start + length)} of {@code axis} (a view). */
    public Tensor narrow(int axis, int start, int length) {
        return new Tensor(storage, layout.narrow(axis, start, length));
    }

    /** Elements {@code [start, end)} of {@code axis} (a view); negative bounds count from the end. */
    public Tensor slice(int axis, int start, int end) {
        int size = dim(shape().axis(axis, "slice"));
        int s = start < 0 ? start + size : start;
        int e = end < 0 ? end + size : end;
        if (s < 0 || e > size || s > e) {
            throw new ShapeException("slice: [" + start + ", " + end + ") is not a range of axis " + axis
                    + " with size " + size + " (shape " + shape() + ")");
        }
        return narrow(axis, s, e - s);
    }

    /** Broadcasts to {@code shape} with stride-0 axes (a view); -1 keeps a size. */
    public Tensor expand(int... shape) {
        int[] dims = shape.clone();
        int lead = dims.length - rank();
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == -1) {
                if (i < lead) {
                    throw new ShapeException("expand: -1 at new leading axis " + i + " of " + Arrays.toString(shape));
                }
                dims[i] = dim(i - lead);
            }
        }
        return broadcastTo(Shape.of(dims));
    }

    /** Broadcasts to {@code shape} (a view). */
    public Tensor broadcastTo(Shape shape) {
        return new Tensor(storage, layout.expand(shape));
    }

    /** Removes every size-1 axis (a view). */
    public Tensor squeeze() {
        return new Tensor(storage, layout.squeeze());
    }

    /** Removes {@code axis}, which must have size 1 (a view). */
    public Tensor squeeze(int axis) {
        return new Tensor(storage, layout.squeeze(axis));
    }

    /** Inserts a size-1 axis at {@code axis} (a view). */
    public Tensor unsqueeze(int axis) {
        return new Tensor(storage, layout.unsqueeze(axis));
    }

    // ==== element-wise ==========================================================================

    public Tensor neg() { return unary(UnaryOp.NEG, "neg"); }

    public Tensor abs() { return unary(UnaryOp.ABS, "abs"); }

    public Tensor exp() { return unary(UnaryOp.EXP, "exp"); }

    public Tensor log() { return unary(UnaryOp.LOG, "log"); }

    public Tensor sqrt() { return unary(UnaryOp.SQRT, "sqrt"); }

    public Tensor rsqrt() { return unary(UnaryOp.RSQRT, "rsqrt"); }

    public Tensor tanh() { return unary(UnaryOp.TANH, "tanh"); }

    public Tensor sigmoid() { return unary(UnaryOp.SIGMOID, "sigmoid"); }

    public Tensor relu() { return unary(UnaryOp.RELU, "relu"); }

    /** Exact GELU, x·Φ(x). */
    public Tensor gelu() { return unary(UnaryOp.GELU_ERF, "gelu"); }

    /** GELU with the tanh approximation (GPT-2). */
    public Tensor geluTanh() { return unary(UnaryOp.GELU_TANH, "geluTanh"); }

    /** x·sigmoid(x). */
    public Tensor silu() { return unary(UnaryOp.SILU, "silu"); }

    public Tensor square() { return unary(UnaryOp.SQUARE, "square"); }

    public Tensor reciprocal() { return unary(UnaryOp.RECIPROCAL, "reciprocal"); }

    /** Each element to the power {@code exponent}. */
    public Tensor pow(float exponent) {
        requireFinite("pow", "exponent", exponent);
        return unary(UnaryOp.POW, exponent, 0f, "pow");
    }

    /** Each element limited to [min, max]. */
    public Tensor clamp(float min, float max) {
        if (Float.isNaN(min) || Float.isNaN(max) || min > max) {
            throw new IllegalArgumentException("clamp: bounds [" + min + ", " + max + "] must be ordered and not NaN");
        }
        return unary(UnaryOp.CLAMP, min, max, "clamp");
    }

    /** {@code grad · gelu'(this)}: the backward pass of {@link #gelu()} in one pass ({@code grad} has this shape). */
    public Tensor geluBackward(Tensor grad) { return unaryGrad(UnaryOp.GELU_ERF, grad, "geluBackward"); }

    /**
     * {@link #gelu()} that also returns Φ(this), the normal CDF, for {@link #geluBackward(Tensor, Tensor)}:
     * {@code {gelu, cdf}}, both contiguous; the first has gelu()'s bits.
     */
    public Tensor[] geluWithCdf() {
        requireDType("geluWithCdf", DType.F32);
        Storage y = backend().allocate(DType.F32, numel());
        Storage cdf = backend().allocate(DType.F32, numel());
        Layout out = Layout.contiguous(shape());
        backend().geluWithCdf(storage, layout, y, cdf);
        return new Tensor[] {new Tensor(y, out), new Tensor(cdf, out)};
    }

    /**
     * {@link #geluBackward(Tensor)} from the {@code cdf} that {@link #geluWithCdf()} returned for
     * this tensor: the same bits, without recomputing erf.
     */
    public Tensor geluBackward(Tensor grad, Tensor cdf) {
        String name = "geluBackward";
        requireDType(name, DType.F32);
        grad.requireDType(name, DType.F32);
        cdf.requireDType(name, DType.F32);
        requireSameDevice(name, grad);
        requireSameDevice(name, cdf);
        if (!grad.shape().equals(shape()) || !cdf.shape().equals(shape())) {
            throw new ShapeException(name + ": gradient " + grad.shape() + " and cdf " + cdf.shape()
                    + " must have the input's shape " + shape());
        }
        Tensor c = cdf.isContiguous() && cdf.layout.offset() == 0 ? cdf : cdf.copy();
        Storage out = backend().allocate(DType.F32, numel());
        Layout outLayout = Layout.contiguous(shape());
        backend().geluGradFromCdf(storage, layout, c.storage, grad.storage, grad.layout, out);
        return new Tensor(out, outLayout);
    }

    /** {@code grad · geluTanh'(this)}: the backward pass of {@link #geluTanh()} in one pass. */
    public Tensor geluTanhBackward(Tensor grad) { return unaryGrad(UnaryOp.GELU_TANH, grad, "geluTanhBackward"); }

    /** {@code grad · silu'(this)}: the backward pass of {@link #silu()} in one pass. */
    public Tensor siluBackward(Tensor grad) { return unaryGrad(UnaryOp.SILU, grad, "siluBackward"); }

    private Tensor unaryGrad(UnaryOp op, Tensor grad, String name) {
        requireDType(name, DType.F32);
        grad.requireDType(name, DType.F32);
        requireSameDevice(name, grad);
        if (!grad.shape().equals(shape())) {
            throw new ShapeException(name + ": gradient " + grad.shape() + " must have the input's shape " + shape());
        }
        Storage out = backend().allocate(DType.F32, numel());
        Layout outLayout = Layout.contiguous(shape());
        backend().unaryGrad(op, storage, layout, grad.storage, grad.layout, out, outLayout);
        return new Tensor(out, outLayout);
    }

    private Tensor unary(UnaryOp op, String name) {
        return unary(op, 0f, 0f, name);
    }

    private Tensor unary(UnaryOp op, float p0, float p1, String name) {
        requireDType(name, DType.F32);
        Storage out = backend().allocate(DType.F32, numel());
        Layout outLayout = Layout.contiguous(shape());
        backend().unary(op, p0, p1, storage, layout, out, outLayout);
        return new Tensor(out, outLayout);
    }

    public Tensor add(Tensor other) { return binary(BinaryOp.ADD, other, "add"); }

    public Tensor sub(Tensor other) { return binary(BinaryOp.SUB, other, "sub"); }

    public Tensor mul(Tensor other) { return binary(BinaryOp.MUL, other, "mul"); }

    public Tensor div(Tensor other) { return binary(BinaryOp.DIV, other, "div"); }

    /** Element-wise power with a broadcast exponent tensor. */
    public Tensor pow(Tensor exponent) { return binary(BinaryOp.POW, exponent, "pow"); }

    /** Element-wise maximum (NaN propagates). */
    public Tensor maximum(Tensor other) { return binary(BinaryOp.MAX, other, "maximum"); }

    /** Element-wise minimum (NaN propagates). */
    public Tensor minimum(Tensor other) { return binary(BinaryOp.MIN, other, "minimum"); }

    public Tensor add(float value) { return binary(BinaryOp.ADD, scalarLike(value), "add"); }

    public Tensor sub(float value) { return binary(BinaryOp.SUB, scalarLike(value), "sub"); }

    public Tensor mul(float value) { return binary(BinaryOp.MUL, scalarLike(value), "mul"); }

    public Tensor div(float value) { return binary(BinaryOp.DIV, scalarLike(value), "div"); }

    public Tensor maximum(float value) { return binary(BinaryOp.MAX, scalarLike(value), "maximum"); }

    public Tensor minimum(float value) { return binary(BinaryOp.MIN, scalarLike(value), "minimum"); }

    private Tensor scalarLike(float value) {
        Tensor s = scalar(value);
        return device().equals(Device.CPU) ? s : s.to(device());
    }

    private Tensor binary(BinaryOp op, Tensor other, String name) {
        Shape out = broadcastF32Operands(other, name);
        Storage dst = backend().allocate(DType.F32, out.numel());
        Layout dstLayout = Layout.contiguous(out);
        backend().binary(op, storage, layout.expand(out), other.storage, other.layout.expand(out), dst, dstLayout);
        return new Tensor(dst, dstLayout);
    }

    /** Checks both operands are F32 on this device and returns their broadcast shape. */
    private Shape broadcastF32Operands(Tensor other, String name) {
        requireDType(name, DType.F32);
        other.requireDType(name, DType.F32);
        requireSameDevice(name, other);
        return Shape.broadcast(shape(), other.shape(), name);
    }

    public Tensor eq(Tensor other) { return compare(CompareOp.EQ, other, "eq"); }

    public Tensor ne(Tensor other) { return compare(CompareOp.NE, other, "ne"); }

    public Tensor lt(Tensor other) { return compare(CompareOp.LT, other, "lt"); }

    public Tensor le(Tensor other) { return compare(CompareOp.LE, other, "le"); }

    public Tensor gt(Tensor other) { return compare(CompareOp.GT, other, "gt"); }

    public Tensor ge(Tensor other) { return compare(CompareOp.GE, other, "ge"); }

    public Tensor eq(float value) { return compare(CompareOp.EQ, scalarLike(value), "eq"); }

    public Tensor ne(float value) { return compare(CompareOp.NE, scalarLike(value), "ne"); }

    public Tensor lt(float value) { return compare(CompareOp.LT, scalarLike(value), "lt"); }

    public Tensor le(float value) { return compare(CompareOp.LE, scalarLike(value), "le"); }

    public Tensor gt(float value) { return compare(CompareOp.GT, scalarLike(value), "gt"); }

    public Tensor ge(float value) { return compare(CompareOp.GE, scalarLike(value), "ge"); }

    private Tensor compare(CompareOp op, Tensor other, String name) {
        Shape out = broadcastF32Operands(other, name);
        Storage dst = backend().allocate(DType.U8, out.numel());
        Layout dstLayout = Layout.contiguous(out);
        backend().compare(op, storage, layout.expand(out), other.storage, other.layout.expand(out), dst, dstLayout);
        return new Tensor(dst, dstLayout);
    }

    /** {@code cond ? a : b} element-wise with broadcasting; {@code cond} is a U8 mask. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        cond.requireDType("where", DType.U8);
        a.requireDType("where", DType.F32);
        b.requireDType("where", DType.F32);
        a.requireSameDevice("where", b);
        cond.requireSameDevice("where", a);
        Shape out = Shape.broadcast(Shape.broadcast(cond.shape(), a.shape(), "where"), b.shape(), "where");
        Backend be = a.backend();
        Storage dst = be.allocate(DType.F32, out.numel());
        Layout dstLayout = Layout.contiguous(out);
        be.where(cond.storage, cond.layout.expand(out), a.storage, a.layout.expand(out),
                b.storage, b.layout.expand(out), dst, dstLayout);
        return new Tensor(dst, dstLayout);
    }

    // ==== in place ==============================================================================

    /** {@code this += other} (broadcast to this shape), in place; returns this. */
    public Tensor addi(Tensor other) { return binaryInPlace(BinaryOp.ADD, other, "addi"); }

    /** {@code this -= other}, in place. */
    public Tensor subi(Tensor other) { return binaryInPlace(BinaryOp.SUB, other, "subi"); }

    /** {@code this *= other}, in place. */
    public Tensor muli(Tensor other) { return binaryInPlace(BinaryOp.MUL, other, "muli"); }

    /** {@code this /= other}, in place. */
    public Tensor divi(Tensor other) { return binaryInPlace(BinaryOp.DIV, other, "divi"); }

    /** {@code this += value}, in place. */
    public Tensor addi(float value) { return binaryInPlace(BinaryOp.ADD, scalarLike(value), "addi"); }

    /** {@code this *= value}, in place. */
    public Tensor muli(float value) { return binaryInPlace(BinaryOp.MUL, scalarLike(value), "muli"); }

    /** {@code this += alpha · other}, in place (the optimizer's axpy). */
    public Tensor addi(Tensor other, float alpha) {
        requireFinite("addi", "alpha", alpha);
        return addi(other.mul(alpha));
    }

    private Tensor binaryInPlace(BinaryOp op, Tensor other, String name) {
        Shape out = broadcastF32Operands(other, name);
        requireWritable(name);
        if (!out.equals(shape())) {
            throw new ShapeException(name + ": " + other.shape() + " does not broadcast to the in-place target "
                    + shape() + " (result would be " + out + ")");
        }
        // Read through a temporary when the operand shares storage at other positions (x += xᵀ).
        Tensor from = other.storage == storage && !other.layout.expand(out).equals(layout) ? other.copy() : other;
        backend().binary(op, storage, layout, from.storage, from.layout.expand(out), storage, layout);
        return this;
    }

    /** Sets every element to {@code value}, in place; returns this. */
    public Tensor fill(float value) {
        requireWritable("fill");
        backend().fill(storage, layout, value);
        return this;
    }

    /** Copies {@code src} (broadcast to this shape, converted to this dtype) into this tensor, in place. */
    public Tensor copyFrom(Tensor src) {
        requireSameDevice("copyFrom", src);
        requireWritable("copyFrom");
        Shape out = Shape.broadcast(shape(), src.shape(), "copyFrom");
        if (!out.equals(shape())) {
            throw new ShapeException("copyFrom: source " + src.shape() + " does not broadcast to " + shape());
        }
        // Copy through a temporary when source and target overlap in the same storage.
        Tensor from = src.storage == storage ? src.copy() : src;
        backend().copy(from.storage, from.layout.expand(out), storage, layout);
        return this;
    }

    private void requireWritable(String op) {
        int[] st = layout.strides();
        for (int i = 0; i < st.length; i++) {
            if (st[i] == 0 && dim(i) > 1) {
                throw new ShapeException(op + ": target " + shape() + " is a broadcast view (axis " + i
                        + " has stride 0); writing would alias elements. Call copy() first");
            }
        }
    }

    // ==== reductions ============================================================================

    /** Sum of all elements, as a rank-0 tensor. */
    public Tensor sum() { return reduce(ReduceOp.SUM, allAxes(), false, "sum"); }

    public Tensor sum(int axis, boolean keepDim) { return reduce(ReduceOp.SUM, new int[] {axis}, keepDim, "sum"); }

    public Tensor sum(int[] axes, boolean keepDim) { return reduce(ReduceOp.SUM, axes, keepDim, "sum"); }

    /** Mean of all elements, as a rank-0 tensor. */
    public Tensor mean() { return mean(allAxes(), false); }

    public Tensor mean(int axis, boolean keepDim) { return mean(new int[] {axis}, keepDim); }

    public Tensor mean(int[] axes, boolean keepDim) {
        int[] norm = normalizeAxes("mean", axes);
        int count = reducedCount(norm);
        if (count == 0) {
            throw ShapeException.empty("mean", shape());
        }
        Tensor s = reduce(ReduceOp.SUM, norm, keepDim, "mean");
        return s.muli(1f / count);
    }

    /** Maximum of all elements (NaN propagates). */
    public Tensor max() { return reduce(ReduceOp.MAX, allAxes(), false, "max"); }

    public Tensor max(int axis, boolean keepDim) { return reduce(ReduceOp.MAX, new int[] {axis}, keepDim, "max"); }

    public Tensor max(int[] axes, boolean keepDim) { return reduce(ReduceOp.MAX, axes, keepDim, "max"); }

    /** Minimum of all elements (NaN propagates). */
    public Tensor min() { return reduce(ReduceOp.MIN, allAxes(), false, "min"); }

    public Tensor min(int axis, boolean keepDim) { return reduce(ReduceOp.MIN, new int[] {axis}, keepDim, "min"); }

    public Tensor min(int[] axes, boolean keepDim) { return reduce(ReduceOp.MIN, axes, keepDim, "min"); }

    /** Unbiased variance (correction 1, as PyTorch) over {@code axis}. */
    public Tensor var(int axis, boolean keepDim) { return var(new int[] {axis}, keepDim, 1); }

    /**
     * Variance over {@code axes}: Σ(x - mean)² / (n - correction). Two passes, so large offsets do
     * not cancel. {@code correction} 0 is the biased (population) variance that batch norm uses.
     */
    public Tensor var(int[] axes, boolean keepDim, int correction) {
        int[] norm = normalizeAxes("var", axes);
        int count = reducedCount(norm);
        if (correction < 0) {
            throw new IllegalArgumentException("var: correction " + correction + " must be >= 0");
        }
        if (count - correction <= 0) {
            throw new ShapeException("var: " + count + " elements per output with correction " + correction
                    + " leaves no degrees of freedom (shape " + shape() + ", axes " + Arrays.toString(axes) + ")");
        }
        Tensor centered = sub(mean(norm, true));
        return centered.square().sum(norm, keepDim).muli(1f / (count - correction));
    }

    /** Index of the first maximum along {@code axis} (I32). */
    public Tensor argmax(int axis, boolean keepDim) { return argReduce(ReduceOp.ARGMAX, axis, keepDim, "argmax"); }

    /** Index of the first minimum along {@code axis} (I32). */
    public Tensor argmin(int axis, boolean keepDim) { return argReduce(ReduceOp.ARGMIN, axis, keepDim, "argmin"); }

    private int[] allAxes() {
        int[] axes = new int[rank()];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i;
        }
        return axes;
    }

    private int[] normalizeAxes(String op, int[] axes) {
        int[] norm = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            norm[i] = shape().axis(axes[i], op);
        }
        Arrays.sort(norm);
        for (int i = 1; i < norm.length; i++) {
            if (norm[i] == norm[i - 1]) {
                throw new ShapeException(op + ": axis " + norm[i] + " is listed twice in " + Arrays.toString(axes));
            }
        }
        return norm;
    }

    private int reducedCount(int[] normAxes) {
        int n = 1;
        for (int a : normAxes) {
            n *= dim(a);
        }
        return n;
    }

    private Shape reducedShape(int[] normAxes, boolean keepDim) {
        int[] dims = shape().dims();
        int[] out = new int[keepDim ? dims.length : dims.length - normAxes.length];
        for (int i = 0, j = 0; i < dims.length; i++) {
            boolean reduced = Arrays.binarySearch(normAxes, i) >= 0;
            if (keepDim) {
                out[j++] = reduced ? 1 : dims[i];
            } else if (!reduced) {
                out[j++] = dims[i];
            }
        }
        return Shape.of(out);
    }

    private Tensor reduce(ReduceOp op, int[] axes, boolean keepDim, String name) {
        requireDType(name, DType.F32);
        int[] norm = normalizeAxes(name, axes);
        if (op != ReduceOp.SUM && reducedCount(norm) == 0) {
            throw ShapeException.empty(name, shape());
        }
        Shape out = reducedShape(norm, keepDim);
        Storage dst = backend().allocate(DType.F32, out.numel());
        if (norm.length == 0) {
            backend().copy(storage, layout, dst, Layout.contiguous(shape()));
        } else if (out.numel() > 0) {
            backend().reduce(op, storage, layout, norm, dst);
        }
        return new Tensor(dst, Layout.contiguous(out));
    }

    private Tensor argReduce(ReduceOp op, int axis, boolean keepDim, String name) {
        requireDType(name, DType.F32);
        int a = shape().axis(axis, name);
        if (dim(a) == 0) {
            throw ShapeException.empty(name, shape());
        }
        Shape out = reducedShape(new int[] {a}, keepDim);
        Storage dst = backend().allocate(DType.I32, out.numel());
        if (out.numel() > 0) {
            backend().argReduce(op, storage, layout, a, dst);
        }
        return new Tensor(dst, Layout.contiguous(out));
    }

    /** Softmax along {@code axis}, stable for large logits. */
    public Tensor softmax(int axis) {
        return softmax(axis, false, "softmax");
    }

    /** Log-softmax along {@code axis}, stable for large logits. */
    public Tensor logSoftmax(int axis) {
        return softmax(axis, true, "logSoftmax");
    }

    private Tensor softmax(int axis, boolean log, String name) {
        requireDType(name, DType.F32);
        int a = shape().axis(axis, name);
        Storage dst = backend().allocate(DType.F32, numel());
        if (numel() > 0) {
            backend().softmax(storage, layout, a, log, dst);
        }
        return new Tensor(dst, Layout.contiguous(shape()));
    }

    // ==== linear algebra ========================================================================

    /**
     * Matrix product with NumPy/PyTorch rules: [m, k]·[k, n] → [m, n]; leading batch axes broadcast
     * ([b, m, k]·[k, n] → [b, m, n]); a 1-D operand is a row (left) or column (right) vector whose
     * axis is dropped from the result. Transposed operands are used in place, never copied.
     */
    public Tensor matmul(Tensor other) {
        requireDType("matmul", DType.F32);
        other.requireDType("matmul", DType.F32);
        requireSameDevice("matmul", other);
        if (rank() == 0 || other.rank() == 0) {
            throw new ShapeException("matmul: operands must have rank >= 1, got lhs " + shape() + " and rhs " + other.shape());
        }
        Tensor a = rank() == 1 ? unsqueeze(0) : this;
        Tensor b = other.rank() == 1 ? other.unsqueeze(1) : other;
        int m = a.dim(-2);
        int k = a.dim(-1);
        int n = b.dim(-1);
        if (b.dim(-2) != k) {
            throw ShapeException.innerMismatch("matmul", shape(), other.shape(), k, b.dim(-2));
        }
        Shape aBatch = Shape.of(Arrays.copyOf(a.shape().dims(), a.rank() - 2));
        Shape bBatch = Shape.of(Arrays.copyOf(b.shape().dims(), b.rank() - 2));
        if (!Shape.canBroadcast(aBatch, bBatch)) {
            throw new ShapeException("matmul: batch axes " + aBatch + " of lhs " + shape() + " and " + bBatch + " of rhs "
                    + other.shape() + " cannot be broadcast");
        }
        Shape batch = Shape.broadcast(aBatch, bBatch, "matmul");
        int batchCount = batch.numel();
        long outCount = (long) batchCount * m * n;
        if (outCount > Integer.MAX_VALUE) {
            throw new ShapeException("matmul: result of " + batch + " x [" + m + ", " + n + "] has more than "
                    + Integer.MAX_VALUE + " elements");
        }
        Storage dst = backend().allocate(DType.F32, (int) outCount);
        if (outCount > 0) {
            Tensor a3 = batched(a, batch, m, k);
            Tensor b3 = batched(b, batch, k, n);
            backend().matmul(a3.storage, a3.layout, b3.storage, b3.layout, dst, batchCount, m, n, k);
        }
        int[] outDims = Arrays.copyOf(batch.dims(), batch.rank() + 2);
        outDims[batch.rank()] = m;
        outDims[batch.rank() + 1] = n;
        Tensor out = new Tensor(dst, Layout.contiguous(Shape.of(outDims)));
        // Drop the row axis a 1-D lhs added first, then the column axis of a 1-D rhs: [1, 1] -> [1] -> [].
        if (rank() == 1) {
            out = out.squeeze(-2);
        }
        if (other.rank() == 1) {
            out = out.squeeze(-1);
        }
        return out;
    }

    /** A matmul operand as [batch, rows, cols], viewing its broadcast batch axes as one when strides allow. */
    private static Tensor batched(Tensor t, Shape batch, int rows, int cols) {
        int[] dims = Arrays.copyOf(batch.dims(), batch.rank() + 2);
        dims[batch.rank()] = rows;
        dims[batch.rank() + 1] = cols;
        Layout expanded = t.layout.expand(Shape.of(dims));
        Layout merged = mergeBatch(expanded, batch.numel(), rows, cols);
        if (merged != null) {
            return new Tensor(t.storage, merged);
        }
        // Batch axes no single stride walks (e.g. broadcast along some of them): materialise once.
        Tensor copy = new Tensor(t.storage, expanded).copy();
        return new Tensor(copy.storage, Layout.contiguous(Shape.of(batch.numel(), rows, cols)));
    }

    private static Layout mergeBatch(Layout expanded, int batchCount, int rows, int cols) {
        int r = expanded.shape().rank();
        int[] st = expanded.strides();
        int rowStride = st[r - 2];
        int colStride = st[r - 1];
        // Find one stride that walks all batch axes in order, if any.
        int batchStride = 0;
        boolean first = true;
        long expect = 0;
        for (int i = r - 3; i >= 0; i--) {
            int d = expanded.shape().dim(i);
            if (d == 1) {
                continue;
            }
            if (first) {
                batchStride = st[i];
                expect = (long) st[i] * d;
                first = false;
            } else if (st[i] != expect) {
                return null;
            } else {
                expect = (long) st[i] * d;
            }
        }
        return Layout.of(Shape.of(batchCount, rows, cols), new int[] {batchStride, rowStride, colStride}, expanded.offset());
    }

    // ==== indexing ==============================================================================

    /** {@code out[.., j, ..] = this[.., index[.., j, ..], ..]} along {@code axis} (torch.gather). */
    public Tensor gather(int axis, Tensor index) {
        requireDType("gather", DType.F32);
        index.requireDType("gather", DType.I32);
        requireSameDevice("gather", index);
        int a = shape().axis(axis, "gather");
        if (index.rank() != rank()) {
            throw new ShapeException("gather: index " + index.shape() + " must have the rank of the input " + shape());
        }
        for (int i = 0; i < rank(); i++) {
            if (i != a && index.dim(i) != dim(i)) {
                throw new ShapeException("gather: index " + index.shape() + " and input " + shape()
                        + " differ at axis " + i + " (only axis " + a + " may differ)");
            }
        }
        checkIndexRange("gather", index, dim(a));
        Storage dst = backend().allocate(DType.F32, index.numel());
        if (index.numel() > 0) {
            backend().gather(storage, layout, a, index.storage, index.layout, dst);
        }
        return new Tensor(dst, Layout.contiguous(index.shape()));
    }

    /** The entries {@code index} (1-D I32) along {@code axis}. */
    public Tensor indexSelect(int axis, Tensor index) {
        requireDType("indexSelect", DType.F32);
        index.requireDType("indexSelect", DType.I32);
        requireSameDevice("indexSelect", index);
        int a = shape().axis(axis, "indexSelect");
        if (index.rank() != 1) {
            throw ShapeException.rank("indexSelect", "an index", 1, index.shape());
        }
        checkIndexRange("indexSelect", index, dim(a));
        Shape out = shape().with(a, index.numel());
        Storage dst = backend().allocate(DType.F32, out.numel());
        if (out.numel() > 0) {
            backend().indexSelect(storage, layout, a, index.storage, index.layout, dst);
        }
        return new Tensor(dst, Layout.contiguous(out));
    }

    /** A copy of this tensor with {@code src[.., j, ..]} added at {@code [.., index[.., j, ..], ..]} (torch.scatter_add). */
    public Tensor scatterAdd(int axis, Tensor index, Tensor src) {
        requireDType("scatterAdd", DType.F32);
        src.requireDType("scatterAdd", DType.F32);
        index.requireDType("scatterAdd", DType.I32);
        requireSameDevice("scatterAdd", index);
        requireSameDevice("scatterAdd", src);
        int a = shape().axis(axis, "scatterAdd");
        if (!index.shape().equals(src.shape())) {
            throw ShapeException.mismatch("scatterAdd (index vs src)", index.shape(), src.shape());
        }
        if (index.rank() != rank()) {
            throw new ShapeException("scatterAdd: index " + index.shape() + " must have the rank of the target " + shape());
        }
        for (int i = 0; i < rank(); i++) {
            if (i != a && index.dim(i) != dim(i)) {
                throw new ShapeException("scatterAdd: index " + index.shape() + " and target " + shape()
                        + " differ at axis " + i + " (only axis " + a + " may differ)");
            }
        }
        checkIndexRange("scatterAdd", index, dim(a));
        Tensor out = copy();
        if (index.numel() > 0) {
            backend().scatterAdd(out.storage, out.layout, a, index.storage, index.layout, src.storage, src.layout);
        }
        return out;
    }

    /** A copy of this tensor with {@code src[.., j, ..]} added at {@code [.., index[j], ..]} (torch.index_add). */
    public Tensor indexAdd(int axis, Tensor index, Tensor src) {
        requireDType("indexAdd", DType.F32);
        src.requireDType("indexAdd", DType.F32);
        index.requireDType("indexAdd", DType.I32);
        requireSameDevice("indexAdd", index);
        requireSameDevice("indexAdd", src);
        int a = shape().axis(axis, "indexAdd");
        if (index.rank() != 1) {
            throw ShapeException.rank("indexAdd", "an index", 1, index.shape());
        }
        Shape expected = shape().with(a, index.numel());
        if (!src.shape().equals(expected)) {
            throw new ShapeException("indexAdd: src " + src.shape() + " must be " + expected
                    + " (the target " + shape() + " with axis " + a + " of the index length " + index.numel() + ")");
        }
        checkIndexRange("indexAdd", index, dim(a));
        Tensor out = copy();
        if (index.numel() > 0) {
            backend().indexAdd(out.storage, out.layout, a, index.storage, index.layout, src.storage, src.layout);
        }
        return out;
    }

    private static void checkIndexRange(String op, Tensor index, int bound) {
        int[] idx = index.toIntArray();
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < 0 || idx[i] >= bound) {
                throw new ShapeException(op + ": index " + idx[i] + " at flat position " + i + " is out of range [0, "
                        + bound + ")");
            }
        }
    }

    /** Joins tensors along an existing axis; all other sizes must agree. */
    public static Tensor concat(List<Tensor> tensors, int axis) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("concat: no tensors given");
        }
        Tensor first = tensors.get(0);
        int a = first.shape().axis(axis, "concat");
        int total = 0;
        for (int t = 0; t < tensors.size(); t++) {
            Tensor x = tensors.get(t);
            if (x.dtype() != first.dtype()) {
                throw DTypeException.mismatch("concat (tensor 0 vs " + t + ")", first.dtype(), x.dtype());
            }
            first.requireSameDevice("concat", x);
            if (x.rank() != first.rank()) {
                throw new ShapeException("concat: tensor " + t + " has shape " + x.shape() + " but tensor 0 has "
                        + first.shape() + " (ranks differ)");
            }
            for (int i = 0; i < first.rank(); i++) {
                if (i != a && x.dim(i) != first.dim(i)) {
                    throw new ShapeException("concat: tensor " + t + " has shape " + x.shape() + " but tensor 0 has "
                            + first.shape() + " (axis " + i + " differs; only axis " + a + " may)");
                }
            }
            if ((long) total + x.dim(a) > Integer.MAX_VALUE) {
                throw new ShapeException("concat: axis " + a + " would exceed " + Integer.MAX_VALUE + " elements");
            }
            total += x.dim(a);
        }
        Shape out = first.shape().with(a, total);
        Backend be = first.backend();
        Storage dst = be.allocate(first.dtype(), out.numel());
        Layout full = Layout.contiguous(out);
        int at = 0;
        for (Tensor x : tensors) {
            be.copy(x.storage, x.layout, dst, full.narrow(a, at, x.dim(a)));
            at += x.dim(a);
        }
        return new Tensor(dst, full);
    }

    /** Stacks same-shape tensors along a new axis. */
    public static Tensor stack(List<Tensor> tensors, int axis) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("stack: no tensors given");
        }
        Shape s = tensors.get(0).shape();
        for (int t = 1; t < tensors.size(); t++) {
            if (!tensors.get(t).shape().equals(s)) {
                throw new ShapeException("stack: tensor " + t + " has shape " + tensors.get(t).shape()
                        + " but tensor 0 has " + s + "; all must match");
            }
        }
        return concat(tensors.stream().map(x -> x.unsqueeze(axis)).toList(), axis);
    }

    // ==== selection =============================================================================

    /**
     * The k-th smallest of all elements, 1-based as {@code torch.kthvalue} (k = 1 is the minimum),
     * found in O(n) without sorting. NaN orders above every number.
     */
    public float kthValue(int k) {
        requireDType("kthValue", DType.F32);
        if (k < 1 || k > numel()) {
            throw new IllegalArgumentException("kthValue: k = " + k + " is outside [1, " + numel() + "] (shape " + shape() + ")");
        }
        return backend().kthSmallest(storage, layout, k - 1);
    }

    /** The k-th smallest (1-based) along {@code axis}, with its index; among equal values the lowest index. */
    public IndexedValues kthValue(int k, int axis, boolean keepDim) {
        requireDType("kthValue", DType.F32);
        int a = shape().axis(axis, "kthValue");
        if (k < 1 || k > dim(a)) {
            throw new IllegalArgumentException("kthValue: k = " + k + " is outside [1, " + dim(a) + "] for axis "
                    + axis + " of shape " + shape());
        }
        Shape out = reducedShape(new int[] {a}, keepDim);
        Storage values = backend().allocate(DType.F32, out.numel());
        Storage indices = backend().allocate(DType.I32, out.numel());
        if (out.numel() > 0) {
            backend().kthSmallestAlong(storage, layout, a, k - 1, values, indices);
        }
        return new IndexedValues(new Tensor(values, Layout.contiguous(out)), new Tensor(indices, Layout.contiguous(out)));
    }

    /**
     * The {@code k} largest (or smallest) elements along {@code axis} with their indices. Sorted by
     * value when {@code sorted}, else in index order; ties keep the lower index. O(n + k log k) per row.
     */
    public IndexedValues topk(int k, int axis, boolean largest, boolean sorted) {
        requireDType("topk", DType.F32);
        int a = shape().axis(axis, "topk");
        if (k < 0 || k > dim(a)) {
            throw new IllegalArgumentException("topk: k = " + k + " is outside [0, " + dim(a) + "] for axis "
                    + axis + " of shape " + shape());
        }
        Shape out = shape().with(a, k);
        Storage values = backend().allocate(DType.F32, out.numel());
        Storage indices = backend().allocate(DType.I32, out.numel());
        if (out.numel() > 0) {
            backend().topk(storage, layout, a, k, largest, sorted, values, indices);
        }
        return new IndexedValues(new Tensor(values, Layout.contiguous(out)), new Tensor(indices, Layout.contiguous(out)));
    }

    // ==== convolution and pooling primitives (NCHW) =============================================

    /** [n, c, h, w] → columns [n, c·kh·kw, outH·outW] for convolution as a matrix product. */
    public Tensor im2col(Kernel2d k) {
        return im2col(k, false);
    }

    /**
     * {@link #im2col(Kernel2d)}: the same [n, c·kh·kw, outH·outW] values; with {@code batchInColumns}
     * they are stored as [c·kh·kw, n, outH·outW] (the result is that buffer permuted), so
     * {@code permute(1, 0, 2).reshape(rows, n·outH·outW)} is a free view and a whole batch
     * convolves with one matrix product.
     */
    public Tensor im2col(Kernel2d k, boolean batchInColumns) {
        Window2d w = window("im2col", k);
        int rows = w.c() * k.kh() * k.kw();
        int cols = w.outH() * w.outW();
        Shape out = Shape.of(w.n(), rows, cols);
        Storage dst = backend().allocate(DType.F32, out.numel());
        if (out.numel() > 0) {
            backend().im2col(storage, layout, w, batchInColumns, dst);
        }
        Layout stored = batchInColumns
                ? Layout.contiguous(Shape.of(rows, w.n(), cols)).permute(1, 0, 2)
                : Layout.contiguous(out);
        return new Tensor(dst, stored);
    }

    /** The adjoint of {@link #im2col}: columns [n, c·kh·kw, outH·outW] summed into [n, c, h, w]. */
    public Tensor col2im(int channels, int height, int width, Kernel2d k) {
        requireDType("col2im", DType.F32);
        if (rank() != 3) {
            throw ShapeException.rank("col2im", "columns", 3, shape());
        }
        Window2d w = new Window2d(dim(0), channels, height, width, k.kh(), k.kw(), k.strideH(), k.strideW(),
                k.padH(), k.padW(), k.dilH(), k.dilW());
        checkWindowFits("col2im", w);
        Shape expected = Shape.of(w.n(), channels * k.kh() * k.kw(), w.outH() * w.outW());
        if (!shape().equals(expected)) {
            throw new ShapeException("col2im: columns " + shape() + " do not match " + expected + " for image ["
                    + w.n() + ", " + channels + ", " + height + ", " + width + "] and " + k);
        }
        Shape out = Shape.of(w.n(), channels, height, width);
        Storage dst = backend().allocate(DType.F32, out.numel());
        if (numel() > 0) {
            backend().col2im(storage, layout, w, dst);
        }
        return new Tensor(dst, Layout.contiguous(out));
    }

    /**
     * 2-D convolution (cross-correlation, no bias) of this [n, c, h, w] batch with {@code weight}
     * [o, c, kh, kw] → [n, o, outH, outW]. The CPU backend convolves few-tap windows (c·kh·kw ≤ 32,
     * unit stride and dilation) directly and others through im2col and one GEMM.
     */
    public Tensor conv2d(Tensor weight, Kernel2d k) {
        Window2d w = window("conv2d", k);
        int o = convWeightChannels("conv2d", weight, w);
        Shape out = Shape.of(w.n(), o, w.outH(), w.outW());
        Storage dst = backend().allocate(DType.F32, out.numel());
        if (out.numel() > 0 && w.c() > 0) {
            backend().conv2d(storage, layout, w, weight.storage, weight.layout, o, dst);
        }
        return new Tensor(dst, Layout.contiguous(out));
    }

    /**
     * The weight gradient of {@link #conv2d} with this batch as its input: {@code gy} [n, o, outH, outW]
     * is the output gradient; the result has {@code weightShape} [o, c, kh, kw].
     */
    public Tensor conv2dWeightGrad(Tensor gy, Kernel2d k, Shape weightShape) {
        Window2d w = window("conv2dWeightGrad", k);
        if (weightShape.rank() != 4 || weightShape.dim(1) != w.c() || weightShape.dim(2) != k.kh()
                || weightShape.dim(3) != k.kw()) {
            throw new ShapeException("conv2dWeightGrad: weight shape " + weightShape + " does not match input channels "
                    + w.c() + " and window " + k.kh() + "x" + k.kw());
        }
        int o = weightShape.dim(0);
        Shape expected = Shape.of(w.n(), o, w.outH(), w.outW());
        gy.requireDType("conv2dWeightGrad", DType.F32);
        if (!gy.shape().equals(expected)) {
            throw new ShapeException("conv2dWeightGrad: output gradient " + gy.shape() + " must be " + expected);
        }
        requireSameDevice("conv2dWeightGrad", gy);
        Storage dst = backend().allocate(DType.F32, weightShape.numel());
        if (weightShape.numel() > 0 && expected.numel() > 0) {
            backend().conv2dWeightGrad(storage, layout, w, gy.storage, gy.layout, o, dst);
        }
        return new Tensor(dst, Layout.contiguous(weightShape));
    }

    private int convWeightChannels(String op, Tensor weight, Window2d w) {
        weight.requireDType(op, DType.F32);
        requireSameDevice(op, weight);
        if (weight.rank() != 4 || weight.dim(1) != w.c() || weight.dim(2) != w.kh() || weight.dim(3) != w.kw()) {
            throw new ShapeException(op + ": weight " + weight.shape() + " must be [o, " + w.c() + ", " + w.kh() + ", "
                    + w.kw() + "] for input " + shape());
        }
        return weight.dim(0);
    }

    /**
     * The gradient of {@link #maxPool2d} with this tensor as the pooled gradient [n, c, outH, outW]:
     * each value is added at its window's argmax ({@code argmax}, I32 of the same shape, flat indices
     * within an input plane) in a zeroed tensor of {@code inputShape} [n, c, h, w].
     */
    public Tensor maxPool2dBackward(Tensor argmax, Shape inputShape) {
        requireDType("maxPool2dBackward", DType.F32);
        argmax.requireDType("maxPool2dBackward", DType.I32);
        requireSameDevice("maxPool2dBackward", argmax);
        if (rank() != 4 || inputShape.rank() != 4 || !argmax.shape().equals(shape()) || dim(0) != inputShape.dim(0)
                || dim(1) != inputShape.dim(1)) {
            throw new ShapeException("maxPool2dBackward: gradient " + shape() + " and argmax " + argmax.shape()
                    + " must be the same [n, c, outH, outW] as the input " + inputShape + " pooled");
        }
        int planes = dim(0) * dim(1);
        int inPlane = inputShape.dim(2) * inputShape.dim(3);
        Storage dst = backend().allocate(DType.F32, inputShape.numel());
        if (inputShape.numel() > 0) {
            backend().maxPool2dBackward(storage, layout, argmax.storage, argmax.layout, planes, inPlane,
                    dim(2) * dim(3), dst);
        }
        return new Tensor(dst, Layout.contiguous(inputShape));
    }

    /** Max pooling of [n, c, h, w]: values [n, c, outH, outW] and argmax as flat indices within each input plane. */
    public IndexedValues maxPool2d(Kernel2d k) {
        Window2d w = poolWindow("maxPool2d", k);
        Shape out = Shape.of(w.n(), w.c(), w.outH(), w.outW());
        Storage values = backend().allocate(DType.F32, out.numel());
        Storage argmax = backend().allocate(DType.I32, out.numel());
        if (out.numel() > 0) {
            backend().maxPool2d(storage, layout, w, values, argmax);
        }
        return new IndexedValues(new Tensor(values, Layout.contiguous(out)), new Tensor(argmax, Layout.contiguous(out)));
    }

    /** Average pooling of [n, c, h, w] into [n, c, outH, outW]. */
    public Tensor avgPool2d(Kernel2d k, boolean countIncludePad) {
        Window2d w = poolWindow("avgPool2d", k);
        Shape out = Shape.of(w.n(), w.c(), w.outH(), w.outW());
        Storage dst = backend().allocate(DType.F32, out.numel());
        if (out.numel() > 0) {
            backend().avgPool2d(storage, layout, w, countIncludePad, dst);
        }
        return new Tensor(dst, Layout.contiguous(out));
    }

    /** Gradient of {@link #avgPool2d} for an input of {@code inputShape}, given this output gradient. */
    public Tensor avgPool2dBackward(Shape inputShape, Kernel2d k, boolean countIncludePad) {
        requireDType("avgPool2dBackward", DType.F32);
        if (inputShape.rank() != 4) {
            throw ShapeException.rank("avgPool2dBackward", "an input shape", 4, inputShape);
        }
        requireNoDilation("avgPool2dBackward", k);
        requirePoolPadding("avgPool2dBackward", k);
        Window2d w = new Window2d(inputShape.dim(0), inputShape.dim(1), inputShape.dim(2), inputShape.dim(3),
                k.kh(), k.kw(), k.strideH(), k.strideW(), k.padH(), k.padW(), k.dilH(), k.dilW());
        checkWindowFits("avgPool2dBackward", w);
        Shape expected = Shape.of(w.n(), w.c(), w.outH(), w.outW());
        if (!shape().equals(expected)) {
            throw ShapeException.mismatch("avgPool2dBackward (gradient vs pooled shape)", shape(), expected);
        }
        Storage dst = backend().allocate(DType.F32, inputShape.numel());
        if (numel() > 0) {
            backend().avgPool2dBackward(storage, layout, w, countIncludePad, dst);
        }
        return new Tensor(dst, Layout.contiguous(inputShape));
    }

    private Window2d window(String op, Kernel2d k) {
        requireDType(op, DType.F32);
        if (rank() != 4) {
            throw ShapeException.rank(op, "an NCHW image batch", 4, shape());
        }
        Window2d w = new Window2d(dim(0), dim(1), dim(2), dim(3), k.kh(), k.kw(), k.strideH(), k.strideW(),
                k.padH(), k.padW(), k.dilH(), k.dilW());
        checkWindowFits(op, w);
        return w;
    }

    private Window2d poolWindow(String op, Kernel2d k) {
        requireNoDilation(op, k);
        Window2d w = window(op, k);
        requirePoolPadding(op, k);
        return w;
    }

    /** A padding above half the window would leave windows entirely in the padding (PyTorch rejects it too). */
    private static void requirePoolPadding(String op, Kernel2d k) {
        if (k.padH() * 2 > k.kh() || k.padW() * 2 > k.kw()) {
            throw new ShapeException(op + ": padding " + k.padH() + "x" + k.padW() + " must be at most half the window "
                    + k.kh() + "x" + k.kw());
        }
    }

    private static void requireNoDilation(String op, Kernel2d k) {
        if (k.dilH() != 1 || k.dilW() != 1) {
            throw new ShapeException(op + ": dilation " + k.dilH() + "x" + k.dilW() + " is not supported for pooling; use 1x1");
        }
    }

    private static void checkWindowFits(String op, Window2d w) {
        long spanH = (long) w.dilH() * (w.kh() - 1) + 1;
        long spanW = (long) w.dilW() * (w.kw() - 1) + 1;
        if (spanH > w.h() + 2L * w.padH() || spanW > w.w() + 2L * w.padW()) {
            throw new ShapeException(op + ": window " + spanH + "x" + spanW + " (with dilation) is larger than the padded input "
                    + (w.h() + 2L * w.padH()) + "x" + (w.w() + 2L * w.padW()));
        }
    }

    // ==== checks and printing ===================================================================

    private void requireDType(String op, DType expected) {
        if (dtype() != expected) {
            throw DTypeException.expected(op, expected, this);
        }
    }

    private void requireSameDevice(String op, Tensor other) {
        if (!device().equals(other.device())) {
            throw new DeviceMismatchException(op, device(), other.device());
        }
    }

    private static void requireFinite(String op, String what, float value) {
        if (!Float.isFinite(value)) {
            throw new IllegalArgumentException(op + ": " + what + " = " + value + " must be finite");
        }
    }

    /** Shape, dtype, device and up to 8 leading values, e.g. {@code Tensor[2, 3] F32 cpu [0.1, 0.2, ...]}. */
    @Override
    public String toString() {
        return TensorFormat.describe(this);
    }
}

package dev.shears.sparse;

import dev.shears.sparse.cpu.ArmorKernel;
import dev.shears.sparse.cpu.BlockDiagMatmulKernel;
import dev.shears.sparse.cpu.Spmm24Kernel;
import dev.shears.sparse.cpu.SpmmBitmapKernel;
import dev.shears.sparse.cpu.SpmmCsrKernel;
import dev.shears.tensor.DType;
import dev.shears.tensor.DTypeException;
import dev.shears.tensor.Device;
import dev.shears.tensor.DeviceMismatchException;
import dev.shears.tensor.Shape;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;
import dev.shears.tensor.cpu.CpuStorage;
import java.util.Arrays;

/**
 * The products a sparse linear layer needs, on the CPU, for every {@link SparseMatrix} format
 * (the kernels of {@code dev.shears.sparse.cpu}, chosen by the format):
 * <ul>
 *   <li>{@link #linear}: {@code y = x·Wᵀ + bias}, {@code [..., in] -> [..., out]};</li>
 *   <li>{@link #spmmTransposed}: {@code dX = dY·W}, {@code [..., out] -> [..., in]}, its input gradient;</li>
 *   <li>{@link #sddmm}: {@code dW = dYᵀ·X} at the stored positions only, the gradient of the stored
 *       values, in the format's value order and shape ({@link #values});</li>
 *   <li>{@link #armor}: the fused ARMOR product {@code y = x·(A·S·B)ᵀ + bias}.</li>
 * </ul>
 * A {@link BlockDiagonal} D is a weight like the others: {@code linear(x, d, null)} applies
 * {@code x·Dᵀ}, {@code spmmTransposed(x, d)} applies {@code x·D} and {@code sddmm(d, dy, x)} is the
 * gradient of its blocks.
 *
 * <p>Dense operands are F32 CPU tensors of any layout (non-contiguous ones are copied); leading
 * axes are flattened into one batch axis and restored in the result. Results are new tensors.
 * Arguments are checked before any work: {@link ShapeException} names the shapes and the weight,
 * {@link DTypeException} the dtype, {@link DeviceMismatchException} a tensor that is not on the
 * CPU (formats live on the CPU).
 */
public final class SparseOps {
    private SparseOps() {}

    /** One kernel call on row-major arrays: {@code n} batch rows in, {@code out} written. */
    @FunctionalInterface
    private interface Product {
        void run(int n, float[] in, float[] out);
    }

    // ==== products ==============================================================================

    /**
     * {@code y = x·Wᵀ + bias}, as {@code Linear} with weight {@code toDense(w)}.
     *
     * @param x    F32 {@code [..., in]} with {@code in = w.cols()}
     * @param w    the weight {@code [out, in]}
     * @param bias F32 {@code [out]}, or null
     * @return F32 {@code [..., out]}
     */
    public static Tensor linear(Tensor x, SparseMatrix w, Tensor bias) {
        return linear(x, w, values(w), bias);
    }

    /**
     * {@code linear(x, withValues(pattern, values), bias)} without building that matrix: the values
     * are read where they are, neither copied nor checked for finiteness (a dense product does not
     * check its weights either). This is the per-call product of a layer whose values are a
     * trainable parameter and change between calls.
     *
     * @param values F32 of {@link #values}{@code (pattern)}'s shape
     */
    public static Tensor linear(Tensor x, SparseMatrix pattern, Tensor values, Tensor bias) {
        String op = "SparseOps.linear";
        requireLastDim(op, "x", x, pattern.cols(), "in", pattern);
        requireBias(op, bias, pattern);
        float[] v = valuesOf(op, pattern, values);
        return withBias(product(x, pattern.rows(), (n, in, out) -> forward(pattern, v, n, in, out)), bias);
    }

    /**
     * {@code dX = dY·W}, the input gradient of {@link #linear}.
     *
     * @param dy F32 {@code [..., out]} with {@code out = w.rows()}
     * @return F32 {@code [..., in]}
     */
    public static Tensor spmmTransposed(Tensor dy, SparseMatrix w) {
        return spmmTransposed(dy, w, values(w));
    }

    /** {@link #spmmTransposed(Tensor, SparseMatrix)} for {@code pattern} holding {@code values}, read in place as {@link #linear(Tensor, SparseMatrix, Tensor, Tensor)} does. */
    public static Tensor spmmTransposed(Tensor dy, SparseMatrix pattern, Tensor values) {
        String op = "SparseOps.spmmTransposed";
        requireLastDim(op, "dy", dy, pattern.rows(), "out", pattern);
        float[] v = valuesOf(op, pattern, values);
        return product(dy, pattern.cols(), (n, in, out) -> transposed(pattern, v, n, in, out));
    }

    /**
     * The gradient of {@link #linear} with respect to the stored values: entry {@code (r, c)} of
     * {@code dYᵀ·X} for every stored position, summed over the batch, laid out as {@link #values}.
     *
     * @param dy F32 {@code [..., out]}
     * @param x  F32 {@code [..., in]} with the same leading axes as {@code dy}
     * @return F32 of {@code values(w)}'s shape
     */
    public static Tensor sddmm(SparseMatrix w, Tensor dy, Tensor x) {
        String op = "SparseOps.sddmm";
        requireLastDim(op, "dy", dy, w.rows(), "out", w);
        requireLastDim(op, "x", x, w.cols(), "in", w);
        Shape lead = leading(dy.shape());
        if (!lead.equals(leading(x.shape()))) {
            throw new ShapeException(op + ": dy " + dy.shape() + " and x " + x.shape()
                    + " must have the same leading (batch) axes");
        }
        int n = lead.numel();
        float[] dValues = new float[w.nnz()];
        sddmm(w, n, floats(dy), floats(x), dValues);
        return Tensor.adopt(dValues, values(w).shape().dims());
    }

    /**
     * The ARMOR layer's product {@code y = x·(A·S·B)ᵀ + bias} in one fused pass that never builds
     * the dense weight: x goes through {@code Bᵀ}, the 2:4 core and {@code Aᵀ} in turn.
     *
     * @param x    F32 {@code [..., in]}, {@code in = s.cols() = b.rows()}
     * @param a    block-diagonal {@code [out, out]}, {@code out = s.rows()}
     * @param s    the 2:4 core {@code [out, in]}
     * @param b    block-diagonal {@code [in, in]} with A's block size
     * @param bias F32 {@code [out]}, or null
     * @return F32 {@code [..., out]}
     */
    public static Tensor armor(Tensor x, BlockDiagonal a, SemiStructured24 s, BlockDiagonal b, Tensor bias) {
        return armor(x, a, s, s.values(), b, bias, a.blocks(), b.blocks());
    }

    /**
     * {@link #armor(Tensor, BlockDiagonal, SemiStructured24, BlockDiagonal, Tensor)} with A's, the
     * core's and B's values read in place from {@code a}, {@code coreValues} and {@code b} (as
     * {@link #linear(Tensor, SparseMatrix, Tensor, Tensor)} does); {@code aPattern}, {@code core}
     * and {@code bPattern} give only the structure.
     */
    public static Tensor armor(Tensor x, BlockDiagonal aPattern, SemiStructured24 core, Tensor coreValues,
            BlockDiagonal bPattern, Tensor bias, Tensor a, Tensor b) {
        String op = "SparseOps.armor";
        checkArmor(op, aPattern, core, bPattern);
        requireLastDim(op, "x", x, core.cols(), "in", core);
        requireBias(op, bias, core);
        float[] av = valuesOf(op, aPattern, a);
        float[] sv = valuesOf(op, core, coreValues);
        float[] bv = valuesOf(op, bPattern, b);
        return withBias(product(x, core.rows(), (n, in, out) -> ArmorKernel.run(n, core.rows(), core.cols(),
                aPattern.blockSize(), av, sv, core.laneMasks(), bv, in, 0, out, 0, false)), bias);
    }

    /**
     * Checks that A, S and B compose into an ARMOR weight {@code A·S·B} of shape {@code [out, in]}:
     * A is {@code [out, out]}, B {@code [in, in]}, both with the same block size (the fused kernel
     * takes one).
     *
     * @param op the operation named in the message
     * @throws ShapeException naming the three matrices
     */
    public static void checkArmor(String op, BlockDiagonal a, SemiStructured24 s, BlockDiagonal b) {
        if (a.rows() != s.rows() || b.cols() != s.cols()) {
            throw new ShapeException(op + ": A " + a + " and B " + b + " must be [out, out] and [in, in] for the core "
                    + s + " (out = " + s.rows() + ", in = " + s.cols() + ")");
        }
        if (a.blockSize() != b.blockSize()) {
            throw new ShapeException(op + ": A's block size " + a.blockSize() + " differs from B's " + b.blockSize()
                    + "; ARMOR uses one block size for both");
        }
    }

    // ==== values ================================================================================

    /**
     * The stored values in the format's order and shape, which {@link #sddmm} and
     * {@link #withValues} share: F32 {@code [rows, cols/2]} for 2:4, {@code [nnz]} for CSR and
     * bitmap, {@code [blockCount, blockSize, blockSize]} for block-diagonal (shared: do not write).
     */
    public static Tensor values(SparseMatrix w) {
        return switch (w) {
            case SemiStructured24 s -> s.values();
            case CsrMatrix c -> c.values();
            case BitmapMatrix b -> b.values();
            case BlockDiagonal d -> d.blocks();
        };
    }

    /**
     * {@code w}'s structure with new values (each format's own {@code withValues}).
     *
     * @param values F32 of {@link #values}'s shape, finite
     */
    public static SparseMatrix withValues(SparseMatrix w, Tensor values) {
        return switch (w) {
            case SemiStructured24 s -> s.withValues(values);
            case CsrMatrix c -> c.withValues(values);
            case BitmapMatrix b -> b.withValues(values);
            case BlockDiagonal d -> d.withValues(values);
        };
    }

    // ==== dispatch ==============================================================================

    /** y = x·Wᵀ for W = {@code w}'s structure holding the values {@code v} (laid out as {@link #values}). */
    private static void forward(SparseMatrix w, float[] v, int n, float[] x, float[] y) {
        int m = w.rows();
        int k = w.cols();
        switch (w) {
            case SemiStructured24 s -> Spmm24Kernel.run(n, m, k, v, s.laneMasks(), x, 0, y, 0, false);
            case BitmapMatrix b -> SpmmBitmapKernel.run(n, m, k, v, b.laneMasks(), b.rowOffsetsArray(), x, 0, y, 0, false);
            case CsrMatrix c when c.hasShortIndices() -> SpmmCsrKernel.run(n, m, k, c.rowPtrArray(), c.colIdx16(), v,
                    x, 0, y, 0, false);
            case CsrMatrix c -> SpmmCsrKernel.run(n, m, k, c.rowPtrArray(), c.colIdx32(), v, x, 0, y, 0, false);
            case BlockDiagonal d -> BlockDiagMatmulKernel.run(n, d.blockCount(), d.blockSize(), v, x, 0, y, 0, false);
        }
    }

    /** dx = dy·W, W as for {@link #forward}. */
    private static void transposed(SparseMatrix w, float[] v, int n, float[] dy, float[] dx) {
        int m = w.rows();
        int k = w.cols();
        switch (w) {
            case SemiStructured24 s -> Spmm24Kernel.runTransposed(n, m, k, v, s.laneMasks(), dy, 0, dx, 0, false);
            case BitmapMatrix b -> SpmmBitmapKernel.runTransposed(n, m, k, v, b.laneMasks(), b.rowOffsetsArray(),
                    dy, 0, dx, 0, false);
            case CsrMatrix c when c.hasShortIndices() -> SpmmCsrKernel.runTransposed(n, m, k, c.rowPtrArray(),
                    c.colIdx16(), v, dy, 0, dx, 0, false);
            case CsrMatrix c -> SpmmCsrKernel.runTransposed(n, m, k, c.rowPtrArray(), c.colIdx32(), v, dy, 0, dx, 0,
                    false);
            case BlockDiagonal d -> BlockDiagMatmulKernel.runTransposed(n, d.blockCount(), d.blockSize(), v, dy, 0, dx,
                    0, false);
        }
    }

    /** The row-major floats of {@code values}, which must be F32 of {@link #values}{@code (pattern)}'s shape. */
    private static float[] valuesOf(String op, SparseMatrix pattern, Tensor values) {
        requireCpuF32(op, "values", values);
        Shape expected = values(pattern).shape();
        if (!values.shape().equals(expected)) {
            throw new ShapeException(op + ": values " + values.shape() + " must be " + expected + " for " + pattern);
        }
        return floats(values);
    }

    private static void sddmm(SparseMatrix w, int n, float[] dy, float[] x, float[] dValues) {
        int m = w.rows();
        int k = w.cols();
        switch (w) {
            case SemiStructured24 s -> Spmm24Kernel.sddmm(n, m, k, s.laneMasks(), dy, 0, x, 0, dValues, false);
            case BitmapMatrix b -> SpmmBitmapKernel.sddmm(n, m, k, b.laneMasks(), b.rowOffsetsArray(), dy, 0, x, 0,
                    dValues, false);
            case CsrMatrix c when c.hasShortIndices() -> SpmmCsrKernel.sddmm(n, m, k, c.rowPtrArray(), c.colIdx16(),
                    dy, 0, x, 0, dValues, false);
            case CsrMatrix c -> SpmmCsrKernel.sddmm(n, m, k, c.rowPtrArray(), c.colIdx32(), dy, 0, x, 0, dValues,
                    false);
            case BlockDiagonal d -> BlockDiagMatmulKernel.gradient(n, d.blockCount(), d.blockSize(), dy, 0, x, 0,
                    dValues, false);
        }
    }

    // ==== helpers ===============================================================================

    /** Runs {@code p} on {@code in [..., k]} flattened to rows, into a new {@code [..., outCols]}. */
    private static Tensor product(Tensor in, int outCols, Product p) {
        Shape lead = leading(in.shape());
        int[] outShape = Arrays.copyOf(lead.dims(), lead.rank() + 1);
        outShape[lead.rank()] = outCols;
        float[] out = new float[Shape.of(outShape).numel()]; // throws naming the shape if it overflows an int
        p.run(lead.numel(), floats(in), out);
        return Tensor.adopt(out, outShape);
    }

    /**
     * {@code y + bias} in place. Added after the product, not accumulated into it, so the result
     * is the rounded product plus the bias, as for a dense {@code Linear}, whatever order a kernel sums in.
     */
    private static Tensor withBias(Tensor y, Tensor bias) {
        return bias == null ? y : y.addi(bias);
    }

    /** Requires an F32 CPU tensor of rank >= 1 whose last axis is {@code size} ({@code what} of {@code w}). */
    private static void requireLastDim(String op, String name, Tensor t, int size, String what, SparseMatrix w) {
        requireCpuF32(op, name, t);
        if (t.rank() < 1) {
            throw new ShapeException(op + ": " + name + " must have rank >= 1 ([..., " + what + "]), got shape "
                    + t.shape());
        }
        if (t.dim(-1) != size) {
            throw new ShapeException(op + ": " + name + " " + t.shape() + " must end in the weight's " + what
                    + " = " + size + ", got " + t.dim(-1) + " (weight " + w + ")");
        }
    }

    /** Requires a null bias or an F32 CPU {@code [out]}. */
    private static void requireBias(String op, Tensor bias, SparseMatrix w) {
        if (bias == null) {
            return;
        }
        requireCpuF32(op, "bias", bias);
        if (bias.rank() != 1 || bias.dim(0) != w.rows()) {
            throw new ShapeException(op + ": bias " + bias.shape() + " must be [" + w.rows() + "] (the weight's out)"
                    + " for weight " + w);
        }
    }

    private static void requireCpuF32(String op, String name, Tensor t) {
        if (!t.device().equals(Device.CPU)) {
            throw new DeviceMismatchException(op + " (" + name + " " + t.shape() + "; sparse formats live on the CPU)",
                    t.device(), Device.CPU);
        }
        if (t.dtype() != DType.F32) {
            throw DTypeException.expected(op + " (" + name + ")", DType.F32, t);
        }
    }

    /** Every axis but the last. */
    private static Shape leading(Shape s) {
        return Shape.of(Arrays.copyOf(s.dims(), s.rank() - 1));
    }

    /**
     * The row-major elements of an F32 CPU tensor: its own array when it is contiguous from offset
     * 0 (kernels only read it), else a copy.
     */
    private static float[] floats(Tensor t) {
        return ((CpuStorage) t.contiguous().storage()).floats();
    }
}

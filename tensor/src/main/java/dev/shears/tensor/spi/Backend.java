package dev.shears.tensor.spi;

import dev.shears.tensor.DType;
import dev.shears.tensor.Device;
import dev.shears.tensor.Layout;

/**
 * The primitives a device implements. Shape checks, broadcasting and output allocation happen in
 * {@code Tensor}; a backend receives storages with layouts that already agree, writes into the
 * destination it is given, and may assume every argument is valid. Input layouts may be
 * arbitrary strided views (including stride-0 broadcast axes); destinations given as
 * {@code Storage} alone are contiguous from element 0.
 */
public interface Backend {
    Device device();

    // ---- memory ------------------------------------------------------------------------------

    /** A zero-filled storage of {@code size} elements. */
    Storage allocate(DType dtype, int size);

    /** A storage holding {@code data} (F32); the backend may keep the array, so callers pass a fresh one. */
    Storage fromFloats(float[] data);

    /** A storage holding {@code data} as I32 (same ownership rule). */
    Storage fromInts(int[] data);

    /** A storage holding {@code data} as U8 (same ownership rule). */
    Storage fromBytes(byte[] data);

    /** The elements of {@code layout} in row-major order, converted to float. */
    float[] readFloats(Storage src, Layout layout);

    /** The elements of {@code layout} in row-major order, converted to int (F32 truncates toward zero). */
    int[] readInts(Storage src, Layout layout);

    /** Copies (and converts between dtypes) element-wise from one view to another of the same shape. */
    void copy(Storage src, Layout srcLayout, Storage dst, Layout dstLayout);

    /** Sets every element of the view to {@code value} (converted to the storage's dtype). */
    void fill(Storage dst, Layout layout, float value);

    // ---- element-wise (F32) ------------------------------------------------------------------

    void unary(UnaryOp op, float p0, float p1, Storage src, Layout srcLayout, Storage dst, Layout dstLayout);

    /**
     * {@code dst = grad · op'(x)}, the backward pass of a unary function in one pass; x, grad and
     * dst have one shape. Only {@code GELU_ERF}, {@code GELU_TANH} and {@code SILU}.
     */
    void unaryGrad(UnaryOp op, Storage x, Layout xLayout, Storage grad, Layout gradLayout, Storage dst, Layout dstLayout);

    /**
     * Exact GELU of {@code x} into contiguous {@code y}, keeping Φ(x) (the normal CDF) in contiguous
     * {@code cdf} for {@link #geluGradFromCdf}; y has the bits of {@code unary(GELU_ERF)}.
     */
    void geluWithCdf(Storage x, Layout xLayout, Storage y, Storage cdf);

    /**
     * {@code dst = grad · (Φ(x) + x·φ(x))} with Φ(x) from {@link #geluWithCdf} ({@code cdf}
     * contiguous, x and grad of its shape): {@code unaryGrad(GELU_ERF)}'s bits without the erf.
     */
    void geluGradFromCdf(Storage x, Layout xLayout, Storage cdf, Storage grad, Layout gradLayout, Storage dst);

    /** {@code dst = a op b}; all three layouts have the output shape (inputs already broadcast). */
    void binary(BinaryOp op, Storage a, Layout aLayout, Storage b, Layout bLayout, Storage dst, Layout dstLayout);

    /** {@code dst (U8) = a op b}; layouts as for {@link #binary}. */
    void compare(CompareOp op, Storage a, Layout aLayout, Storage b, Layout bLayout, Storage dst, Layout dstLayout);

    /** {@code dst = cond != 0 ? a : b}; cond is U8, all layouts have the output shape. */
    void where(Storage cond, Layout condLayout, Storage a, Layout aLayout, Storage b, Layout bLayout,
               Storage dst, Layout dstLayout);

    // ---- reductions --------------------------------------------------------------------------

    /**
     * Reduces {@code axes} (sorted, distinct, non-negative) of {@code src}; {@code dst} is
     * contiguous with the kept axes in order. {@code op} is SUM, MAX or MIN.
     */
    void reduce(ReduceOp op, Storage src, Layout srcLayout, int[] axes, Storage dst);

    /** ARGMAX/ARGMIN along one axis into an I32 {@code dst} (the axis removed, contiguous). */
    void argReduce(ReduceOp op, Storage src, Layout srcLayout, int axis, Storage dst);

    /** Softmax (or log-softmax) along {@code axis} into contiguous {@code dst}. */
    void softmax(Storage src, Layout srcLayout, int axis, boolean log, Storage dst);

    /**
     * Layer normalisation over the last {@code n} elements of each row of {@code x} (rows =
     * numel / n): {@code y = (x - mean)·rstd ⊙ weight + bias} into contiguous {@code y}, with each
     * row's mean and rstd = 1/√(biased variance + eps) into contiguous {@code mean} and {@code rstd}.
     * {@code weight} and {@code bias} are [n] contiguous from element 0, or null.
     */
    void layerNorm(Storage x, Layout xLayout, int n, Storage weight, Storage bias, float eps, Storage y, Storage mean,
                   Storage rstd);

    /**
     * The gradients of {@link #layerNorm} for the output gradient {@code g} (x's shape, any
     * layout): dx into contiguous {@code dx}, and Σ over rows of g ⊙ x̂ and of g into {@code dWeight}
     * and {@code dBias} ([n]; each may be null).
     */
    void layerNormBackward(Storage g, Layout gLayout, Storage x, Layout xLayout, int n, Storage weight, Storage mean,
                           Storage rstd, Storage dx, Storage dWeight, Storage dBias);

    // ---- linear algebra ----------------------------------------------------------------------

    /**
     * Batched matrix product: a [batch, m, k] · b [batch, k, n] into contiguous c [batch, m, n];
     * a and b may be any strided views (transposes and stride-0 batch broadcast included).
     */
    void matmul(Storage a, Layout aLayout, Storage b, Layout bLayout, Storage c, int batch, int m, int n, int k);

    /**
     * Fused causal attention ({@code dev.shears.tensor.FusedAttention}): q [B, Hq, T, D], k and v
     * [B, Hkv, S, D] (any strided views, Hkv dividing Hq, T <= S), query t at position S - T + t
     * seeing keys 0 .. S - T + t. Writes {@code out} (shape of q, a layout whose last stride is 1)
     * and the attention weights {@code probs} [B, Hq, T, S] (contiguous, zero where masked).
     */
    void causalAttention(Storage q, Layout qLayout, Storage k, Layout kLayout, Storage v, Layout vLayout, float scale,
                         Storage out, Layout outLayout, Storage probs);

    /**
     * The gradients of {@link #causalAttention} for the output gradient {@code g} (shape of q, any
     * layout) and its saved {@code probs}: dq (shape of q), dk and dv (shape of k), each written
     * whole through a layout whose last stride is 1.
     */
    void causalAttentionBackward(Storage g, Layout gLayout, Storage q, Layout qLayout, Storage k, Layout kLayout,
                                 Storage v, Layout vLayout, Storage probs, float scale, Storage dq, Layout dqLayout,
                                 Storage dk, Layout dkLayout, Storage dv, Layout dvLayout);

    // ---- indexing ----------------------------------------------------------------------------

    /** out[.., j, ..] = src[.., index[.., j, ..], ..] along {@code axis}; index I32 in range; dst contiguous. */
    void gather(Storage src, Layout srcLayout, int axis, Storage index, Layout indexLayout, Storage dst);

    /** Selects entries {@code index} (1-D I32, in range) along {@code axis}; dst contiguous. */
    void indexSelect(Storage src, Layout srcLayout, int axis, Storage index, Layout indexLayout, Storage dst);

    /** dst[.., index[.., j, ..], ..] += src[.., j, ..] along {@code axis}; dst contiguous, updated in place. */
    void scatterAdd(Storage dst, Layout dstLayout, int axis, Storage index, Layout indexLayout, Storage src, Layout srcLayout);

    /** dst[.., index[j], ..] += src[.., j, ..] along {@code axis}; dst contiguous, updated in place. */
    void indexAdd(Storage dst, Layout dstLayout, int axis, Storage index, Layout indexLayout, Storage src, Layout srcLayout);

    // ---- selection ---------------------------------------------------------------------------

    /** The k-th smallest (0-based) of all elements, in O(n). */
    float kthSmallest(Storage src, Layout srcLayout, int k);

    /** k-th smallest along {@code axis}: values (F32) and indices (I32), the axis removed, contiguous. */
    void kthSmallestAlong(Storage src, Layout srcLayout, int axis, int k, Storage values, Storage indices);

    /** The k largest (or smallest) along {@code axis}: values and indices with that axis of size k. */
    void topk(Storage src, Layout srcLayout, int axis, int k, boolean largest, boolean sorted,
              Storage values, Storage indices);

    // ---- convolution and pooling (NCHW) ------------------------------------------------------

    /**
     * [n, c, h, w] to columns [n, c·kh·kw, outH·outW], stored in that order, or with
     * {@code batchInColumns} in the order [c·kh·kw, n, outH·outW] (one GEMM for the whole batch).
     */
    void im2col(Storage src, Layout srcLayout, Window2d window, boolean batchInColumns, Storage dst);

    /** The adjoint of im2col: columns [n, c·kh·kw, outH·outW] summed into [n, c, h, w]. */
    void col2im(Storage cols, Layout colsLayout, Window2d window, Storage dst);

    /**
     * Convolution (cross-correlation) of x [n, c, h, w] with weight [o, c, kh, kw] into
     * y [n, o, outH, outW], no bias.
     */
    void conv2d(Storage x, Layout xLayout, Window2d window, Storage weight, Layout weightLayout, int outChannels,
                Storage y);

    /** The weight gradient of {@link #conv2d} for the output gradient gy [n, o, outH, outW], into dw [o, c, kh, kw]. */
    void conv2dWeightGrad(Storage x, Layout xLayout, Window2d window, Storage gy, Layout gyLayout, int outChannels,
                          Storage dw);

    /** Max pooling into values [n, c, outH, outW] and I32 argmax (flat index within the input plane). */
    void maxPool2d(Storage src, Layout srcLayout, Window2d window, Storage values, Storage argmax);

    /**
     * The max-pooling gradient: {@code planes} input planes of {@code inPlane} elements zeroed, then
     * gradOut [planes, outPlane] added at argmax (I32, same layout as gradOut's shape, indices within a plane).
     */
    void maxPool2dBackward(Storage gradOut, Layout gradOutLayout, Storage argmax, Layout argmaxLayout, int planes,
                           int inPlane, int outPlane, Storage gradIn);

    /** Average pooling into [n, c, outH, outW]. */
    void avgPool2d(Storage src, Layout srcLayout, Window2d window, boolean countIncludePad, Storage dst);

    /** Gradient of {@link #avgPool2d} with respect to its input, [n, c, h, w]. */
    void avgPool2dBackward(Storage gradOut, Layout gradOutLayout, Window2d window, boolean countIncludePad, Storage gradIn);

    // ---- optimizer updates -------------------------------------------------------------------

    /**
     * One fused Adam/AdamW step ({@link AdamStep}) over {@code n} elements: updates {@code param},
     * {@code expAvg} and {@code expAvgSq} in place. Every operand is F32 and contiguous from its
     * offset; {@code mask} (0/1) may be null.
     */
    void adamStep(AdamStep step, int n, Storage param, int paramOffset, Storage grad, int gradOffset,
                  Storage mask, int maskOffset, Storage expAvg, int expAvgOffset, Storage expAvgSq, int expAvgSqOffset);
}

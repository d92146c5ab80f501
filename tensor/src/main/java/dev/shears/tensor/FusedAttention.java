package dev.shears.tensor;

import dev.shears.tensor.spi.Backend;
import dev.shears.tensor.spi.Storage;

/**
 * Causal scaled-dot-product attention as one kernel call per pass, run by the tensors' backend:
 * {@code out = softmax(scale·q·kᵀ + causal mask)·v} for every (batch, head), with grouped-query
 * heads and a key/value prefix (a KV cache). Equal, up to float rounding, to
 * {@code q.matmul(k.transpose(-2, -1)).mul(scale).add(mask).softmax(-1).matmul(v)}, but without a
 * mask or scores tensor and without a GEMM per head.
 *
 * <p>Shapes: q [B, Hq, T, D], k and v [B, Hkv, S, D] with Hkv dividing Hq (query head h reads
 * key/value head {@code h / (Hq / Hkv)}) and T ≤ S; query t is at position {@code S - T + t} and
 * sees keys {@code 0 .. S - T + t}. Any strided views are accepted (a projection's
 * {@code reshape(b, t, h, d).permute(0, 2, 1, 3)} is read in place). The output and the gradients
 * are laid out [B, T, heads, D] in memory and returned as [B, heads, T, D] views of it, so
 * {@code out.permute(0, 2, 1, 3).reshape(b, t, heads·d)} is free.
 */
public final class FusedAttention {
    private FusedAttention() {}

    /** The output [B, Hq, T, D] and the attention weights [B, Hq, T, S] (contiguous) that the backward pass needs. */
    public record Result(Tensor out, Tensor probs) {}

    /**
     * Causal attention of q over k and v (shapes above).
     *
     * @throws ShapeException if the shapes do not fit together
     */
    public static Result causal(Tensor q, Tensor k, Tensor v, float scale) {
        check("FusedAttention.causal", q, k, v);
        int b = q.dim(0);
        int h = q.dim(1);
        int t = q.dim(2);
        int d = q.dim(3);
        int s = k.dim(2);
        Backend be = Backends.get(q.device());
        Tensor out = headsMiddle(be, b, h, t, d);
        Storage probs = be.allocate(DType.F32, size("FusedAttention.causal", b, h, t, s));
        be.causalAttention(q.storage(), q.layout(), k.storage(), k.layout(), v.storage(), v.layout(), scale,
                out.storage(), out.layout(), probs);
        return new Result(out, Tensor.wrap(probs, Layout.contiguous(Shape.of(b, h, t, s))));
    }

    /**
     * The gradients {dq, dk, dv} of {@link #causal} for the output gradient {@code g} (shape of q,
     * any layout) and the {@code probs} that call returned.
     */
    public static Tensor[] causalBackward(Tensor g, Tensor q, Tensor k, Tensor v, Tensor probs, float scale) {
        String op = "FusedAttention.causalBackward";
        check(op, q, k, v);
        if (!g.shape().equals(q.shape()) || g.dtype() != DType.F32 || !g.device().equals(q.device())) {
            throw new ShapeException(op + ": gradient " + g.shape() + " (" + g.dtype() + ") must be F32 of the query's "
                    + q.shape() + " on " + q.device());
        }
        Shape ps = Shape.of(q.dim(0), q.dim(1), q.dim(2), k.dim(2));
        if (!probs.shape().equals(ps) || !probs.isContiguous() || probs.dtype() != DType.F32
                || !probs.device().equals(q.device())) {
            throw new ShapeException(op + ": probs " + probs.shape() + " must be the contiguous " + ps
                    + " that FusedAttention.causal returned");
        }
        Backend be = Backends.get(q.device());
        Tensor dq = headsMiddle(be, q.dim(0), q.dim(1), q.dim(2), q.dim(3));
        Tensor dk = headsMiddle(be, k.dim(0), k.dim(1), k.dim(2), k.dim(3));
        Tensor dv = headsMiddle(be, k.dim(0), k.dim(1), k.dim(2), k.dim(3));
        Tensor p = probs.layout().offset() == 0 ? probs : probs.copy();
        be.causalAttentionBackward(g.storage(), g.layout(), q.storage(), q.layout(), k.storage(), k.layout(),
                v.storage(), v.layout(), p.storage(), scale, dq.storage(), dq.layout(), dk.storage(), dk.layout(),
                dv.storage(), dv.layout());
        return new Tensor[] {dq, dk, dv};
    }

    /**
     * The q, k and v views of a packed projection {@code qkv} [B, T, (Hq + 2·Hkv)·D] (query heads,
     * then key heads, then value heads along the last axis), each [B, heads, T, D]: no copy.
     */
    public static Tensor[] unpack(Tensor qkv, int heads, int kvHeads, int headDim) {
        if (qkv.rank() != 3 || heads < 1 || kvHeads < 1 || headDim < 1 || heads % kvHeads != 0
                || qkv.dim(2) != (long) (heads + 2 * kvHeads) * headDim) {
            throw new ShapeException("FusedAttention.unpack: " + qkv.shape() + " is not [B, T, (" + heads + " + 2·"
                    + kvHeads + ")·" + headDim + "]");
        }
        int b = qkv.dim(0);
        int t = qkv.dim(1);
        Tensor q = qkv.narrow(2, 0, heads * headDim).reshape(b, t, heads, headDim).permute(0, 2, 1, 3);
        Tensor k = qkv.narrow(2, heads * headDim, kvHeads * headDim).reshape(b, t, kvHeads, headDim)
                .permute(0, 2, 1, 3);
        Tensor v = qkv.narrow(2, (heads + kvHeads) * headDim, kvHeads * headDim).reshape(b, t, kvHeads, headDim)
                .permute(0, 2, 1, 3);
        return new Tensor[] {q, k, v};
    }

    /**
     * {@link #causalBackward} for q, k and v that are the {@link #unpack} views of one packed
     * projection: the three gradients are written into one fresh tensor of {@code qkv}'s shape
     * (contiguous), which is returned; no per-part gradient and no copy to combine them.
     */
    public static Tensor causalBackwardPacked(Tensor g, Tensor qkv, int heads, int kvHeads, int headDim, Tensor probs,
            float scale) {
        String op = "FusedAttention.causalBackwardPacked";
        Tensor[] qv = unpack(qkv, heads, kvHeads, headDim);
        Tensor q = qv[0];
        Tensor k = qv[1];
        Tensor v = qv[2];
        check(op, q, k, v);
        if (!g.shape().equals(q.shape()) || g.dtype() != DType.F32 || !g.device().equals(q.device())) {
            throw new ShapeException(op + ": gradient " + g.shape() + " must be F32 of the query's " + q.shape());
        }
        Shape ps = Shape.of(q.dim(0), q.dim(1), q.dim(2), k.dim(2));
        if (!probs.shape().equals(ps) || !probs.isContiguous() || probs.dtype() != DType.F32) {
            throw new ShapeException(op + ": probs " + probs.shape() + " must be the contiguous " + ps
                    + " that FusedAttention.causal returned");
        }
        Backend be = Backends.get(qkv.device());
        Tensor grad = Tensor.wrap(be.allocate(DType.F32, size(op, qkv.dim(0), qkv.dim(1), qkv.dim(2), 1)),
                Layout.contiguous(qkv.shape()));
        Tensor[] gv = unpack(grad, heads, kvHeads, headDim);
        Tensor p = probs.layout().offset() == 0 ? probs : probs.copy();
        be.causalAttentionBackward(g.storage(), g.layout(), q.storage(), q.layout(), k.storage(), k.layout(),
                v.storage(), v.layout(), p.storage(), scale, gv[0].storage(), gv[0].layout(), gv[1].storage(),
                gv[1].layout(), gv[2].storage(), gv[2].layout());
        return grad;
    }

    /** A fresh [b, h, t, d] tensor stored as [b, t, h, d]. */
    private static Tensor headsMiddle(Backend be, int b, int h, int t, int d) {
        Storage st = be.allocate(DType.F32, size("FusedAttention", b, t, h, d));
        Layout l = Layout.of(Shape.of(b, h, t, d), new int[] {t * h * d, d, h * d, 1}, 0);
        return Tensor.wrap(st, l);
    }

    private static int size(String op, int a, int b, int c, int d) {
        long n = (long) a * b * c * d;
        if (n > Integer.MAX_VALUE) {
            throw new ShapeException(op + ": " + a + " x " + b + " x " + c + " x " + d + " elements exceed "
                    + Integer.MAX_VALUE);
        }
        return (int) n;
    }

    private static void check(String op, Tensor q, Tensor k, Tensor v) {
        for (Tensor x : new Tensor[] {q, k, v}) {
            if (x.dtype() != DType.F32) {
                throw new DTypeException(op + ": q, k and v must be F32, got " + x.dtype());
            }
            if (!x.device().equals(q.device())) {
                throw new DeviceMismatchException(op, q.device(), x.device());
            }
        }
        boolean ok = q.rank() == 4 && k.rank() == 4 && k.shape().equals(v.shape()) && q.dim(0) == k.dim(0)
                && q.dim(3) == k.dim(3) && k.dim(1) >= 1 && q.dim(1) >= 1 && q.dim(1) % k.dim(1) == 0 && q.dim(2) <= k.dim(2);
        if (!ok) {
            throw new ShapeException(op + ": q " + q.shape() + " must be [B, Hq, T, D] and k " + k.shape() + ", v "
                    + v.shape() + " [B, Hkv, S, D] with Hkv dividing Hq and T <= S");
        }
        size(op, q.dim(0), q.dim(1), q.dim(2), k.dim(2));
    }
}

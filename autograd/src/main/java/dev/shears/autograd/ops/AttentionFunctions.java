package dev.shears.autograd.ops;

import dev.shears.autograd.Var;
import dev.shears.tensor.FusedAttention;
import dev.shears.tensor.Tensor;

/** Fused causal attention ({@link FusedAttention}) as one differentiable op. */
public final class AttentionFunctions {
    private AttentionFunctions() {}

    /**
     * {@code softmax(scale·q·kᵀ + causal mask)·v} for q [B, Hq, T, D] and k, v [B, Hkv, S, D]
     * (query t at position S - T + t sees keys up to it; query head h reads key/value head
     * h / (Hq / Hkv)). The output is a [B, Hq, T, D] view of a [B, T, Hq, D] tensor. Backward
     * gives dq, dk and dv from the attention weights kept by the forward pass; a key/value input
     * that does not require grad (a KV cache) gets none.
     */
    public static Var causalAttention(Var q, Var k, Var v, float scale) {
        FusedAttention.Result r = FusedAttention.causal(q.value(), k.value(), v.value(), scale);
        Tensor probs = r.probs();
        return Var.result("causalAttention", r.out(), g -> {
            Tensor[] grads = FusedAttention.causalBackward(g, q.value(), k.value(), v.value(), probs, scale);
            return new Tensor[] {
                q.requiresGrad() ? grads[0] : null,
                k.requiresGrad() ? grads[1] : null,
                v.requiresGrad() ? grads[2] : null};
        }, q, k, v);
    }

    /**
     * Causal self-attention over a packed projection {@code qkv} [B, T, (Hq + 2·Hkv)·D] (query,
     * key and value heads along the last axis, as one linear layer with the three weights stacked
     * produces them): {@link #causalAttention} of its {@link FusedAttention#unpack} views, whose
     * backward pass writes the three gradients straight into one gradient of {@code qkv}.
     */
    public static Var causalSelfAttentionPacked(Var qkv, int heads, int kvHeads, int headDim, float scale) {
        Tensor[] p = FusedAttention.unpack(qkv.value(), heads, kvHeads, headDim);
        FusedAttention.Result r = FusedAttention.causal(p[0], p[1], p[2], scale);
        Tensor probs = r.probs();
        return Var.result("causalSelfAttention", r.out(), g -> new Tensor[] {
            FusedAttention.causalBackwardPacked(g, qkv.value(), heads, kvHeads, headDim, probs, scale)}, qkv);
    }
}

package dev.shears.nn;

import dev.shears.autograd.Var;
import dev.shears.autograd.ops.AttentionFunctions;
import dev.shears.tensor.Rng;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;
import java.util.Map;

/**
 * Causal multi-head self-attention with grouped-query attention: {@code heads} query heads share
 * {@code kvHeads} key/value heads, query head {@code h} reading key/value head
 * {@code h / (heads / kvHeads)} (kvHeads = heads is ordinary multi-head attention, 1 is
 * multi-query). Optional rotary position embeddings on queries and keys, optional dropout on the
 * attention weights (training only), and a {@link KvCache} entry for incremental decoding.
 *
 * <p>Input and output are [batch, T, dim]. Projections are {@code q_proj}, {@code k_proj},
 * {@code v_proj} and {@code o_proj} (Hugging Face Llama names), [out, in] like every
 * {@link Linear}. The grouped heads are computed by broadcasting one key/value head over its
 * group of query heads, never by copying it.
 */
public class CausalSelfAttention extends Layer {
    private final int dim;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private Projection q;
    private Projection k;
    private Projection v;
    private Projection o;
    private final RotaryEmbedding rope;
    private final Dropout dropout;

    /**
     * @param dim     model width (input and output)
     * @param heads   query heads; {@code dim} must be a multiple
     * @param kvHeads key/value heads; must divide {@code heads}
     * @param bias    whether the projections have biases
     * @param rope    rotary embeddings over {@code dim / heads} channels, or null for none
     * @param dropout attention-weight dropout probability (0 for none)
     * @param rng     initialises the projections and draws the dropout masks
     */
    public CausalSelfAttention(int dim, int heads, int kvHeads, boolean bias, RotaryEmbedding rope, float dropout,
            Rng rng) {
        if (dim < 1 || heads < 1 || kvHeads < 1 || dim % heads != 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("CausalSelfAttention: width " + dim + ", " + heads + " query heads and "
                    + kvHeads + " key/value heads: the width must be a multiple of the query heads, and the query"
                    + " heads a multiple of the key/value heads");
        }
        this.dim = dim;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = dim / heads;
        if (rope != null && rope.headDim() != headDim) {
            throw new IllegalArgumentException("CausalSelfAttention: rotary embedding over " + rope.headDim()
                    + " channels, but heads have " + headDim);
        }
        this.q = child("q_proj", new Linear(dim, heads * headDim, bias, rng));
        this.k = child("k_proj", new Linear(dim, kvHeads * headDim, bias, rng));
        this.v = child("v_proj", new Linear(dim, kvHeads * headDim, bias, rng));
        this.o = child("o_proj", new Linear(heads * headDim, dim, bias, rng));
        this.rope = rope;
        this.dropout = dropout > 0 ? child("attn_dropout", new Dropout(dropout, rng.split())) : null;
    }

    /** Attention over {@code x} [batch, T, dim] alone, positions 0 .. T-1. */
    @Override
    public Var forward(Var x) {
        return forward(x, null);
    }

    /**
     * Attention of {@code x} [batch, T, dim], at positions {@code cache.length() ..} (0 .. without
     * a cache), over the cached positions and itself; appends its keys and values to {@code cache}.
     */
    public Var forward(Var x, KvCache.Entry cache) {
        if (x.rank() != 3 || x.dim(2) != dim) {
            throw new ShapeException("CausalSelfAttention: input " + x.shape() + " must be [batch, T, " + dim + "]");
        }
        int b = x.dim(0);
        int t = x.dim(1);
        int group = heads / kvHeads;
        int start = cache == null ? 0 : cache.length();
        if (dropout == null || !dropout.isTraining()) {
            return fused(x, cache, b, t, start);
        }
        Var qs = rotated(q.forward(x).reshape(b, t, kvHeads, group, headDim).permute(0, 2, 3, 1, 4), start); // [b, kv, g, t, hd]
        Var[] kv = keysAndValues(x, b, t, start, cache);
        Var ks = kv[0];
        Var vs = kv[1];
        int s = ks.dim(2);
        Var scores = qs.matmul(ks.unsqueeze(2).transpose(-2, -1)).mul((float) (1 / Math.sqrt(headDim))); // [b, kv, g, t, s]
        if (t > 1) {
            scores = scores.add(Var.constant(causalMask(t, s, start)));
        }
        Var weights = scores.softmax(-1);
        if (dropout != null) {
            weights = dropout.forward(weights);
        }
        Var y = weights.matmul(vs.unsqueeze(2)); // [b, kv, g, t, hd]
        return o.forward(y.permute(0, 3, 1, 2, 4).reshape(b, t, heads * headDim));
    }

    /**
     * The same attention through {@link AttentionFunctions#causalAttention}: q, k and v are read in
     * their projections' [b, t, heads, hd] layout and the output comes back in it, so no head
     * permutation is copied and no mask or scores tensor is built.
     */
    private Var fused(Var x, KvCache.Entry cache, int b, int t, int start) {
        if (rope == null && cache == null && q instanceof Linear lq && k instanceof Linear lk && v instanceof Linear lv
                && (lq.bias() == null) == (lk.bias() == null) && (lq.bias() == null) == (lv.bias() == null)) {
            return packed(x, b, t, lq, lk, lv);
        }
        Var qs = rotated(q.forward(x).reshape(b, t, heads, headDim).permute(0, 2, 1, 3), start); // [b, h, t, hd]
        Var[] kv = keysAndValues(x, b, t, start, cache);
        Var y = AttentionFunctions.causalAttention(qs, kv[0], kv[1], (float) (1 / Math.sqrt(headDim))); // [b, h, t, hd]
        return o.forward(y.permute(0, 2, 1, 3).reshape(b, t, heads * headDim));
    }

    /** Queries or keys [..., t, hd] rotated to positions start .. start + t - 1 (unchanged without RoPE). */
    private Var rotated(Var heads, int start) {
        return rope == null ? heads : rope.apply(heads, start);
    }

    /**
     * {keys, values} [b, kv, positions, hd] for {@code x}: projected, keys rotated, and with a cache
     * appended to it and returned for every cached position.
     */
    private Var[] keysAndValues(Var x, int b, int t, int start, KvCache.Entry cache) {
        Var ks = rotated(k.forward(x).reshape(b, t, kvHeads, headDim).permute(0, 2, 1, 3), start);
        Var vs = v.forward(x).reshape(b, t, kvHeads, headDim).permute(0, 2, 1, 3);
        if (cache == null) {
            return new Var[] {ks, vs};
        }
        Tensor[] all = cache.append(ks.value(), vs.value());
        return new Var[] {Var.constant(all[0]), Var.constant(all[1])};
    }

    /**
     * Without rotary embeddings or a cache: the three projections as one product with the weights
     * stacked [q; k; v] (one GEMM forward, one for the input gradient instead of three and two sums,
     * one for the weight gradients), and attention reading q, k and v from its packed output.
     */
    private Var packed(Var x, int b, int t, Linear q, Linear k, Linear v) {
        q.fireInputHooks(x);
        k.fireInputHooks(x);
        v.fireInputHooks(x);
        Var w = Var.concat(java.util.List.of(q.weight().effective(), k.weight().effective(), v.weight().effective()), 0);
        Var bias = q.bias() == null ? null : Var.concat(java.util.List.of(q.bias(), k.bias(), v.bias()), 0);
        Var qkv = Functional.linear(x, w, bias); // [b, t, (heads + 2·kvHeads)·hd]
        Var y = AttentionFunctions.causalSelfAttentionPacked(qkv, heads, kvHeads, headDim,
                (float) (1 / Math.sqrt(headDim))); // [b, h, t, hd]
        return o.forward(y.permute(0, 2, 1, 3).reshape(b, t, heads * headDim));
    }

    /** 0 where query {@code i} (at position start + i) may see key {@code j}, -inf where j is later. */
    private static Tensor causalMask(int t, int s, int start) {
        float[] m = new float[t * s];
        for (int i = 0; i < t; i++) {
            for (int j = start + i + 1; j < s; j++) {
                m[i * s + j] = Float.NEGATIVE_INFINITY;
            }
        }
        return Tensor.of(m, t, s);
    }

    public int heads() {
        return heads;
    }

    public int kvHeads() {
        return kvHeads;
    }

    public int headDim() {
        return headDim;
    }

    public Projection qProj() {
        return q;
    }

    public Projection kProj() {
        return k;
    }

    public Projection vProj() {
        return v;
    }

    public Projection oProj() {
        return o;
    }

    /** Takes any projection of the same shape for q_proj, k_proj, v_proj or o_proj. */
    @Override
    protected void accept(String name, Module old, Module replacement) {
        Projection.fill(this, name, old, replacement,
                Map.of("q_proj", p -> q = p, "k_proj", p -> k = p, "v_proj", p -> v = p, "o_proj", p -> o = p));
    }

    @Override
    public String toString() {
        return "CausalSelfAttention(" + dim + ", heads " + heads + ", kv heads " + kvHeads
                + (rope != null ? ", rope " + rope.convention() : "") + (dropout != null ? ", dropout " + dropout.p() : "")
                + ")";
    }
}

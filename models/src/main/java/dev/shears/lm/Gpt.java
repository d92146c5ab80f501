package dev.shears.lm;

import dev.shears.autograd.Var;
import dev.shears.nn.CausalSelfAttention;
import dev.shears.nn.Dropout;
import dev.shears.nn.Embedding;
import dev.shears.nn.Functional;
import dev.shears.nn.GELU;
import dev.shears.nn.Init;
import dev.shears.nn.KvCache;
import dev.shears.nn.LayerNorm;
import dev.shears.nn.Linear;
import dev.shears.nn.Module;
import dev.shears.nn.ModuleList;
import dev.shears.nn.Projection;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * A nanoGPT-style decoder: token and learned position embeddings, pre-LayerNorm blocks (causal
 * multi-head attention, a 4x GELU MLP, each added to the residual stream), a final LayerNorm and an
 * output layer tied to the token embedding. Initialised as nanoGPT does: weights N(0, 0.02), the
 * residual output projections N(0, 0.02/√(2·layers)), biases zero.
 */
public final class Gpt extends Module implements CausalLm, BlockStack {
    private final GptConfig config;
    private final Embedding wte;
    private final Embedding wpe;
    private final Dropout embedDropout;
    private final ModuleList<Block> blocks = new ModuleList<>();
    private final LayerNorm lnF;

    public Gpt(GptConfig c, Rng rng) {
        this.config = c;
        this.wte = child("wte", new Embedding(c.vocabSize(), c.dim(), rng));
        this.wpe = child("wpe", new Embedding(c.contextLength(), c.dim(), rng));
        this.embedDropout = c.dropout() > 0 ? child("drop", new Dropout(c.dropout(), rng.split())) : null;
        for (int i = 0; i < c.layers(); i++) {
            blocks.add(new Block(c, rng));
        }
        child("blocks", blocks);
        this.lnF = child("ln_f", new LayerNorm(c.dim()));
        initialise(rng);
    }

    /** One pre-LayerNorm transformer block. */
    static final class Block extends Module {
        final LayerNorm ln1;
        final CausalSelfAttention attn;
        final LayerNorm ln2;
        Projection fc;
        final GELU gelu = new GELU();
        Projection proj;
        final Dropout residDropout;

        Block(GptConfig c, Rng rng) {
            this.ln1 = child("ln_1", new LayerNorm(c.dim()));
            this.attn = child("attn", new CausalSelfAttention(c.dim(), c.heads(), c.heads(), true, null, c.dropout(),
                    rng));
            this.ln2 = child("ln_2", new LayerNorm(c.dim()));
            this.fc = child("c_fc", new Linear(c.dim(), 4 * c.dim(), rng));
            this.proj = child("c_proj", new Linear(4 * c.dim(), c.dim(), rng));
            this.residDropout = c.dropout() > 0 ? child("resid_drop", new Dropout(c.dropout(), rng.split())) : null;
        }

        Var forward(Var x, KvCache.Entry cache) {
            Var h = x.add(drop(attn.forward(ln1.forward(x), cache)));
            return h.add(drop(proj.forward(gelu.forward(fc.forward(ln2.forward(h))))));
        }

        private Var drop(Var v) {
            return residDropout == null ? v : residDropout.forward(v);
        }

        /** Takes any projection of the same shape for c_fc or c_proj. */
        @Override
        protected void accept(String name, Module old, Module replacement) {
            Projection.fill(this, name, old, replacement, Map.of("c_fc", p -> fc = p, "c_proj", p -> proj = p));
        }
    }

    private void initialise(Rng rng) {
        float residualStd = (float) (0.02 / Math.sqrt(2.0 * config.layers()));
        wte.weight().value().copyFrom(Init.normal(rng, 0.02f, config.vocabSize(), config.dim()));
        wpe.weight().value().copyFrom(Init.normal(rng, 0.02f, config.contextLength(), config.dim()));
        for (Block b : blocks.modules()) {
            // a new model's projections are all dense
            for (Projection p : List.of(b.attn.qProj(), b.attn.kProj(), b.attn.vProj(), b.attn.oProj(), b.fc, b.proj)) {
                Linear l = (Linear) p;
                boolean residual = l == b.attn.oProj() || l == b.proj;
                l.weight().value().copyFrom(Init.normal(rng, residual ? residualStd : 0.02f, l.outFeatures(),
                        l.inFeatures()));
                l.bias().value().copyFrom(Tensor.zeros(l.outFeatures()));
            }
        }
    }

    public GptConfig config() {
        return config;
    }

    @Override
    public Var logits(Tensor ids, KvCache cache) {
        if (ids.rank() != 2) {
            throw new IllegalArgumentException("Gpt: token ids " + ids.shape() + " must be [batch, T]");
        }
        int start = cache == null ? 0 : cache.length();
        int t = ids.dim(1);
        if (start + t > config.contextLength()) {
            throw new IllegalArgumentException("Gpt: positions " + start + ".." + (start + t - 1) + " exceed the context"
                    + " of " + config.contextLength());
        }
        Var x = embed(ids, start);
        for (int i = 0; i < config.layers(); i++) {
            x = blocks.get(i).forward(x, cache == null ? null : cache.layer(i));
        }
        if (cache != null) {
            cache.advance(t);
        }
        return head(x);
    }

    /** Token plus position embeddings of ids [batch, T] at positions start .. start + T - 1. */
    private Var embed(Tensor ids, int start) {
        int t = ids.dim(1);
        int[] positions = new int[t];
        for (int i = 0; i < t; i++) {
            positions[i] = start + i;
        }
        Var x = wte.forward(ids).add(wpe.forward(Tensor.ofInts(positions, t)));
        return embedDropout == null ? x : embedDropout.forward(x);
    }

    @Override
    public Var embed(Tensor ids) {
        return embed(ids, 0);
    }

    @Override
    public int blockCount() {
        return config.layers();
    }

    @Override
    public Var block(int i, Var x) {
        return blocks.get(i).forward(x, null);
    }

    @Override
    public Module blockModule(int i) {
        return blocks.get(i);
    }

    @Override
    public Var head(Var x) {
        return Functional.linear(lnF.forward(x), wte.weight().effective(), null);
    }

    @Override
    public KvCache newCache() {
        return new KvCache(config.layers(), config.contextLength());
    }

    @Override
    public int contextLength() {
        return config.contextLength();
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }
}

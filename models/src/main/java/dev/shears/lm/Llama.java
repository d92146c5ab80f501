package dev.shears.lm;

import dev.shears.autograd.Var;
import dev.shears.nn.CausalSelfAttention;
import dev.shears.nn.Embedding;
import dev.shears.nn.Functional;
import dev.shears.nn.KvCache;
import dev.shears.nn.Linear;
import dev.shears.nn.Module;
import dev.shears.nn.ModuleList;
import dev.shears.nn.RMSNorm;
import dev.shears.nn.RotaryEmbedding;
import dev.shears.nn.SwiGlu;
import dev.shears.tensor.DType;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import dev.shears.tensor.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The Llama decoder (Hugging Face {@code LlamaForCausalLM}): token embedding, blocks of RMSNorm →
 * grouped-query attention with split-halves rotary embeddings → residual, RMSNorm → SwiGLU →
 * residual, a final RMSNorm and the output projection (the embedding itself when tied). Parameter
 * names are the Hugging Face ones ({@code model.layers.0.self_attn.q_proj.weight}), so
 * {@link #load} reads a model folder's {@code model.safetensors} by name.
 */
public final class Llama extends Module implements CausalLm, BlockStack {
    private final LlamaConfig config;
    private final Body model;
    private final Linear lmHead;

    /** A freshly initialised model (weights are meant to be loaded or trained). */
    public Llama(LlamaConfig config, Rng rng) {
        this.config = config;
        this.model = child("model", new Body(config, rng));
        this.lmHead = config.tieWordEmbeddings() ? null
                : child("lm_head", new Linear(config.hiddenSize(), config.vocabSize(), false, rng));
    }

    /** The token embedding, RMSNorm'd blocks and final norm ({@code model.*}). */
    static final class Body extends Module {
        final Embedding embedTokens;
        final ModuleList<Block> layers = new ModuleList<>();
        final RMSNorm norm;

        Body(LlamaConfig c, Rng rng) {
            this.embedTokens = child("embed_tokens", new Embedding(c.vocabSize(), c.hiddenSize(), rng));
            RotaryEmbedding rope = new RotaryEmbedding(c.headDim(), c.ropeTheta(), c.maxPositions(),
                    RotaryEmbedding.Convention.SPLIT_HALVES);
            for (int i = 0; i < c.layers(); i++) {
                layers.add(new Block(c, rope, rng));
            }
            child("layers", layers);
            this.norm = child("norm", new RMSNorm(c.hiddenSize(), (float) c.rmsNormEps()));
        }
    }

    /** One decoder layer: pre-norm attention and pre-norm SwiGLU, each added to the residual stream. */
    static final class Block extends Module {
        final RMSNorm inputNorm;
        final CausalSelfAttention attention;
        final RMSNorm postAttentionNorm;
        final SwiGlu mlp;

        Block(LlamaConfig c, RotaryEmbedding rope, Rng rng) {
            float eps = (float) c.rmsNormEps();
            this.inputNorm = child("input_layernorm", new RMSNorm(c.hiddenSize(), eps));
            this.attention = child("self_attn", new CausalSelfAttention(c.hiddenSize(), c.heads(), c.kvHeads(), false,
                    rope, 0f, rng));
            this.postAttentionNorm = child("post_attention_layernorm", new RMSNorm(c.hiddenSize(), eps));
            this.mlp = child("mlp", new SwiGlu(c.hiddenSize(), c.intermediateSize(), false, rng));
        }

        Var forward(Var x, KvCache.Entry cache) {
            Var h = x.add(attention.forward(inputNorm.forward(x), cache));
            return h.add(mlp.forward(postAttentionNorm.forward(h)));
        }
    }

    public LlamaConfig config() {
        return config;
    }

    /** The decoder layers' attention and MLP modules, for pruning and calibration hooks. */
    public List<CausalSelfAttention> attentionLayers() {
        return model.layers.modules().stream().map(b -> b.attention).toList();
    }

    public List<SwiGlu> mlpLayers() {
        return model.layers.modules().stream().map(b -> b.mlp).toList();
    }

    @Override
    public Var logits(Tensor ids, KvCache cache) {
        if (ids.rank() != 2) {
            throw new IllegalArgumentException("Llama: token ids " + ids.shape() + " must be [batch, T]");
        }
        int start = cache == null ? 0 : cache.length();
        int t = ids.dim(1);
        if (start + t > config.maxPositions()) {
            throw new IllegalArgumentException("Llama: positions " + start + ".." + (start + t - 1)
                    + " exceed the context of " + config.maxPositions() + " (max_position_embeddings)");
        }
        Var x = embed(ids);
        for (int i = 0; i < config.layers(); i++) {
            x = model.layers.get(i).forward(x, cache == null ? null : cache.layer(i));
        }
        if (cache != null) {
            cache.advance(t);
        }
        return head(x);
    }

    @Override
    public Var embed(Tensor ids) {
        return model.embedTokens.forward(ids);
    }

    @Override
    public int blockCount() {
        return config.layers();
    }

    @Override
    public Var block(int i, Var x) {
        return model.layers.get(i).forward(x, null);
    }

    @Override
    public Module blockModule(int i) {
        return model.layers.get(i);
    }

    @Override
    public Var head(Var x) {
        Var h = model.norm.forward(x);
        return lmHead != null ? lmHead.forward(h) : Functional.linear(h, model.embedTokens.weight().effective(), null);
    }

    @Override
    public KvCache newCache() {
        return new KvCache(config.layers(), config.maxPositions());
    }

    @Override
    public int contextLength() {
        return config.maxPositions();
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    /**
     * Loads a Hugging Face model folder: {@code config.json} and {@code model.safetensors}. A tied
     * model's one matrix may be stored as {@code model.embed_tokens.weight} or as
     * {@code lm_head.weight} (or both, equal).
     *
     * @throws IllegalArgumentException naming the folder and the missing file, or the missing,
     *                                  unknown or mis-shaped tensors
     */
    public static Llama load(Path dir) {
        for (String f : new String[] {"config.json", "model.safetensors"}) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new IllegalArgumentException("Llama.load: " + dir + " has no " + f
                        + " (a Hugging Face model folder needs config.json and model.safetensors)");
            }
        }
        LlamaConfig config = LlamaConfig.read(dir.resolve("config.json"));
        Path weights = dir.resolve("model.safetensors");
        Map<String, Tensor> stored = new LinkedHashMap<>(SafeTensors.read(weights));
        Llama llama = new Llama(config, Rng.seeded(0));
        if (config.tieWordEmbeddings()) {
            untie(weights, stored);
        }
        List<String> problems = new ArrayList<>();
        Map<String, Tensor> own = llama.stateDict();
        TreeSet<String> missing = new TreeSet<>(own.keySet());
        missing.removeAll(stored.keySet());
        TreeSet<String> unknown = new TreeSet<>(stored.keySet());
        unknown.removeAll(own.keySet());
        if (!missing.isEmpty()) {
            problems.add("missing tensors " + missing);
        }
        if (!unknown.isEmpty()) {
            problems.add("unknown tensors " + unknown);
        }
        own.forEach((name, t) -> {
            Tensor s = stored.get(name);
            if (s != null && !s.shape().equals(t.shape())) {
                problems.add(name + " is " + s.shape() + " in the file but " + t.shape() + " by config.json");
            } else if (s != null && s.dtype() != DType.F32) {
                stored.put(name, s.to(DType.F32));
            }
        });
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Llama.load(" + weights + "): " + String.join("; ", problems));
        }
        llama.loadStateDict(stored);
        return llama;
    }

    /** A tied model keeps one matrix: take it under the embedding's name whichever name it was stored under. */
    private static void untie(Path file, Map<String, Tensor> stored) {
        String embed = "model.embed_tokens.weight";
        Tensor head = stored.remove("lm_head.weight");
        if (head == null) {
            return;
        }
        Tensor e = stored.get(embed);
        if (e == null) {
            stored.put(embed, head);
        } else if (!java.util.Arrays.equals(e.to(DType.F32).toFloatArray(), head.to(DType.F32).toFloatArray())) {
            throw new IllegalArgumentException("Llama.load(" + file + "): tie_word_embeddings is true but "
                    + "lm_head.weight and " + embed + " differ");
        }
    }
}

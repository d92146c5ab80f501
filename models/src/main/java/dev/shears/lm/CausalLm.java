package dev.shears.lm;

import dev.shears.autograd.Var;
import dev.shears.nn.KvCache;
import dev.shears.tensor.Tensor;

/** A decoder-only language model: next-token logits for token ids, optionally continuing a {@link KvCache}. */
public interface CausalLm {
    /**
     * Logits [batch, T, vocab] for {@code ids} [batch, T] (I32). With a cache, the ids continue the
     * cached sequence (positions {@code cache.length() ..}) and are appended to it; without one they
     * start at position 0.
     *
     * @throws IllegalArgumentException if an id is outside the vocabulary or the positions run past
     *                                  {@link #contextLength()}
     */
    Var logits(Tensor ids, KvCache cache);

    /** An empty cache sized for this model's layers and context. */
    KvCache newCache();

    /** The most positions a sequence may have. */
    int contextLength();

    int vocabSize();
}

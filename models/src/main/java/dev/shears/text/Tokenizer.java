package dev.shears.text;

/**
 * Text to token ids and back: what a language-model data pipeline or sampler needs from a tokenizer,
 * whatever its algorithm, so that training and generation code can take either a character-level
 * tokenizer or a pretrained subword one.
 */
public interface Tokenizer {
    /**
     * The token ids of {@code text}, without any begin/end-of-sequence tokens. An implementation
     * either represents every text (mapping what it cannot spell to an unknown token) or rejects
     * what it cannot represent with an {@link IllegalArgumentException}; it says which.
     */
    int[] encode(String text);

    /**
     * The text of {@code ids}.
     *
     * @throws IllegalArgumentException naming the id and its position if an id is outside {@code [0, vocabSize())}
     */
    String decode(int[] ids);

    /** The number of token ids, {@code 0 .. vocabSize() - 1}: the size of a model's embedding and output layers. */
    int vocabSize();
}

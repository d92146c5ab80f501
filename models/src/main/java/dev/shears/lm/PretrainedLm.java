package dev.shears.lm;

import dev.shears.data.DataLocator;
import dev.shears.text.BpeTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A pretrained Llama and its tokenizer, loaded from one Hugging Face model folder
 * ({@code config.json}, {@code model.safetensors}, {@code tokenizer.json}).
 *
 * <p>Stories are encoded the way this kind of model was trained on them: right after the
 * begin-of-story token, as {@code encode("<|start_story|>" + text)} tokenizes them (no word-start
 * marker before the first word), rather than as text on its own.
 */
public record PretrainedLm(Llama model, BpeTokenizer tokenizer, Path dir) {

    /** The model shipped in {@code shared/data}. */
    public static final String TINYSTORIES = "tinystories-656k";

    /**
     * Loads {@code dir}, or with null the TinyStories-656K folder under {@code shared/data}.
     *
     * @throws IllegalArgumentException if the folder or one of its files is missing or malformed
     */
    public static PretrainedLm load(Path dir) {
        Path folder = dir != null ? dir : DataLocator.sharedDataDirs(TINYSTORIES).stream().filter(Files::isDirectory)
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no " + TINYSTORIES + " folder in "
                        + DataLocator.sharedDataDirs(TINYSTORIES) + "; pass --model-dir"));
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("model folder " + folder + " does not exist");
        }
        if (!Files.isRegularFile(folder.resolve("tokenizer.json"))) {
            throw new IllegalArgumentException("model folder " + folder + " has no tokenizer.json");
        }
        return new PretrainedLm(Llama.load(folder), BpeTokenizer.load(folder.resolve("tokenizer.json")), folder);
    }

    /**
     * [BOS] followed by {@code text} as it is tokenized after the begin token.
     *
     * @throws IllegalArgumentException naming the characters the vocabulary cannot spell
     */
    public int[] encodeAfterBos(String text) {
        Set<String> unknown = unknownCharacters(text);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("the text has characters outside the vocabulary of " + dir + ": "
                    + unknown);
        }
        return encodeAfterBosLeniently(text);
    }

    /** The characters of {@code text} that the vocabulary cannot spell (each becomes the unknown token). */
    public Set<String> unknownCharacters(String text) {
        Set<String> unknown = new LinkedHashSet<>();
        text.codePoints().forEach(c -> {
            String ch = Character.toString(c);
            for (int id : tokenizer.encode(ch)) {
                if (id == tokenizer.unkId()) {
                    unknown.add(ch);
                }
            }
        });
        return unknown;
    }

    /** As {@link #encodeAfterBos}, with characters outside the vocabulary encoded as the unknown token. */
    public int[] encodeAfterBosLeniently(String text) {
        String bos = tokenizer.token(tokenizer.bosId());
        int[] ids = tokenizer.encode(bos + text);
        if (ids.length == 0 || ids[0] != tokenizer.bosId()) {
            throw new IllegalStateException("the tokenizer did not match '" + bos + "' whole at the start");
        }
        return ids;
    }
}

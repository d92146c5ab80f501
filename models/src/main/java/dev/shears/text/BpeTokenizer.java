package dev.shears.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A byte-pair-encoding tokenizer read from a Hugging Face {@code tokenizer.json}, as shipped with
 * pretrained language models (for example TinyStories-656K), so that Shears can feed such a model
 * the token ids it was trained on and turn its output ids back into text.
 *
 * <p>Encoding follows the {@code tokenizers} pipeline for the features this class implements:
 * added tokens are cut out whole (see {@link AddedTokens} for how {@code "normalized": true} tokens
 * are matched), the rest is normalized ({@link Normalizers}), and each normalized stretch is one word
 * for the BPE model ({@link BpeModel}); decoding maps ids to token strings and runs the file's
 * decoder ({@link Decoders}). A file using anything else (a pre-tokenizer, another normalizer or
 * model type, truncation, padding, BPE dropout, ...) is refused when loaded, naming the feature,
 * rather than tokenized differently from its reference. The {@code post_processor} is not applied:
 * {@link #encode} adds no special tokens and {@link #encodeWithBos} adds exactly one BOS.
 *
 * <p>Which tokens are BOS and EOS is not recorded in {@code tokenizer.json}; it is read from the
 * {@code tokenizer_config.json} beside it ({@code bos_token}, {@code eos_token}) when that file exists.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class BpeTokenizer implements Tokenizer {
    private final Path file;
    private final AddedTokens added;
    private final BpeModel model;
    private final UnaryOperator<List<String>> decoder;
    private final String[] tokens;
    private final Map<String, Integer> ids;
    private final boolean[] special;
    private final int bosId;
    private final int eosId;

    private BpeTokenizer(Path file, AddedTokens added, BpeModel model,
            UnaryOperator<List<String>> decoder, Vocabulary vocabulary, int bosId, int eosId) {
        this.file = file;
        this.added = added;
        this.model = model;
        this.decoder = decoder;
        this.tokens = vocabulary.tokens;
        this.ids = vocabulary.ids;
        this.special = vocabulary.special;
        this.bosId = bosId;
        this.eosId = eosId;
    }

    /**
     * Reads {@code tokenizerJson}, and {@code tokenizer_config.json} beside it if present.
     *
     * @throws IllegalArgumentException naming the file, the JSON location and the problem if a file is
     *                                  not JSON, lacks a field, is inconsistent (a merge naming an unknown
     *                                  token, two tokens with one id, ...) or uses a feature not implemented here
     * @throws java.io.UncheckedIOException if a file cannot be read
     */
    public static BpeTokenizer load(Path tokenizerJson) {
        JsonSource src = JsonSource.read(tokenizerJson);
        JsonNode root = src.root();
        src.requireNull(root, "", "truncation");
        src.requireNull(root, "", "padding");
        JsonNode pre = root.get("pre_tokenizer");
        if (pre != null && !pre.isNull()) {
            throw src.unsupported("pre_tokenizer", "pre-tokenizer", src.type(pre, "pre_tokenizer"), Set.of());
        }
        UnaryOperator<String> normalizer = Normalizers.fromJson(src, root.get("normalizer"), "normalizer");
        BpeModel model = BpeModel.fromJson(src, src.object(root, "", "model"), "model");
        AddedTokens added = AddedTokens.fromJson(src, root.get("added_tokens"), "added_tokens", normalizer);
        UnaryOperator<List<String>> decoder = Decoders.fromJson(src, root.get("decoder"), "decoder");
        Vocabulary vocabulary = Vocabulary.of(src, model, added);

        int bos = -1;
        int eos = -1;
        Path config = tokenizerJson.toAbsolutePath().resolveSibling("tokenizer_config.json");
        if (Files.isRegularFile(config)) {
            JsonSource cfg = JsonSource.read(config);
            bos = vocabulary.roleId(cfg, "bos_token");
            eos = vocabulary.roleId(cfg, "eos_token");
        }
        return new BpeTokenizer(tokenizerJson, added, model, decoder, vocabulary, bos, eos);
    }

    /**
     * The token ids of {@code text}, without BOS. Every text is representable: a character with no
     * token (and no byte-fallback tokens) becomes {@link #unkId()}.
     *
     * @throws IllegalArgumentException only if such a character occurs and the file defines no unk_token
     */
    @Override
    public int[] encode(String text) {
        IntList out = new IntList(text.length() / 3 + 1);
        encodeInto(text, out);
        return out.toArray();
    }

    /**
     * {@link #bosId()} followed by {@link #encode}{@code (text)}: the model input that a
     * {@code TemplateProcessing} post-processor of the form "BOS, then the text" (TinyStories-656K's,
     * with {@code add_bos_token = true}) describes.
     *
     * <p>This is not the same as encoding the BOS string written out in front of the text. For
     * TinyStories-656K, {@code encode("<|start_story|>Once upon")} gives {@code [1, "On", "ce▁", ...]}:
     * the written-out marker is matched as {@code "▁<|start_story|>"} and takes the normalizer's leading
     * {@code "▁"} with it, which is how the model's training stories were tokenized (its greedy story
     * from BOS starts "On" "ce▁"); {@code encodeWithBos("Once upon")} gives {@code [1, "▁", "On", "ce▁", ...]}.
     */
    public int[] encodeWithBos(String text) {
        IntList out = new IntList(text.length() / 3 + 2);
        out.add(bosId());
        encodeInto(text, out);
        return out.toArray();
    }

    private void encodeInto(String text, IntList out) {
        added.split(text, new AddedTokens.Sink() {
            @Override
            public void addedToken(int id) {
                out.add(id);
            }

            @Override
            public void normalizedText(String normalized) {
                model.encodeWord(normalized, out);
            }
        });
    }

    /** The text of {@code ids}, special tokens (BOS, EOS, unk) included as their strings. */
    @Override
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    /**
     * The text of {@code ids}; with {@code skipSpecialTokens}, tokens marked special in the file
     * (here BOS, EOS and unk) are left out, which is what a sampler printing a story wants.
     *
     * @throws IllegalArgumentException naming the id and its position if an id is outside {@code [0, vocabSize())}
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        List<String> pieces = new ArrayList<>(ids.length);
        for (int i = 0; i < ids.length; i++) {
            checkId(ids[i], "at position " + i);
            if (!(skipSpecialTokens && special[ids[i]])) {
                pieces.add(tokens[ids[i]]);
            }
        }
        return String.join("", decoder.apply(pieces));
    }

    @Override
    public int vocabSize() {
        return tokens.length;
    }

    /** The begin-of-sequence id, named by {@code bos_token} in {@code tokenizer_config.json}. */
    public int bosId() {
        return role(bosId, "bos_token");
    }

    /** The end-of-sequence id, named by {@code eos_token} in {@code tokenizer_config.json}: where generation stops. */
    public int eosId() {
        return role(eosId, "eos_token");
    }

    /** The id that characters without a token encode to ({@code model.unk_token}). */
    public int unkId() {
        if (model.unkId() < 0) {
            throw new IllegalStateException("tokenizer file " + file + " defines no model.unk_token");
        }
        return model.unkId();
    }

    /** The string of token {@code id} as written in the file (for example {@code "One▁"}). */
    public String token(int id) {
        checkId(id, "");
        return tokens[id];
    }

    /** The id of the token spelled {@code token} in the file (added tokens and the BPE vocabulary), if any. */
    public OptionalInt id(String token) {
        Integer id = ids.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    private int role(int id, String name) {
        if (id < 0) {
            throw new IllegalStateException("no " + name + " for tokenizer file " + file + ": "
                    + file.toAbsolutePath().resolveSibling("tokenizer_config.json") + " is missing or does not name one");
        }
        return id;
    }

    private void checkId(int id, String where) {
        if (id < 0 || id >= tokens.length) {
            throw new IllegalArgumentException("token id " + id + (where.isEmpty() ? "" : " " + where)
                    + " is outside [0, " + tokens.length + ")");
        }
    }

    /**
     * All token strings by id (the BPE vocabulary plus added tokens outside it), checked to number the
     * ids 0..n-1 with no gap and no id used twice.
     */
    private record Vocabulary(String[] tokens, Map<String, Integer> ids, boolean[] special) {

        static Vocabulary of(JsonSource src, BpeModel model, AddedTokens added) {
            Map<String, Integer> ids = new HashMap<>(model.vocab());
            int size = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
            for (AddedTokens.Token t : added.tokens()) {
                size = Math.max(size, t.id() + 1);
            }
            String[] tokens = new String[size];
            for (Map.Entry<String, Integer> e : ids.entrySet()) {
                String other = tokens[e.getValue()];
                if (other != null) {
                    throw src.error("model.vocab", "id " + e.getValue() + " is used by both \"" + other + "\" and \""
                            + e.getKey() + "\"");
                }
                tokens[e.getValue()] = e.getKey();
            }
            boolean[] special = new boolean[size];
            List<AddedTokens.Token> list = added.tokens();
            for (int i = 0; i < list.size(); i++) {
                AddedTokens.Token t = list.get(i);
                Integer inVocab = ids.get(t.content());
                if (inVocab != null && inVocab != t.id()) {
                    throw src.error("added_tokens[" + i + "]", "\"" + t.content() + "\" has id " + t.id()
                            + " but id " + inVocab + " in model.vocab");
                }
                if (inVocab == null && tokens[t.id()] != null) {
                    throw src.error("added_tokens[" + i + "]", "\"" + t.content() + "\" has id " + t.id()
                            + ", which is already \"" + tokens[t.id()] + "\"");
                }
                tokens[t.id()] = t.content();
                ids.put(t.content(), t.id());
                special[t.id()] = t.special();
            }
            for (int id = 0; id < size; id++) {
                if (tokens[id] == null) {
                    throw src.error("model.vocab", "no token has id " + id + " (ids must run 0.." + (size - 1) + " without gaps)");
                }
            }
            return new Vocabulary(tokens, Map.copyOf(ids), special);
        }

        /** The id of the token that {@code cfg}'s field {@code name} names (a string or an object with a content), or -1. */
        int roleId(JsonSource cfg, String name) {
            JsonNode value = cfg.root().get(name);
            if (value == null || value.isNull()) {
                return -1;
            }
            String content = value.isObject() ? cfg.string(value, name, "content") : cfg.asString(value, name);
            Integer id = ids.get(content);
            if (id == null) {
                throw cfg.error(name, "\"" + content + "\" is not a token of the tokenizer");
            }
            return id;
        }
    }
}

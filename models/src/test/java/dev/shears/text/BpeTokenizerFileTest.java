package dev.shears.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link BpeTokenizer} on small {@code tokenizer.json} files written here: the features the shipped
 * file does not exercise (byte fallback, raw-text added tokens, no decoder, no unk token) and the
 * errors for malformed or unsupported files.
 *
 * <p>The base file has the shipped file's structure over a tiny vocabulary: {@code <unk>} 0,
 * {@code <s>} 1, {@code </s>} 2, {@code ▁} 3, {@code a} 4, {@code b} 5, {@code aa} 6, {@code ab} 7,
 * {@code ▁ab} 8, {@code <0xC3>} 9, {@code <0xA9>} 10 and the merges (rank 0) {@code a a},
 * (1) {@code a b}, (2) {@code ▁ ab}.
 */
class BpeTokenizerFileTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SPACE = "\u2581";

    @TempDir
    Path dir;

    /** The base file described in the class comment. */
    static ObjectNode base() {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        String[] specials = {"<unk>", "<s>", "</s>"};
        for (int id = 0; id < specials.length; id++) {
            added.addObject().put("id", id).put("content", specials[id]).put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", true).put("special", true);
        }
        ArrayNode normalizers = root.putObject("normalizer").put("type", "Sequence").putArray("normalizers");
        normalizers.addObject().put("type", "Prepend").put("prepend", SPACE);
        ObjectNode replace = normalizers.addObject().put("type", "Replace");
        replace.putObject("pattern").put("String", " ");
        replace.put("content", SPACE);
        root.putNull("pre_tokenizer");
        root.putNull("post_processor");
        ArrayNode decoders = root.putObject("decoder").put("type", "Sequence").putArray("decoders");
        ObjectNode back = decoders.addObject().put("type", "Replace");
        back.putObject("pattern").put("String", SPACE);
        back.put("content", " ");
        decoders.addObject().put("type", "ByteFallback");
        decoders.addObject().put("type", "Fuse");
        decoders.addObject().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0);
        ObjectNode model = root.putObject("model").put("type", "BPE").putNull("dropout").put("unk_token", "<unk>")
                .putNull("continuing_subword_prefix").putNull("end_of_word_suffix").put("fuse_unk", true)
                .put("byte_fallback", true).put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        String[] tokens = {"<unk>", "<s>", "</s>", SPACE, "a", "b", "aa", "ab", SPACE + "ab", "<0xC3>", "<0xA9>"};
        for (int id = 0; id < tokens.length; id++) {
            vocab.put(tokens[id], id);
        }
        model.putArray("merges").add("a a").add("a b").add(SPACE + " ab");
        return root;
    }

    private BpeTokenizer load(ObjectNode json) throws IOException {
        return BpeTokenizer.load(write(json));
    }

    private Path write(ObjectNode json) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        return file;
    }

    private static ObjectNode model(ObjectNode root) {
        return (ObjectNode) root.get("model");
    }

    @Test
    void tiesGoToTheLeftmostPair() throws IOException {
        // "aaa" -> ▁ a a a: (a,a) rank 0 at positions 1 and 2; the left one merges first -> ▁ aa a.
        assertArrayEquals(new int[] {3, 6, 4}, load(base()).encode("aaa"));
    }

    @Test
    void mergesChainAndRoundTrip() throws IOException {
        // "ab" -> ▁ a b: (a,b) rank 1 -> ▁ ab; (▁,ab) rank 2 -> ▁ab.
        BpeTokenizer tok = load(base());
        assertArrayEquals(new int[] {8}, tok.encode("ab"));
        // "ab ab" -> ▁ a b ▁ a b: (a,b) rank 1 twice -> ▁ ab ▁ ab; (▁,ab) rank 2 twice -> ▁ab ▁ab.
        assertArrayEquals(new int[] {8, 8}, tok.encode("ab ab"));
        assertEquals("ab ab", tok.decode(new int[] {8, 8}));
        assertEquals(11, tok.vocabSize());
    }

    @Test
    void mergesMayBeWrittenAsPairs() throws IOException {
        ObjectNode json = base();
        ArrayNode merges = model(json).putArray("merges");
        merges.addArray().add("a").add("a");
        merges.addArray().add("a").add("b");
        merges.addArray().add(SPACE).add("ab");
        assertArrayEquals(new int[] {8}, load(json).encode("ab"));
    }

    @Test
    void byteFallbackSpellsMissingCharactersAsBytes() throws IOException {
        BpeTokenizer tok = load(base());
        // "é" is UTF-8 C3 A9 and both byte tokens exist; "€" is E2 82 AC and they do not, so it is <unk>.
        assertArrayEquals(new int[] {8, 9, 10}, tok.encode("ab\u00E9"));
        assertEquals("ab\u00E9", tok.decode(new int[] {8, 9, 10}));
        assertArrayEquals(new int[] {3, 4, 0}, tok.encode("a\u20AC\u20AC"));
        // A byte run that is not valid UTF-8 decodes to one U+FFFD per byte.
        assertEquals("ab\uFFFD", tok.decode(new int[] {8, 9}));
    }

    @Test
    void withoutFuseUnkEachUnknownCharacterIsOneUnk() throws IOException {
        ObjectNode json = base();
        model(json).put("fuse_unk", false);
        assertArrayEquals(new int[] {3, 4, 0, 0}, load(json).encode("a\u20AC\u20AC"));
    }

    @Test
    void withoutUnkTokenAnUnknownCharacterIsAnError() throws IOException {
        ObjectNode json = base();
        model(json).putNull("unk_token");
        BpeTokenizer tok = load(json);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tok.encode("a\u20AC"));
        assertTrue(e.getMessage().contains("U+20AC"), e.getMessage());
        assertThrows(IllegalStateException.class, tok::unkId);
    }

    @Test
    void rawAddedTokensAreCutBeforeNormalizing() throws IOException {
        ObjectNode json = base();
        ((ObjectNode) json.get("added_tokens").get(1)).put("normalized", false);
        // "a<s>b": "<s>" is found in the raw text, and "a" and "b" are normalized apart: ▁a, ▁b.
        assertArrayEquals(new int[] {3, 4, 1, 3, 5}, load(json).encode("a<s>b"));
    }

    @Test
    void withoutDecoderTokensAreJoinedBySpaces() throws IOException {
        ObjectNode json = base();
        json.putNull("decoder");
        assertEquals(SPACE + "ab a", load(json).decode(new int[] {8, 4}));
    }

    @Test
    void decoderStepsBeforeFuseSeeSingleTokens() throws IOException {
        ObjectNode json = base();
        json.putObject("decoder").put("type", "Strip").put("content", SPACE).put("start", 1).put("stop", 1);
        // No Fuse: each of "▁ab", "▁", "a" loses a leading and a trailing "▁" on its own.
        assertEquals("aba", load(json).decode(new int[] {8, 3, 4}));
    }

    @Test
    void bosAndEosComeFromTokenizerConfig() throws IOException {
        BpeTokenizer without = load(base());
        IllegalStateException e = assertThrows(IllegalStateException.class, without::eosId);
        assertTrue(e.getMessage().contains("tokenizer_config.json"), e.getMessage());
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"bos_token\": \"<s>\", \"eos_token\": {\"content\": \"</s>\"}, \"unk_token\": \"<unk>\"}");
        BpeTokenizer with = load(base());
        assertEquals(1, with.bosId());
        assertEquals(2, with.eosId());
        assertArrayEquals(new int[] {1, 8}, with.encodeWithBos("ab"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"<start>\"}");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> load(base()));
        assertTrue(bad.getMessage().contains("tokenizer_config.json") && bad.getMessage().contains("<start>"), bad.getMessage());
    }

    @Test
    void notJsonNamesTheFile() throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "merges: [a b]\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BpeTokenizer.load(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("not valid JSON"), e.getMessage());
    }

    @Test
    void topLevelMustBeAnObject() throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "[\"a b\"]");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BpeTokenizer.load(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("expected a JSON object"), e.getMessage());
    }

    @Test
    void missingFileIsAnIoError() {
        Path file = dir.resolve("nowhere.json");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> BpeTokenizer.load(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                bad("no model", json -> json.remove("model"), "missing field \"model\""),
                bad("no vocab", json -> model(json).remove("vocab"), "model", "missing field \"vocab\""),
                bad("vocab id not a number", json -> ((ObjectNode) model(json).get("vocab")).put("b", "five"),
                        "model.vocab[\"b\"]", "non-negative integer"),
                bad("merge names an unknown token", json -> ((ArrayNode) model(json).get("merges")).add("a z"),
                        "model.merges[3]", "\"z\" is not in model.vocab"),
                bad("merged token missing", json -> ((ArrayNode) model(json).get("merges")).add("b a"),
                        "model.merges[3]", "merged token \"ba\""),
                bad("merge without a space", json -> ((ArrayNode) model(json).get("merges")).add("ab"),
                        "model.merges[3]", "expected a merge"),
                bad("merge repeated", json -> ((ArrayNode) model(json).get("merges")).add("a b"),
                        "model.merges[3]", "repeats merge #1"),
                bad("gap in the ids", json -> ((ObjectNode) model(json).get("vocab")).put("ba", 12), "no token has id 11"),
                bad("two tokens with one id", json -> ((ObjectNode) model(json).get("vocab")).put("ba", 5),
                        "id 5 is used by both"),
                bad("unk token not in vocab", json -> model(json).put("unk_token", "[UNK]"), "model.unk_token", "[UNK]"),
                bad("added token with another id", json -> ((ObjectNode) json.get("added_tokens").get(2)).put("id", 5),
                        "added_tokens[2]", "\"</s>\" has id 5 but id 2"),
                bad("unsupported normalizer", json -> json.putObject("normalizer").put("type", "NFKC"),
                        "normalizer", "unsupported normalizer type \"NFKC\"", "Prepend"),
                bad("unsupported normalizer in a sequence",
                        json -> ((ArrayNode) json.get("normalizer").get("normalizers")).addObject().put("type", "Lowercase"),
                        "normalizer.normalizers[2]", "\"Lowercase\""),
                bad("regex replace", json -> ((ObjectNode) json.get("normalizer").get("normalizers").get(1).get("pattern"))
                        .removeAll().put("Regex", " +"), "normalizer.normalizers[1].pattern", "Regex"),
                bad("pre-tokenizer", json -> json.putObject("pre_tokenizer").put("type", "Metaspace"),
                        "pre_tokenizer", "unsupported pre-tokenizer type \"Metaspace\""),
                bad("other model", json -> model(json).put("type", "WordPiece"), "model", "unsupported model type \"WordPiece\""),
                bad("unsupported decoder", json -> json.putObject("decoder").put("type", "Metaspace"),
                        "decoder", "unsupported decoder type \"Metaspace\""),
                bad("BPE dropout", json -> model(json).put("dropout", 0.1), "model.dropout", "0.1"),
                bad("subword prefix", json -> model(json).put("continuing_subword_prefix", "##"),
                        "model.continuing_subword_prefix", "##"),
                bad("ignore_merges", json -> model(json).put("ignore_merges", true), "model.ignore_merges"),
                bad("lstrip added token", json -> ((ObjectNode) json.get("added_tokens").get(0)).put("lstrip", true),
                        "added_tokens[0].lstrip"),
                bad("truncation", json -> json.putObject("truncation").put("max_length", 8), "truncation"));
    }

    private static Arguments bad(String name, Consumer<ObjectNode> change, String... messageParts) {
        return Arguments.of(name, change, messageParts);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedOrUnsupportedFilesAreRefused(String name, Consumer<ObjectNode> change, String[] messageParts)
            throws IOException {
        ObjectNode json = base();
        change.accept(json);
        Path file = write(json);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BpeTokenizer.load(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        for (String part : messageParts) {
            assertTrue(e.getMessage().contains(part), "expected \"" + part + "\" in: " + e.getMessage());
        }
    }
}

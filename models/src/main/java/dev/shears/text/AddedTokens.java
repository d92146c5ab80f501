package dev.shears.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;

/**
 * The {@code added_tokens} of a {@code tokenizer.json}: strings (special tokens such as
 * {@code <|start_story|>}) that are cut out of the text whole, before the BPE model runs, and map
 * straight to their ids; the text between them is normalized here too, since the two steps interleave. As in Hugging Face {@code tokenizers}, a token marked
 * {@code "normalized": false} is matched in the raw text, and one marked {@code "normalized": true}
 * is matched in the normalized text against its own normalized form. The latter has a consequence
 * worth knowing: with a {@code Prepend "▁"} normalizer, {@code <|end_story|>} is looked for as
 * {@code ▁<|end_story|>}, so it is found at the start of a text or after a space (which it absorbs),
 * and spelled out with ordinary tokens when glued to the preceding word. Where several tokens match,
 * the leftmost wins, then the longest.
 * The options {@code single_word}, {@code lstrip} and {@code rstrip} are not implemented and refused
 * when set.
 */
final class AddedTokens {
    /** One added token. */
    record Token(int id, String content, boolean normalized, boolean special) {
    }

    /** Receives the pieces of a text in order: added tokens, and normalized text between them. */
    interface Sink {
        void addedToken(int id);

        void normalizedText(String text);
    }

    private final List<Token> tokens;
    private final UnaryOperator<String> normalizer;
    private final Matcher rawMatcher;
    private final Matcher normalizedMatcher;

    private AddedTokens(List<Token> tokens, UnaryOperator<String> normalizer) {
        this.tokens = List.copyOf(tokens);
        this.normalizer = normalizer;
        this.rawMatcher = new Matcher();
        this.normalizedMatcher = new Matcher();
        for (Token t : tokens) {
            if (t.normalized()) {
                normalizedMatcher.add(normalizer.apply(t.content()), t.id());
            } else {
                rawMatcher.add(t.content(), t.id());
            }
        }
    }

    /**
     * The added tokens of the array {@code node} at {@code where} (none if it is absent or null),
     * for text that {@code normalizer} normalizes: {@link #split} applies it between the tokens.
     */
    static AddedTokens fromJson(JsonSource src, JsonNode node, String where, UnaryOperator<String> normalizer) {
        List<Token> tokens = new ArrayList<>();
        if (node == null || node.isNull()) {
            return new AddedTokens(tokens, normalizer);
        }
        if (!node.isArray()) {
            throw src.error(where, "expected an array, found " + JsonSource.describe(node));
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode entry = node.get(i);
            String at = where + "[" + i + "]";
            if (!entry.isObject()) {
                throw src.error(at, "expected an object, found " + JsonSource.describe(entry));
            }
            int id = src.nonNegativeInt(entry, at, "id");
            String content = src.string(entry, at, "content");
            if (content.isEmpty()) {
                throw src.error(at + ".content", "an added token cannot be empty");
            }
            for (String option : List.of("single_word", "lstrip", "rstrip")) {
                if (src.flag(entry, at, option, false)) {
                    throw src.error(at + "." + option, "added-token option \"" + option + "\" = true is not implemented");
                }
            }
            Integer before = seen.putIfAbsent(content, id);
            if (before != null) {
                throw src.error(at, "\"" + content + "\" is already added as id " + before);
            }
            tokens.add(new Token(id, content, src.flag(entry, at, "normalized", true), src.flag(entry, at, "special", false)));
        }
        return new AddedTokens(tokens, normalizer);
    }

    List<Token> tokens() {
        return tokens;
    }

    /**
     * Cuts {@code text} into added tokens and normalized text, in order: first the non-normalized
     * tokens are found in the raw text, then each stretch between them is normalized and searched
     * for the normalized tokens. Empty stretches are not reported.
     */
    void split(String text, Sink sink) {
        rawMatcher.split(text, sink::addedToken, raw -> normalizedMatcher.split(normalizer.apply(raw), sink::addedToken,
                sink::normalizedText));
    }

    /** Leftmost-longest search for a fixed set of strings, each with an id. */
    private static final class Matcher {
        /** Patterns by their first char, longest first. */
        private final Map<Character, List<Map.Entry<String, Integer>>> byFirstChar = new HashMap<>();

        void add(String pattern, int id) {
            if (pattern.isEmpty()) {
                return;
            }
            List<Map.Entry<String, Integer>> list = byFirstChar.computeIfAbsent(pattern.charAt(0), c -> new ArrayList<>());
            list.add(Map.entry(pattern, id));
            list.sort(Comparator.comparingInt((Map.Entry<String, Integer> e) -> e.getKey().length()).reversed());
        }

        /** Reports the matches in {@code text} to {@code onMatch} and the non-empty text between them to {@code onText}. */
        void split(String text, IntConsumer onMatch, Consumer<String> onText) {
            int textStart = 0;
            int i = 0;
            while (i < text.length()) {
                Map.Entry<String, Integer> match = matchAt(text, i);
                if (match == null) {
                    i++;
                    continue;
                }
                if (textStart < i) {
                    onText.accept(text.substring(textStart, i));
                }
                onMatch.accept(match.getValue());
                i += match.getKey().length();
                textStart = i;
            }
            if (textStart < text.length()) {
                onText.accept(text.substring(textStart));
            }
        }

        private Map.Entry<String, Integer> matchAt(String text, int i) {
            List<Map.Entry<String, Integer>> candidates = byFirstChar.get(text.charAt(i));
            if (candidates != null) {
                for (Map.Entry<String, Integer> c : candidates) {
                    if (text.startsWith(c.getKey(), i)) {
                        return c;
                    }
                }
            }
            return null;
        }
    }
}

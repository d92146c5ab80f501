package dev.shears.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Builds the text normalizer of a {@code tokenizer.json} ({@code "normalizer"}): a function applied
 * to the text before the BPE model sees it. Only the Hugging Face normalizer types below are
 * implemented; any other type is refused when the file is loaded, because skipping a normalizer
 * (lowercasing, Unicode normalization, ...) would silently change every token id.
 * <ul>
 *   <li>{@code Sequence}: its {@code normalizers}, in order;</li>
 *   <li>{@code Prepend}: puts {@code prepend} in front of a non-empty text;</li>
 *   <li>{@code Replace} with a {@code {"String": ...}} pattern: replaces every occurrence by {@code content}.</li>
 * </ul>
 */
final class Normalizers {
    static final Set<String> SUPPORTED = new LinkedHashSet<>(List.of("Sequence", "Prepend", "Replace"));

    private Normalizers() {
    }

    /** The normalizer described by {@code node} at {@code where}; JSON null means none (identity). */
    static UnaryOperator<String> fromJson(JsonSource src, JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return UnaryOperator.identity();
        }
        String type = src.type(node, where);
        return switch (type) {
            case "Sequence" -> {
                JsonNode parts = src.array(node, where, "normalizers");
                UnaryOperator<String> chain = UnaryOperator.identity();
                for (int i = 0; i < parts.size(); i++) {
                    UnaryOperator<String> before = chain;
                    UnaryOperator<String> next = fromJson(src, parts.get(i), where + ".normalizers[" + i + "]");
                    chain = text -> next.apply(before.apply(text));
                }
                yield chain;
            }
            case "Prepend" -> {
                String prefix = src.string(node, where, "prepend");
                yield text -> text.isEmpty() ? text : prefix + text;
            }
            case "Replace" -> {
                String pattern = literalPattern(src, node, where);
                String content = src.string(node, where, "content");
                yield text -> text.replace(pattern, content);
            }
            default -> throw src.unsupported(where, "normalizer", type, SUPPORTED);
        };
    }

    /**
     * The literal search string of a {@code Replace} component (normalizer or decoder): its
     * {@code pattern} must be {@code {"String": "..."}}; a {@code Regex} pattern is refused.
     */
    static String literalPattern(JsonSource src, JsonNode replace, String where) {
        JsonNode pattern = src.object(replace, where, "pattern");
        String at = where + ".pattern";
        if (pattern.has("Regex")) {
            throw src.error(at, "unsupported Replace pattern kind \"Regex\" (only {\"String\": ...} is implemented)");
        }
        String literal = src.string(pattern, at, "String");
        if (literal.isEmpty()) {
            throw src.error(at + ".String", "an empty pattern matches nowhere useful; refusing it");
        }
        return literal;
    }
}

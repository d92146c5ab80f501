package dev.shears.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Builds the decoder of a {@code tokenizer.json} ({@code "decoder"}). As in Hugging Face
 * {@code tokenizers}, a decoder maps the list of token strings to a new list, step by step, and the
 * text is the concatenation of the final list; so whether a step sees single tokens or the whole text
 * depends on whether a {@code Fuse} came before it. Implemented types (anything else is refused):
 * <ul>
 *   <li>{@code Sequence}: its {@code decoders}, in order;</li>
 *   <li>{@code Replace} with a {@code {"String": ...}} pattern, in each token;</li>
 *   <li>{@code ByteFallback}: each run of {@code <0xNN>} tokens becomes the UTF-8 text of those bytes,
 *       or one U+FFFD per byte if they are not valid UTF-8;</li>
 *   <li>{@code Fuse}: joins all tokens into one;</li>
 *   <li>{@code Strip}: removes up to {@code start} leading and {@code stop} trailing {@code content}
 *       characters from each token.</li>
 * </ul>
 * A file with no decoder (JSON null) joins the tokens with single spaces, as {@code tokenizers} does.
 */
final class Decoders {
    static final Set<String> SUPPORTED = new LinkedHashSet<>(List.of("Sequence", "Replace", "ByteFallback", "Fuse", "Strip"));

    private Decoders() {
    }

    /** The decoder described by {@code node} at {@code where}. */
    static UnaryOperator<List<String>> fromJson(JsonSource src, JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return tokens -> List.of(String.join(" ", tokens));
        }
        String type = src.type(node, where);
        return switch (type) {
            case "Sequence" -> {
                JsonNode steps = src.array(node, where, "decoders");
                UnaryOperator<List<String>> chain = UnaryOperator.identity();
                for (int i = 0; i < steps.size(); i++) {
                    UnaryOperator<List<String>> before = chain;
                    UnaryOperator<List<String>> next = fromJson(src, steps.get(i), where + ".decoders[" + i + "]");
                    chain = tokens -> next.apply(before.apply(tokens));
                }
                yield chain;
            }
            case "Replace" -> {
                String pattern = Normalizers.literalPattern(src, node, where);
                String content = src.string(node, where, "content");
                yield tokens -> tokens.stream().map(t -> t.replace(pattern, content)).toList();
            }
            case "ByteFallback" -> Decoders::byteFallback;
            case "Fuse" -> tokens -> List.of(String.join("", tokens));
            case "Strip" -> {
                String content = src.string(node, where, "content");
                if (content.codePointCount(0, content.length()) != 1) {
                    throw src.error(where + ".content", "expected a single character, found \"" + content + "\"");
                }
                int start = src.nonNegativeInt(node, where, "start");
                int stop = src.nonNegativeInt(node, where, "stop");
                yield tokens -> tokens.stream().map(t -> strip(t, content, start, stop)).toList();
            }
            default -> throw src.unsupported(where, "decoder", type, SUPPORTED);
        };
    }

    /** The byte a byte-fallback token {@code <0xNN>} stands for, or -1 if {@code token} is not one. */
    static int fallbackByte(String token) {
        if (token.length() != 6 || !token.startsWith("<0x") || token.charAt(5) != '>') {
            return -1;
        }
        int hi = Character.digit(token.charAt(3), 16);
        int lo = Character.digit(token.charAt(4), 16);
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }

    /** The byte-fallback token for {@code b}, spelled as {@code tokenizers} spells it: {@code <0x0A>}. */
    static String fallbackToken(int b) {
        return String.format("<0x%02X>", b);
    }

    private static List<String> byteFallback(List<String> tokens) {
        List<String> out = new ArrayList<>(tokens.size());
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        for (String token : tokens) {
            int b = fallbackByte(token);
            if (b >= 0) {
                pending.write(b);
                continue;
            }
            flush(pending, out);
            out.add(token);
        }
        flush(pending, out);
        return out;
    }

    private static void flush(ByteArrayOutputStream pending, List<String> out) {
        if (pending.size() == 0) {
            return;
        }
        byte[] bytes = pending.toByteArray();
        pending.reset();
        try {
            out.add(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            out.add("\uFFFD".repeat(bytes.length));
        }
    }

    private static String strip(String token, String content, int start, int stop) {
        int from = 0;
        for (int i = 0; i < start && token.startsWith(content, from); i++) {
            from += content.length();
        }
        int to = token.length();
        for (int i = 0; i < stop && to - content.length() >= from && token.startsWith(content, to - content.length()); i++) {
            to -= content.length();
        }
        return token.substring(from, to);
    }
}

package dev.shears.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * One parsed JSON file and the helpers that read its fields, so that every problem found while
 * building a tokenizer is reported the same way: the file, the JSON location (for example
 * {@code model.merges[12]}) and what is wrong there. Errors are {@link IllegalArgumentException}s:
 * the caller handed in a file that does not describe a tokenizer this package can run.
 */
final class JsonSource {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path path;
    private final JsonNode root;

    private JsonSource(Path path, JsonNode root) {
        this.path = path;
        this.root = root;
    }

    /**
     * Parses {@code path}, whose top level must be a JSON object.
     *
     * @throws UncheckedIOException     if it cannot be read
     * @throws IllegalArgumentException if it is not JSON or its top level is not an object
     */
    static JsonSource read(Path path) {
        JsonNode root;
        try {
            root = MAPPER.readTree(Files.readString(path));
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("tokenizer file " + path + " does not exist", e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("tokenizer file " + path + " is not valid JSON: "
                    + e.getOriginalMessage() + " (line " + e.getLocation().getLineNr() + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tokenizer file " + path + ": " + e, e);
        }
        JsonSource source = new JsonSource(path, root);
        if (root == null || !root.isObject()) {
            throw source.error("", "expected a JSON object, found " + describe(root));
        }
        return source;
    }

    JsonNode root() {
        return root;
    }

    /** The error for a problem at JSON location {@code where}. */
    IllegalArgumentException error(String where, String problem) {
        return new IllegalArgumentException("tokenizer file " + path + ": " + (where.isEmpty() ? "top level" : where)
                + ": " + problem);
    }

    /** The field {@code name} of the object {@code node} at {@code where}; an error if absent. */
    JsonNode required(JsonNode node, String where, String name) {
        JsonNode value = node.get(name);
        if (value == null) {
            throw error(where, "missing field \"" + name + "\"");
        }
        return value;
    }

    /** The field {@code name} of {@code node}, which must be an object. */
    JsonNode object(JsonNode node, String where, String name) {
        JsonNode value = required(node, where, name);
        if (!value.isObject()) {
            throw error(join(where, name), "expected an object, found " + describe(value));
        }
        return value;
    }

    /** The field {@code name} of {@code node}, which must be an array. */
    JsonNode array(JsonNode node, String where, String name) {
        JsonNode value = required(node, where, name);
        if (!value.isArray()) {
            throw error(join(where, name), "expected an array, found " + describe(value));
        }
        return value;
    }

    /** The field {@code name} of {@code node}, which must be a string. */
    String string(JsonNode node, String where, String name) {
        return asString(required(node, where, name), join(where, name));
    }

    /** {@code value} at {@code where}, which must be a string. */
    String asString(JsonNode value, String where) {
        if (!value.isTextual()) {
            throw error(where, "expected a string, found " + describe(value));
        }
        return value.asText();
    }

    /** The field {@code name} of {@code node}, which must be a non-negative integer that fits an int. */
    int nonNegativeInt(JsonNode node, String where, String name) {
        return asNonNegativeInt(required(node, where, name), join(where, name));
    }

    /** {@code value} at {@code where}, which must be a non-negative integer that fits an int. */
    int asNonNegativeInt(JsonNode value, String where) {
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.asInt() < 0) {
            throw error(where, "expected a non-negative integer, found " + describe(value));
        }
        return value.asInt();
    }

    /** The boolean field {@code name} of {@code node}, or {@code fallback} when it is absent or null. */
    boolean flag(JsonNode node, String where, String name, boolean fallback) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw error(join(where, name), "expected true or false, found " + describe(value));
        }
        return value.asBoolean();
    }

    /** The {@code "type"} of the component object {@code node} at {@code where}. */
    String type(JsonNode node, String where) {
        if (!node.isObject()) {
            throw error(where, "expected an object with a \"type\", found " + describe(node));
        }
        return string(node, where, "type");
    }

    /** The error for a component whose {@code type} this package does not implement. */
    IllegalArgumentException unsupported(String where, String kind, String type, Set<String> supported) {
        return error(where, "unsupported " + kind + " type \"" + type + "\" (" + (supported.isEmpty()
                ? "none is implemented: it must be null" : "supported: " + String.join(", ", supported))
                + "); refusing to load rather than tokenize differently from the tokenizer this file describes");
    }

    /**
     * Fails at {@code where} unless the field {@code name} is absent or null: a setting this package
     * does not implement, harmless only when unset.
     */
    void requireNull(JsonNode node, String where, String name) {
        JsonNode value = node.get(name);
        if (value != null && !value.isNull()) {
            throw error(join(where, name), "unsupported setting " + value + " (only null is implemented)");
        }
    }

    /** {@code where.name}, or {@code name} at the top level. */
    static String join(String where, String name) {
        return where.isEmpty() ? name : where + "." + name;
    }

    /** A short description of a JSON value for error messages. */
    static String describe(JsonNode value) {
        if (value == null || value.isMissingNode()) {
            return "nothing";
        }
        String text = value.toString();
        String shown = text.length() > 60 ? text.substring(0, 57) + "..." : text;
        return value.getNodeType().name().toLowerCase(Locale.ROOT) + " " + shown;
    }
}

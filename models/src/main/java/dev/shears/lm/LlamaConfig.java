package dev.shears.lm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The architecture numbers of a Llama model, as a Hugging Face {@code config.json}
 * ({@code LlamaForCausalLM}) states them. {@link #read} checks them for consistency, naming every
 * problem.
 */
public record LlamaConfig(int hiddenSize, int intermediateSize, int layers, int heads, int kvHeads, double rmsNormEps,
                          double ropeTheta, int vocabSize, boolean tieWordEmbeddings, int maxPositions) {

    public LlamaConfig {
        List<String> bad = new ArrayList<>();
        positive(bad, "hidden_size", hiddenSize);
        positive(bad, "intermediate_size", intermediateSize);
        positive(bad, "num_hidden_layers", layers);
        positive(bad, "num_attention_heads", heads);
        positive(bad, "num_key_value_heads", kvHeads);
        positive(bad, "vocab_size", vocabSize);
        positive(bad, "max_position_embeddings", maxPositions);
        if (heads > 0 && hiddenSize % heads != 0) {
            bad.add("hidden_size " + hiddenSize + " is not a multiple of num_attention_heads " + heads);
        } else if (heads > 0 && (hiddenSize / heads) % 2 != 0) {
            bad.add("the head size hidden_size / num_attention_heads = " + hiddenSize / heads
                    + " must be even for rotary embeddings");
        }
        if (heads > 0 && kvHeads > 0 && heads % kvHeads != 0) {
            bad.add("num_attention_heads " + heads + " is not a multiple of num_key_value_heads " + kvHeads);
        }
        if (!(rmsNormEps > 0)) {
            bad.add("rms_norm_eps " + rmsNormEps + " must be positive");
        }
        if (!(ropeTheta > 1)) {
            bad.add("rope_theta " + ropeTheta + " must be > 1");
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException("Llama config: " + String.join("; ", bad));
        }
    }

    private static void positive(List<String> bad, String field, int value) {
        if (value < 1) {
            bad.add(field + " " + value + " must be >= 1");
        }
    }

    public int headDim() {
        return hiddenSize / heads;
    }

    /**
     * Reads a {@code config.json}. Fields Llama does not need are ignored; features this
     * implementation does not have (another activation, rope scaling, biases) are refused.
     *
     * @throws IllegalArgumentException naming the file and every missing, malformed or inconsistent field
     */
    public static LlamaConfig read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("Llama config " + file + ": cannot read it as JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("Llama config " + file + ": not a JSON object");
        }
        List<String> bad = new ArrayList<>();
        String act = root.path("hidden_act").asText("silu");
        if (!act.equals("silu")) {
            bad.add("hidden_act '" + act + "' is not supported (only silu)");
        }
        if (root.hasNonNull("rope_scaling")) {
            bad.add("rope_scaling " + root.get("rope_scaling") + " is not supported (only null)");
        }
        for (String flag : new String[] {"attention_bias", "mlp_bias"}) {
            if (root.path(flag).asBoolean(false)) {
                bad.add(flag + " true is not supported");
            }
        }
        int hidden = intField(root, "hidden_size", null, bad);
        int inter = intField(root, "intermediate_size", null, bad);
        int layers = intField(root, "num_hidden_layers", null, bad);
        int heads = intField(root, "num_attention_heads", null, bad);
        int kv = intField(root, "num_key_value_heads", heads, bad);
        int vocab = intField(root, "vocab_size", null, bad);
        int maxPos = intField(root, "max_position_embeddings", null, bad);
        double eps = doubleField(root, "rms_norm_eps", 1e-6, bad);
        double theta = doubleField(root, "rope_theta", 10000.0, bad);
        boolean tie = root.path("tie_word_embeddings").asBoolean(false);
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException("Llama config " + file + ": " + String.join("; ", bad));
        }
        try {
            return new LlamaConfig(hidden, inter, layers, heads, kv, eps, theta, vocab, tie, maxPos);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static int intField(JsonNode root, String name, Integer fallback, List<String> bad) {
        JsonNode n = root.get(name);
        if (n == null || n.isNull()) {
            if (fallback == null) {
                bad.add("missing '" + name + "'");
                return 0;
            }
            return fallback;
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber()) {
            bad.add("'" + name + "' is " + n + ", not an integer");
            return 0;
        }
        return n.intValue();
    }

    private static double doubleField(JsonNode root, String name, double fallback, List<String> bad) {
        JsonNode n = root.get(name);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isNumber()) {
            bad.add("'" + name + "' is " + n + ", not a number");
            return fallback;
        }
        return n.doubleValue();
    }
}

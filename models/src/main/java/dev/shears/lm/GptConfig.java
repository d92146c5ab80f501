package dev.shears.lm;

import java.util.ArrayList;
import java.util.List;

/**
 * The shape of a {@link Gpt}.
 *
 * @param vocabSize     tokens
 * @param contextLength the most positions (the learned position table's size)
 * @param layers        transformer blocks
 * @param heads         attention heads ({@code dim} must be a multiple)
 * @param dim           model width
 * @param dropout       dropout on attention weights, residual branches and embeddings (0 for none)
 */
public record GptConfig(int vocabSize, int contextLength, int layers, int heads, int dim, float dropout) {
    public GptConfig {
        List<String> bad = new ArrayList<>();
        for (int[] v : new int[][] {{vocabSize, 0}, {contextLength, 1}, {layers, 2}, {heads, 3}, {dim, 4}}) {
            if (v[0] < 1) {
                bad.add(List.of("vocabSize", "contextLength", "layers", "heads", "dim").get(v[1]) + " " + v[0]
                        + " must be >= 1");
            }
        }
        if (heads > 0 && dim % heads != 0) {
            bad.add("dim " + dim + " is not a multiple of heads " + heads);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            bad.add("dropout " + dropout + " must be in [0, 1)");
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException("GptConfig: " + String.join("; ", bad));
        }
    }

    /** nanoGPT's small CPU configuration for characters: 4 layers, 4 heads, 128 wide, context 64, no dropout. */
    public static GptConfig smallChar(int vocabSize) {
        return new GptConfig(vocabSize, 64, 4, 4, 128, 0f);
    }
}

package dev.shears.lm;

import dev.shears.tensor.Rng;
import java.util.Arrays;

/**
 * Picks the next token from a row of logits: greedy (argmax, the lowest id among equal maxima) or
 * sampled from the softmax at a temperature, optionally restricted to the {@code topK} most likely
 * tokens and then to the smallest set whose probability reaches {@code topP} (nucleus sampling).
 * Draws come from an explicit {@link Rng}, so a seed reproduces a sample.
 *
 * @param temperature 0 for greedy, else > 0
 * @param topK        how many of the most likely tokens to keep, 0 for all
 * @param topP        the probability mass to keep, in (0, 1] (1 keeps all)
 */
public record Sampler(double temperature, int topK, double topP) {

    public Sampler {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("Sampler: temperature " + temperature + " must be 0 (greedy) or positive");
        }
        if (topK < 0) {
            throw new IllegalArgumentException("Sampler: top-k " + topK + " must be >= 0 (0 keeps all tokens)");
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("Sampler: top-p " + topP + " must be in (0, 1]");
        }
    }

    /** Always the most likely token. */
    public static Sampler greedy() {
        return new Sampler(0, 0, 1);
    }

    public boolean isGreedy() {
        return temperature == 0;
    }

    /** The chosen token id for {@code logits} (one per vocabulary entry). */
    public int next(float[] logits, Rng rng) {
        if (isGreedy()) {
            return argmax(logits);
        }
        int n = logits.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        // most likely first; equal logits by id, so the draw does not depend on the sort's stability
        Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
        int keep = topK == 0 ? n : Math.min(topK, n);
        double max = logits[order[0]];
        double[] p = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            p[i] = Math.exp((logits[order[i]] - max) / temperature);
            sum += p[i];
        }
        if (topP < 1) {
            double mass = 0;
            int cut = keep;
            for (int i = 0; i < keep; i++) {
                mass += p[i] / sum;
                if (mass >= topP) {
                    cut = i + 1;
                    break;
                }
            }
            keep = cut;
            sum = 0;
            for (int i = 0; i < keep; i++) {
                sum += p[i];
            }
        }
        double u = rng.nextDouble() * sum;
        for (int i = 0; i < keep; i++) {
            u -= p[i];
            if (u < 0) {
                return order[i];
            }
        }
        return order[keep - 1]; // u was within rounding of sum
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}

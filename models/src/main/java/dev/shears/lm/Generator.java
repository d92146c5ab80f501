package dev.shears.lm;

import dev.shears.autograd.Autograd;
import dev.shears.autograd.Var;
import dev.shears.nn.KvCache;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * Autoregressive decoding with a {@link KvCache}: the prompt is run once, then each new token alone,
 * attending to the cached keys and values. Stops at the stop token (which is included in the
 * output) or after {@code maxTokens}. Once the context is full, each step runs the last
 * {@code context} tokens again as a fresh prompt (positions from 0, nanoGPT's crop), so a
 * short-context model can write past its context, at the cost of recomputing its window.
 */
public final class Generator {
    private Generator() {}

    /**
     * The decoded continuation.
     *
     * @param tokens  the generated ids (not the prompt)
     * @param stopped whether the stop token ended it
     * @param seconds wall time of the whole decode, prompt included
     */
    public record Result(int[] tokens, boolean stopped, double seconds) {
        /** Generated tokens per second. */
        public double tokensPerSecond() {
            return tokens.length / seconds;
        }
    }

    /**
     * Decodes up to {@code maxTokens} tokens after {@code prompt} (at least one id).
     *
     * @param stopToken the id that ends the text, or -1 for none
     * @param onToken   called with each new id as soon as it is chosen (for streaming), or null
     * @throws IllegalArgumentException if the prompt is empty or longer than the context
     */
    public static Result generate(CausalLm lm, int[] prompt, int maxTokens, Sampler sampler, Rng rng, int stopToken,
            IntConsumer onToken) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("Generator: the prompt is empty; start with at least the BOS token");
        }
        if (prompt.length > lm.contextLength()) {
            throw new IllegalArgumentException("Generator: the prompt has " + prompt.length + " tokens, more than the"
                    + " context of " + lm.contextLength());
        }
        if (maxTokens < 0) {
            throw new IllegalArgumentException("Generator: max tokens " + maxTokens + " must be >= 0");
        }
        long t0 = System.nanoTime();
        KvCache cache = lm.newCache();
        int[] all = Arrays.copyOf(prompt, prompt.length + maxTokens);
        int[] out = new int[maxTokens];
        int n = 0;
        boolean stopped = false;
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            float[] logits = lastRow(lm.logits(Tensor.ofInts(prompt, 1, prompt.length), cache));
            while (n < maxTokens) {
                int next = sampler.next(logits, rng);
                all[prompt.length + n] = next;
                out[n++] = next;
                if (onToken != null) {
                    onToken.accept(next);
                }
                if (next == stopToken) {
                    stopped = true;
                    break;
                }
                if (n == maxTokens) {
                    break;
                }
                if (cache.length() == lm.contextLength()) {
                    cache = lm.newCache();
                    int end = prompt.length + n;
                    int keep = lm.contextLength();
                    logits = lastRow(lm.logits(Tensor.ofInts(Arrays.copyOfRange(all, end - keep, end), 1, keep), cache));
                } else {
                    logits = lastRow(lm.logits(Tensor.ofInts(new int[] {next}, 1, 1), cache));
                }
            }
        }
        return new Result(Arrays.copyOf(out, n), stopped, (System.nanoTime() - t0) / 1e9);
    }

    private static float[] lastRow(Var logits) {
        int t = logits.dim(1);
        return logits.value().narrow(1, t - 1, 1).contiguous().toFloatArray();
    }
}

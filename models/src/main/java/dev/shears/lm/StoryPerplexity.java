package dev.shears.lm;

import dev.shears.autograd.Autograd;
import dev.shears.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The language-model quality measure the pruning reproductions share: per-token negative
 * log-likelihood and perplexity of a set of stories, each encoded on its own as
 * [BOS] + tokens(story) + [EOS] and every next token scored given its prefix within the story.
 */
public final class StoryPerplexity {
    private StoryPerplexity() {}

    /** One story's scores: the tokens predicted and the NLL of each, in nats. */
    public record Story(int tokens, int unknownTokens, double[] nll) {
        public double sum() {
            return Arrays.stream(nll).sum();
        }
    }

    /** All stories: mean NLL per predicted token and its exponential. */
    public record Result(List<Story> stories) {
        public Result {
            stories = List.copyOf(stories);
        }

        public long tokens() {
            return stories.stream().mapToLong(Story::tokens).sum();
        }

        public double meanNll() {
            return stories.stream().mapToDouble(Story::sum).sum() / tokens();
        }

        public double perplexity() {
            return Math.exp(meanNll());
        }
    }

    /**
     * Splits a text file's contents into stories: separated by lines that are exactly
     * {@code separator} (after trimming), each story trimmed, empty ones dropped.
     */
    public static List<String> splitStories(String text, String separator) {
        List<String> stories = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (line.strip().equals(separator)) {
                addIfNotBlank(stories, current);
                current.setLength(0);
            } else {
                current.append(line).append('\n');
            }
        }
        addIfNotBlank(stories, current);
        return stories;
    }

    private static void addIfNotBlank(List<String> stories, StringBuilder sb) {
        String s = sb.toString().strip();
        if (!s.isEmpty()) {
            stories.add(s);
        }
    }

    /**
     * Scores every story with {@code lm} (characters outside the vocabulary are scored as the
     * unknown token, and counted).
     *
     * @throws IllegalArgumentException if a story does not fit the model's context
     */
    public static Result evaluate(PretrainedLm lm, List<String> stories) {
        List<Story> out = new ArrayList<>();
        int eos = lm.tokenizer().eosId();
        int unk = lm.tokenizer().unkId();
        for (int s = 0; s < stories.size(); s++) {
            int[] body = lm.encodeAfterBosLeniently(stories.get(s));
            int[] ids = Arrays.copyOf(body, body.length + 1);
            ids[body.length] = eos;
            if (ids.length > lm.model().contextLength()) {
                throw new IllegalArgumentException("story " + (s + 1) + " has " + ids.length + " tokens, more than the"
                        + " context of " + lm.model().contextLength());
            }
            int v = lm.model().vocabSize();
            float[] logits;
            try (Autograd.NoGrad ignored = Autograd.noGrad()) {
                logits = lm.model().logits(Tensor.ofInts(ids, 1, ids.length), null).value().toFloatArray();
            }
            double[] nll = new double[ids.length - 1];
            int unknown = 0;
            for (int p = 0; p + 1 < ids.length; p++) {
                nll[p] = -logSoftmax(logits, p * v, v, ids[p + 1]);
                if (ids[p + 1] == unk) {
                    unknown++;
                }
            }
            out.add(new Story(nll.length, unknown, nll));
        }
        return new Result(out);
    }

    /** log softmax(row)[target] of the row starting at {@code offset}, in double. */
    private static double logSoftmax(float[] logits, int offset, int n, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(logits[offset + i] - max);
        }
        return logits[offset + target] - max - Math.log(sum);
    }
}

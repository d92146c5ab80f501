package dev.shears.repro;

import dev.shears.lm.Generator;
import dev.shears.lm.PretrainedLm;
import dev.shears.lm.Sampler;
import dev.shears.tensor.Rng;
import dev.shears.tensor.parallel.Parallel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Tells a story with the pretrained TinyStories-656K Llama, streaming it, and reports decoding tokens/s. */
@Command(name = "tinystories", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Generates a story with the pretrained TinyStories-656K Llama (KV-cached decoding); prints"
                + " tokens/s.")
public final class TinyStoriesRepro implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--prompt", description = "The story's beginning (default: \"${DEFAULT-VALUE}\").")
    String prompt = "Once upon a time";

    @Option(names = "--greedy", description = "Always take the most likely token (ignores the sampling options).")
    boolean greedy;

    @Option(names = "--temperature", description = "Sampling temperature (default: ${DEFAULT-VALUE}).")
    double temperature = 1.0;

    @Option(names = "--top-k", description = "Sample among the K most likely tokens; 0 for all (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", description = "Sample within the smallest set of tokens holding this probability"
            + " (default: ${DEFAULT-VALUE}).")
    double topP = 0.9;

    @Option(names = "--seed", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed = 42;

    @Option(names = "--max-tokens", description = "The most tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxTokens = 300;

    @Option(names = "--model-dir", description = "A Hugging Face Llama folder (default: shared/data/tinystories-656k).")
    Path modelDir;

    @Option(names = "--threads", description = "Kernel threads (default: the pool size).")
    Integer threads;

    @Override
    public Integer call() {
        Sampler sampler;
        try {
            sampler = greedy ? Sampler.greedy() : new Sampler(temperature, topK, topP);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "tinystories: " + e.getMessage());
        }
        if (maxTokens < 1 || (threads != null && threads < 1)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "tinystories: --max-tokens " + maxTokens
                    + " and --threads " + threads + " must be >= 1");
        }
        PretrainedLm lm;
        int[] ids;
        try {
            lm = PretrainedLm.load(modelDir);
            ids = lm.encodeAfterBos(prompt);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "tinystories: " + e.getMessage());
        }
        int maxNew = Math.min(maxTokens, lm.model().contextLength() - ids.length);
        if (maxNew < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "tinystories: the prompt's " + ids.length
                    + " tokens fill the context of " + lm.model().contextLength());
        }
        System.out.printf(Locale.ROOT, "== tinystories: %s, %,d parameters | %s ==%n", lm.dir(),
                lm.model().numParameters(), greedy ? "greedy" : String.format(Locale.ROOT,
                        "temperature %.2f, top-k %d, top-p %.2f, seed %d", temperature, topK, topP, seed));
        int[] promptIds = ids;
        int[] all = Arrays.copyOf(ids, ids.length + maxNew);
        int[] count = {ids.length};
        String[] shown = {lm.tokenizer().decode(Arrays.copyOfRange(ids, 1, ids.length), true)};
        System.out.print(shown[0]);
        Generator.Result[] result = new Generator.Result[1];
        Parallel.withThreads(threads != null ? threads : Parallel.threads(), () -> result[0] = Generator.generate(
                lm.model(), promptIds, maxNew, sampler, Rng.seeded(seed), lm.tokenizer().eosId(), id -> {
                    all[count[0]++] = id;
                    String text = lm.tokenizer().decode(Arrays.copyOfRange(all, 1, count[0]), true);
                    if (text.startsWith(shown[0])) { // stream what is new; a changed prefix waits for the end
                        System.out.print(text.substring(shown[0].length()));
                        shown[0] = text;
                    }
                    System.out.flush();
                }));
        Generator.Result r = result[0];
        String finalText = lm.tokenizer().decode(Arrays.copyOfRange(all, 1, count[0]), true);
        if (!finalText.equals(shown[0])) {
            System.out.print("\n" + finalText);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "-- %d tokens (%s) in %.2f s: %.0f tokens/s with the KV cache%n",
                r.tokens().length, r.stopped() ? "ended with <|end_story|>" : "stopped at --max-tokens or the context",
                r.seconds(), r.tokensPerSecond());
        return 0;
    }
}

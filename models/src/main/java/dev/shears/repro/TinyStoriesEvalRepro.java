package dev.shears.repro;

import dev.shears.lm.PretrainedLm;
import dev.shears.lm.StoryPerplexity;
import dev.shears.tensor.parallel.Parallel;
import dev.shears.train.Plot;
import dev.shears.train.ResultTable;
import dev.shears.train.RunDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Per-token NLL and perplexity of the pretrained TinyStories-656K on the shipped story sample, under
 * the protocol the language-model pruning reproductions use ({@link StoryPerplexity}).
 */
@Command(name = "tinystories-eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Per-token NLL and perplexity of TinyStories-656K on tinystories_sample_cs336.txt"
                + " ([BOS] + story + [EOS], each story on its own).")
public final class TinyStoriesEvalRepro implements Callable<Integer> {
    static final String SAMPLE = "tinystories_sample_cs336.txt";
    static final String SEPARATOR = "<|endoftext|>";

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    RunOptions options;

    @Option(names = "--model-dir", description = "A Hugging Face Llama folder (default: shared/data/tinystories-656k).")
    Path modelDir;

    @Option(names = "--text", description = "Stories separated by " + SEPARATOR + " lines (default: the model"
            + " folder's " + SAMPLE + ").")
    Path text;

    @Override
    public Integer call() throws IOException {
        if (options.problem() != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "tinystories-eval: " + options.problem());
        }
        PretrainedLm lm;
        try {
            lm = PretrainedLm.load(modelDir);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "tinystories-eval: " + e.getMessage());
        }
        Path file = text != null ? text : lm.dir().resolve(SAMPLE);
        if (!Files.isRegularFile(file)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "tinystories-eval: no text file " + file);
        }
        List<String> stories = StoryPerplexity.splitStories(Files.readString(file), SEPARATOR);
        if (stories.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "tinystories-eval: " + file + " holds no story");
        }
        long t0 = System.nanoTime();
        StoryPerplexity.Result[] result = new StoryPerplexity.Result[1];
        Parallel.withThreads(options.threads(), () -> result[0] = StoryPerplexity.evaluate(lm, stories));
        double seconds = (System.nanoTime() - t0) / 1e9;
        StoryPerplexity.Result r = result[0];

        ResultTable table = new ResultTable("story", "tokens scored", "unknown tokens", "mean NLL (nats)", "perplexity");
        for (int i = 0; i < r.stories().size(); i++) {
            StoryPerplexity.Story s = r.stories().get(i);
            double mean = s.sum() / s.tokens();
            table.row(i + 1, s.tokens(), s.unknownTokens(), fmt(mean), fmt(Math.exp(mean)));
        }
        table.row("all", r.tokens(), r.stories().stream().mapToInt(StoryPerplexity.Story::unknownTokens).sum(),
                fmt(r.meanNll()), fmt(r.perplexity()));
        try (RunDir runDir = RunDir.create(options.out(), "tinystories-eval", 0)) {
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("repro", "tinystories-eval");
            config.put("model", lm.dir().toString());
            config.put("text", file.toString());
            config.put("protocol", "each story on its own: [BOS] + tokens(story) + [EOS] (story text trimmed, separator"
                    + " lines dropped, tokens as the tokenizer encodes the story right after BOS); every next token"
                    + " scored given its prefix; characters outside the vocabulary scored as <unk>");
            runDir.writeConfig(config);
            runDir.writeText("results.csv", table.csv());
            runDir.writeText("results.md", "# tinystories-eval\n\n" + table.markdown());
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("tokens", r.tokens());
            json.put("meanNll", r.meanNll());
            json.put("perplexity", r.perplexity());
            json.put("stories", table.records());
            runDir.writeJson("results.json", json);
            Plot plot = Plot.line("Per-token NLL").xLabel("position in story").yLabel("NLL (nats)");
            for (int i = 0; i < r.stories().size(); i++) {
                double[] nll = r.stories().get(i).nll();
                plot.series("story " + (i + 1), IntStream.range(1, nll.length + 1).asDoubleStream().toArray(), nll);
            }
            try {
                runDir.writePlot("nll.png", plot);
            } catch (RuntimeException e) {
                System.out.println("plot skipped: " + e.getMessage());
            }
            System.out.println("== tinystories-eval: " + lm.dir() + " on " + file + " ==");
            System.out.print(table.markdown());
            System.out.printf(Locale.ROOT, "tokens %d | mean NLL %.4f nats | perplexity %.3f | %.2f s | results in %s%n",
                    r.tokens(), r.meanNll(), r.perplexity(), seconds, runDir.path());
        }
        return 0;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}

package dev.shears.bench;

import dev.shears.autograd.Autograd;
import dev.shears.autograd.Var;
import dev.shears.lm.Generator;
import dev.shears.lm.Gpt;
import dev.shears.lm.GptConfig;
import dev.shears.lm.Llama;
import dev.shears.lm.PretrainedLm;
import dev.shears.lm.Sampler;
import dev.shears.nn.Functional;
import dev.shears.nn.Parameter;
import dev.shears.optim.AdamW;
import dev.shears.optim.GradClip;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import dev.shears.tensor.parallel.Parallel;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Language-model speed: one char-GPT training step at {@code ./shears run char-gpt}'s default
 * configuration (the 30 ms target), and TinyStories-656K greedy decoding with the KV cache
 * against recomputing the whole prefix for every token, after a warm-up.
 */
@Command(name = "lm", mixinStandardHelpOptions = true,
        description = "char-GPT training-step time and TinyStories-656K decoding tokens/s (KV cache vs recompute).")
final class LmSuite implements Callable<Integer> {

    @Option(names = "--threads", split = ",", paramLabel = "T", description = "Thread counts (default: ${DEFAULT-VALUE}).",
            defaultValue = "1,2")
    List<Integer> threads;

    @Option(names = "--reps", description = "Timed steps or decodes per case (default: ${DEFAULT-VALUE}).",
            defaultValue = "30")
    int reps;

    @Option(names = "--warmup-ms", description = "Warm-up per case in ms (default: ${DEFAULT-VALUE}).", defaultValue = "4000")
    long warmupMillis;

    @Option(names = "--tokens", description = "Tokens per decode (default: ${DEFAULT-VALUE}).", defaultValue = "200")
    int tokens;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (threads.isEmpty() || threads.stream().anyMatch(t -> t < 1) || reps < 1 || warmupMillis < 0 || tokens < 1) {
            throw new ParameterException(spec.commandLine(), "--threads, --reps and --tokens must be >= 1 and"
                    + " --warmup-ms >= 0; got " + threads + ", " + reps + ", " + tokens + ", " + warmupMillis);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("# lm: char-GPT training step and TinyStories-656K decoding");
        out.println();
        out.print(BenchEnv.header());
        out.println();
        out.flush();
        PretrainedLm story = PretrainedLm.load(null);
        ResultTable table = new ResultTable("case", "threads", "best", "median", "unit");
        List<String> results = new ArrayList<>();
        for (int t : BenchEnv.threadCounts(threads, spec.commandLine().getErr())) {
            Timing.Result[] step = new Timing.Result[1];
            Parallel.withThreads(t, () -> step[0] = Timing.time(charGptStep(), warmupMillis, reps));
            add(table, results, "char-gpt step (4x128, batch 12x64)", t, step[0].best() / 1e6, step[0].median() / 1e6,
                    "ms/step");
            for (boolean cached : new boolean[] {true, false}) {
                Timing.Result[] decode = new Timing.Result[1];
                Parallel.withThreads(t, () -> decode[0] = Timing.time(decode(story.model(), cached), warmupMillis,
                        Math.max(3, reps / 5)));
                add(table, results, "tinystories decode " + tokens + " tokens, " + (cached ? "KV cache" : "recompute"),
                        t, tokens / (decode[0].best() / 1e9), tokens / (decode[0].median() / 1e9), "tokens/s");
            }
        }
        out.println(table);
        out.println("RESULT,case,threads,best,median,unit");
        results.forEach(out::println);
        out.flush();
        return 0;
    }

    private static void add(ResultTable table, List<String> results, String name, int threads, double best,
            double median, String unit) {
        table.add(name, threads, fmt(best), fmt(median), unit);
        results.add(String.format(Locale.ROOT, "RESULT,%s,%d,%.3f,%.3f,%s", name, threads, best, median, unit));
    }

    /** One step of char-gpt's default model and optimizer on a fixed random batch. */
    private static Runnable charGptStep() {
        Rng rng = Rng.seeded(42);
        Gpt model = new Gpt(GptConfig.smallChar(65), rng.split());
        Set<Parameter> noDecay = model.parameters().stream().filter(p -> p.rank() < 2).collect(Collectors.toSet());
        AdamW opt = new AdamW(model.parameters(), AdamW.Config.defaults().lr(1e-3).betas(0.9, 0.99).weightDecay(0.1),
                noDecay);
        int n = 12 * 64;
        int[] x = new int[n];
        int[] y = new int[n];
        Rng ids = rng.split();
        for (int i = 0; i < n; i++) {
            x[i] = ids.nextInt(65);
            y[i] = ids.nextInt(65);
        }
        Tensor inputs = Tensor.ofInts(x, 12, 64);
        Tensor targets = Tensor.ofInts(y, n);
        return () -> {
            Var loss = Functional.crossEntropy(model.logits(inputs, null).reshape(n, 65), targets);
            opt.zeroGrad();
            loss.backward();
            GradClip.clipNorm(model.parameters(), 1.0);
            opt.step();
        };
    }

    /** Greedy decoding of {@code tokens} tokens from BOS, with the cache or by rerunning the prefix each time. */
    private Runnable decode(Llama model, boolean cached) {
        if (cached) {
            return () -> Generator.generate(model, new int[] {1}, tokens, Sampler.greedy(), Rng.seeded(0), -1, null);
        }
        return () -> {
            int[] seq = new int[tokens + 1];
            seq[0] = 1;
            try (Autograd.NoGrad ignored = Autograd.noGrad()) {
                for (int n = 1; n <= tokens; n++) {
                    float[] logits = model.logits(Tensor.ofInts(java.util.Arrays.copyOf(seq, n), 1, n), null).value()
                            .narrow(1, n - 1, 1).contiguous().toFloatArray();
                    int best = 0;
                    for (int i = 1; i < logits.length; i++) {
                        if (logits[i] > logits[best]) {
                            best = i;
                        }
                    }
                    seq[n] = best;
                }
            }
        };
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}

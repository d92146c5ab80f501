package dev.shears.repro;

import dev.shears.autograd.Autograd;
import dev.shears.autograd.Var;
import dev.shears.data.CharTokenizer;
import dev.shears.data.TinyShakespeare;
import dev.shears.lm.Generator;
import dev.shears.lm.Gpt;
import dev.shears.lm.GptCheckpoint;
import dev.shears.lm.GptConfig;
import dev.shears.lm.Sampler;
import dev.shears.nn.Functional;
import dev.shears.nn.Parameter;
import dev.shears.optim.AdamW;
import dev.shears.optim.GradClip;
import dev.shears.optim.LrSchedule;
import dev.shears.tensor.Rng;
import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import dev.shears.train.Plot;
import dev.shears.train.ProgressLog;
import dev.shears.train.ResultTable;
import dev.shears.train.RunDir;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Trains a character-level {@link Gpt} on tiny-shakespeare (first 90% train, last 10% validation)
 * with nanoGPT's small CPU configuration, saves the checkpoint later reproductions prune, and prints
 * a sample.
 */
@Command(name = "char-gpt", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Trains a character-level GPT on tiny-shakespeare (nanoGPT's small CPU configuration);"
                + " reports train/validation loss, ms/iteration and a sample.")
public final class CharGptRepro implements Callable<Integer> {

    /** Everything a run is reproduced from; written to config.json. */
    record Settings(int layers, int heads, int dim, int context, int batchSize, int iters, double lr, double minLr,
                    int warmup, double weightDecay, double beta2, double gradClip, float dropout, int evalEvery,
                    int evalIters, long seed, int sampleTokens) {}

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    RunOptions options;

    @Option(names = "--layers", description = "Transformer blocks (default: ${DEFAULT-VALUE}).")
    int layers = 4;
    @Option(names = "--heads", description = "Attention heads (default: ${DEFAULT-VALUE}).")
    int heads = 4;
    @Option(names = "--dim", description = "Model width (default: ${DEFAULT-VALUE}).")
    int dim = 128;
    @Option(names = "--context", description = "Context length in characters (default: ${DEFAULT-VALUE}).")
    int context = 64;
    @Option(names = "--batch-size", description = "Sequences per step (default: ${DEFAULT-VALUE}).")
    int batchSize = 12;
    @Option(names = "--iters", description = "Training steps (default: ${DEFAULT-VALUE}).")
    int iters = 2000;
    @Option(names = "--lr", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr = 1e-3;
    @Option(names = "--min-lr", description = "Learning rate at the end of the cosine decay (default: ${DEFAULT-VALUE}).")
    double minLr = 1e-4;
    @Option(names = "--warmup", description = "Linear warm-up steps (default: ${DEFAULT-VALUE}).")
    int warmup = 100;
    @Option(names = "--weight-decay", description = "AdamW decay of the matrices and embeddings (default: ${DEFAULT-VALUE}).")
    double weightDecay = 0.1;
    @Option(names = "--beta2", description = "Adam's second-moment decay (default: ${DEFAULT-VALUE}).")
    double beta2 = 0.99;
    @Option(names = "--grad-clip", description = "Global gradient-norm clip; 0 for none (default: ${DEFAULT-VALUE}).")
    double gradClip = 1.0;
    @Option(names = "--dropout", description = "Dropout (default: ${DEFAULT-VALUE}).")
    float dropout = 0f;
    @Option(names = "--eval-every", description = "Steps between loss estimates (default: ${DEFAULT-VALUE}).")
    int evalEvery = 250;
    @Option(names = "--eval-iters", description = "Batches per loss estimate (default: ${DEFAULT-VALUE}).")
    int evalIters = 20;
    @Option(names = "--seed", description = "Seed of the initialisation and the batches (default: ${DEFAULT-VALUE}).")
    long seed = 1337;
    @Option(names = "--sample-tokens", description = "Characters to sample at the end (default: ${DEFAULT-VALUE}).")
    int sampleTokens = 500;

    /** Mean losses over a fixed set of batches, at one step. */
    record Estimate(int step, double train, double val) {}

    @Override
    public Integer call() {
        List<String> bad = new ArrayList<>();
        if (options.problem() != null) {
            bad.add(options.problem());
        }
        int[][] positive = {{layers}, {heads}, {dim}, {context}, {batchSize}, {iters}, {evalEvery}, {evalIters}};
        String[] names = {"--layers", "--heads", "--dim", "--context", "--batch-size", "--iters", "--eval-every",
                "--eval-iters"};
        for (int i = 0; i < names.length; i++) {
            if (positive[i][0] < 1) {
                bad.add(names[i] + " " + positive[i][0] + " must be >= 1");
            }
        }
        if (warmup < 0 || warmup >= Math.max(1, iters)) {
            bad.add("--warmup " + warmup + " must be in [0, --iters " + iters + ")");
        }
        if (!(lr > 0) || !(minLr >= 0) || minLr > lr || !(gradClip >= 0) || !(weightDecay >= 0) || !(beta2 >= 0 && beta2 < 1)
                || sampleTokens < 0) {
            bad.add("need --lr > 0, 0 <= --min-lr <= --lr, --grad-clip >= 0, --weight-decay >= 0, --beta2 in [0, 1),"
                    + " --sample-tokens >= 0 (got " + lr + ", " + minLr + ", " + gradClip + ", " + weightDecay + ", "
                    + beta2 + ", " + sampleTokens + ")");
        }
        GptConfig config = null;
        try {
            config = new GptConfig(1, context, layers, heads, dim, dropout); // vocabulary checked once known
        } catch (IllegalArgumentException e) {
            bad.add(e.getMessage());
        }
        if (!bad.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "char-gpt: " + String.join("; ", bad));
        }
        Settings s = new Settings(layers, heads, dim, context, batchSize, iters, lr, minLr, warmup, weightDecay, beta2,
                gradClip, dropout, evalEvery, evalIters, seed, sampleTokens);
        int threads = options.threads();
        Parallel.withThreads(threads, () -> run(s, threads));
        return 0;
    }

    private void run(Settings s, int threads) {
        long started = System.nanoTime();
        TinyShakespeare.Corpus corpus = TinyShakespeare.load(options.locator());
        CharTokenizer tok = corpus.tokenizer();
        GptConfig config = new GptConfig(tok.vocabSize(), s.context(), s.layers(), s.heads(), s.dim(), s.dropout());
        Rng rng = Rng.seeded(s.seed());
        Gpt model = new Gpt(config, rng.split());
        Rng batches = rng.split();
        Set<Parameter> noDecay = model.parameters().stream().filter(p -> p.rank() < 2).collect(Collectors.toSet());
        AdamW opt = new AdamW(model.parameters(), AdamW.Config.defaults().lr(s.lr()).betas(0.9, s.beta2())
                .weightDecay(s.weightDecay()), noDecay);
        LrSchedule schedule = LrSchedule.warmupCosine(s.lr(), s.warmup(), s.iters(), s.minLr());

        try (RunDir runDir = RunDir.create(options.out(), "char-gpt", s.seed())) {
            Map<String, Object> cfg = new LinkedHashMap<>();
            cfg.put("repro", "char-gpt");
            cfg.put("model", "nanoGPT-style GPT: learned positions, pre-LayerNorm blocks, GELU MLP 4x, tied head");
            cfg.put("data", "tiny-shakespeare, first 90% train, last 10% validation, characters");
            cfg.put("optimizer", "AdamW (beta1 0.9), decay on matrices and embeddings only, global-norm clipping");
            cfg.put("schedule", "linear warm-up, then cosine to --min-lr");
            cfg.put("settings", s);
            cfg.put("parameters", model.numParameters());
            cfg.put("vocabulary", tok.vocabulary());
            cfg.put("threads", threads);
            cfg.put("jdk", System.getProperty("java.vm.name") + " " + Runtime.version());
            cfg.put("simd", Simd.describe());
            runDir.writeConfig(cfg);
            System.out.printf(Locale.ROOT, "== char-gpt: %d layers, %d heads, width %d, context %d, %,d parameters,"
                    + " vocabulary %d ==%n", s.layers(), s.heads(), s.dim(), s.context(), model.numParameters(),
                    tok.vocabSize());
            System.out.printf(Locale.ROOT, "JDK %s | SIMD %s | threads %d | seed %d | batch %d | %d steps | run folder %s%n",
                    Runtime.version(), Simd.describe(), threads, s.seed(), s.batchSize(), s.iters(), runDir.path());

            List<Estimate> estimates = new ArrayList<>();
            double[] stepMs = new double[s.iters()];
            int tokensPerStep = s.batchSize() * s.context();
            for (int it = 0; it <= s.iters(); it++) {
                if (it % s.evalEvery() == 0 || it == s.iters()) {
                    Estimate e = estimate(model, corpus, s, it);
                    estimates.add(e);
                    System.out.printf(Locale.ROOT, "step %d: train loss %.4f, val loss %.4f%n", it, e.train(), e.val());
                }
                if (it == s.iters()) {
                    break;
                }
                long t0 = System.nanoTime();
                double lrNow = schedule.lr(it);
                opt.setLearningRate(lrNow);
                TinyShakespeare.Windows w = corpus.train().sample(batches, s.batchSize(), s.context());
                Var loss = loss(model, w, s);
                opt.zeroGrad();
                loss.backward();
                if (s.gradClip() > 0) {
                    GradClip.clipNorm(model.parameters(), s.gradClip());
                }
                opt.step();
                float l = loss.item();
                stepMs[it] = (System.nanoTime() - t0) / 1e6;
                runDir.logRow("step,loss,lr,ms", it + 1, l, lrNow, String.format(Locale.ROOT, "%.3f", stepMs[it]));
                if ((it + 1) % 50 == 0) {
                    System.out.printf(Locale.ROOT, "step %d/%d | loss %.4f | lr %.2e | %.1f ms/step | %s tok/s%n", it + 1,
                            s.iters(), l, lrNow, stepMs[it], ProgressLog.compact(tokensPerStep / stepMs[it] * 1e3));
                }
            }
            GptCheckpoint.save(runDir.path(), model, tok.vocabulary());
            String sample = sample(model, tok, s);
            runDir.writeText("sample.txt", sample + "\n");
            report(runDir, s, estimates, stepMs, tokensPerStep, (System.nanoTime() - started) / 60e9, sample);
        }
    }

    private static Var loss(Gpt model, TinyShakespeare.Windows w, Settings s) {
        int n = w.inputs().dim(0) * w.inputs().dim(1);
        return Functional.crossEntropy(model.logits(w.inputs(), null).reshape(n, model.vocabSize()),
                w.targets().reshape(n));
    }

    /** Mean loss over {@code evalIters} batches of each split, the same batches at every estimate. */
    private static Estimate estimate(Gpt model, TinyShakespeare.Corpus corpus, Settings s, int step) {
        boolean training = model.isTraining();
        model.eval();
        double[] mean = new double[2];
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            TinyShakespeare.TokenStream[] splits = {corpus.train(), corpus.val()};
            for (int k = 0; k < 2; k++) {
                Rng evalRng = Rng.seeded(s.seed() * 31 + k);
                for (int i = 0; i < s.evalIters(); i++) {
                    mean[k] += loss(model, splits[k].sample(evalRng, s.batchSize(), s.context()), s).item();
                }
                mean[k] /= s.evalIters();
            }
        } finally {
            model.train(training);
        }
        return new Estimate(step, mean[0], mean[1]);
    }

    private static String sample(Gpt model, CharTokenizer tok, Settings s) {
        boolean training = model.isTraining();
        model.eval();
        try {
            Generator.Result r = Generator.generate(model, tok.encode("\n"), s.sampleTokens(),
                    new Sampler(0.8, 200, 1.0), Rng.seeded(s.seed() + 1), -1, null);
            System.out.printf(Locale.ROOT, "-- sample (temperature 0.8, top-k 200, %d characters, %.0f tokens/s):%n%s%n--%n",
                    r.tokens().length, r.tokensPerSecond(), tok.decode(r.tokens()));
            return tok.decode(r.tokens());
        } finally {
            model.train(training);
        }
    }

    private static void report(RunDir runDir, Settings s, List<Estimate> estimates, double[] stepMs, int tokensPerStep,
            double minutes, String sample) {
        double[] sorted = stepMs.clone();
        java.util.Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        double mean = java.util.Arrays.stream(stepMs).skip(Math.min(stepMs.length - 1, 50)).average().orElse(Double.NaN);
        Estimate last = estimates.getLast();
        ResultTable table = new ResultTable("step", "train loss", "val loss");
        estimates.forEach(e -> table.row(e.step(), fmt(e.train()), fmt(e.val())));
        Check check = Check.named("char_gpt").value("val_loss", last.val(), 4).value("target", "1.90")
                .value("median_ms_per_step", median, 1).value("ms_target", "30").value("seed", s.seed())
                .value("minutes", minutes, 1).verdict(Check.Verdict.of(last.val() <= 1.90 && median <= 30));
        runDir.writeText("results.csv", table.csv());
        runDir.writeText("results.md", "# char-gpt\n\n" + String.format(Locale.ROOT,
                "- final validation loss **%.4f** nats/char (train %.4f)%n- median %.1f ms per step (mean after step 50:"
                        + " %.1f ms), %.0f training tokens/s%n- %.1f minutes in all%n%n", last.val(), last.train(), median,
                mean, tokensPerStep / median * 1e3, minutes) + table.markdown() + "\n```\n" + check.line()
                + "\n```\n\n## Sample\n\n```\n" + sample + "\n```\n");
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("settings", s);
        json.put("finalTrainLoss", last.train());
        json.put("finalValLoss", last.val());
        json.put("medianMsPerStep", median);
        json.put("tokensPerSecond", tokensPerStep / median * 1e3);
        json.put("minutes", minutes);
        json.put("estimates", table.records());
        json.put("check", check.line());
        runDir.writeJson("results.json", json);
        try {
            runDir.writePlot("loss.png", Plot.line("char-gpt loss").xLabel("step").yLabel("cross-entropy (nats/char)")
                    .markers(true)
                    .series("train", estimates.stream().mapToDouble(Estimate::step).toArray(),
                            estimates.stream().mapToDouble(Estimate::train).toArray())
                    .series("validation", estimates.stream().mapToDouble(Estimate::step).toArray(),
                            estimates.stream().mapToDouble(Estimate::val).toArray()));
        } catch (RuntimeException e) {
            System.out.println("plot skipped: " + e.getMessage());
        }
        System.out.println(check.line());
        System.out.printf(Locale.ROOT, "val loss %.4f | median %.1f ms/step (%.0f tokens/s) | %.1f minutes | checkpoint %s%n",
                last.val(), median, tokensPerStep / median * 1e3, minutes, runDir.path().resolve(GptCheckpoint.FILE));
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}

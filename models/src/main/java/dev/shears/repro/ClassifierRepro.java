package dev.shears.repro;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shears.data.DataLoader;
import dev.shears.data.DataLocator;
import dev.shears.data.Dataset;
import dev.shears.nn.Layer;
import dev.shears.optim.LrSchedule;
import dev.shears.optim.AdamW;
import dev.shears.optim.Optimizer;
import dev.shears.tensor.Rng;
import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import dev.shears.train.RunDir;
import dev.shears.train.RunPlots;
import dev.shears.train.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * The shape every image-classification reproduction shares: options, data loaders, run folder,
 * {@link Trainer} with Adam and a cosine-decayed rate, results and plots. A subclass passes a
 * {@link Recipe}: its data, model and the defaults of {@code --epochs}, {@code --batch-size} and
 * {@code --lr}.
 */
abstract class ClassifierRepro implements Callable<Integer> {

    /**
     * What differs between classification runs.
     *
     * @param name       the command name and run folder prefix
     * @param title      one line for the banner and results.md
     * @param model      the model in words, for config.json
     * @param flatten    whether samples are flattened to vectors (MLPs) or kept as [c, h, w] (convnets)
     * @param data       the train and test splits
     * @param build      the model, initialised from the given stream
     */
    protected record Recipe(String name, String title, String model, int epochs, int batchSize, double lr,
                            boolean flatten, Function<DataLocator, Splits> data, Function<Rng, Layer> build) {}

    /** The settings a run is reproduced from; written to {@code config.json} and read back by {@code --resume}. */
    public record Settings(int epochs, int batchSize, double lr, long seed, Integer trainLimit, Integer testLimit,
                           int logEvery, String dataDir) {}

    /** The train and test splits. */
    protected record Splits(Dataset train, Dataset test) {}

    /** The run's outcome, also written to {@code results.json}. */
    public record Result(String runDir, double finalTestAccuracy, double meanEpochSeconds, double meanImagesPerSecond,
                         List<Trainer.EpochResult> epochs) {}

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--epochs", description = "Training epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--seed", description = "Run seed; every random choice derives from it (default: ${DEFAULT-VALUE}).")
    long seed = 42;

    @Mixin
    RunOptions options;

    @Option(names = "--train-limit", description = "Use only the first N training samples (smoke tests).")
    Integer trainLimit;

    @Option(names = "--test-limit", description = "Evaluate on only the first N test samples (smoke tests).")
    Integer testLimit;

    @Option(names = "--log-every", description = "Steps between progress lines (default: ${DEFAULT-VALUE}).")
    int logEvery = 100;

    @Option(names = "--resume", paramLabel = "<run-dir>",
            description = "Continue the run in <run-dir> from its last checkpoint, with its saved settings.")
    Path resume;

    private final Recipe recipe;
    private Result result;

    protected ClassifierRepro(Recipe recipe) {
        this.recipe = recipe;
        this.epochs = recipe.epochs();
        this.batchSize = recipe.batchSize();
        this.lr = recipe.lr();
    }

    private String name() {
        return recipe.name();
    }

    /** The last run's outcome (after {@link #call()}). */
    public Result result() {
        return result;
    }

    @Override
    public Integer call() {
        Settings s = resume != null ? savedSettings(resume) : new Settings(epochs, batchSize, lr, seed, trainLimit,
                testLimit, logEvery, options.dataDir() == null ? null : options.dataDir().toString());
        validate(s);
        int nThreads = options.threads();
        Parallel.withThreads(nThreads, () -> result = run(s, nThreads));
        return 0;
    }

    private void validate(Settings s) {
        List<String> bad = new ArrayList<>();
        atLeastOne(bad, "--epochs", s.epochs());
        atLeastOne(bad, "--batch-size", s.batchSize());
        atLeastOne(bad, "--log-every", s.logEvery());
        if (options.problem() != null) {
            bad.add(options.problem());
        }
        atLeastOne(bad, "--train-limit", s.trainLimit());
        atLeastOne(bad, "--test-limit", s.testLimit());
        if (!(s.lr() > 0) || Double.isInfinite(s.lr())) {
            bad.add("--lr " + s.lr() + " must be a positive number");
        }
        if (!bad.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), name() + ": " + String.join("; ", bad));
        }
    }

    private static void atLeastOne(List<String> bad, String option, Integer value) {
        if (value != null && value < 1) {
            bad.add(option + " " + value + " must be >= 1");
        }
    }

    private Settings savedSettings(Path runDir) {
        List<String> given = List.of("--epochs", "--batch-size", "--lr", "--seed", "--out", "--data-dir", "--train-limit",
                "--test-limit", "--log-every").stream().filter(spec.commandLine().getParseResult()::hasMatchedOption).toList();
        if (!given.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--resume continues " + runDir
                    + " with the settings saved in its config.json; " + String.join(", ", given)
                    + " cannot be changed (only --threads can)");
        }
        Path config = runDir.resolve("config.json");
        try {
            JsonNode root = new ObjectMapper().readTree(config.toFile());
            if (root == null || !name().equals(root.path("repro").asText())) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--resume " + runDir + ": " + config
                        + " is not a " + name() + " run (repro '" + (root == null ? "" : root.path("repro").asText()) + "')");
            }
            return new ObjectMapper().treeToValue(root.get("settings"), Settings.class);
        } catch (IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--resume " + runDir + ": cannot read " + config
                    + ": " + e.getMessage());
        }
    }

    private Result run(Settings s, int nThreads) {
        DataLocator locator = s.dataDir() == null ? DataLocator.defaults() : DataLocator.defaults().withUserDir(Path.of(s.dataDir()));
        Splits splits = recipe.data().apply(locator);
        Rng rng = Rng.seeded(s.seed());
        Rng initRng = rng.split();
        Rng shuffleRng = rng.split();
        Layer model = recipe.build().apply(initRng);
        Optimizer optimizer = new AdamW(model.parameters(), AdamW.Config.adam().lr(s.lr()));
        DataLoader train = loader(splits.train(), s.batchSize(), s.trainLimit()).shuffle(shuffleRng).build();
        DataLoader test = loader(splits.test(), 1000, s.testLimit()).build();

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("repro", name());
        config.put("title", recipe.title());
        config.put("model", recipe.model());
        config.put("optimizer", "Adam (betas 0.9, 0.999; no weight decay)");
        config.put("schedule", "cosine decay from --lr to 0 over all steps");
        config.put("settings", s);
        config.put("parameters", model.numParameters());
        config.put("trainSamples", train.numSamples());
        config.put("testSamples", test.numSamples());
        config.put("threads", nThreads);
        config.put("jdk", System.getProperty("java.vm.name") + " " + Runtime.version());
        config.put("simd", Simd.describe());

        try (RunDir runDir = resume != null ? RunDir.open(resume) : RunDir.create(options.out(), name(), s.seed())) {
            if (resume == null) {
                runDir.writeConfig(config);
            }
            System.out.println("== " + name() + ": " + recipe.title() + " ==");
            System.out.printf(Locale.ROOT, "JDK %s | SIMD %s | threads %d | seed %d%n", Runtime.version(), Simd.describe(),
                    nThreads, s.seed());
            System.out.printf(Locale.ROOT, "config: epochs %d, batch %d, lr %.1e, train %d, test %d, params %d%n",
                    s.epochs(), s.batchSize(), s.lr(), train.numSamples(), test.numSamples(), model.numParameters());
            System.out.println("run folder: " + runDir.path());

            Trainer.Result r = Trainer.builder(model, optimizer, train)
                    .epochs(s.epochs())
                    .schedule(LrSchedule.cosine(s.lr(), s.epochs() * train.numBatches(), 0))
                    .evaluateOn(test)
                    .runDir(runDir)
                    .logEvery(s.logEvery())
                    .build()
                    .fit();
            Result res = new Result(runDir.path().toString(), r.last().testAccuracy(), r.meanEpochSeconds(),
                    r.meanSamplesPerSecond(), r.epochs());
            runDir.writeJson("results.json", res);
            runDir.writeText("results.md", markdown(res, s, nThreads));
            try {
                RunPlots.write(runDir, r.epochs());
            } catch (RuntimeException e) { // the results are written; missing fonts must not fail the run
                System.out.println("plots skipped: " + e.getMessage());
            }
            System.out.printf(Locale.ROOT, "final test accuracy %.2f%% | mean %.2f s/epoch | %.0f img/s | results in %s%n",
                    100 * res.finalTestAccuracy(), res.meanEpochSeconds(), res.meanImagesPerSecond(), runDir.path());
            return res;
        }
    }

    private DataLoader.Builder loader(Dataset data, int batch, Integer limit) {
        DataLoader.Builder b = DataLoader.builder(data, batch).dropLast(false).flatten(recipe.flatten());
        if (limit != null) {
            b.subset(IntStream.range(0, Math.min(limit, data.size())).toArray());
        }
        return b;
    }

    private String markdown(Result r, Settings s, int nThreads) {
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(name()).append(": ").append(recipe.title()).append("\n\n");
        sb.append(String.format(Locale.ROOT, "- final test accuracy: **%.2f%%**%n", 100 * r.finalTestAccuracy()));
        sb.append(String.format(Locale.ROOT, "- mean seconds per epoch (training only): %.2f%n", r.meanEpochSeconds()));
        sb.append(String.format(Locale.ROOT, "- mean training throughput: %.0f images/s%n", r.meanImagesPerSecond()));
        sb.append(String.format(Locale.ROOT, "- epochs %d, batch %d, lr %.1e, seed %d, threads %d, SIMD %s, JDK %s%n%n",
                s.epochs(), s.batchSize(), s.lr(), s.seed(), nThreads, Simd.describe(), Runtime.version()));
        sb.append("| epoch | train loss | test loss | test accuracy | seconds | images/s |\n");
        sb.append("|---:|---:|---:|---:|---:|---:|\n");
        for (Trainer.EpochResult e : r.epochs()) {
            sb.append(String.format(Locale.ROOT, "| %d | %.4f | %.4f | %.2f%% | %.2f | %.0f |%n",
                    e.epoch(), e.trainLoss(), e.testLoss(), 100 * e.testAccuracy(), e.seconds(), e.samplesPerSecond()));
        }
        return sb.toString();
    }
}

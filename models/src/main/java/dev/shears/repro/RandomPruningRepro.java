package dev.shears.repro;

import dev.shears.data.DataLoader;
import dev.shears.data.Dataset;
import dev.shears.data.FashionMnist;
import dev.shears.data.HoldOut;
import dev.shears.models.Mlp;
import dev.shears.nn.Module;
import dev.shears.nn.Parameter;
import dev.shears.nn.Sequential;
import dev.shears.optim.LrSchedule;
import dev.shears.optim.Sgd;
import dev.shears.pruning.LayerDensity;
import dev.shears.pruning.RandomPruning;
import dev.shears.repro.RandomPruningReport.Condition;
import dev.shears.repro.RandomPruningReport.LayerResult;
import dev.shears.repro.RandomPruningReport.Run;
import dev.shears.tensor.Rng;
import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import dev.shears.train.Evaluation;
import dev.shears.train.RunDir;
import dev.shears.train.Trainer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * "The Unreasonable Effectiveness of Random Pruning" at small scale (methods.md §5.3): 784-w-w-10
 * ReLU MLPs on Fashion-MNIST, trained dense and from random masks drawn at initialisation and kept
 * fixed (static sparse training, §5.1) with uniform and ERK layer densities, to check that the
 * gap to dense shrinks as the network gets wider and that ERK beats uniform at high sparsity.
 *
 * <p>Every Linear weight is prunable, first and last included; biases never are. Within one seed
 * and width, all conditions start from the same initial weights and see the same batches, so the
 * accuracy differences come from the masks alone. The dense network does not depend on D and is
 * trained once per width and seed. Every random choice derives from the seed: the validation
 * split, then per width (in {@code --widths} order) the initial weights, the batch order and, per
 * density and distribution, the mask.
 *
 * <p>One run folder holds every training: {@code log.csv} gets a row per epoch of each, and
 * {@link RandomPruningReport} turns the finished trainings into results and CHECK lines.
 */
@Command(name = "random-pruning", mixinStandardHelpOptions = true,
        description = "Random pruning (uniform vs ERK, static masks) of 784-w-w-10 MLPs on Fashion-MNIST; "
                + "checks the gap to dense shrinks with width.")
public final class RandomPruningRepro implements Callable<Integer> {
    static final String NAME = "random-pruning";
    static final String LOG_HEADER = "width,D,condition,seed,epoch,train_loss,test_loss,test_acc,val_loss,val_acc,seconds";
    static final int INPUTS = 784;
    static final int CLASSES = 10;
    /** Held out of the 60,000 training images, as for every MNIST-scale model (methods.md §0.3: 55k / 5k). */
    static final int VALIDATION_SIZE = 5_000;
    static final double MOMENTUM = 0.9;
    static final double WEIGHT_DECAY = 5e-4;
    static final double LR_DECAY = 0.1;
    private static final int EVAL_BATCH = 1000;

    /**
     * The settings a run is reproduced from, written to {@code config.json}.
     *
     * @param validationSize the images held out of the training set (before {@code trainLimit})
     */
    public record Settings(List<Integer> widths, List<Double> densities, int epochs, int batchSize, double lr,
                           double momentum, boolean nesterov, double weightDecay, List<Long> seeds,
                           int validationSize, Integer trainLimit, Integer testLimit, String dataDir) {}

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    RunOptions options;

    @Option(names = "--widths", split = ",", paramLabel = "W", defaultValue = "100,300,1000",
            description = "Hidden widths w of the 784-w-w-10 MLPs (default: ${DEFAULT-VALUE}).")
    List<Integer> widths;

    @Option(names = "--densities", split = ",", paramLabel = "D", defaultValue = "0.1,0.05",
            description = "Global densities D of the pruned networks, each in (0, 1) (default: ${DEFAULT-VALUE}).")
    List<Double> densities;

    @Option(names = "--epochs", description = "Training epochs of every network (default: ${DEFAULT-VALUE}).")
    int epochs = 10;

    @Option(names = "--batch-size", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize = 128;

    @Option(names = "--lr", description = "Initial SGD learning rate, x0.1 at 50%% and 75%% of the steps "
            + "(default: ${DEFAULT-VALUE}).")
    double lr = 0.1;

    @Option(names = "--seeds", split = ",", paramLabel = "SEED", defaultValue = "17,18",
            description = "Seeds to average over; every random choice derives from each (default: ${DEFAULT-VALUE}).")
    List<Long> seeds;

    @Option(names = "--train-limit", description = "Train on only the first N training images (smoke tests).")
    Integer trainLimit;

    @Option(names = "--test-limit", description = "Evaluate on only the first N test and validation images (smoke tests).")
    Integer testLimit;

    @Override
    public Integer call() {
        Settings s = settings();
        int threads = options.threads();
        Parallel.withThreads(threads, () -> run(s, threads));
        return 0;
    }

    private Settings settings() {
        List<String> bad = new ArrayList<>();
        if (options.problem() != null) {
            bad.add(options.problem());
        }
        widths.stream().filter(w -> w < 1).forEach(w -> bad.add("--widths " + w + " must be >= 1"));
        densities.stream().filter(d -> !(d > 0 && d < 1)).forEach(d -> bad.add("--densities " + d + " must be in (0, 1)"));
        duplicates(bad, "--widths", widths);
        duplicates(bad, "--densities", densities);
        duplicates(bad, "--seeds", seeds);
        atLeastOne(bad, "--epochs", epochs);
        atLeastOne(bad, "--batch-size", batchSize);
        atLeastOne(bad, "--train-limit", trainLimit);
        atLeastOne(bad, "--test-limit", testLimit);
        if (!(lr > 0) || Double.isInfinite(lr)) {
            bad.add("--lr " + lr + " must be a positive number");
        }
        if (!bad.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), NAME + ": " + String.join("; ", bad));
        }
        return new Settings(List.copyOf(widths), List.copyOf(densities), epochs, batchSize, lr, MOMENTUM, true,
                WEIGHT_DECAY, List.copyOf(seeds), VALIDATION_SIZE, trainLimit, testLimit,
                options.dataDir() == null ? null : options.dataDir().toString());
    }

    private static void atLeastOne(List<String> bad, String option, Integer value) {
        if (value != null && value < 1) {
            bad.add(option + " " + value + " must be >= 1");
        }
    }

    private static <T> void duplicates(List<String> bad, String option, List<T> values) {
        Set<T> seen = new HashSet<>();
        values.stream().filter(v -> !seen.add(v)).distinct().forEach(v -> bad.add(option + " lists " + v + " twice"));
    }

    private void run(Settings s, int threads) {
        long start = System.nanoTime();
        Dataset trainSet = FashionMnist.train(options.locator());
        Dataset testSet = FashionMnist.test(options.locator());
        DataLoader test = evalLoader(testSet, IntStream.range(0, Math.min(testSet.size(),
                s.testLimit() == null ? testSet.size() : s.testLimit())).toArray());
        Progress progress = new Progress(s, start);
        List<Run> runs = new ArrayList<>();
        try (RunDir runDir = RunDir.create(options.out(), NAME, s.seeds().getFirst())) {
            runDir.writeConfig(config(s, threads));
            banner(s, threads, runDir);
            for (long seed : s.seeds()) {
                Rng root = Rng.seeded(seed);
                HoldOut split = HoldOut.random(trainSet.size(), s.validationSize(), root.split());
                int[] trainIndices = split.trainPrefix(s.trainLimit());
                DataLoader validation = evalLoader(trainSet, split.validationPrefix(s.testLimit()));
                for (int width : s.widths()) {
                    Rng widthRng = root.split();
                    Training t = new Training(s, runDir, width, seed, widthRng.nextLong(), widthRng.nextLong(),
                            trainSet, trainIndices, validation, test);
                    runs.add(t.fit(Condition.DENSE, 1, null, progress));
                    for (double density : s.densities()) {
                        for (Condition c : List.of(Condition.UNIFORM, Condition.ERK)) {
                            runs.add(t.fit(c, density, widthRng.split(), progress));
                        }
                    }
                }
            }
            double minutes = (System.nanoTime() - start) / 60e9;
            RandomPruningReport r = new RandomPruningReport(s, runs, minutes);
            r.write(runDir);
            r.checks().forEach(c -> System.out.println(c.line()));
            System.out.printf(Locale.ROOT, "%d trainings in %.1f min | %.0f img/s mean training throughput | results in %s%n",
                    runs.size(), minutes, r.meanSamplesPerSecond(), runDir.path());
        }
    }

    private static DataLoader evalLoader(Dataset data, int[] indices) {
        return DataLoader.builder(data, EVAL_BATCH).flatten(true).subset(indices).build();
    }

    private Map<String, Object> config(Settings s, int threads) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("repro", NAME);
        config.put("title", RandomPruningReport.TITLE);
        config.put("model", "MLP " + INPUTS + "-w-w-" + CLASSES + " (ReLU, PyTorch default init), w in " + s.widths());
        config.put("pruning", "masks drawn once at initialisation (exact per-layer counts) and fixed during training; "
                + "all Linear weights prunable (first and last included), biases never; uniform: every layer at D; "
                + "ERK: d_l proportional to (n_in + n_out) / (n_in * n_out), solved so the global density is D");
        config.put("optimizer", "SGD, Nesterov momentum " + MOMENTUM + ", weight decay "
                + RandomPruningReport.plain(WEIGHT_DECAY)
                + ": " + RandomPruningReport.OPTIMIZER_NOTE);
        config.put("schedule", "lr x" + LR_DECAY + " at 50% and 75% of the steps (multi-step)");
        config.put("data", "Fashion-MNIST: " + s.validationSize() + " training images held out for validation "
                + "(drawn from each seed), the rest trained on; accuracies are on the test set after the last "
                + "epoch");
        config.put("settings", s);
        config.put("threads", threads);
        config.put("jdk", System.getProperty("java.vm.name") + " " + Runtime.version());
        config.put("simd", Simd.describe());
        return config;
    }

    private static void banner(Settings s, int threads, RunDir runDir) {
        System.out.println("== " + NAME + ": " + RandomPruningReport.TITLE + " ==");
        System.out.printf(Locale.ROOT, "JDK %s | SIMD %s | threads %d | seeds %s%n", Runtime.version(), Simd.describe(),
                threads, s.seeds());
        System.out.printf(Locale.ROOT, "widths %s | densities %s | epochs %d | batch %d | lr %s (x%s at 50%%, 75%%) "
                        + "| SGD Nesterov %s, wd %s%n", s.widths(), s.densities(), s.epochs(), s.batchSize(), s.lr(),
                LR_DECAY, MOMENTUM, RandomPruningReport.plain(WEIGHT_DECAY));
        System.out.println("run folder: " + runDir.path());
    }

    /** The conditions of one seed and width: same initial weights and batch order for each. */
    private record Training(Settings s, RunDir runDir, int width, long seed, long initSeed, long shuffleSeed,
                            Dataset trainSet, int[] trainIndices, DataLoader validation, DataLoader test) {

        /** Trains one condition (masked at {@code density} from {@code maskRng} unless dense) and measures it. */
        Run fit(Condition condition, double density, Rng maskRng, Progress progress) {
            progress.starting(width, condition, density, seed);
            long t0 = System.nanoTime();
            Sequential model = Mlp.of(Rng.seeded(initSeed), INPUTS, width, width, CLASSES);
            Map<String, Double> solved = condition == Condition.DENSE ? null
                    : RandomPruning.densities(model, condition.distribution(), density, Set.of());
            Map<String, Integer> kept = new LinkedHashMap<>();
            if (condition != Condition.DENSE) {
                for (LayerDensity l : RandomPruning.prune(model, condition.distribution(), density, maskRng, Set.of())) {
                    kept.put(l.name(), l.kept());
                }
            }
            DataLoader train = DataLoader.builder(trainSet, s.batchSize()).flatten(true).subset(trainIndices)
                    .shuffle(Rng.seeded(shuffleSeed)).build();
            int steps = s.epochs() * train.numBatches();
            Sgd sgd = new Sgd(model.parameters(), Sgd.Config.defaults().lr(s.lr()).momentum(s.momentum())
                    .nesterov(s.nesterov()).weightDecay(s.weightDecay()));
            String d = condition == Condition.DENSE ? "1" : Double.toString(density);
            Trainer.Result r = Trainer.builder(model, sgd, train)
                    .epochs(s.epochs())
                    .schedule(LrSchedule.multiStep(s.lr(), LR_DECAY, steps / 2, steps * 3 / 4))
                    .evaluateOn(test)
                    .logEvery(train.numBatches())
                    .onEpochDone(e -> {
                        Evaluation.Metrics v = Evaluation.classification(model, validation);
                        runDir.logRow(LOG_HEADER, width, d, condition.label(), seed, e.epoch(), fmt(e.trainLoss()),
                                fmt(e.testLoss()), fmt(e.testAccuracy()), fmt(v.loss()), fmt(v.accuracy()),
                                String.format(Locale.ROOT, "%.3f", e.seconds()));
                    })
                    .build()
                    .fit();
            Evaluation.Metrics v = Evaluation.classification(model, validation);
            double seconds = (System.nanoTime() - t0) / 1e9;
            Run run = new Run(width, condition == Condition.DENSE ? 1 : density, condition, seed,
                    r.last().testAccuracy(), r.last().testLoss(), v.accuracy(), layers(model, solved, kept), seconds,
                    (long) train.numSamples() * s.epochs(), r.epochs().stream().mapToDouble(Trainer.EpochResult::seconds).sum());
            progress.finished(run);
            return run;
        }

        private static String fmt(double v) {
            return String.format(Locale.ROOT, "%.6f", v);
        }

        /** Each prunable weight's solved density, mask count and nonzeros after training. */
        private static List<LayerResult> layers(Module model, Map<String, Double> solved, Map<String, Integer> kept) {
            Set<Parameter> prunable = Collections.newSetFromMap(new IdentityHashMap<>());
            prunable.addAll(model.prunable());
            List<LayerResult> out = new ArrayList<>();
            model.namedParameters().forEach((name, p) -> {
                if (prunable.contains(p)) {
                    out.add(new LayerResult(name, p.numel(), solved == null ? 1 : solved.get(name),
                            kept.getOrDefault(name, p.numel()), nonzeros(p)));
                }
            });
            return out;
        }

        private static int nonzeros(Parameter p) {
            int n = 0;
            for (float x : p.value().toFloatArray()) {
                if (x != 0) {
                    n++;
                }
            }
            return n;
        }
    }

    /** Console progress over the whole run: which training is next, elapsed time and an estimate of what is left. */
    private static final class Progress {
        private final long start;
        private final int total;
        private final double totalWork;
        private double doneWork;
        private int done;

        Progress(Settings s, long start) {
            this.start = start;
            int perWidth = 1 + 2 * s.densities().size();
            this.total = s.seeds().size() * s.widths().size() * perWidth;
            this.totalWork = s.seeds().size() * perWidth * s.widths().stream().mapToDouble(Progress::work).sum();
        }

        /** Training cost is about proportional to the dense parameter count (masked weights still compute). */
        private static double work(int width) {
            return (double) (INPUTS + 1) * width + (width + 1) * width + (width + 1) * CLASSES;
        }

        void starting(int width, Condition c, double density, long seed) {
            double elapsed = (System.nanoTime() - start) / 1e9;
            String eta = doneWork == 0 ? "?" : String.format(Locale.ROOT, "%.1f min",
                    elapsed * (totalWork - doneWork) / doneWork / 60);
            System.out.printf(Locale.ROOT, "-- [%d/%d] w=%d %s%s seed %d | elapsed %.1f min | left ~%s%n", done + 1, total,
                    width, c.label(), c == Condition.DENSE ? "" : " D=" + density, seed, elapsed / 60, eta);
        }

        void finished(Run run) {
            done++;
            doneWork += work(run.width());
            System.out.printf(Locale.ROOT, "   w=%d %s D=%s seed %d: test acc %.2f%%, sparsity %.4f, %.1f s%n",
                    run.width(), run.condition().label(), run.density(), run.seed(), 100 * run.testAccuracy(),
                    run.sparsity(), run.seconds());
        }
    }
}

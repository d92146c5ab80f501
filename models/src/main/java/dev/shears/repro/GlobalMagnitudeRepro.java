package dev.shears.repro;

import dev.shears.data.DataLocator;
import dev.shears.nn.Parameter;
import dev.shears.pruning.GlobalMagnitude;
import dev.shears.repro.GmpExperiment.Data;
import dev.shears.repro.GmpExperiment.Net;
import dev.shears.tensor.Rng;
import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import dev.shears.train.ProgressLog;
import dev.shears.train.RunDir;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The small-scale check of "Is complexity required for neural network pruning?" (methods.md §4.3):
 * LeNet-5 and LeNet-300-100 on MNIST and Fashion-MNIST, each pretrained dense, then one-shot
 * pruned to every sparsity by global magnitude (GP), GP with the minimum threshold (MT) and uniform
 * layer-wise magnitude, plus GP reached gradually, and fine-tuned. One run folder holds every
 * training ({@code log.csv}: a row per epoch), the result tables, the plots and one
 * {@code CHECK gmp} line per net, data set and sparsity.
 */
@Command(name = "global-magnitude", mixinStandardHelpOptions = true,
        description = "Global magnitude pruning (+ minimum threshold) vs uniform on LeNet-5/LeNet-300-100, methods.md §4.3.")
public final class GlobalMagnitudeRepro implements Callable<Integer> {
    private static final String NAME = "global-magnitude";

    /** The settings of a run, written to {@code config.json}. */
    public record Settings(List<String> nets, List<String> datasets, List<Double> sparsities, int pretrainEpochs,
                           int finetuneEpochs, int batchSize, double pretrainLr, double finetuneLr, double mtPercent,
                           boolean gradual, long seed, Integer trainLimit, Integer testLimit, String dataDir) {}

    /** A net's prunable weight count and the MT count the minimum-threshold rule keeps per layer at least. */
    public record MinimumThreshold(long prunableWeights, long mt) {}

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    RunOptions run = new RunOptions();

    @Option(names = "--nets", split = ",", paramLabel = "<net>", defaultValue = "lenet5,lenet300",
            description = "Networks, from lenet5, lenet300 (default: ${DEFAULT-VALUE}).")
    List<String> nets;

    @Option(names = "--datasets", split = ",", paramLabel = "<data>", defaultValue = "mnist,fashion",
            description = "Data sets, from mnist, fashion (default: ${DEFAULT-VALUE}).")
    List<String> datasets;

    @Option(names = "--sparsities", split = ",", paramLabel = "<s>", defaultValue = "0.95,0.98,0.99",
            description = "Target sparsities, each in (0, 1) (default: ${DEFAULT-VALUE}).")
    List<Double> sparsities;

    @Option(names = "--pretrain-epochs", defaultValue = "10", description = "Dense pretraining epochs (default: ${DEFAULT-VALUE}).")
    int pretrainEpochs;

    @Option(names = "--finetune-epochs", defaultValue = "3", description = "Fine-tuning epochs after pruning (default: ${DEFAULT-VALUE}).")
    int finetuneEpochs;

    @Option(names = "--pretrain-lr", defaultValue = "1e-3", description = "Adam peak rate of pretraining (default: ${DEFAULT-VALUE}).")
    double pretrainLr;

    @Option(names = "--finetune-lr", defaultValue = "5e-4", description = "Adam peak rate of fine-tuning (default: ${DEFAULT-VALUE}).")
    double finetuneLr;

    @Option(names = "--batch-size", defaultValue = "128", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--mt-percent", defaultValue = "0.2",
            description = "Minimum threshold MT as a percentage of all prunable weights (default: ${DEFAULT-VALUE}).")
    double mtPercent;

    @Option(names = "--gradual", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Also run GP reached gradually over the fine-tune epochs (default: ${DEFAULT-VALUE}).")
    boolean gradual;

    @Option(names = "--seed", defaultValue = "42", description = "Run seed; every random choice derives from it (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--train-limit", description = "Use only the first N training samples (smoke tests).")
    Integer trainLimit;

    @Option(names = "--test-limit", description = "Evaluate on only the first N test samples (smoke tests).")
    Integer testLimit;

    @Override
    public Integer call() {
        Settings s = new Settings(List.copyOf(nets), List.copyOf(datasets), List.copyOf(sparsities), pretrainEpochs,
                finetuneEpochs, batchSize, pretrainLr, finetuneLr, mtPercent, gradual, seed, trainLimit, testLimit,
                run.dataDir() == null ? null : run.dataDir().toString());
        List<Net> netList = parse(s.nets(), "--nets", Net::byKey, Arrays.stream(Net.values()).map(n -> n.key).toList());
        List<Data> dataList = parse(s.datasets(), "--datasets", Data::byKey,
                Arrays.stream(Data.values()).map(d -> d.key).toList());
        Map<String, MinimumThreshold> minimum = validate(s, netList);
        Parallel.withThreads(run.threads(), () -> execute(s, netList, dataList, minimum));
        return 0;
    }

    /** The named entries of a list option, rejecting unknown and repeated names. */
    private <T> List<T> parse(List<String> given, String option, Function<String, Optional<T>> byKey,
            List<String> known) {
        List<T> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String key : given) {
            T value = byKey.apply(key).orElseThrow(() -> usage(option + " '" + key + "' is not one of "
                    + String.join(", ", known)));
            if (!seen.add(key)) {
                throw usage(option + " lists '" + key + "' twice");
            }
            out.add(value);
        }
        return out;
    }

    /**
     * Checks every number and that the minimum-threshold rule can reach every sparsity on every net
     * (tried on freshly initialised weights); returns each net's MT.
     */
    private Map<String, MinimumThreshold> validate(Settings s, List<Net> netList) {
        List<String> bad = new ArrayList<>();
        atLeastOne(bad, "--pretrain-epochs", s.pretrainEpochs());
        atLeastOne(bad, "--finetune-epochs", s.finetuneEpochs());
        atLeastOne(bad, "--batch-size", s.batchSize());
        atLeastOne(bad, "--train-limit", s.trainLimit());
        atLeastOne(bad, "--test-limit", s.testLimit());
        positive(bad, "--pretrain-lr", s.pretrainLr());
        positive(bad, "--finetune-lr", s.finetuneLr());
        if (!(s.mtPercent() >= 0 && s.mtPercent() <= 100)) {
            bad.add("--mt-percent " + s.mtPercent() + " is outside [0, 100]");
        }
        Set<Double> seen = new HashSet<>();
        for (double x : s.sparsities()) {
            if (!(x > 0 && x < 1)) {
                bad.add("--sparsities " + x + " is outside (0, 1)");
            } else if (!seen.add(x)) {
                bad.add("--sparsities lists " + x + " twice");
            }
        }
        if (run.problem() != null) {
            bad.add(run.problem());
        }
        if (!bad.isEmpty()) {
            throw usage(String.join("; ", bad));
        }
        Map<String, MinimumThreshold> minimum = new LinkedHashMap<>();
        for (Net net : netList) {
            long weights = net.build.apply(Rng.seeded(s.seed())).prunable().stream().mapToLong(Parameter::numel).sum();
            minimum.put(net.key, new MinimumThreshold(weights, GlobalMagnitude.minimumCount(s.mtPercent(), weights)));
            for (double x : s.sparsities()) {
                try {
                    GlobalMagnitude.globalWithMinimum(net.build.apply(Rng.seeded(s.seed())), x, s.mtPercent(), Set.of());
                } catch (IllegalArgumentException e) {
                    throw usage("--sparsities " + x + " with --mt-percent " + s.mtPercent() + " on " + net.key + ": "
                            + e.getMessage());
                }
            }
        }
        return minimum;
    }

    private static void atLeastOne(List<String> bad, String option, Integer value) {
        if (value != null && value < 1) {
            bad.add(option + " " + value + " must be >= 1");
        }
    }

    private static void positive(List<String> bad, String option, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            bad.add(option + " " + value + " must be a positive number");
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), NAME + ": " + message);
    }

    private void execute(Settings s, List<Net> netList, List<Data> dataList, Map<String, MinimumThreshold> minimum) {
        List<GmpCondition> conditions = Arrays.stream(GmpCondition.values())
                .filter(c -> s.gradual() || c != GmpCondition.GRADUAL).toList();
        DataLocator locator = run.locator();
        try (RunDir dir = RunDir.create(run.out(), NAME, s.seed())) {
            dir.writeConfig(config(s, conditions, netList, dataList, minimum));
            System.out.println("== " + NAME + ": global magnitude pruning with minimum threshold vs uniform (§4.3) ==");
            System.out.printf(Locale.ROOT, "JDK %s | SIMD %s | threads %d | seed %d%n", Runtime.version(),
                    Simd.describe(), run.threads(), s.seed());
            System.out.printf(Locale.ROOT, "nets %s | data %s | s %s | pretrain %d epochs (lr %s) | fine-tune %d epochs"
                    + " (lr %s) | MT %s%% | conditions %s%n", s.nets(), s.datasets(), s.sparsities(), s.pretrainEpochs(),
                    ProgressLog.scientific(s.pretrainLr()), s.finetuneEpochs(), ProgressLog.scientific(s.finetuneLr()),
                    s.mtPercent(),
                    conditions.stream().map(GmpCondition::key).toList());
            System.out.println("run folder: " + dir.path());

            ProgressLog.Sink out = ProgressLog.Sink.console(System.out);
            GmpExperiment experiment = new GmpExperiment(s, conditions, dir, out, netList.size() * dataList.size());
            List<GmpExperiment.Result> results = new ArrayList<>();
            List<Check> checks = new ArrayList<>();
            for (Data data : dataList) {
                GmpExperiment.Splits splits = new GmpExperiment.Splits(data.train.apply(locator), data.test.apply(locator));
                for (Net net : netList) {
                    GmpExperiment.Result r = experiment.run(net, data, splits);
                    results.add(r);
                    for (double x : s.sparsities()) {
                        Check c = GmpCheck.of(GmpResults.outcome(r, x, GmpCondition.GLOBAL),
                                GmpResults.outcome(r, x, GmpCondition.GLOBAL_MT),
                                GmpResults.outcome(r, x, GmpCondition.UNIFORM), s.seed(), experiment.elapsedSeconds() / 60);
                        checks.add(c);
                        out.println(c.line());
                    }
                }
            }
            double samplesPerSecond = experiment.trainedSamples() / experiment.trainingSeconds();
            new GmpResults(s, conditions, results, checks, experiment.elapsedSeconds(), samplesPerSecond, run.threads())
                    .write(dir);
            System.out.printf(Locale.ROOT, "done in %s | %d training samples at %.0f samples/s | results in %s%n",
                    ProgressLog.duration(experiment.elapsedSeconds()), experiment.trainedSamples(), samplesPerSecond,
                    dir.path());
        }
    }

    private Map<String, Object> config(Settings s, List<GmpCondition> conditions, List<Net> netList,
            List<Data> dataList, Map<String, MinimumThreshold> minimum) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("repro", NAME);
        config.put("title", "Global magnitude pruning with minimum threshold vs uniform layer-wise (methods.md §4.3)");
        config.put("settings", s);
        config.put("nets", netList.stream().collect(Collectors.toMap(n -> n.key, n -> n.description, (a, b) -> a,
                LinkedHashMap::new)));
        config.put("datasets", dataList.stream().collect(Collectors.toMap(d -> d.key, d -> d.title, (a, b) -> a,
                LinkedHashMap::new)));
        config.put("conditions", conditions.stream().collect(Collectors.toMap(GmpCondition::key,
                GmpCondition::description, (a, b) -> a, LinkedHashMap::new)));
        config.put("prunable", "every Linear and Conv2d weight, first and last layers included; biases never");
        config.put("minimumThreshold", minimum);
        config.put("optimizer", "Adam (betas 0.9, 0.999; no weight decay), cosine decay to 0 over each training;"
                + " fresh optimizer state for every fine-tuning");
        config.put("fineTuning", "every condition restores the same pretrained dense weights and fine-tunes over the"
                + " same batches; pruned weights stay exactly zero");
        config.put("gradualSchedule", "before fine-tune epoch k = 1..E, global magnitude to s * (1 - (1 - k/E)^3)"
                + " (Zhu & Gupta cubic, t0 = the dense model, one epoch per step), so epoch E trains at s");
        config.put("collapseDensity", GmpCheck.COLLAPSE_DENSITY);
        config.put("threads", run.threads());
        config.put("jdk", System.getProperty("java.vm.name") + " " + Runtime.version());
        config.put("simd", Simd.describe());
        return config;
    }
}

package dev.shears.repro;

import dev.shears.data.Dataset;
import dev.shears.data.DataLoader;
import dev.shears.data.FashionMnist;
import dev.shears.data.HoldOut;
import dev.shears.data.Mnist;
import dev.shears.models.ConvNets;
import dev.shears.models.LeNet;
import dev.shears.nn.Layer;
import dev.shears.nn.SparseFormat;
import dev.shears.optim.AdamW;
import dev.shears.pruning.LayerDensity;
import dev.shears.pruning.LotteryTicket;
import dev.shears.pruning.LotteryTicket.Condition;
import dev.shears.pruning.SparseExport;
import dev.shears.tensor.Rng;
import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import dev.shears.train.Evaluation;
import dev.shears.train.ProgressLog;
import dev.shears.train.ResultTable;
import dev.shears.train.RunDir;
import dev.shears.train.StepTrainer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * The lottery-ticket reproduction (methods.md §3.5): iterative magnitude pruning with rewinding on
 * LeNet-300-100 / MNIST by default, with the random-reinitialisation and random-mask controls at
 * every level, over one or more seeds. Writes the per-level table, the {@code CHECK} lines, plots
 * and the last ticket exported to a sparse format (checked to score what the masked model scores).
 */
@Command(name = "lottery", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Lottery tickets (IMP with rewinding) on LeNet-300-100 / MNIST: ticket vs random reinit vs"
                + " random mask at every pruning level, with the paper's claims checked.")
public final class LotteryRepro implements Callable<Integer> {

    /** The networks this reproduction builds. */
    enum Net {
        lenet300, conv2
    }

    /** The data sets it trains on. */
    enum Data {
        mnist, fashion
    }

    /** The sparse format the last ticket is exported in. */
    enum Export {
        csr, bitmap, none
    }

    /** Everything a run is reproduced from; written to config.json. */
    record Settings(String net, String dataset, int levels, int itersPerLevel, int rewind, List<Long> seeds, int batchSize,
                    double lr, double rate, double outputRate, Double convRate, String scope, int evalEvery,
                    int validation, List<String> controls, String export, Integer trainLimit, Integer testLimit,
                    String dataDir) {}

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    RunOptions options;

    @Option(names = "--net", description = "lenet300 (LeNet-300-100) or conv2 (Conv-2; hours on a CPU at the"
            + " default iterations) (default: ${DEFAULT-VALUE}).")
    Net net = Net.lenet300;

    @Option(names = "--dataset", description = "mnist or fashion (default: ${DEFAULT-VALUE}).")
    Data dataset = Data.mnist;

    @Option(names = "--levels", description = "Pruning levels after the dense one (default: ${DEFAULT-VALUE}).")
    int levels = 10;

    @Option(names = "--iters-per-level", description = "Training steps of every level (default: ${DEFAULT-VALUE},"
            + " about 6.5 epochs of 55k images at batch 60).")
    int iters = 6000;

    @Option(names = "--rewind", description = "Rewind step k: 0 rewinds to the initialisation, k > 0 is late"
            + " rewinding (default: ${DEFAULT-VALUE}).")
    int rewind;

    @Option(names = "--seeds", split = ",", description = "Seeds, comma-separated; figures are their means"
            + " (default: ${DEFAULT-VALUE}).")
    List<Long> seeds = List.of(1L, 2L);

    @Option(names = "--batch-size", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize = 60;

    @Option(names = "--lr", description = "Adam learning rate, constant (default: 1.2e-3 for lenet300, 2e-4 for conv2).")
    Double lr;

    @Option(names = "--rate", description = "Fraction of the remaining fully connected weights pruned per level"
            + " (default: ${DEFAULT-VALUE}).")
    double rate = 0.2;

    @Option(names = "--output-rate", description = "The output layer's rate per level; 0 never prunes it"
            + " (default: ${DEFAULT-VALUE}, the paper's half rate).")
    double outputRate = 0.1;

    @Option(names = "--conv-rate", description = "Conv-2's convolutions' rate per level (default: ${DEFAULT-VALUE}).")
    double convRate = 0.1;

    @Option(names = "--scope", description = "layerwise (each layer loses the same fraction) or global (one"
            + " threshold over the layers at --rate) (default: ${DEFAULT-VALUE}).")
    LotteryTicket.Scope scope = LotteryTicket.Scope.LAYERWISE;

    @Option(names = "--eval-every", description = "Steps between validations, the early-stop resolution"
            + " (default: ${DEFAULT-VALUE}).")
    int evalEvery = 100;

    @Option(names = "--validation", description = "Training images held out for validation (default: ${DEFAULT-VALUE}).")
    int validation = 5000;

    @Option(names = "--controls", split = ",", description = "Controls per level: reinit, random-mask, or none"
            + " (default: reinit,random-mask).")
    List<String> controls = List.of("reinit", "random-mask");

    @Option(names = "--export", description = "Format of the exported last ticket: csr, bitmap or none"
            + " (default: ${DEFAULT-VALUE}).")
    Export export = Export.csr;

    @Option(names = "--train-limit", description = "Use only the first N training images (smoke tests).")
    Integer trainLimit;

    @Option(names = "--test-limit", description = "Use only the first N validation and test images (smoke tests).")
    Integer testLimit;

    @Override
    public Integer call() {
        Set<Condition> conditions = validate();
        Settings s = new Settings(net.name(), dataset.name(), levels, iters, rewind, List.copyOf(seeds), batchSize,
                learningRate(), rate, outputRate, net == Net.conv2 ? convRate : null, scope.name().toLowerCase(Locale.ROOT),
                evalEvery, validation, conditions.stream().map(Condition::label).toList(), export.name(), trainLimit,
                testLimit, options.dataDir() == null ? null : options.dataDir().toString());
        int threads = options.threads();
        Parallel.withThreads(threads, () -> run(s, conditions, threads));
        return 0;
    }

    private double learningRate() {
        return lr != null ? lr : net == Net.conv2 ? 2e-4 : 1.2e-3;
    }

    private Set<Condition> validate() {
        List<String> bad = new ArrayList<>();
        if (options.problem() != null) {
            bad.add(options.problem());
        }
        positive(bad, "--iters-per-level", iters);
        positive(bad, "--batch-size", batchSize);
        positive(bad, "--eval-every", evalEvery);
        positive(bad, "--validation", validation);
        if (trainLimit != null) {
            positive(bad, "--train-limit", trainLimit);
        }
        if (testLimit != null) {
            positive(bad, "--test-limit", testLimit);
        }
        if (levels < 0) {
            bad.add("--levels " + levels + " must be >= 0");
        }
        if (rewind < 0 || rewind >= iters) {
            bad.add("--rewind " + rewind + " must be in [0, --iters-per-level " + iters + ")");
        }
        if (seeds.isEmpty() || seeds.stream().distinct().count() != seeds.size()) {
            bad.add("--seeds " + seeds + " must be distinct and not empty");
        }
        if (lr != null && !(lr > 0 && lr < 1)) {
            bad.add("--lr " + lr + " must be in (0, 1)");
        }
        if (!(rate > 0 && rate < 1)) {
            bad.add("--rate " + rate + " must be in (0, 1)");
        }
        if (!(outputRate >= 0 && outputRate < 1)) {
            bad.add("--output-rate " + outputRate + " must be in [0, 1)");
        }
        if (!(convRate >= 0 && convRate < 1)) {
            bad.add("--conv-rate " + convRate + " must be in [0, 1)");
        }
        Set<Condition> conditions = EnumSet.noneOf(Condition.class);
        for (String c : controls) {
            switch (c) {
                case "reinit" -> conditions.add(Condition.REINIT);
                case "random-mask" -> conditions.add(Condition.RANDOM_MASK);
                case "none" -> { }
                default -> bad.add("--controls '" + c + "' is not one of reinit, random-mask, none");
            }
        }
        if (!bad.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "lottery: " + String.join("; ", bad));
        }
        return conditions;
    }

    private static void positive(List<String> bad, String option, int value) {
        if (value < 1) {
            bad.add(option + " " + value + " must be >= 1");
        }
    }

    /** The network builder and the weights pruned at their own rates. */
    private record Network(Function<Rng, Layer> build, Map<String, Double> ownRates, boolean flatten, String describe) {}

    private Network network(Dataset train) {
        return switch (net) {
            case lenet300 -> new Network(LeNet::lenet300100, Map.of("4.weight", outputRate), true,
                    "LeNet-300-100 (784-300-100-10, ReLU)");
            case conv2 -> {
                int[] shape = train.sampleShape();
                Map<String, Double> own = new LinkedHashMap<>();
                own.put("0.weight", convRate);
                own.put("2.weight", convRate);
                own.put("10.weight", outputRate);
                yield new Network(rng -> ConvNets.conv2(shape[0], shape[1], train.numClasses(), rng), own, false,
                        "Conv-2 (conv3x3x64 x2, max-pool, 256-256-" + train.numClasses() + ")");
            }
        };
    }

    private void run(Settings s, Set<Condition> conditions, int threads) {
        long started = System.nanoTime();
        Dataset trainSet = dataset == Data.mnist ? Mnist.train(options.locator()) : FashionMnist.train(options.locator());
        Dataset testSet = dataset == Data.mnist ? Mnist.test(options.locator()) : FashionMnist.test(options.locator());
        if (validation >= trainSet.size()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "lottery: --validation " + validation
                    + " must be below the " + trainSet.size() + " training images");
        }
        // One split for every seed (seed 0), so seeds differ only in initialisation, order and masks.
        HoldOut split = HoldOut.random(trainSet.size(), validation, Rng.seeded(0));
        Network network = network(trainSet);
        DataLoader validationLoader = DataLoader.builder(trainSet, 1000).flatten(network.flatten())
                .subset(split.validationPrefix(testLimit)).build();
        DataLoader.Builder testBuilder = DataLoader.builder(testSet, 1000).flatten(network.flatten());
        if (testLimit != null) {
            testBuilder.subset(java.util.stream.IntStream.range(0, Math.min(testLimit, testSet.size())).toArray());
        }
        DataLoader testLoader = testBuilder.build();
        LotteryTicket.Config config = config(network, conditions);

        try (RunDir runDir = RunDir.create(options.out(), "lottery", seeds.getFirst())) {
            Map<String, Object> cfg = new LinkedHashMap<>();
            cfg.put("repro", "lottery");
            cfg.put("model", network.describe());
            cfg.put("optimizer", "Adam (betas 0.9, 0.999), constant learning rate");
            cfg.put("pruning", "magnitude, " + s.scope() + " at --rate per level; " + network.ownRates()
                    + " at their own rates; biases never");
            cfg.put("validationSplit", "fixed random hold-out of the training set (seed 0)");
            cfg.put("settings", s);
            cfg.put("threads", threads);
            cfg.put("jdk", System.getProperty("java.vm.name") + " " + Runtime.version());
            cfg.put("simd", Simd.describe());
            runDir.writeConfig(cfg);
            System.out.println("== lottery: lottery tickets on " + network.describe() + " / " + dataset + " ==");
            System.out.printf(Locale.ROOT, "JDK %s | SIMD %s | threads %d | seeds %s%n", Runtime.version(),
                    Simd.describe(), threads, seeds);
            System.out.printf(Locale.ROOT, "config: %d levels at %.0f%% (%s) %s, %d steps per level, batch %d, Adam %.1e,"
                    + " rewind to step %d, validate every %d on %d images, controls %s%n", levels, 100 * rate, s.scope(),
                    network.ownRates(), iters, batchSize, s.lr(), rewind, evalEvery, validationLoader.numSamples(),
                    s.controls());
            System.out.println("run folder: " + runDir.path());

            Map<Long, List<LotteryTicket.Run>> bySeed = new LinkedHashMap<>();
            List<String> exportLines = new ArrayList<>();
            for (long seed : seeds) {
                Rng rng = Rng.seeded(seed);
                DataLoader trainLoader = DataLoader.builder(trainSet, batchSize).flatten(network.flatten())
                        .subset(split.trainPrefix(trainLimit)).shuffle(rng.split()).dropLast(true).build();
                LotteryTicket.Task task = LotteryTicket.Task.of(network.build(),
                        params -> new AdamW(params, AdamW.Config.adam().lr(s.lr())), trainLoader, validationLoader,
                        testLoader);
                LotteryTicket.Result result = new LotteryTicket(config, task).run(rng.split(),
                        new Progress(runDir, seed, levels));
                bySeed.put(seed, result.runs());
                if (export != Export.none) {
                    exportLines.add(exportTicket(runDir, seed, result, testLoader));
                }
            }
            double minutes = (System.nanoTime() - started) / 60e9;
            report(runDir, s, bySeed, exportLines, minutes);
        }
    }

    private LotteryTicket.Config config(Network network, Set<Condition> conditions) {
        LotteryTicket.Config c = LotteryTicket.Config.of(levels, rate, iters).scope(scope).rewindTo(rewind)
                .validateEvery(evalEvery).controls(conditions);
        for (var e : network.ownRates().entrySet()) {
            c = c.layerRate(e.getKey(), e.getValue());
        }
        return c;
    }

    /** Converts the last ticket to the sparse format, saves it and checks it scores what the masked model scores. */
    private String exportTicket(RunDir runDir, long seed, LotteryTicket.Result result, DataLoader test) {
        SparseFormat format = export == Export.csr ? SparseFormat.CSR : SparseFormat.BITMAP;
        Layer sparse = SparseExport.convert(result.ticket(), format);
        String file = "ticket-s" + seed + "-" + export + ".safetensors";
        SparseExport.write(runDir.path().resolve(file), sparse);
        double masked = Evaluation.classification(result.ticket(), test).accuracy();
        double exported = Evaluation.classification(sparse, test).accuracy();
        // The sparse kernels sum in another order, which may flip a near-tie: allow one test image.
        boolean same = Math.abs(masked - exported) * test.numSamples() <= 1 + 1e-9;
        String line = Check.named("lth_export").value("seed", seed).value("format", export)
                .value("file", file).value("acc_masked", 100 * masked, 2).value("acc_sparse", 100 * exported, 2)
                .verdict(Check.Verdict.of(same)).line();
        System.out.println(line);
        return line;
    }

    private void report(RunDir runDir, Settings s, Map<Long, List<LotteryTicket.Run>> bySeed, List<String> exportLines,
            double minutes) {
        LotteryReport report = new LotteryReport(bySeed);
        String seedList = seeds.stream().map(String::valueOf).collect(Collectors.joining(","));
        List<Check> checks = report.checks(seedList, minutes);
        ResultTable table = report.table();
        ResultTable runs = runTable(bySeed);
        runDir.writeText("levels.csv", runs.csv());
        runDir.writeText("results.csv", table.csv());
        double samplesPerSecond = bySeed.values().stream().flatMap(List::stream)
                .mapToDouble(LotteryTicket.Run::samplesPerSecond).average().orElse(Double.NaN);

        StringBuilder md = new StringBuilder("# lottery: lottery tickets on ").append(s.net()).append(" / ")
                .append(s.dataset()).append("\n\n");
        md.append(String.format(Locale.ROOT, "- seeds %s, %d levels, %d steps per level, batch %d, Adam %.1e, rewind to"
                        + " step %d, %s pruning at %.0f%%/level, output %.0f%%/level%n", seedList, s.levels(),
                s.itersPerLevel(), s.batchSize(), s.lr(), s.rewind(), s.scope(), 100 * s.rate(), 100 * s.outputRate()));
        md.append(String.format(Locale.ROOT, "- %.1f minutes in all; %.0f training images/s on average%n", minutes,
                samplesPerSecond));
        md.append("- accuracy: test accuracy of the weights at the early-stop step (lowest validation loss, checked"
                + " every ").append(s.evalEvery()).append(" steps); final: at the last step; means over the seeds\n\n");
        md.append(table.markdown()).append("\n## Checks\n\n```\n");
        checks.forEach(c -> md.append(c.line()).append('\n'));
        exportLines.forEach(l -> md.append(l).append('\n'));
        md.append("```\n\n## Per-layer kept weights (first seed, tickets)\n\n");
        md.append(layerTable(bySeed.values().iterator().next()).markdown());
        runDir.writeText("results.md", md.toString());

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("settings", s);
        json.put("minutes", minutes);
        json.put("samplesPerSecond", samplesPerSecond);
        json.put("levels", table.records());
        json.put("checks", checks.stream().map(Check::line).toList());
        json.put("exports", exportLines);
        json.put("runs", runs.records());
        runDir.writeJson("results.json", json);
        try {
            report.plots(runDir);
        } catch (RuntimeException e) { // the results are written; missing fonts must not fail the run
            System.out.println("plots skipped: " + e.getMessage());
        }
        System.out.println();
        System.out.print(table.markdown());
        checks.forEach(c -> System.out.println(c.line()));
        System.out.printf(Locale.ROOT, "done in %.1f minutes (%.0f training images/s) | results in %s%n", minutes,
                samplesPerSecond, runDir.path());
    }

    /** Every training of every seed: the rows of levels.csv. */
    private static ResultTable runTable(Map<Long, List<LotteryTicket.Run>> bySeed) {
        ResultTable t = new ResultTable("seed", "level", "condition", "remaining %", "early-stop step",
                "validation loss", "test acc % (early stop)", "test acc % (final)", "test loss (final)", "seconds",
                "images/s");
        bySeed.forEach((seed, runs) -> runs.forEach(r -> t.row(seed, r.level(), r.condition().label(),
                fmt("%.3f", 100 * r.remaining()), r.earlyStop().step(), fmt("%.5f", r.earlyStop().validationLoss()),
                fmt("%.2f", 100 * r.earlyStopTestAccuracy()), fmt("%.2f", 100 * r.finalTestAccuracy()),
                fmt("%.5f", r.finalTestLoss()), fmt("%.2f", r.seconds()), fmt("%.0f", r.samplesPerSecond()))));
        return t;
    }

    private static ResultTable layerTable(List<LotteryTicket.Run> runs) {
        List<LotteryTicket.Run> tickets = runs.stream().filter(r -> r.condition() == Condition.TICKET).toList();
        List<String> columns = new ArrayList<>(List.of("level"));
        tickets.getFirst().layers().forEach(l -> columns.add(l.name() + " kept %"));
        ResultTable t = new ResultTable(columns.toArray(String[]::new));
        for (LotteryTicket.Run r : tickets) {
            List<Object> row = new ArrayList<>(List.of(r.level()));
            for (LayerDensity l : r.layers()) {
                row.add(fmt("%.2f", 100 * l.density()));
            }
            t.row(row.toArray());
        }
        return t;
    }

    private static String fmt(String format, double v) {
        return String.format(Locale.ROOT, format, v);
    }

    /** Prints a line per training and logs every validation to log.csv. */
    private static final class Progress implements LotteryTicket.Listener {
        private static final String HEADER = "seed,level,condition,step,train_loss,validation_loss,validation_acc";
        private final RunDir runDir;
        private final long seed;
        private final int levels;

        Progress(RunDir runDir, long seed, int levels) {
            this.runDir = runDir;
            this.seed = seed;
            this.levels = levels;
        }

        @Override
        public void validated(int level, Condition condition, StepTrainer.Point p) {
            runDir.logRow(HEADER, seed, level, condition.label(), p.step(), fmt("%.5f", p.trainLoss()),
                    fmt("%.5f", p.validationLoss()), fmt("%.4f", p.validationAccuracy()));
        }

        @Override
        public void finished(LotteryTicket.Run r) {
            System.out.printf(Locale.ROOT, "seed %d level %2d/%d %-11s | %6.2f%% remaining | early stop at step %5d"
                            + " (val loss %.4f) | test acc %.2f%% there, %.2f%% at the end | %.1f s, %s img/s%n",
                    seed, r.level(), levels, r.condition().label(), 100 * r.remaining(), r.earlyStop().step(),
                    r.earlyStop().validationLoss(), 100 * r.earlyStopTestAccuracy(), 100 * r.finalTestAccuracy(),
                    r.seconds(), ProgressLog.compact(r.samplesPerSecond()));
        }
    }
}

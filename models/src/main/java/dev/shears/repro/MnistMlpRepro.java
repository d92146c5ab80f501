package dev.shears.repro;

import dev.shears.autograd.Autograd;
import dev.shears.autograd.Var;
import dev.shears.data.Batch;
import dev.shears.data.DataLoader;
import dev.shears.data.DataLocator;
import dev.shears.data.Dataset;
import dev.shears.data.Mnist;
import dev.shears.nn.Functional;
import dev.shears.nn.Linear;
import dev.shears.nn.ReLU;
import dev.shears.nn.Sequential;
import dev.shears.optim.AdamW;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import dev.shears.train.ProgressLog;
import dev.shears.train.RunDir;
import dev.shears.train.Timer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

/**
 * LeNet-300-100 (784-300-100-10, ReLU) on MNIST with Adam: the first end-to-end training run.
 * Writes {@code runs/mnist-mlp-<stamp>-s<seed>/} with config, per-step log and results.
 */
@Command(name = "mnist-mlp", mixinStandardHelpOptions = true,
        description = "LeNet-300-100 (784-300-100-10 MLP) on MNIST with Adam; reports test accuracy and s/epoch.")
public final class MnistMlpRepro implements Callable<Integer> {

    @Option(names = "--epochs", defaultValue = "5", description = "Training epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "128", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "1e-3", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--seed", defaultValue = "42", description = "Run seed; every random choice derives from it (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", description = "Kernel threads (default: the pool size, -Dshears.threads or all cores).")
    Integer threads;

    @Option(names = "--out", defaultValue = "runs", description = "Folder for run folders (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--data-dir", description = "Folder holding the MNIST files (default: $SHEARS_DATA, then the cache).")
    Path dataDir;

    @Option(names = "--train-limit", description = "Use only the first N training images (smoke tests).")
    Integer trainLimit;

    @Option(names = "--test-limit", description = "Evaluate on only the first N test images (smoke tests).")
    Integer testLimit;

    @Option(names = "--log-every", defaultValue = "100", description = "Steps between progress lines (default: ${DEFAULT-VALUE}).")
    int logEvery;

    /** One epoch's measurements. */
    public record EpochResult(int epoch, double trainLoss, double testAccuracy, double seconds, double imagesPerSecond) {}

    /** The run's outcome, also written to {@code results.json}. */
    public record Result(String runDir, double finalTestAccuracy, double meanEpochSeconds, double meanImagesPerSecond,
                         List<EpochResult> epochs) {}

    private Result result;

    /** The last run's outcome (after {@link #call()}). */
    public Result result() {
        return result;
    }

    @Override
    public Integer call() {
        if (epochs < 1 || batchSize < 1 || lr <= 0 || logEvery < 1 || (threads != null && threads < 1)
                || (trainLimit != null && trainLimit < 1) || (testLimit != null && testLimit < 1)) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "mnist-mlp: --epochs, --batch-size, --log-every, --threads, --train-limit, --test-limit must be >= 1 and --lr > 0");
        }
        int nThreads = threads != null ? threads : Parallel.threads();
        Parallel.withThreads(nThreads, () -> result = run(nThreads));
        return 0;
    }

    private Result run(int nThreads) {
        DataLocator locator = dataDir == null ? DataLocator.defaults() : DataLocator.defaults().withUserDir(dataDir);
        Dataset trainSet = Mnist.train(locator);
        Dataset testSet = Mnist.test(locator);

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("repro", "mnist-mlp");
        config.put("model", "LeNet-300-100 (784-300-100-10, ReLU)");
        config.put("optimizer", "Adam (AdamW, weight decay 0)");
        config.put("epochs", epochs);
        config.put("batchSize", batchSize);
        config.put("lr", lr);
        config.put("seed", seed);
        config.put("threads", nThreads);
        config.put("trainLimit", trainLimit);
        config.put("testLimit", testLimit);
        config.put("dataDir", dataDir == null ? null : dataDir.toString());
        config.put("jdk", System.getProperty("java.vm.name") + " " + Runtime.version());
        config.put("simd", Simd.describe());

        Rng rng = Rng.seeded(seed);
        Rng initRng = rng.split();
        Rng shuffleRng = rng.split();
        Sequential model = new Sequential(
                new Linear(784, 300, initRng), new ReLU(),
                new Linear(300, 100, initRng), new ReLU(),
                new Linear(100, 10, initRng));
        AdamW opt = new AdamW(model.parameters(), AdamW.Config.adam().lr(lr));

        DataLoader.Builder tb = DataLoader.builder(trainSet, batchSize).shuffle(shuffleRng).dropLast(false).flatten(true);
        if (trainLimit != null) {
            tb.subset(IntStream.range(0, Math.min(trainLimit, trainSet.size())).toArray());
        }
        DataLoader train = tb.build();
        DataLoader.Builder eb = DataLoader.builder(testSet, 1000).dropLast(false).flatten(true);
        if (testLimit != null) {
            eb.subset(IntStream.range(0, Math.min(testLimit, testSet.size())).toArray());
        }
        DataLoader test = eb.build();

        try (RunDir runDir = RunDir.create(out, "mnist-mlp", seed)) {
            runDir.writeConfig(config);
            System.out.println("== mnist-mlp: LeNet-300-100 on MNIST ==");
            System.out.printf(Locale.ROOT, "JDK %s | SIMD %s | threads %d | seed %d%n",
                    Runtime.version(), Simd.describe(), nThreads, seed);
            System.out.printf(Locale.ROOT, "config: epochs %d, batch %d, lr %.1e, train %d, test %d, params %d%n",
                    epochs, batchSize, lr, train.numSamples(), test.numSamples(), model.numParameters());
            System.out.println("run folder: " + runDir.path());

            String header = "epoch,step,global_step,loss,lr,ms";
            ProgressLog progress = new ProgressLog(System.out, epochs, train.numBatches(), logEvery, "img");
            List<EpochResult> results = new ArrayList<>();
            int globalStep = 0;
            for (int e = 0; e < epochs; e++) {
                model.train();
                double lossSum = 0;
                int steps = 0;
                Timer epochTimer = Timer.start();
                try (epochTimer) {
                    for (Batch b : train.epoch(e)) {
                        long t0 = System.nanoTime();
                        Var loss = Functional.crossEntropy(model.forward(Var.constant(b.inputs())), b.labels());
                        opt.zeroGrad();
                        loss.backward();
                        opt.step();
                        float l = loss.item();
                        long dt = System.nanoTime() - t0;
                        runDir.logRow(header, e + 1, steps + 1, ++globalStep, l, opt.learningRate(),
                                String.format(Locale.ROOT, "%.3f", dt / 1e6));
                        progress.step(e, steps, l, opt.learningRate(), dt, b.size());
                        lossSum += l;
                        steps++;
                    }
                }
                double acc = evaluate(model, test);
                double secs = epochTimer.seconds();
                double ips = train.numSamples() / secs;
                results.add(new EpochResult(e + 1, lossSum / steps, acc, secs, ips));
                System.out.printf(Locale.ROOT, "epoch %d/%d done | train loss %.4f | test acc %.2f%% | %.2f s/epoch | %s img/s%n",
                        e + 1, epochs, lossSum / steps, 100 * acc, secs, ProgressLog.compact(ips));
            }
            double meanSecs = results.stream().mapToDouble(EpochResult::seconds).average().orElse(0);
            double meanIps = results.stream().mapToDouble(EpochResult::imagesPerSecond).average().orElse(0);
            Result r = new Result(runDir.path().toString(), results.getLast().testAccuracy(), meanSecs, meanIps, results);
            runDir.writeJson("results.json", r);
            runDir.writeText("results.md", markdown(r, nThreads));
            System.out.printf(Locale.ROOT, "final test accuracy %.2f%% | mean %.2f s/epoch | %s img/s | results in %s%n",
                    100 * r.finalTestAccuracy(), meanSecs, ProgressLog.compact(meanIps), runDir.path());
            return r;
        }
    }

    /** Fraction of correctly classified samples, computed without building a graph. */
    static double evaluate(Sequential model, DataLoader loader) {
        model.eval();
        long correct = 0;
        long total = 0;
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            for (Batch b : loader) {
                Tensor logits = model.forward(Var.constant(b.inputs())).value(); // [B, 10]
                float[] v = logits.toFloatArray();
                int[] labels = b.labels().toIntArray();
                int classes = logits.dim(1);
                for (int i = 0; i < labels.length; i++) {
                    int best = 0;
                    for (int c = 1; c < classes; c++) {
                        if (v[i * classes + c] > v[i * classes + best]) {
                            best = c;
                        }
                    }
                    if (best == labels[i]) {
                        correct++;
                    }
                }
                total += labels.length;
            }
        }
        model.train();
        return total == 0 ? 0 : (double) correct / total;
    }

    private String markdown(Result r, int nThreads) {
        StringBuilder sb = new StringBuilder();
        sb.append("# mnist-mlp: LeNet-300-100 on MNIST\n\n");
        sb.append(String.format(Locale.ROOT, "- final test accuracy: **%.2f%%**%n", 100 * r.finalTestAccuracy()));
        sb.append(String.format(Locale.ROOT, "- mean seconds per epoch (training only): %.2f%n", r.meanEpochSeconds()));
        sb.append(String.format(Locale.ROOT, "- mean training throughput: %.0f images/s%n", r.meanImagesPerSecond()));
        sb.append(String.format(Locale.ROOT, "- epochs %d, batch %d, Adam lr %.1e, seed %d, threads %d, SIMD %s, JDK %s%n%n",
                epochs, batchSize, lr, seed, nThreads, Simd.describe(), Runtime.version()));
        sb.append("| epoch | train loss | test accuracy | seconds | images/s |\n");
        sb.append("|---:|---:|---:|---:|---:|\n");
        for (EpochResult e : r.epochs()) {
            sb.append(String.format(Locale.ROOT, "| %d | %.4f | %.2f%% | %.2f | %.0f |%n",
                    e.epoch(), e.trainLoss(), 100 * e.testAccuracy(), e.seconds(), e.imagesPerSecond()));
        }
        return sb.toString();
    }
}

package dev.shears.bench;

import dev.shears.autograd.Var;
import dev.shears.models.LeNet;
import dev.shears.nn.Functional;
import dev.shears.nn.Layer;
import dev.shears.optim.AdamW;
import dev.shears.optim.Optimizer;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import dev.shears.tensor.parallel.Parallel;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * One training step (forward, cross-entropy, backward, Adam) of each reproduction's model on a fixed
 * random batch, and the epoch time it projects: the steady-state figure behind the seconds per
 * epoch of {@code ./shears run}, without data loading, evaluation or the first epoch's JIT warm-up.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Training-step time of LeNet-300-100 and LeNet-5 (batch 128, Adam), and the projected s/epoch.")
final class TrainStepSuite implements Callable<Integer> {
    private static final int TRAIN_IMAGES = 60_000;

    @Option(names = "--batch-size", description = "Batch size (default: ${DEFAULT-VALUE}).", defaultValue = "128")
    int batchSize;

    @Option(names = "--threads", split = ",", paramLabel = "T", description = "Thread counts (default: ${DEFAULT-VALUE}).",
            defaultValue = "1,2")
    List<Integer> threads;

    @Option(names = "--reps", description = "Timed steps per case (default: ${DEFAULT-VALUE}).", defaultValue = "50")
    int reps;

    @Option(names = "--warmup-ms", description = "Warm-up per case in ms (default: ${DEFAULT-VALUE}).", defaultValue = "3000")
    long warmupMillis;

    /** A model to step: its name, input shape per sample and constructor. */
    private record Case(String name, int[] sampleShape, Function<Rng, Layer> model) {}

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (batchSize < 1 || threads.isEmpty() || threads.stream().anyMatch(t -> t < 1) || reps < 1 || warmupMillis < 0) {
            throw new ParameterException(spec.commandLine(), "--batch-size, --threads and --reps must be >= 1 and"
                    + " --warmup-ms >= 0; got " + batchSize + ", " + threads + ", " + reps + ", " + warmupMillis);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("# train: one optimizer step (forward, cross-entropy, backward, Adam), random batch (seed 42)");
        out.println();
        out.print(BenchEnv.header());
        out.printf(Locale.ROOT, "- Batch %d; an epoch is %d steps (60,000 images)%n%n", batchSize, stepsPerEpoch());
        out.flush();

        List<Case> cases = List.of(
                new Case("lenet300100", new int[] {784}, LeNet::lenet300100),
                new Case("lenet5", new int[] {1, 28, 28}, LeNet::lenet5));
        ResultTable table = new ResultTable("model", "threads", "batch", "best ms/step", "median ms/step",
                "projected s/epoch (median)");
        List<String> results = new ArrayList<>();
        for (int t : BenchEnv.threadCounts(threads, spec.commandLine().getErr())) {
            for (Case c : cases) {
                Runnable step = step(c);
                Timing.Result[] timing = new Timing.Result[1];
                Parallel.withThreads(t, () -> timing[0] = Timing.time(step, warmupMillis, reps));
                double best = timing[0].best() / 1e6;
                double median = timing[0].median() / 1e6;
                double epoch = median * stepsPerEpoch() / 1e3;
                table.add(c.name(), t, batchSize, fmt(best), fmt(median), fmt(epoch));
                results.add(String.format(Locale.ROOT, "RESULT,%s,%d,%d,%.3f,%.3f,%.3f,%d", c.name(), t, batchSize,
                        best, median, epoch, timing[0].reps()));
            }
        }
        out.println(table);
        out.println("RESULT,model,threads,batch,best_ms,median_ms,projected_epoch_s,reps");
        results.forEach(out::println);
        out.flush();
        return 0;
    }

    private int stepsPerEpoch() {
        return (TRAIN_IMAGES + batchSize - 1) / batchSize;
    }

    /** One step of a fresh model and optimizer on a fixed batch (the same batch every call). */
    private Runnable step(Case c) {
        Rng rng = Rng.seeded(42);
        Layer model = c.model().apply(rng.split());
        Optimizer opt = new AdamW(model.parameters(), AdamW.Config.adam().lr(1e-3));
        int[] shape = new int[c.sampleShape().length + 1];
        shape[0] = batchSize;
        System.arraycopy(c.sampleShape(), 0, shape, 1, c.sampleShape().length);
        Tensor x = Tensor.uniform(rng.split(), 0f, 1f, shape);
        int[] labels = new int[batchSize];
        Rng labelRng = rng.split();
        for (int i = 0; i < batchSize; i++) {
            labels[i] = labelRng.nextInt(10);
        }
        Tensor y = Tensor.ofInts(labels, batchSize);
        return () -> {
            Var loss = Functional.crossEntropy(model.forward(Var.constant(x)), y);
            opt.zeroGrad();
            loss.backward();
            opt.step();
        };
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}

package dev.shears.train;

import dev.shears.autograd.Var;
import dev.shears.data.Batch;
import dev.shears.data.DataLoader;
import dev.shears.nn.Functional;
import dev.shears.nn.Layer;
import dev.shears.optim.LrSchedule;
import dev.shears.optim.Optimizer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The training loop every reproduction uses: epochs of optimizer steps over a {@link DataLoader},
 * a progress line per interval, a {@code log.csv} row per step, an evaluation after each epoch and,
 * with a run folder, a {@link Checkpoint} after each epoch so an interrupted run can be resumed and
 * end exactly as an uninterrupted one.
 *
 * <pre>{@code
 * Trainer.Result r = Trainer.builder(model, optimizer, trainLoader)
 *         .epochs(5).evaluateOn(testLoader).runDir(run).build().fit();
 * }</pre>
 */
public final class Trainer {
    static final String LOG_HEADER = "epoch,step,global_step,loss,lr,ms";

    /** The training loss of one batch; the default is cross-entropy of the model's logits. */
    @FunctionalInterface
    public interface LossFunction {
        Var loss(Layer model, Batch batch);

        /** Cross-entropy of the model's logits [batch, classes] against the batch's integer labels. */
        static LossFunction crossEntropy() {
            return (model, b) -> Functional.crossEntropy(model.forward(Var.constant(b.inputs())), b.labels());
        }
    }

    /** Called after each finished (and checkpointed) epoch. */
    @FunctionalInterface
    public interface EpochListener {
        void epochDone(EpochResult result);
    }

    /**
     * One epoch's figures; {@code seconds} covers the training steps only (not evaluation or
     * checkpointing). Test figures are NaN without an evaluation loader.
     */
    public record EpochResult(int epoch, double trainLoss, double testLoss, double testAccuracy, double seconds,
                              double samplesPerSecond) {}

    /** Every epoch's result, in order, including those finished before a resume. */
    public record Result(List<EpochResult> epochs, long steps) {
        public EpochResult last() {
            return epochs.getLast();
        }

        public double meanEpochSeconds() {
            return epochs.stream().mapToDouble(EpochResult::seconds).average().orElse(Double.NaN);
        }

        public double meanSamplesPerSecond() {
            return epochs.stream().mapToDouble(EpochResult::samplesPerSecond).average().orElse(Double.NaN);
        }
    }

    private final Layer model;
    private final Optimizer optimizer;
    private final DataLoader train;
    private final DataLoader test;
    private final int epochs;
    private final LrSchedule schedule;
    private final LossFunction lossFunction;
    private final RunDir runDir;
    private final ProgressLog.Sink out;
    private final int logEvery;
    private final String unit;
    private final EpochListener listener;

    private Trainer(Builder b) {
        this.model = b.model;
        this.optimizer = b.optimizer;
        this.train = b.train;
        this.test = b.test;
        this.epochs = b.epochs;
        this.schedule = b.schedule;
        this.lossFunction = b.lossFunction;
        this.runDir = b.runDir;
        this.out = b.out;
        this.logEvery = b.logEvery;
        this.unit = b.unit;
        this.listener = b.listener;
    }

    public static Builder builder(Layer model, Optimizer optimizer, DataLoader train) {
        return new Builder(model, optimizer, train);
    }

    /**
     * Trains to the configured number of epochs. With a run folder that holds a checkpoint, first
     * restores it and continues after its last finished epoch; its log rows after that point (from
     * the interrupted epoch) are dropped, as are all rows of a run that had no checkpoint yet.
     */
    public Result fit() {
        List<EpochResult> results = new ArrayList<>();
        long globalStep = 0;
        int startEpoch = 0;
        if (runDir != null) {
            var checkpoint = Checkpoint.latest(runDir.path());
            if (checkpoint.isPresent()) {
                checkpoint.get().restore(model, optimizer);
                Checkpoint.Progress p = checkpoint.get().progress();
                startEpoch = p.epochsDone();
                globalStep = p.globalStep();
                results.addAll(p.epochs());
                runDir.keepLogRows(globalStep);
                out.println(String.format(Locale.ROOT, "resuming after epoch %d/%d (step %d) from %s",
                        startEpoch, epochs, globalStep, runDir.path()));
            } else {
                runDir.keepLogRows(0); // a run that stopped before its first checkpoint starts over
            }
        }
        ProgressLog progress = new ProgressLog(out, epochs, train.numBatches(), logEvery, unit);
        for (int e = startEpoch; e < epochs; e++) {
            double lossSum = 0;
            int steps = 0;
            model.train();
            Timer timer = Timer.start();
            try (timer) {
                for (Batch batch : train.epoch(e)) {
                    long t0 = System.nanoTime();
                    double lr = schedule != null ? schedule.lr(optimizer.stepCount()) : optimizer.learningRate();
                    optimizer.setLearningRate(lr);
                    Var loss = lossFunction.loss(model, batch);
                    optimizer.zeroGrad();
                    loss.backward();
                    optimizer.step();
                    float l = loss.item();
                    long dt = System.nanoTime() - t0;
                    globalStep++;
                    if (runDir != null) {
                        runDir.logRow(LOG_HEADER, e + 1, steps + 1, globalStep, l, lr,
                                String.format(Locale.ROOT, "%.3f", dt / 1e6));
                    }
                    progress.step(e, steps, l, lr, dt, batch.size());
                    lossSum += l;
                    steps++;
                }
            }
            double seconds = timer.seconds();
            Evaluation.Metrics m = test == null ? new Evaluation.Metrics(Double.NaN, Double.NaN, 0)
                    : Evaluation.classification(model, test);
            EpochResult r = new EpochResult(e + 1, lossSum / Math.max(1, steps), m.loss(), m.accuracy(), seconds,
                    train.numSamples() / seconds);
            results.add(r);
            out.println(String.format(Locale.ROOT, "epoch %d/%d done | train loss %.4f | %s%.2f s/epoch | %s %s/s",
                    e + 1, epochs, r.trainLoss(),
                    test == null ? "" : String.format(Locale.ROOT, "test loss %.4f | test acc %.2f%% | ",
                            r.testLoss(), 100 * r.testAccuracy()),
                    seconds, ProgressLog.compact(r.samplesPerSecond()), unit));
            if (runDir != null) {
                Checkpoint.save(runDir.path(), model, optimizer, e + 1, globalStep, results);
            }
            if (listener != null) {
                listener.epochDone(r);
            }
        }
        return new Result(List.copyOf(results), globalStep);
    }

    /** Settings of a {@link Trainer}; only the model, optimizer and training data are required. */
    public static final class Builder {
        private final Layer model;
        private final Optimizer optimizer;
        private final DataLoader train;
        private DataLoader test;
        private int epochs = 1;
        private LrSchedule schedule;
        private LossFunction lossFunction = LossFunction.crossEntropy();
        private RunDir runDir;
        private ProgressLog.Sink out = ProgressLog.Sink.console(System.out);
        private int logEvery = 100;
        private String unit = "img";
        private EpochListener listener;

        private Builder(Layer model, Optimizer optimizer, DataLoader train) {
            this.model = Objects.requireNonNull(model, "model");
            this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
            this.train = Objects.requireNonNull(train, "train loader");
        }

        public Builder epochs(int epochs) {
            if (epochs < 1) {
                throw new IllegalArgumentException("Trainer: epochs = " + epochs + " must be >= 1");
            }
            this.epochs = epochs;
            return this;
        }

        /** Held-out data evaluated (loss, accuracy) after every epoch. */
        public Builder evaluateOn(DataLoader test) {
            this.test = test;
            return this;
        }

        /** The learning rate as a function of the optimizer's step count (default: the optimizer's own, constant). */
        public Builder schedule(LrSchedule schedule) {
            this.schedule = schedule;
            return this;
        }

        public Builder loss(LossFunction lossFunction) {
            this.lossFunction = Objects.requireNonNull(lossFunction, "loss function");
            return this;
        }

        /** Where the per-step log and the checkpoints go (and where a resume finds them); none by default. */
        public Builder runDir(RunDir runDir) {
            this.runDir = runDir;
            return this;
        }

        /** Where progress lines go (default: standard output, redrawn in place on a terminal). */
        public Builder progressTo(ProgressLog.Sink out) {
            this.out = Objects.requireNonNull(out, "progress sink");
            return this;
        }

        public Builder logEvery(int steps) {
            if (steps < 1) {
                throw new IllegalArgumentException("Trainer: logEvery = " + steps + " must be >= 1");
            }
            this.logEvery = steps;
            return this;
        }

        /** What one sample is, for throughput figures ("img", "tok"). */
        public Builder unit(String unit) {
            this.unit = Objects.requireNonNull(unit, "unit");
            return this;
        }

        public Builder onEpochDone(EpochListener listener) {
            this.listener = listener;
            return this;
        }

        public Trainer build() {
            return new Trainer(this);
        }
    }
}

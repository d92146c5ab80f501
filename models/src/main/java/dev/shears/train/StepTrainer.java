package dev.shears.train;

import dev.shears.autograd.Var;
import dev.shears.data.Batch;
import dev.shears.data.DataLoader;
import dev.shears.nn.Layer;
import dev.shears.optim.LrSchedule;
import dev.shears.optim.Optimizer;
import dev.shears.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Training counted in optimizer steps rather than epochs, with validation at a fixed interval and
 * the early-stop point (the lowest validation loss) remembered with a copy of the weights there.
 * Step {@code s} always trains on batch {@code s mod B} of epoch {@code s / B} of the loader (B
 * batches per epoch), so two trainings over the same steps see the same data in the same order,
 * and a training that starts at step {@code k} (a rewound lottery ticket) continues exactly where
 * one from step 0 would be.
 *
 * <pre>{@code
 * StepTrainer t = StepTrainer.builder(model, optimizer, train).validateOn(validation, 100).build();
 * t.trainTo(6000);
 * StepTrainer.Point best = t.earlyStop();      // argmin of validation loss
 * }</pre>
 */
public final class StepTrainer {

    /**
     * One validation: the step count it followed, the mean training loss of the steps since the
     * previous validation, and the validation loss and accuracy.
     */
    public record Point(int step, double trainLoss, double validationLoss, double validationAccuracy) {}

    /** Called after every validation. */
    @FunctionalInterface
    public interface Listener {
        void validated(Point point);
    }

    private final Layer model;
    private final Optimizer optimizer;
    private final DataLoader train;
    private final DataLoader validation;
    private final int validateEvery;
    private final LrSchedule schedule;
    private final Trainer.LossFunction lossFunction;
    private final Listener listener;

    private int step;
    private double lossSum;
    private int lossCount;
    private long trainNanos;
    private long samples;
    private final List<Point> history = new ArrayList<>();
    private Point best;
    private Map<String, Tensor> bestState;

    private StepTrainer(Builder b) {
        this.model = b.model;
        this.optimizer = b.optimizer;
        this.train = b.train;
        this.validation = b.validation;
        this.validateEvery = b.validateEvery;
        this.schedule = b.schedule;
        this.lossFunction = b.lossFunction;
        this.listener = b.listener;
        this.step = b.startStep;
    }

    public static Builder builder(Layer model, Optimizer optimizer, DataLoader train) {
        return new Builder(model, optimizer, train);
    }

    /** The number of steps done, counting from step 0 (a trainer started at {@code k} begins at k). */
    public int step() {
        return step;
    }

    /**
     * Trains steps {@code step() .. target - 1}. With a validation loader, validates after every
     * step that is a multiple of the interval, and after {@code target} itself.
     *
     * @throws IllegalArgumentException if {@code target < step()}
     */
    public void trainTo(int target) {
        if (target < step) {
            throw new IllegalArgumentException("StepTrainer.trainTo: target step " + target + " is before the current step "
                    + step);
        }
        int perEpoch = train.numBatches();
        model.train();
        while (step < target) {
            int epoch = step / perEpoch;
            long t0 = System.nanoTime();
            for (Batch batch : train.epoch(epoch, step % perEpoch)) {
                double lr = schedule != null ? schedule.lr(step) : optimizer.learningRate();
                optimizer.setLearningRate(lr);
                Var loss = lossFunction.loss(model, batch);
                optimizer.zeroGrad();
                loss.backward();
                optimizer.step();
                lossSum += loss.item();
                lossCount++;
                samples += batch.size();
                step++;
                if (validation != null && (step % validateEvery == 0 || step == target)) {
                    trainNanos += System.nanoTime() - t0;
                    validate();
                    t0 = System.nanoTime();
                }
                if (step == target) {
                    break;
                }
            }
            trainNanos += System.nanoTime() - t0;
        }
    }

    private void validate() {
        Evaluation.Metrics m = Evaluation.classification(model, validation);
        Point p = new Point(step, lossCount == 0 ? Double.NaN : lossSum / lossCount, m.loss(), m.accuracy());
        lossSum = 0;
        lossCount = 0;
        history.add(p);
        if (best == null || p.validationLoss() < best.validationLoss()) {
            best = p;
            bestState = copyOf(model.stateDict());
        }
        if (listener != null) {
            listener.validated(p);
        }
    }

    /** Every validation so far, in order. */
    public List<Point> history() {
        return List.copyOf(history);
    }

    /** The validation with the lowest loss so far (the earliest of equal ones), or null before any. */
    public Point earlyStop() {
        return best;
    }

    /** Copies of the parameters and buffers at {@link #earlyStop()}, by dotted name, or null before any. */
    public Map<String, Tensor> earlyStopState() {
        return bestState == null ? null : copyOf(bestState);
    }

    /** Seconds spent in training steps (validation excluded). */
    public double trainingSeconds() {
        return trainNanos / 1e9;
    }

    /** Training samples per second of training time. */
    public double samplesPerSecond() {
        return trainNanos == 0 ? Double.NaN : samples / (trainNanos / 1e9);
    }

    /** Deep copies of {@code state}'s tensors, in its order. */
    public static Map<String, Tensor> copyOf(Map<String, Tensor> state) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        state.forEach((k, v) -> out.put(k, v.copy()));
        return out;
    }

    /** Settings of a {@link StepTrainer}; only the model, optimizer and training data are required. */
    public static final class Builder {
        private final Layer model;
        private final Optimizer optimizer;
        private final DataLoader train;
        private DataLoader validation;
        private int validateEvery = 100;
        private LrSchedule schedule;
        private Trainer.LossFunction lossFunction = Trainer.LossFunction.crossEntropy();
        private Listener listener;
        private int startStep;

        private Builder(Layer model, Optimizer optimizer, DataLoader train) {
            this.model = Objects.requireNonNull(model, "model");
            this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
            this.train = Objects.requireNonNull(train, "train loader");
        }

        /** Held-out data validated (loss, accuracy) every {@code every} steps; none by default. */
        public Builder validateOn(DataLoader validation, int every) {
            if (every < 1) {
                throw new IllegalArgumentException("StepTrainer: validation interval " + every + " must be >= 1");
            }
            this.validation = Objects.requireNonNull(validation, "validation loader");
            this.validateEvery = every;
            return this;
        }

        /** The learning rate as a function of the step (default: the optimizer's own, constant). */
        public Builder schedule(LrSchedule schedule) {
            this.schedule = schedule;
            return this;
        }

        public Builder loss(Trainer.LossFunction lossFunction) {
            this.lossFunction = Objects.requireNonNull(lossFunction, "loss function");
            return this;
        }

        public Builder onValidation(Listener listener) {
            this.listener = listener;
            return this;
        }

        /**
         * The step this trainer starts at (default 0): its first batch and learning rate are those
         * of step {@code k}. The model and optimizer are taken as they are.
         */
        public Builder startAt(int k) {
            if (k < 0) {
                throw new IllegalArgumentException("StepTrainer: start step " + k + " must be >= 0");
            }
            this.startStep = k;
            return this;
        }

        public StepTrainer build() {
            if (train.numBatches() == 0) {
                throw new IllegalArgumentException("StepTrainer: the training loader has no batches ("
                        + train.numSamples() + " samples, batch " + train.batchSize() + ")");
            }
            return new StepTrainer(this);
        }
    }
}

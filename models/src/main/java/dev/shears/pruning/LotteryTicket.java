package dev.shears.pruning;

import dev.shears.data.DataLoader;
import dev.shears.nn.Layer;
import dev.shears.nn.Parameter;
import dev.shears.optim.LrSchedule;
import dev.shears.optim.Optimizer;
import dev.shears.sparse.Mask;
import dev.shears.sparse.select.RandomSelector;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import dev.shears.train.Evaluation;
import dev.shears.train.StepTrainer;
import dev.shears.train.Trainer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Iterative magnitude pruning with rewinding, the lottery-ticket procedure of methods.md §3, on any
 * classifier (logits against integer labels): train, remove a fraction of the remaining weights by
 * magnitude, rewind the survivors to their values at step {@code k}, train again; repeat for a
 * number of levels. At every level the paper's controls can be trained beside the ticket: the
 * ticket's mask on a fresh initialisation ({@link Condition#REINIT}) and a random mask with the
 * ticket's per-layer kept counts on the rewound weights ({@link Condition#RANDOM_MASK}).
 *
 * <p>Every training covers steps {@code k .. T} of one {@link StepTrainer} schedule, so all levels
 * and conditions see the same batches in the same order and the same learning rates. With
 * {@code k > 0} (late rewinding) the ticket also restarts from the optimizer state saved at step
 * {@code k}; the controls start from a fresh optimizer at step {@code k}. Each training validates
 * every {@code validateEvery} steps on held-out data and reports its early-stop step (the lowest
 * validation loss), the test accuracy of the weights there, and the test accuracy at {@code T}.
 * Which weights are pruned is decided on the ticket's weights at {@code T}.
 *
 * <p>Level {@code l}'s masks keep {@code round((1 - p)^l · n)} weights of each pruned group, computed
 * from {@code l} rather than step by step, so the sparsity after L levels is {@code 1 - (1 - p)^L}
 * up to one weight per tensor ({@link Scope#LAYERWISE}) or in all ({@link Scope#GLOBAL}).
 *
 * <pre>{@code
 * LotteryTicket.Config cfg = LotteryTicket.Config.of(10, 0.2, 6000).layerRate("4.weight", 0.1);
 * LotteryTicket.Result r = new LotteryTicket(cfg, task).run(Rng.seeded(1), listener);
 * }</pre>
 */
public final class LotteryTicket {

    /** Where one pruning threshold applies. */
    public enum Scope {
        /** Each layer loses the same fraction of its own remaining weights (Frankle &amp; Carbin). */
        LAYERWISE,
        /** One |w| threshold over all pruned layers together (open_lth's {@code sparse_global}). */
        GLOBAL
    }

    /** What a training at a level starts from. */
    public enum Condition {
        /** The ticket: the level's magnitude mask on the rewound weights (level 0: the dense network). */
        TICKET("ticket"),
        /** The ticket's mask on freshly drawn initial weights. */
        REINIT("reinit"),
        /** A random mask with the ticket's kept count in every layer, on the rewound weights. */
        RANDOM_MASK("random-mask");

        private final String label;

        Condition(String label) {
            this.label = label;
        }

        /** The name used in logs and tables. */
        public String label() {
            return label;
        }
    }

    /**
     * The procedure's settings.
     *
     * @param levels        pruning levels after the dense level 0 (so {@code levels + 1} tickets)
     * @param rate          fraction of the remaining weights removed per level, in (0, 1), for every
     *                      prunable weight without its own rate
     * @param scope         per-layer or one global threshold for the weights pruned at {@code rate}
     * @param layerRates    weights pruned at their own rate per level, by dotted name, each in
     *                      [0, 1) (0: never pruned), always layer-wise: the paper's half-rate output
     *                      layer, Conv-2's slower convolutions
     * @param rewindStep    k: the step whose weights the tickets restart from (0 = the initialisation)
     * @param iterations    T: the steps of every training
     * @param validateEvery steps between validations (early-stop resolution)
     * @param controls      the controls trained at every level ≥ 1 (not {@link Condition#TICKET})
     */
    public record Config(int levels, double rate, Scope scope, Map<String, Double> layerRates, int rewindStep,
                         int iterations, int validateEvery, Set<Condition> controls) {
        public Config {
            Objects.requireNonNull(scope, "scope");
            layerRates = Collections.unmodifiableMap(new LinkedHashMap<>(layerRates));
            controls = controls.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(controls));
            List<String> bad = new ArrayList<>();
            if (levels < 0) {
                bad.add("levels " + levels + " must be >= 0");
            }
            if (!(rate > 0 && rate < 1)) {
                bad.add("rate " + rate + " must be in (0, 1)");
            }
            layerRates.forEach((name, r) -> {
                if (!(r >= 0 && r < 1)) {
                    bad.add("rate " + r + " of '" + name + "' must be in [0, 1)");
                }
            });
            if (iterations < 1) {
                bad.add("iterations " + iterations + " must be >= 1");
            }
            if (rewindStep < 0 || rewindStep >= iterations) {
                bad.add("rewind step " + rewindStep + " must be in [0, iterations " + iterations + ")");
            }
            if (validateEvery < 1) {
                bad.add("validation interval " + validateEvery + " must be >= 1");
            }
            if (controls.contains(Condition.TICKET)) {
                bad.add("controls must not contain TICKET (it always runs)");
            }
            if (!bad.isEmpty()) {
                throw new IllegalArgumentException("LotteryTicket.Config: " + String.join("; ", bad));
            }
        }

        /**
         * Layer-wise pruning at {@code rate} of every prunable weight, rewinding to the
         * initialisation, validating every 100 steps, with both controls.
         */
        public static Config of(int levels, double rate, int iterations) {
            return new Config(levels, rate, Scope.LAYERWISE, Map.of(), 0, iterations, 100,
                    EnumSet.of(Condition.REINIT, Condition.RANDOM_MASK));
        }

        /** The weight {@code name} pruned at its own rate per level (0: never pruned). */
        public Config layerRate(String name, double layerRate) {
            Map<String, Double> rates = new LinkedHashMap<>(layerRates);
            rates.put(Objects.requireNonNull(name, "layer name"), layerRate);
            return new Config(levels, rate, scope, rates, rewindStep, iterations, validateEvery, controls);
        }

        public Config scope(Scope s) {
            return new Config(levels, rate, s, layerRates, rewindStep, iterations, validateEvery, controls);
        }

        public Config rewindTo(int k) {
            return new Config(levels, rate, scope, layerRates, k, iterations, validateEvery, controls);
        }

        public Config validateEvery(int steps) {
            return new Config(levels, rate, scope, layerRates, rewindStep, iterations, steps, controls);
        }

        public Config controls(Set<Condition> c) {
            return new Config(levels, rate, scope, layerRates, rewindStep, iterations, validateEvery, c);
        }

        /** The fraction of a group's weights kept after {@code level} levels at {@code rate}: (1 - rate)^level. */
        static double keptFraction(double rate, int level) {
            return Math.pow(1 - rate, level);
        }
    }

    /**
     * What is trained: a seeded model builder (called once for the network and once per reinit
     * control), an optimizer builder, the schedule (null: the optimizer's constant rate), the data
     * and the training loss.
     */
    public record Task(Function<Rng, ? extends Layer> model, Function<List<Parameter>, Optimizer> optimizer,
                       LrSchedule schedule, DataLoader train, DataLoader validation, DataLoader test,
                       Trainer.LossFunction loss) {
        public Task {
            Objects.requireNonNull(model, "model builder");
            Objects.requireNonNull(optimizer, "optimizer builder");
            Objects.requireNonNull(train, "train loader");
            Objects.requireNonNull(validation, "validation loader");
            Objects.requireNonNull(test, "test loader");
        }

        /** A task with a constant learning rate and cross-entropy on the model's logits. */
        public static Task of(Function<Rng, ? extends Layer> model, Function<List<Parameter>, Optimizer> optimizer,
                DataLoader train, DataLoader validation, DataLoader test) {
            return new Task(model, optimizer, null, train, validation, test, null);
        }

        public Task withSchedule(LrSchedule s) {
            return new Task(model, optimizer, s, train, validation, test, loss);
        }

        public Task withLoss(Trainer.LossFunction l) {
            return new Task(model, optimizer, schedule, train, validation, test, l);
        }
    }

    /**
     * One training's outcome.
     *
     * @param remaining             kept fraction of all prunable weights (measured from the masks)
     * @param layers                every prunable layer's kept count
     * @param earlyStop             the validation with the lowest loss
     * @param earlyStopTestAccuracy test accuracy of the weights at {@code earlyStop}
     * @param finalTestAccuracy     test accuracy at the last step
     * @param seconds               training time (validation excluded)
     * @param curve                 every validation
     */
    public record Run(int level, Condition condition, double remaining, List<LayerDensity> layers,
                      StepTrainer.Point earlyStop, double earlyStopTestAccuracy, double finalTestAccuracy,
                      double finalTestLoss, double seconds, double samplesPerSecond, List<StepTrainer.Point> curve) {
        public Run {
            layers = List.copyOf(layers);
            curve = List.copyOf(curve);
        }
    }

    /**
     * Every training in the order run, and the network holding the last level's trained ticket
     * (weights at T, masks set): ready to evaluate or {@linkplain SparseExport export}.
     */
    public record Result(List<Run> runs, Layer ticket) {
        public Result {
            runs = List.copyOf(runs);
        }

        /** The run of {@code condition} at {@code level}, if it ran. */
        public java.util.Optional<Run> run(int level, Condition condition) {
            return runs.stream().filter(r -> r.level() == level && r.condition() == condition).findFirst();
        }
    }

    /** Progress of a {@link #run}; every method does nothing by default. */
    public interface Listener {
        /** The weights every ticket restarts from (copies; masks not yet applied), saved at step k of level 0. */
        default void rewindPointSaved(int step, Map<String, Tensor> weights) {}

        /** A training is about to start; {@code model} holds its starting weights and masks. */
        default void starting(int level, Condition condition, Layer model) {}

        default void validated(int level, Condition condition, StepTrainer.Point point) {}

        default void finished(Run run) {}
    }

    private final Config config;
    private final Task task;

    public LotteryTicket(Config config, Task task) {
        this.config = Objects.requireNonNull(config, "config");
        this.task = Objects.requireNonNull(task, "task");
    }

    public Config config() {
        return config;
    }

    /**
     * Runs level 0 (dense) and every pruning level with the configured controls.
     *
     * @param rng the stream every random choice comes from: the initial weights, the reinit
     *            controls' weights and the random masks (the data order is the loaders' own)
     * @throws IllegalArgumentException if a weight with its own rate is not a prunable weight of
     *                                  the model, or every prunable weight has its own rate
     */
    public Result run(Rng rng, Listener listener) {
        Listener events = listener == null ? new Listener() {} : listener;
        Rng initRng = rng.split();
        Rng reinitRng = rng.split();
        Rng maskRng = rng.split();
        Layer model = task.model().apply(initRng);
        List<PrunableLayers.Layer> layers = PrunableLayers.of("LotteryTicket", model, Set.of());
        checkLayerRates(layers);
        List<Run> runs = new ArrayList<>();

        Optimizer optimizer = task.optimizer().apply(model.parameters());
        StepTrainer dense = trainer(model, optimizer, 0, Condition.TICKET, 0, events);
        events.starting(0, Condition.TICKET, model);
        dense.trainTo(config.rewindStep());
        Map<String, Tensor> rewindWeights = StepTrainer.copyOf(model.stateDict());
        Map<String, Tensor> rewindOptimizer = optimizer.stateDict();
        events.rewindPointSaved(config.rewindStep(), StepTrainer.copyOf(rewindWeights));
        dense.trainTo(config.iterations());
        runs.add(finish(0, Condition.TICKET, model, layers, dense, events));

        for (int level = 1; level <= config.levels(); level++) {
            List<Mask> masks = prune(model, layers, level); // on the previous ticket, trained to T

            model.loadStateDict(rewindWeights);
            setMasks(layers, masks);
            Optimizer ticketOptimizer = task.optimizer().apply(model.parameters());
            if (config.rewindStep() > 0) {
                ticketOptimizer.loadStateDict(rewindOptimizer);
            }
            runs.add(train(level, Condition.TICKET, model, ticketOptimizer, layers, events));
            Map<String, Tensor> ticketWeights = StepTrainer.copyOf(model.stateDict());

            if (config.controls().contains(Condition.REINIT)) {
                model.loadStateDict(task.model().apply(reinitRng.split()).stateDict());
                setMasks(layers, masks);
                runs.add(train(level, Condition.REINIT, model, task.optimizer().apply(model.parameters()), layers, events));
            }
            if (config.controls().contains(Condition.RANDOM_MASK)) {
                model.loadStateDict(rewindWeights);
                setMasks(layers, randomMasks(masks, maskRng.split()));
                runs.add(train(level, Condition.RANDOM_MASK, model, task.optimizer().apply(model.parameters()), layers,
                        events));
            }
            model.loadStateDict(ticketWeights);
            setMasks(layers, masks);
        }
        return new Result(runs, model);
    }

    private Run train(int level, Condition condition, Layer model, Optimizer optimizer,
            List<PrunableLayers.Layer> layers, Listener events) {
        StepTrainer t = trainer(model, optimizer, config.rewindStep(), condition, level, events);
        events.starting(level, condition, model);
        t.trainTo(config.iterations());
        return finish(level, condition, model, layers, t, events);
    }

    private StepTrainer trainer(Layer model, Optimizer optimizer, int start, Condition condition, int level,
            Listener events) {
        StepTrainer.Builder b = StepTrainer.builder(model, optimizer, task.train())
                .startAt(start)
                .schedule(task.schedule())
                .validateOn(task.validation(), config.validateEvery())
                .onValidation(p -> events.validated(level, condition, p));
        if (task.loss() != null) {
            b.loss(task.loss());
        }
        return b.build();
    }

    /** Tests the trained model at T and at its early-stop weights (then puts the T weights back). */
    private Run finish(int level, Condition condition, Layer model, List<PrunableLayers.Layer> layers, StepTrainer t,
            Listener events) {
        Evaluation.Metrics last = Evaluation.classification(model, task.test());
        StepTrainer.Point best = t.earlyStop();
        double bestAccuracy = last.accuracy();
        if (best.step() != t.step()) {
            Map<String, Tensor> trained = StepTrainer.copyOf(model.stateDict());
            model.loadStateDict(t.earlyStopState());
            bestAccuracy = Evaluation.classification(model, task.test()).accuracy();
            model.loadStateDict(trained);
        }
        List<LayerDensity> densities = PrunableLayers.report(layers);
        long kept = densities.stream().mapToLong(LayerDensity::kept).sum();
        Run run = new Run(level, condition, (double) kept / PrunableLayers.totalSize(layers), densities, best,
                bestAccuracy, last.accuracy(), last.loss(), t.trainingSeconds(), t.samplesPerSecond(), t.history());
        events.finished(run);
        return run;
    }

    /** Level {@code level}'s masks, pruned from the model's current weights and masks (which they refine). */
    private List<Mask> prune(Layer model, List<PrunableLayers.Layer> layers, int level) {
        Set<String> ownRate = config.layerRates().keySet();
        double sparsity = 1 - Config.keptFraction(config.rate(), level);
        if (config.scope() == Scope.GLOBAL) {
            GlobalMagnitude.global(model, sparsity, ownRate);
        } else {
            GlobalMagnitude.uniform(model, sparsity, ownRate);
        }
        config.layerRates().forEach((name, rate) -> {
            if (rate > 0) {
                Set<String> others = layers.stream().map(PrunableLayers.Layer::name).filter(n -> !n.equals(name))
                        .collect(Collectors.toSet());
                GlobalMagnitude.uniform(model, 1 - Config.keptFraction(rate, level), others);
            }
        });
        return layers.stream().map(PrunableLayers.Layer::current).toList();
    }

    private static void setMasks(List<PrunableLayers.Layer> layers, List<Mask> masks) {
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).param().setMask(masks.get(i)).applyMask();
        }
    }

    /** Random masks keeping as many weights in each layer as {@code masks} do (each layer from its own stream). */
    private static List<Mask> randomMasks(List<Mask> masks, Rng rng) {
        List<Mask> out = new ArrayList<>(masks.size());
        for (Mask m : masks) {
            out.add(RandomSelector.keep(m.shape(), m.keptCount(), rng.split()));
        }
        return out;
    }

    private void checkLayerRates(List<PrunableLayers.Layer> layers) {
        List<String> names = layers.stream().map(PrunableLayers.Layer::name).toList();
        for (String name : config.layerRates().keySet()) {
            if (!names.contains(name)) {
                throw new IllegalArgumentException("LotteryTicket: '" + name + "' has its own rate but is not a"
                        + " prunable weight; the prunable weights are " + names);
            }
        }
        if (config.layerRates().keySet().containsAll(names)) {
            throw new IllegalArgumentException("LotteryTicket: every prunable weight " + names
                    + " has its own rate; leave at least one to the main rate " + config.rate());
        }
    }
}

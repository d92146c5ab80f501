package dev.shears.repro;

import dev.shears.data.DataLoader;
import dev.shears.data.DataLocator;
import dev.shears.data.Dataset;
import dev.shears.data.FashionMnist;
import dev.shears.data.Mnist;
import dev.shears.models.LeNet;
import dev.shears.nn.Module;
import dev.shears.nn.Parameter;
import dev.shears.nn.Sequential;
import dev.shears.optim.AdamW;
import dev.shears.optim.LrSchedule;
import dev.shears.pruning.GlobalMagnitude;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import dev.shears.train.Evaluation;
import dev.shears.train.ProgressLog;
import dev.shears.train.RunDir;
import dev.shears.train.Timer;
import dev.shears.train.Trainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The trainings of the {@code global-magnitude} reproduction for one net on one data set: pretrain
 * the dense model, then for every sparsity and condition restore the same pretrained weights,
 * prune and fine-tune with fresh Adam state over the same batches. Every epoch of every training
 * is a {@code log.csv} row; every pruning prints its per-layer densities.
 */
final class GmpExperiment {

    /** The networks, by their {@code --nets} key. */
    enum Net {
        LENET5("lenet5", "LeNet-5 (conv5x5x6 pad 2, max-pool 2, conv5x5x16, max-pool 2, 400-120-84-10, ReLU)", false,
                LeNet::lenet5),
        LENET300("lenet300", "LeNet-300-100 (784-300-100-10, ReLU)", true, LeNet::lenet300100);

        final String key;
        final String description;
        final boolean flatten;
        final Function<Rng, Sequential> build;

        Net(String key, String description, boolean flatten, Function<Rng, Sequential> build) {
            this.key = key;
            this.description = description;
            this.flatten = flatten;
            this.build = build;
        }

        static Optional<Net> byKey(String key) {
            return Arrays.stream(values()).filter(n -> n.key.equals(key)).findFirst();
        }
    }

    /** The data sets, by their {@code --datasets} key. */
    enum Data {
        MNIST("mnist", "MNIST", Mnist::train, Mnist::test),
        FASHION("fashion", "Fashion-MNIST", FashionMnist::train, FashionMnist::test);

        final String key;
        final String title;
        final Function<DataLocator, ? extends Dataset> train;
        final Function<DataLocator, ? extends Dataset> test;

        Data(String key, String title, Function<DataLocator, ? extends Dataset> train,
                Function<DataLocator, ? extends Dataset> test) {
            this.key = key;
            this.title = title;
            this.train = train;
            this.test = test;
        }

        static Optional<Data> byKey(String key) {
            return Arrays.stream(values()).filter(d -> d.key.equals(key)).findFirst();
        }
    }

    /** A data set's training and test splits. */
    record Splits(Dataset train, Dataset test) {}

    /**
     * The pretrained dense model.
     *
     * @param weights  the number of prunable weights
     * @param accuracy test accuracy after the last pretraining epoch
     * @param seconds  the pretraining epochs' training time
     */
    record Dense(String net, String data, long weights, double accuracy, double seconds) {}

    /** One net on one data set: the dense model and every pruned and fine-tuned one. */
    record Result(Dense dense, List<GmpOutcome> outcomes) {}

    static final String LOG_HEADER =
            "net,dataset,sparsity,condition,epoch,train_loss,test_loss,test_acc,seconds,measured_sparsity";
    private static final int LOG_EVERY = 200;
    private static final int TEST_BATCH = 1000;

    private final GlobalMagnitudeRepro.Settings settings;
    private final List<GmpCondition> conditions;
    private final RunDir runDir;
    private final ProgressLog.Sink out;
    private final Timer clock = Timer.start();
    private final int trainings;
    private int started;
    private long trainedSamples;
    private double trainingSeconds;

    /**
     * @param conditions the conditions to run at every sparsity
     * @param cells      how many net × data set pairs {@link #run} will be called for (progress only)
     */
    GmpExperiment(GlobalMagnitudeRepro.Settings settings, List<GmpCondition> conditions, RunDir runDir,
            ProgressLog.Sink out, int cells) {
        this.settings = settings;
        this.conditions = List.copyOf(conditions);
        this.runDir = runDir;
        this.out = out;
        this.trainings = cells * (1 + settings.sparsities().size() * conditions.size());
    }

    /** Training samples processed so far over all trainings. */
    long trainedSamples() {
        return trainedSamples;
    }

    /** Training-step seconds so far over all trainings (no evaluation or pruning). */
    double trainingSeconds() {
        return trainingSeconds;
    }

    /** Wall-clock seconds since this experiment was made. */
    double elapsedSeconds() {
        return clock.seconds();
    }

    /** Pretrains {@code net} on {@code splits}, then prunes and fine-tunes it under every sparsity and condition. */
    Result run(Net net, Data data, Splits splits) {
        Rng rng = Rng.seeded(settings.seed());
        Sequential model = net.build.apply(rng.split());
        DataLoader pretrainData = loader(splits.train(), settings.batchSize(), settings.trainLimit(), net)
                .shuffle(rng.split()).build();
        DataLoader finetuneData = loader(splits.train(), settings.batchSize(), settings.trainLimit(), net)
                .shuffle(rng.split()).build();
        DataLoader test = loader(splits.test(), TEST_BATCH, settings.testLimit(), net).build();
        long weights = model.prunable().stream().mapToLong(Parameter::numel).sum();

        announce(String.format(Locale.ROOT, "%s on %s: pretraining the dense model (%d prunable weights), %d epochs",
                net.key, data.title, weights, settings.pretrainEpochs()));
        Trainer.Result pretrained = fit(model, pretrainData, test, settings.pretrainLr(), settings.pretrainEpochs(),
                e -> logRow(net, data, 0, "dense", e, model));
        Dense dense = new Dense(net.key, data.key, weights, pretrained.last().testAccuracy(), seconds(pretrained));
        Map<String, Tensor> denseState = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> denseState.put(k, v.copy()));

        List<GmpOutcome> outcomes = new ArrayList<>();
        for (double s : settings.sparsities()) {
            for (GmpCondition c : conditions) {
                outcomes.add(pruneAndFineTune(model, denseState, net, data, s, c, finetuneData, test));
            }
        }
        return new Result(dense, outcomes);
    }

    private GmpOutcome pruneAndFineTune(Sequential model, Map<String, Tensor> denseState, Net net, Data data,
            double s, GmpCondition c, DataLoader train, DataLoader test) {
        model.parameters().forEach(Parameter::clearMask);
        model.loadStateDict(denseState);
        int epochs = settings.finetuneEpochs();
        GlobalMagnitude.Report[] last = {c.beforeFineTuning(model, s, settings.mtPercent(), epochs)};
        double accuracyAfterPruning = Evaluation.classification(model, test).accuracy();
        announce(String.format(Locale.ROOT, "%s on %s, s %s, %s: pruned to %s; test acc %.2f%% before fine-tuning",
                net.key, data.title, s, c.key(), densities(last[0]), 100 * accuracyAfterPruning));
        Trainer.Result r = fit(model, train, test, settings.finetuneLr(), epochs, e -> {
            logRow(net, data, s, c.key(), e, model);
            c.afterEpoch(model, s, e.epoch(), epochs).ifPresent(report -> {
                last[0] = report;
                out.println("  " + c.key() + " step before epoch " + (e.epoch() + 1) + ": pruned to " + densities(report));
            });
        });
        return new GmpOutcome(net.key, data.key, s, c, accuracyAfterPruning, r.last().testAccuracy(),
                measuredSparsity(model), last[0].layers(), seconds(r));
    }

    private Trainer.Result fit(Sequential model, DataLoader train, DataLoader test, double lr, int epochs,
            Trainer.EpochListener listener) {
        Trainer.Result r = Trainer.builder(model, new AdamW(model.parameters(), AdamW.Config.adam().lr(lr)), train)
                .epochs(epochs)
                .schedule(LrSchedule.cosine(lr, epochs * train.numBatches(), 0))
                .evaluateOn(test)
                .progressTo(out)
                .logEvery(LOG_EVERY)
                .onEpochDone(listener)
                .build()
                .fit();
        trainedSamples += (long) epochs * train.numSamples();
        trainingSeconds += seconds(r);
        return r;
    }

    private static double seconds(Trainer.Result r) {
        return r.epochs().stream().mapToDouble(Trainer.EpochResult::seconds).sum();
    }

    private void announce(String what) {
        started++;
        out.println(String.format(Locale.ROOT, "[%d/%d | %s] %s", started, trainings,
                ProgressLog.duration(clock.seconds()), what));
    }

    private void logRow(Net net, Data data, double sparsity, String condition, Trainer.EpochResult e, Module model) {
        runDir.logRow(LOG_HEADER, net.key, data.key, sparsity, condition, e.epoch(),
                String.format(Locale.ROOT, "%.5f", e.trainLoss()), String.format(Locale.ROOT, "%.5f", e.testLoss()),
                String.format(Locale.ROOT, "%.4f", e.testAccuracy()), String.format(Locale.ROOT, "%.3f", e.seconds()),
                String.format(Locale.ROOT, "%.6f", measuredSparsity(model)));
    }

    /** The fraction of the prunable weights that are exactly zero (methods.md §0.2: from the values, not the masks). */
    private static double measuredSparsity(Module model) {
        long zeros = 0;
        long total = 0;
        for (Parameter p : model.prunable()) {
            for (float v : p.value().toFloatArray()) {
                zeros += v == 0f ? 1 : 0;
            }
            total += p.numel();
        }
        return (double) zeros / total;
    }

    /** {@code "kept 1229 of 61470: 0.weight 12.67%, 3.weight 3.21%, ..."}. */
    private static String densities(GlobalMagnitude.Report r) {
        return "kept " + r.kept() + " of " + r.size() + ": " + r.layers().stream()
                .map(l -> String.format(Locale.ROOT, "%s %.2f%%", l.name(), 100 * l.density()))
                .collect(Collectors.joining(", "));
    }

    private static DataLoader.Builder loader(Dataset data, int batch, Integer limit, Net net) {
        DataLoader.Builder b = DataLoader.builder(data, batch).dropLast(false).flatten(net.flatten);
        if (limit != null) {
            b.subset(IntStream.range(0, Math.min(limit, data.size())).toArray());
        }
        return b;
    }
}

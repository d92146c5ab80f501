package dev.shears.repro;

import dev.shears.pruning.LayerDensity;
import dev.shears.train.Plot;
import dev.shears.train.ProgressLog;
import dev.shears.train.ResultTable;
import dev.shears.train.RunDir;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The result files of a {@code global-magnitude} run: {@code results.md} (dense accuracy, accuracy
 * per net × data set × sparsity × condition, per-layer densities, the CHECK lines),
 * {@code results.csv} (one row per pruned model), {@code results.json} and one
 * {@code accuracy-<net>-<data>.png} per net and data set (test accuracy against % weights
 * remaining on a log axis, one series per condition, the dense model at 100%).
 *
 * @param settings         the run's settings
 * @param conditions       the conditions run, in table order
 * @param results          one per net × data set, in run order
 * @param checks           the CHECK lines, in run order
 * @param elapsedSeconds   the run's wall-clock time
 * @param samplesPerSecond training throughput over all trainings
 * @param threads          the kernel thread count
 */
record GmpResults(GlobalMagnitudeRepro.Settings settings, List<GmpCondition> conditions,
                  List<GmpExperiment.Result> results, List<Check> checks, double elapsedSeconds,
                  double samplesPerSecond, int threads) {

    GmpResults {
        conditions = List.copyOf(conditions);
        results = List.copyOf(results);
        checks = List.copyOf(checks);
    }

    /** Writes every result file into {@code dir}; plots that cannot be drawn (no fonts) are reported and skipped. */
    void write(RunDir dir) {
        dir.writeText("results.md", markdown());
        dir.writeText("results.csv", outcomeTable().csv());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("elapsedSeconds", elapsedSeconds);
        json.put("trainingSamplesPerSecond", samplesPerSecond);
        json.put("dense", results.stream().map(GmpExperiment.Result::dense).toList());
        json.put("outcomes", results.stream().flatMap(r -> r.outcomes().stream()).toList());
        json.put("checks", checks.stream().map(Check::line).toList());
        dir.writeJson("results.json", json);
        try {
            for (GmpExperiment.Result r : results) {
                dir.writePlot("accuracy-" + r.dense().net() + "-" + r.dense().data() + ".png", plot(r));
            }
        } catch (RuntimeException e) { // the results are written; missing fonts must not fail the run
            System.out.println("plots skipped: " + e.getMessage());
        }
    }

    /** The fine-tuned accuracy of each condition per net, data set and sparsity, with the dense one beside it. */
    private ResultTable accuracyTable() {
        List<String> columns = new ArrayList<>(List.of("net", "dataset", "s", "% remaining", "dense"));
        conditions.forEach(c -> columns.add(c.key()));
        ResultTable t = new ResultTable(columns.toArray(String[]::new));
        for (GmpExperiment.Result r : results) {
            for (double s : settings.sparsities()) {
                List<Object> row = new ArrayList<>(List.of(r.dense().net(), r.dense().data(), s,
                        fixed(100 * (1 - s), 2), percent(r.dense().accuracy())));
                conditions.forEach(c -> row.add(percent(outcome(r, s, c).accuracy())));
                t.row(row.toArray());
            }
        }
        return t;
    }

    /** One row per pruned model (also {@code results.csv}). */
    private ResultTable outcomeTable() {
        ResultTable t = new ResultTable("net", "dataset", "s", "condition", "acc after pruning %", "acc fine-tuned %",
                "measured sparsity", "sparsest layer", "its density %", "layers < 0.5%", "fine-tune s");
        for (GmpExperiment.Result r : results) {
            for (GmpOutcome o : r.outcomes()) {
                LayerDensity sparsest = o.sparsestLayer();
                t.row(o.net(), o.data(), o.sparsity(), o.condition().key(), percent(o.accuracyAfterPruning()),
                        percent(o.accuracy()), fixed(o.measuredSparsity(), 6), sparsest.name(),
                        fixed(100 * sparsest.density(), 3), o.layersBelow(GmpCheck.COLLAPSE_DENSITY),
                        fixed(o.seconds(), 1));
            }
        }
        return t;
    }

    private String markdown() {
        StringBuilder sb = new StringBuilder("# global-magnitude: global magnitude pruning with minimum threshold"
                + " vs uniform layer-wise (methods.md §4.3)\n\n");
        sb.append(String.format(Locale.ROOT, "- elapsed: %.1f min; training throughput %.0f samples/s; threads %d%n",
                elapsedSeconds / 60, samplesPerSecond, threads));
        sb.append(String.format(Locale.ROOT, "- pretraining: %d epochs, Adam lr %s with cosine decay to 0, batch %d%n",
                settings.pretrainEpochs(), ProgressLog.scientific(settings.pretrainLr()), settings.batchSize()));
        sb.append(String.format(Locale.ROOT, "- fine-tuning: %d epochs, Adam lr %s with cosine decay to 0, fresh optimizer"
                + " state, every condition from the same pretrained weights and over the same batches%n",
                settings.finetuneEpochs(), ProgressLog.scientific(settings.finetuneLr())));
        sb.append(String.format(Locale.ROOT, "- every Linear and Conv2d weight is prunable (first and last layers"
                + " included), biases never; MT = floor(%s%% of the prunable weights); seed %d%n",
                settings.mtPercent(), settings.seed()));
        if (settings.trainLimit() != null || settings.testLimit() != null) {
            sb.append("- limited data: train ").append(settings.trainLimit()).append(", test ")
                    .append(settings.testLimit()).append(" samples\n");
        }
        sb.append("\nConditions:\n\n");
        conditions.forEach(c -> sb.append("- `").append(c.key()).append("`: ").append(c.description()).append('\n'));

        sb.append("\n## Dense (pretrained) models\n\n").append(denseTable().markdown());
        sb.append("\n## Test accuracy % after fine-tuning\n\n").append(accuracyTable().markdown());
        sb.append("\n## Every pruned model\n\n");
        sb.append("Accuracy right after the first pruning (no fine-tuning yet; for `gradual` after its first step),"
                + " after fine-tuning, the measured sparsity (exact zeros over all prunable weights) and the least"
                + " dense layer.\n\n").append(outcomeTable().markdown());
        sb.append("\n## Per-layer density % after pruning\n");
        for (GmpExperiment.Result r : results) {
            sb.append("\n### ").append(r.dense().net()).append(" on ").append(r.dense().data()).append("\n\n")
                    .append(layerTable(r).markdown());
        }
        sb.append("\n## Checks\n\n");
        sb.append(String.format(Locale.ROOT, "Pass rules: `acc_global >= acc_uniform` at s >= %s; whenever a layer is"
                + " below %s%% density under global pruning (`collapsed_layers` > 0), `acc_global_mt >= acc_global`."
                + " INCONCLUSIVE when neither rule applies. `sparsity` is the lowest measured sparsity of the three"
                + " models; `minutes` is the run's time when the line was made.%n%n",
                GmpCheck.HIGH_SPARSITY, 100 * GmpCheck.COLLAPSE_DENSITY));
        sb.append("```\n");
        checks.forEach(c -> sb.append(c.line()).append('\n'));
        sb.append("```\n");
        return sb.toString();
    }

    private ResultTable denseTable() {
        ResultTable t = new ResultTable("net", "dataset", "prunable weights", "test acc %", "pretrain s");
        for (GmpExperiment.Result r : results) {
            GmpExperiment.Dense d = r.dense();
            t.row(d.net(), d.data(), d.weights(), percent(d.accuracy()), fixed(d.seconds(), 1));
        }
        return t;
    }

    private static ResultTable layerTable(GmpExperiment.Result r) {
        List<String> columns = new ArrayList<>(List.of("s", "condition"));
        r.outcomes().getFirst().layers().forEach(l -> columns.add(l.name() + " (" + l.size() + ")"));
        ResultTable t = new ResultTable(columns.toArray(String[]::new));
        for (GmpOutcome o : r.outcomes()) {
            List<Object> row = new ArrayList<>(List.of(o.sparsity(), o.condition().key()));
            o.layers().forEach(l -> row.add(fixed(100 * l.density(), 3)));
            t.row(row.toArray());
        }
        return t;
    }

    private Plot plot(GmpExperiment.Result r) {
        List<Double> sparsities = settings.sparsities();
        double[] remaining = sparsities.stream().mapToDouble(s -> 100 * (1 - s)).toArray();
        double lowest = Arrays.stream(remaining).min().orElseThrow();
        Plot p = Plot.line(r.dense().net() + " on " + r.dense().data() + ": test accuracy after fine-tuning")
                .xLabel("% weights remaining (log)").yLabel("test accuracy %").logX().markers(true)
                .series("dense", new double[] {lowest, 100}, new double[] {100 * r.dense().accuracy(),
                        100 * r.dense().accuracy()});
        for (GmpCondition c : conditions) {
            p.series(c.key(), remaining, sparsities.stream().mapToDouble(s -> 100 * outcome(r, s, c).accuracy()).toArray());
        }
        return p;
    }

    /** The outcome of condition {@code c} at sparsity {@code s} in {@code r}. */
    static GmpOutcome outcome(GmpExperiment.Result r, double s, GmpCondition c) {
        return r.outcomes().stream().filter(o -> o.sparsity() == s && o.condition() == c).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("GmpResults: no " + c.key() + " outcome at s " + s
                        + " for " + r.dense().net() + "/" + r.dense().data()));
    }

    private static String percent(double fraction) {
        return fixed(100 * fraction, 2);
    }

    private static String fixed(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}

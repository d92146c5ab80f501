package dev.shears.repro;

import dev.shears.pruning.RandomPruning.Distribution;
import dev.shears.repro.Check.Verdict;
import dev.shears.repro.RandomPruningRepro.Settings;
import dev.shears.train.Plot;
import dev.shears.train.ResultTable;
import dev.shears.train.RunDir;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * The outcome of a {@link RandomPruningRepro} run: the finished trainings averaged over seeds into
 * one row per width and density, the claims of methods.md §5.3 judged on those means, and the
 * results files (results.md, results.json, results.csv, accuracy.png, gap.png).
 *
 * <p>Claims: for every density, {@code gap_erk = acc_dense − acc_erk} falls strictly from each
 * width to the next wider one; and at D = 0.05, {@code acc_erk ≥ acc_uniform} at every width. A
 * claim that the run cannot judge (a single width, D = 0.05 not run) is INCONCLUSIVE.
 */
final class RandomPruningReport {
    static final String TITLE = "random masks (uniform vs ERK, fixed from initialisation) on 784-w-w-10 MLPs, "
            + "Fashion-MNIST";
    static final String CHECK_NAME = "random_prune";
    /** Why the §5.1 optimizer settings are kept, for config.json and results.md. */
    static final String OPTIMIZER_NOTE = "the methods.md §5.1 defaults, kept: at lr 0.1 they trained every width "
            + "and density of the default run without divergence";
    /** The density at which §5.3 expects ERK to match or beat uniform. */
    static final double HIGH_SPARSITY_DENSITY = 0.05;

    /** How a training's weights are masked. */
    enum Condition {
        DENSE("dense", null), UNIFORM("uniform", Distribution.UNIFORM), ERK("ERK", Distribution.ERK);

        private final String label;
        private final Distribution distribution;

        Condition(String label, Distribution distribution) {
            this.label = label;
            this.distribution = distribution;
        }

        String label() {
            return label;
        }

        /** The layer-wise density distribution, or null for the dense network. */
        Distribution distribution() {
            return distribution;
        }
    }

    /**
     * One prunable weight of a trained network.
     *
     * @param solvedDensity the density {@code RandomPruning} solved for the layer (1 when dense)
     * @param kept          the weights its mask keeps
     * @param nonzero       the weights that are not exactly zero after training
     */
    public record LayerResult(String name, int size, double solvedDensity, int kept, int nonzero) {
        /** The density measured from the trained weights' zeros. */
        double measuredDensity() {
            return (double) nonzero / size;
        }
    }

    /**
     * One finished training.
     *
     * @param density      the global density D of its masks (1 when dense)
     * @param seconds      wall time of the whole training, evaluations included
     * @param samples      training samples processed (images × epochs)
     * @param trainSeconds time spent in the training steps only
     */
    public record Run(int width, double density, Condition condition, long seed, double testAccuracy, double testLoss,
                      double validationAccuracy, List<LayerResult> layers, double seconds, long samples,
                      double trainSeconds) {
        /** The fraction of prunable weights that are exactly zero after training. */
        double sparsity() {
            long size = 0;
            long nonzero = 0;
            for (LayerResult l : layers) {
                size += l.size();
                nonzero += l.nonzero();
            }
            return 1 - (double) nonzero / size;
        }
    }

    /**
     * One width and density, averaged over the seeds: test accuracies (fractions) after the last
     * epoch, measured sparsities, and the wall minutes of the trainings behind it (the dense one is
     * shared by every density of its width).
     */
    record Row(int width, double density, double dense, double uniform, double erk, double sparsityUniform,
                      double sparsityErk, double minutes) {
        double gapErk() {
            return dense - erk;
        }

        double gapUniform() {
            return dense - uniform;
        }
    }

    private final Settings settings;
    private final List<Run> runs;
    private final double minutes;
    /** Width-major (ascending), then the densities in the order given. */
    private final List<Row> rows = new ArrayList<>();

    /**
     * @param runs    every training of the run: for each seed and width one dense and, for each
     *                density, one uniform and one ERK
     * @param minutes wall minutes of the whole run
     */
    RandomPruningReport(Settings settings, List<Run> runs, double minutes) {
        this.settings = settings;
        this.runs = List.copyOf(runs);
        this.minutes = minutes;
        for (int width : settings.widths().stream().sorted().toList()) {
            List<Run> dense = select(width, 1, Condition.DENSE);
            for (double d : settings.densities()) {
                List<Run> uniform = select(width, d, Condition.UNIFORM);
                List<Run> erk = select(width, d, Condition.ERK);
                double seconds = sum(dense, Run::seconds) + sum(uniform, Run::seconds) + sum(erk, Run::seconds);
                rows.add(new Row(width, d, mean(dense, Run::testAccuracy), mean(uniform, Run::testAccuracy),
                        mean(erk, Run::testAccuracy), mean(uniform, Run::sparsity), mean(erk, Run::sparsity),
                        seconds / 60));
            }
        }
    }

    private List<Run> select(int width, double density, Condition c) {
        List<Run> out = runs.stream().filter(r -> r.width() == width && r.density() == density && r.condition() == c)
                .toList();
        if (out.size() != settings.seeds().size()) {
            throw new IllegalArgumentException("RandomPruningReport: " + out.size() + " " + c.label() + " runs at width "
                    + width + ", D " + density + " for " + settings.seeds().size() + " seeds " + settings.seeds());
        }
        return out;
    }

    private static double mean(List<Run> runs, ToDoubleFunction<Run> f) {
        return sum(runs, f) / runs.size();
    }

    private static double sum(List<Run> runs, ToDoubleFunction<Run> f) {
        return runs.stream().mapToDouble(f).sum();
    }

    /** Training samples per second of training-step time, over every training. */
    double meanSamplesPerSecond() {
        return runs.stream().mapToLong(Run::samples).sum() / sum(runs, Run::trainSeconds);
    }

    /** A data line per row, then the claims: the gap falls with width (per density), ERK ≥ uniform at D = 0.05. */
    List<Check> checks() {
        List<Check> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(Check.named(CHECK_NAME).value("width", r.width()).value("D", r.density())
                    .value("acc_dense", pct(r.dense())).value("acc_uniform", pct(r.uniform()))
                    .value("acc_erk", pct(r.erk())).value("gap_erk", pct(r.gapErk())).value("seed", seeds())
                    .value("minutes", r.minutes(), 1).value("sparsity", r.sparsityErk(), 4).data());
        }
        for (double d : settings.densities()) {
            out.add(gapClaim(d));
        }
        out.add(erkClaim());
        return out;
    }

    private Check gapClaim(double density) {
        List<Row> byWidth = rows.stream().filter(r -> r.density() == density).toList(); // ascending width
        boolean falls = true;
        for (int i = 1; i < byWidth.size(); i++) {
            falls &= byWidth.get(i).gapErk() < byWidth.get(i - 1).gapErk();
        }
        return claim("gap_erk_decreases_with_width", density, byWidth)
                .value("gap_erk", join(byWidth, r -> pct(r.gapErk())))
                .verdict(byWidth.size() < 2 ? Verdict.INCONCLUSIVE : Verdict.of(falls));
    }

    private Check erkClaim() {
        List<Row> high = rows.stream().filter(r -> r.density() == HIGH_SPARSITY_DENSITY).toList();
        boolean beats = high.stream().allMatch(r -> r.erk() >= r.uniform());
        return claim("erk_ge_uniform", HIGH_SPARSITY_DENSITY, high)
                .value("acc_erk", high.isEmpty() ? "not_run" : join(high, r -> pct(r.erk())))
                .value("acc_uniform", high.isEmpty() ? "not_run" : join(high, r -> pct(r.uniform())))
                .verdict(high.isEmpty() ? Verdict.INCONCLUSIVE : Verdict.of(beats));
    }

    private Check.Builder claim(String claim, double density, List<Row> rows) {
        return Check.named(CHECK_NAME).value("claim", claim).value("D", density)
                .value("widths", rows.isEmpty() ? "none" : join(rows, r -> Integer.toString(r.width())))
                .value("seed", seeds()).value("minutes", minutes, 1)
                .value("sparsity", rows.isEmpty() ? "none" : join(rows, r -> fixed(r.sparsityErk(), 4)));
    }

    private String seeds() {
        return settings.seeds().stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    private static String join(List<Row> rows, Function<Row, String> f) {
        return rows.stream().map(f).collect(Collectors.joining(","));
    }

    /** A fraction as a percentage with two decimals. */
    private static String pct(double fraction) {
        return fixed(100 * fraction, 2);
    }

    /** A number without exponent or trailing zeros ({@code 0.0005}, not {@code 5.0E-4}). */
    static String plain(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private static String fixed(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** The summary: width | D | dense | uniform | ERK | gap, accuracies in %, gap in points. */
    ResultTable table() {
        ResultTable t = new ResultTable("width", "D", "dense %", "uniform %", "ERK %", "gap (dense - ERK)",
                "gap (dense - uniform)", "sparsity ERK", "sparsity uniform");
        for (Row r : rows) {
            t.row(r.width(), r.density(), pct(r.dense()), pct(r.uniform()), pct(r.erk()), pct(r.gapErk()),
                    pct(r.gapUniform()), fixed(r.sparsityErk(), 4), fixed(r.sparsityUniform(), 4));
        }
        return t;
    }

    /** Every training's final test accuracy, for the spread across seeds. */
    ResultTable perSeedTable() {
        ResultTable t = new ResultTable("width", "D", "seed", "dense %", "uniform %", "ERK %");
        for (Row r : rows) {
            for (long seed : settings.seeds()) {
                t.row(r.width(), r.density(), seed, pct(only(r.width(), 1, Condition.DENSE, seed).testAccuracy()),
                        pct(only(r.width(), r.density(), Condition.UNIFORM, seed).testAccuracy()),
                        pct(only(r.width(), r.density(), Condition.ERK, seed).testAccuracy()));
            }
        }
        return t;
    }

    /** Per layer, the solved uniform and ERK densities and those measured from the trained weights' zeros. */
    ResultTable layerTable() {
        ResultTable t = new ResultTable("width", "D", "layer", "weights", "uniform", "uniform measured", "ERK",
                "ERK measured");
        long seed = settings.seeds().getFirst();
        for (Row r : rows) {
            List<LayerResult> uniform = only(r.width(), r.density(), Condition.UNIFORM, seed).layers();
            List<LayerResult> erk = only(r.width(), r.density(), Condition.ERK, seed).layers();
            for (int i = 0; i < erk.size(); i++) {
                LayerResult u = uniform.get(i);
                LayerResult e = erk.get(i);
                t.row(r.width(), r.density(), e.name(), e.size(), fixed(u.solvedDensity(), 4),
                        fixed(u.measuredDensity(), 4), fixed(e.solvedDensity(), 4), fixed(e.measuredDensity(), 4));
            }
        }
        return t;
    }

    private Run only(int width, double density, Condition c, long seed) {
        Predicate<Run> match = r -> r.width() == width && r.density() == density && r.condition() == c
                && r.seed() == seed;
        return runs.stream().filter(match).findFirst().orElseThrow();
    }

    String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(RandomPruningRepro.NAME).append(": ").append(TITLE).append("\n\n");
        sb.append(String.format(Locale.ROOT, "- %d trainings in %.1f min; mean training throughput %.0f images/s%n",
                runs.size(), minutes, meanSamplesPerSecond()));
        sb.append(String.format(Locale.ROOT, "- widths %s, densities %s, seeds %s; %d epochs, batch %d; SGD lr %s "
                        + "(x%s at 50%% and 75%% of the steps), Nesterov momentum %s, weight decay %s (%s)%n",
                settings.widths(), settings.densities(), settings.seeds(), settings.epochs(), settings.batchSize(),
                settings.lr(), RandomPruningRepro.LR_DECAY, settings.momentum(), plain(settings.weightDecay()),
                OPTIMIZER_NOTE));
        sb.append("- masks drawn at initialisation and fixed; every Linear weight prunable (first and last "
                + "included), biases never; same initial weights and batch order for every condition of a width "
                + "and seed\n");
        sb.append(String.format(Locale.ROOT, "- %d training images held out for validation; accuracies are on the "
                + "test set after the last epoch, mean over the seeds; gaps in percentage points; sparsity "
                + "measured from the zeros of the trained weights%n%n", settings.validationSize()));
        sb.append("## Test accuracy\n\n").append(table().markdown()).append('\n');
        if (settings.seeds().size() > 1) {
            sb.append("## Per seed\n\n").append(perSeedTable().markdown()).append('\n');
        }
        sb.append("## Checks\n\n");
        sb.append("A `gap_erk_decreases_with_width` claim passes when the gap falls strictly from each width to the next "
                + "wider one; `erk_ge_uniform` when ERK is at least uniform at D = 0.05 at every width. `minutes` on a "
                + "width line counts its trainings (the dense one is shared by both densities).\n\n");
        sb.append("```\n");
        checks().forEach(c -> sb.append(c.line()).append('\n'));
        sb.append("```\n\n");
        sb.append("## Layer densities (seed ").append(settings.seeds().getFirst()).append(")\n\n");
        sb.append("Solved by `RandomPruning`, and measured as the nonzero fraction of the trained weights.\n\n");
        sb.append(layerTable().markdown());
        return sb.toString();
    }

    /** Writes results.md, results.json, results.csv and the two plots (plots are skipped when they cannot be drawn). */
    void write(RunDir runDir) {
        runDir.writeText("results.md", markdown());
        runDir.writeText("results.csv", table().csv());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("minutes", minutes);
        json.put("meanSamplesPerSecond", meanSamplesPerSecond());
        json.put("summary", table().records());
        json.put("checks", checks().stream().map(Check::line).toList());
        json.put("layers", layerTable().records());
        json.put("runs", runs);
        runDir.writeJson("results.json", json);
        try {
            runDir.writePlot("accuracy.png", accuracyPlot());
            runDir.writePlot("gap.png", gapPlot());
        } catch (RuntimeException e) { // the results are written; missing fonts must not fail the run
            System.out.println("plots skipped: " + e.getMessage());
        }
    }

    /** Accuracy against % weights remaining (log x); each curve ends at its dense network (100%). */
    Plot accuracyPlot() {
        Plot p = Plot.line("Test accuracy vs weights remaining").xLabel("weights remaining (%)")
                .yLabel("test accuracy (%)").logX().markers(true);
        for (int width : settings.widths().stream().sorted().toList()) {
            for (Condition c : List.of(Condition.UNIFORM, Condition.ERK)) {
                List<Row> byDensity = rows.stream().filter(r -> r.width() == width)
                        .sorted(Comparator.comparingDouble(Row::density)).toList();
                int n = byDensity.size();
                double[] xs = new double[n + 1];
                double[] ys = new double[n + 1];
                for (int i = 0; i < n; i++) {
                    Row r = byDensity.get(i);
                    xs[i] = 100 * (1 - (c == Condition.ERK ? r.sparsityErk() : r.sparsityUniform()));
                    ys[i] = 100 * (c == Condition.ERK ? r.erk() : r.uniform());
                }
                xs[n] = 100;
                ys[n] = 100 * byDensity.getFirst().dense();
                p.series(c.label() + " w=" + width, xs, ys);
            }
        }
        return p;
    }

    /** The gap to dense against width (log x), per density and distribution. */
    Plot gapPlot() {
        Plot p = Plot.line("Gap to dense vs width").xLabel("hidden width w").yLabel("dense - pruned accuracy (points)")
                .logX().markers(true);
        for (double d : settings.densities()) {
            List<Row> byWidth = rows.stream().filter(r -> r.density() == d).toList();
            double[] xs = byWidth.stream().mapToDouble(Row::width).toArray();
            p.series("ERK D=" + d, xs, byWidth.stream().mapToDouble(r -> 100 * r.gapErk()).toArray());
            p.series("uniform D=" + d, xs, byWidth.stream().mapToDouble(r -> 100 * r.gapUniform()).toArray());
        }
        return p;
    }
}

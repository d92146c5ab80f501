package dev.shears.repro;

import dev.shears.lm.BlockStack;
import dev.shears.nn.Module;
import dev.shears.pruning.PruningPattern;
import dev.shears.pruning.SequentialPruner;
import dev.shears.pruning.SequentialPruner.Method;
import dev.shears.tensor.Tensor;
import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import dev.shears.train.Plot;
import dev.shears.train.ResultTable;
import dev.shears.train.RunDir;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * One-shot post-training pruning of a language model's block Linears (methods.md §2): every method
 * at every pattern on a fresh dense copy, calibrated block by block, with the perplexity of each
 * result, the share of the magnitude → dense gap it closes, and the claims that apply checked.
 */
@Command(name = "prune-llm", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Post-training pruning (magnitude, Wanda, SparseGPT) of TinyStories-656K or a char-gpt"
                + " checkpoint at 2:4 and 50% unstructured; perplexity per method.")
public final class PruneLlmRepro implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    RunOptions options;

    @Option(names = "--model", description = "tinystories, or char-gpt:<run-dir> (default: ${DEFAULT-VALUE}).")
    String model = "tinystories";

    @Option(names = "--model-dir", description = "The TinyStories model folder (default: shared/data/tinystories-656k).")
    Path modelDir;

    @Option(names = "--methods", split = ",", description = "magnitude, wanda, sparsegpt (default: all).")
    List<String> methods = List.of("magnitude", "wanda", "sparsegpt");

    @Option(names = "--patterns", split = ",", description = "2:4 and/or unstructured-50 (any N:M or unstructured-P)"
            + " (default: 2:4,unstructured-50).")
    List<String> patterns = List.of("2:4", "unstructured-50");

    @Option(names = "--calibration", description = "Calibration sequences (default: ${DEFAULT-VALUE}).")
    int sequences = 32;

    @Option(names = "--calib-length", description = "Tokens per calibration sequence (default: ${DEFAULT-VALUE}).")
    int length = 128;

    @Option(names = "--seed", description = "Calibration seed (default: ${DEFAULT-VALUE}).")
    long seed = 0;

    /** One pruned model's outcome. */
    record Outcome(String method, String pattern, double perplexity, double sparsity, double seconds) {}

    @Override
    public Integer call() {
        List<String> bad = new ArrayList<>();
        if (options.problem() != null) {
            bad.add(options.problem());
        }
        List<Method> chosen = new ArrayList<>();
        for (String m : methods) {
            try {
                chosen.add(Method.valueOf(m.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                bad.add("--methods '" + m + "' is not one of magnitude, wanda, sparsegpt (gblm, nowag and armor are"
                        + " not implemented yet)");
            }
        }
        List<PruningPattern> chosenPatterns = new ArrayList<>();
        for (String p : patterns) {
            try {
                chosenPatterns.add(parsePattern(p));
            } catch (IllegalArgumentException e) {
                bad.add("--patterns '" + p + "': " + e.getMessage());
            }
        }
        if (sequences < 1 || length < 2) {
            bad.add("--calibration " + sequences + " must be >= 1 and --calib-length " + length + " >= 2");
        }
        if (!model.equals("tinystories") && !model.startsWith("char-gpt:")) {
            bad.add("--model '" + model + "' must be tinystories or char-gpt:<run-dir>");
        }
        if (!bad.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "prune-llm: " + String.join("; ", bad));
        }
        PruneTarget target;
        try {
            target = model.equals("tinystories") ? PruneTarget.TinyStories.load(modelDir)
                    : PruneTarget.CharGpt.load(Path.of(model.substring("char-gpt:".length())), options.locator());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "prune-llm: " + e.getMessage());
        }
        int threads = options.threads();
        Parallel.withThreads(threads, () -> run(target, chosen, chosenPatterns, threads));
        return 0;
    }

    /** {@code N:M} or {@code unstructured-P} (P in percent). */
    static PruningPattern parsePattern(String text) {
        if (text.matches("\\d+:\\d+")) {
            String[] nm = text.split(":");
            return PruningPattern.nm(Integer.parseInt(nm[0]), Integer.parseInt(nm[1]));
        }
        if (text.matches("unstructured-\\d+")) {
            return PruningPattern.unstructured(Integer.parseInt(text.substring("unstructured-".length())) / 100.0);
        }
        throw new IllegalArgumentException("use N:M (e.g. 2:4) or unstructured-P (e.g. unstructured-50)");
    }

    private void run(PruneTarget target, List<Method> chosen, List<PruningPattern> chosenPatterns, int threads) {
        long started = System.nanoTime();
        try (RunDir runDir = RunDir.create(options.out(), "prune-llm", seed)) {
            Tensor calibration = target.calibration(sequences, length, seed);
            Map<String, Object> cfg = new LinkedHashMap<>();
            cfg.put("repro", "prune-llm");
            cfg.put("model", target.describe());
            cfg.put("measure", target.measure());
            cfg.put("methods", chosen.stream().map(Method::label).toList());
            cfg.put("patterns", chosenPatterns.stream().map(PruningPattern::toString).toList());
            cfg.put("pruned", "every Linear inside the transformer blocks; embeddings, norms and the output layer dense");
            cfg.put("calibration", Map.of("sequences", sequences, "length", length, "seed", seed));
            cfg.put("threads", threads);
            cfg.put("jdk", System.getProperty("java.vm.name") + " " + Runtime.version());
            cfg.put("simd", Simd.describe());
            runDir.writeConfig(cfg);
            runDir.writeJson("calibration.json", Map.of("seed", seed, "tokens", PruneTarget.rows(calibration)));
            System.out.println("== prune-llm: " + target.describe() + " ==");
            System.out.println("quality: " + target.measure() + " | run folder " + runDir.path());

            double dense = target.perplexity(target.load());
            System.out.printf(Locale.ROOT, "dense: perplexity %.4f%n", dense);
            List<Outcome> outcomes = new ArrayList<>();
            for (PruningPattern p : chosenPatterns) {
                for (Method m : chosen) {
                    Module copy = target.load();
                    long t0 = System.nanoTime();
                    List<SequentialPruner.LayerReport> layers = SequentialPruner.prune((BlockStack) copy, calibration, m,
                            p, 8);
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    long kept = 0;
                    long size = 0;
                    for (SequentialPruner.LayerReport r : layers) {
                        kept += r.kept();
                        size += (long) r.rows() * r.cols();
                        runDir.logRow("method,pattern,layer,rows,cols,kept,sparsity,seconds", m.label(), p, r.name(),
                                r.rows(), r.cols(), r.kept(), String.format(Locale.ROOT, "%.4f", r.sparsity()),
                                String.format(Locale.ROOT, "%.3f", r.seconds()));
                    }
                    double ppl = target.perplexity(copy);
                    Outcome o = new Outcome(m.label(), p.toString(), ppl, 1 - (double) kept / size, seconds);
                    outcomes.add(o);
                    System.out.printf(Locale.ROOT, "%-9s %-15s perplexity %.4f | sparsity %.4f over %d layers | %.2f s%n",
                            o.method(), o.pattern(), ppl, o.sparsity(), layers.size(), seconds);
                }
            }
            report(runDir, dense, outcomes, chosenPatterns, (System.nanoTime() - started) / 60e9);
        }
    }

    private void report(RunDir runDir, double dense, List<Outcome> outcomes, List<PruningPattern> chosenPatterns,
            double minutes) {
        ResultTable table = new ResultTable("method", "pattern", "perplexity", "% of magnitude → dense gap closed",
                "extra parameters %", "sparsity", "pruning seconds");
        table.row("dense", "-", fmt(dense), "-", "0", "0", "-");
        for (Outcome o : outcomes) {
            double mag = outcomes.stream().filter(x -> x.pattern().equals(o.pattern()) && x.method().equals("magnitude"))
                    .mapToDouble(Outcome::perplexity).findFirst().orElse(Double.NaN);
            double closed = 100 * (mag - o.perplexity()) / (mag - dense);
            table.row(o.method(), o.pattern(), fmt(o.perplexity()), Double.isNaN(closed) ? "-" : fmtPct(closed), "0",
                    String.format(Locale.ROOT, "%.4f", o.sparsity()), String.format(Locale.ROOT, "%.2f", o.seconds()));
        }
        List<Check> checks = checks(dense, outcomes, chosenPatterns, minutes);
        runDir.writeText("results.csv", table.csv());
        StringBuilder md = new StringBuilder("# prune-llm\n\n").append(table.markdown()).append("\n```\n");
        checks.forEach(c -> md.append(c.line()).append('\n'));
        md.append("```\n");
        runDir.writeText("results.md", md.toString());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("densePerplexity", dense);
        json.put("rows", table.records());
        json.put("checks", checks.stream().map(Check::line).toList());
        json.put("minutes", minutes);
        runDir.writeJson("results.json", json);
        try {
            Plot plot = Plot.line("Perplexity after one-shot pruning").xLabel("method (0 = dense, then "
                    + String.join(", ", methods) + ")").yLabel("perplexity").markers(true);
            for (PruningPattern p : chosenPatterns) {
                List<Outcome> row = outcomes.stream().filter(o -> o.pattern().equals(p.toString())).toList();
                double[] x = new double[row.size() + 1];
                double[] y = new double[row.size() + 1];
                y[0] = dense;
                for (int i = 0; i < row.size(); i++) {
                    x[i + 1] = i + 1;
                    y[i + 1] = row.get(i).perplexity();
                }
                plot.series(p.toString(), x, y);
            }
            runDir.writePlot("perplexity.png", plot);
        } catch (RuntimeException e) {
            System.out.println("plot skipped: " + e.getMessage());
        }
        System.out.println();
        System.out.print(table.markdown());
        checks.forEach(c -> System.out.println(c.line()));
        System.out.printf(Locale.ROOT, "done in %.1f minutes | results in %s%n", minutes, runDir.path());
    }

    /** The §2.5 claims the chosen methods and patterns allow. */
    private List<Check> checks(double dense, List<Outcome> outcomes, List<PruningPattern> chosenPatterns,
            double minutes) {
        List<Check> out = new ArrayList<>();
        Check.Builder data = Check.named("ptq_baselines").value("ppl_dense", dense, 3);
        outcomes.forEach(o -> data.value(o.method() + "@" + o.pattern(), o.perplexity(), 3));
        out.add(data.value("seed", seed).value("minutes", minutes, 1).data());
        for (PruningPattern p : chosenPatterns) {
            List<Outcome> row = outcomes.stream().filter(o -> o.pattern().equals(p.toString())).toList();
            Outcome mag = row.stream().filter(o -> o.method().equals("magnitude")).findFirst().orElse(null);
            if (mag != null && row.size() > 1) {
                boolean worst = row.stream().allMatch(o -> o == mag || o.perplexity() < mag.perplexity());
                out.add(Check.named("ptq_magnitude_worst").value("pattern", p).value("ppl_magnitude", mag.perplexity(), 3)
                        .value("sparsity", mag.sparsity(), 4).value("seed", seed).value("minutes", minutes, 1)
                        .verdict(Check.Verdict.of(worst)));
            }
        }
        List<String> nm = chosenPatterns.stream().filter(PruningPattern::isNm).map(PruningPattern::toString).toList();
        List<String> half = chosenPatterns.stream().filter(p -> !p.isNm() && Math.abs(p.sparsity() - 0.5) < 1e-9)
                .map(PruningPattern::toString).toList();
        if (nm.contains("2:4") && !half.isEmpty()) {
            for (Method m : outcomes.stream().map(Outcome::method).distinct().map(l -> Method.valueOf(l.toUpperCase(Locale.ROOT)))
                    .toList()) {
                double a = find(outcomes, m.label(), "2:4");
                double b = find(outcomes, m.label(), half.getFirst());
                out.add(Check.named("ptq_24_worse_than_unstructured").value("method", m.label()).value("ppl_24", a, 3)
                        .value("ppl_unstructured50", b, 3).value("seed", seed).value("minutes", minutes, 1)
                        .verdict(Check.Verdict.of(a > b)));
            }
        }
        return out;
    }

    private static double find(List<Outcome> outcomes, String method, String pattern) {
        return outcomes.stream().filter(o -> o.method().equals(method) && o.pattern().equals(pattern))
                .mapToDouble(Outcome::perplexity).findFirst().orElse(Double.NaN);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static String fmtPct(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}

package dev.shears.repro;

import dev.shears.lm.BlockStack;
import dev.shears.lm.CausalLm;
import dev.shears.nn.Module;
import dev.shears.nn.SparseFormat;
import dev.shears.pruning.Armor;
import dev.shears.pruning.PruningPattern;
import dev.shears.pruning.SequentialPruner;
import dev.shears.pruning.SequentialPruner.Method;
import dev.shears.pruning.SparseExport;
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
        description = "Post-training pruning (magnitude, Wanda, SparseGPT, GBLM, NoWag-P, ARMOR) of TinyStories-656K"
                + " or a char-gpt checkpoint at 2:4 and 50%% unstructured; perplexity per method.")
public final class PruneLlmRepro implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    RunOptions options;

    @Option(names = "--model", description = "tinystories, or char-gpt:<run-dir> (default: ${DEFAULT-VALUE}).")
    String model = "tinystories";

    @Option(names = "--model-dir", description = "The TinyStories model folder (default: shared/data/tinystories-656k).")
    Path modelDir;

    @Option(names = "--methods", split = ",", description = "magnitude, wanda, sparsegpt, gblm, nowag, armor (default: all).")
    List<String> methods = List.of("magnitude", "wanda", "sparsegpt", "gblm", "nowag", "armor");

    @Option(names = "--gblm-alpha", description = "GBLM's gradient scale α (default: ${DEFAULT-VALUE}; 0 is Wanda).")
    double gblmAlpha = 100;

    @Option(names = "--patterns", split = ",", description = "2:4 and/or unstructured-50 (any N:M or unstructured-P)"
            + " (default: 2:4,unstructured-50).")
    List<String> patterns = List.of("2:4", "unstructured-50");

    @Option(names = "--calibration", description = "Calibration sequences (default: 32 for TinyStories, 128 for"
            + " char-gpt, as methods.md asks).")
    Integer sequences;

    @Option(names = "--calib-length", description = "Tokens per calibration sequence (default: 128 for TinyStories,"
            + " 256 or the context if shorter for char-gpt).")
    Integer length;

    @Option(names = "--seed", description = "The first calibration and ARMOR seed (default: ${DEFAULT-VALUE}).")
    long seed = 0;

    @Option(names = "--calibration-seeds", description = "Calibrate with seeds seed, seed+1, ...; the table and the"
            + " checks use the mean perplexity (default: ${DEFAULT-VALUE}, as methods.md §2.5 asks).")
    int seedCount = 3;

    @Option(names = "--decode-tokens", description = "Tokens per timed decode, at most the context less the prompt"
            + " token so every step reads the KV cache (default: ${DEFAULT-VALUE}).")
    int decodeTokens = 200;

    @Option(names = "--decode-reps", description = "Timed decodes per model, 0 for no speed table"
            + " (default: ${DEFAULT-VALUE}).")
    int decodeReps = 5;

    @Option(names = "--armor-blocks", split = ",", description = "ARMOR block sizes (default: 4,8,16; 32 adds 40%% parameters to a 128-wide layer).")
    List<Integer> armorBlocks = List.of(4, 8, 16);

    @Option(names = "--armor-iters", description = "ARMOR iterations per layer (default: ${DEFAULT-VALUE}).")
    int armorIters = 2000;

    @Option(names = "--armor-lr", split = ",", description = "ARMOR's Adam rate(s); with several, each layer keeps"
            + " the one with the lowest proxy loss, e.g. 3e-4,1e-3 as methods.md §1.7 suggests for tiny models"
            + " (default: 1e-3; the reference's 1e-4 is tuned for LLM-sized weights).")
    List<Double> armorLrs = List.of(1e-3);

    /** One pruned model's outcome (for one calibration seed, or the mean over them). */
    record Outcome(String method, String pattern, double perplexity, double sparsity, double seconds,
                   double extraPercent, Integer armorBlock, String projections) {}

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
                bad.add("--methods '" + m + "' is not one of magnitude, wanda, sparsegpt, gblm, nowag, armor");
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
        if (armorBlocks.isEmpty() || armorBlocks.stream().anyMatch(b -> b < 4 || b % 4 != 0) || armorIters < 0
                || armorLrs.isEmpty() || armorLrs.stream().anyMatch(lr -> !(lr > 0))) {
            bad.add("--armor-blocks " + armorBlocks + " must be multiples of 4, --armor-iters " + armorIters
                    + " >= 0 and --armor-lr " + armorLrs + " > 0");
        }
        if ((sequences != null && sequences < 1) || (length != null && length < 2)) {
            bad.add("--calibration " + sequences + " must be >= 1 and --calib-length " + length + " >= 2");
        }
        if (seedCount < 1 || decodeTokens < 1 || decodeReps < 0) {
            bad.add("--calibration-seeds " + seedCount + " and --decode-tokens " + decodeTokens
                    + " must be >= 1, --decode-reps " + decodeReps + " >= 0");
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
        Module denseModel = target.load();
        int context = ((CausalLm) denseModel).contextLength();
        sequences = sequences != null ? sequences : target.defaultSequences();
        length = length != null ? length : Math.min(target.defaultLength(), context);
        if (length > context) {
            throw new CommandLine.ParameterException(spec.commandLine(), "prune-llm: --calib-length " + length
                    + " exceeds the model's context of " + context + " tokens");
        }
        // past the context the generator recomputes a cropped window every step: another regime
        decodeTokens = Math.min(decodeTokens, context - 1);
        int threads = options.threads();
        Parallel.withThreads(threads, () -> run(target, denseModel, chosen, chosenPatterns, threads));
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

    private void run(PruneTarget target, Module denseModel, List<Method> chosen, List<PruningPattern> chosenPatterns,
            int threads) {
        long started = System.nanoTime();
        try (RunDir runDir = RunDir.create(options.out(), "prune-llm", seed)) {
            Map<String, Object> cfg = new LinkedHashMap<>();
            cfg.put("repro", "prune-llm");
            cfg.put("model", target.describe());
            cfg.put("measure", target.measure());
            cfg.put("methods", chosen.stream().map(Method::label).toList());
            cfg.put("patterns", chosenPatterns.stream().map(PruningPattern::toString).toList());
            cfg.put("pruned", "every Linear inside the transformer blocks; embeddings, norms and the output layer dense");
            cfg.put("sparse layers", "2:4 -> SemiStructuredLinear, other patterns -> SparseLinear (bitmap),"
                    + " ARMOR -> ArmorLinear");
            cfg.put("calibration", Map.of("sequences", sequences, "length", length, "seeds",
                    java.util.stream.LongStream.range(seed, seed + seedCount).boxed().toList()));
            cfg.put("armor", Map.of("blocks", armorBlocks, "iterations", armorIters, "lr", armorLrs));
            cfg.put("decode", Map.of("tokens", decodeTokens, "reps", decodeReps));
            cfg.put("threads", threads);
            cfg.put("jdk", System.getProperty("java.vm.name") + " " + Runtime.version());
            cfg.put("simd", Simd.describe());
            runDir.writeConfig(cfg);
            System.out.println("== prune-llm: " + target.describe() + " ==");
            System.out.println("quality: " + target.measure() + " | run folder " + runDir.path());

            double dense = target.perplexity(denseModel);
            System.out.printf(Locale.ROOT, "dense: perplexity %.4f%n", dense);
            List<Outcome> perSeed = new ArrayList<>();
            Map<String, List<SequentialPruner.LayerReport>> layerReports = new LinkedHashMap<>();
            Map<String, List<SequentialPruner.LayerReport>> firstSeedReports = new LinkedHashMap<>();
            Map<String, CausalLm> speedModels = new LinkedHashMap<>();
            speedModels.put("dense", (CausalLm) denseModel);
            Map<Long, int[][]> calibrations = new LinkedHashMap<>();
            int[] prompt = null;
            for (long s = seed; s < seed + seedCount; s++) {
                Tensor calibration = target.calibration(sequences, length, s);
                calibrations.put(s, PruneTarget.rows(calibration));
                prompt = prompt != null ? prompt : new int[] {calibration.narrow(1, 0, 1).toIntArray()[0]};
                System.out.println("-- calibration seed " + s + " --");
                for (PruningPattern p : chosenPatterns) {
                    for (Method m : chosen) {
                        if (m == Method.ARMOR && !p.toString().equals("2:4")) {
                            continue; // ARMOR makes 2:4 cores only
                        }
                        for (Integer block : m == Method.ARMOR ? armorBlocks
                                : java.util.Collections.<Integer>singletonList(null)) {
                            String label = block == null ? m.label() : m.label() + "-b" + block;
                            Pruned pr = prune(target, calibration, m, p, block, s, runDir, label);
                            layerReports.computeIfAbsent(label + "@" + p, k -> new ArrayList<>()).addAll(pr.layers());
                            if (s == seed) {
                                firstSeedReports.put(label + "@" + p, pr.layers());
                                // one model per kind of sparse layer: every 2:4 mask method runs the same kernel
                                if (block != null || speedModels.keySet().stream().noneMatch(k -> k.startsWith(p + " "))) {
                                    speedModels.put(block == null ? p + " (" + label + ")" : label, (CausalLm) pr.model());
                                }
                            }
                            perSeed.add(outcome(target, pr, label, p, block));
                        }
                    }
                }
            }
            runDir.writeJson("calibration.json", Map.of("seeds", calibrations));
            List<DecodeSpeed.Row> speeds = decodeReps == 0 ? List.of()
                    : DecodeSpeed.measure(speedModels, prompt, decodeTokens, decodeReps);
            report(runDir, new DenseResult(dense, DecodeSpeed.projections((CausalLm) denseModel)), mean(perSeed), perSeed,
                    layerReports, firstSeedReports, chosenPatterns, speeds, (System.nanoTime() - started) / 60e9);
        }
    }

    /** A pruned model, its per-layer reports and the pruning wall time (sparse-layer swap included). */
    private record Pruned(Module model, List<SequentialPruner.LayerReport> layers, double seconds) {}

    /**
     * A fresh dense copy pruned by {@code m} at {@code p}, its pruned Linears replaced by the sparse
     * layers (ARMOR's already are); the per-layer reports also go to the log.
     */
    private Pruned prune(PruneTarget target, Tensor calibration, Method m, PruningPattern p, Integer block, long s,
            RunDir runDir, String label) {
        Module copy = target.load();
        long t0 = System.nanoTime();
        SequentialPruner.Options opts = block == null ? SequentialPruner.Options.gblm(gblmAlpha)
                : SequentialPruner.Options.armor(new SequentialPruner.ArmorOptions(block,
                        armorLrs.stream().map(lr -> Armor.Settings.of(armorIters, lr)).toList(), s));
        BlockStack stack = (BlockStack) copy;
        List<SequentialPruner.LayerReport> layers = SequentialPruner.prune(stack, calibration, m, p, 8, opts);
        SparseFormat format = p.isNm() && p.n() == 2 && p.m() == 4 ? SparseFormat.SEMI_STRUCTURED_24 : SparseFormat.BITMAP;
        for (int b = 0; b < stack.blockCount(); b++) {
            SparseExport.sparsify(stack.blockModule(b), format);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        for (SequentialPruner.LayerReport r : layers) {
            runDir.logRow("seed,method,pattern,layer,rows,cols,kept,sparsity,proxy_before,proxy_after,extra_params,"
                    + "armor_lr,seconds", s, label, p, r.name(), r.rows(), r.cols(), r.kept(),
                    String.format(Locale.ROOT, "%.4f", r.sparsity()), r.proxyBefore(), r.proxyAfter(),
                    r.extraParameters(), r.armorLr(), String.format(Locale.ROOT, "%.3f", r.seconds()));
        }
        return new Pruned(copy, layers, seconds);
    }

    /** The pruned model's perplexity and sizes, printed as one progress line. */
    private static Outcome outcome(PruneTarget target, Pruned pr, String label, PruningPattern p, Integer block) {
        long kept = 0;
        long size = 0;
        long extra = 0;
        for (SequentialPruner.LayerReport r : pr.layers()) {
            kept += r.kept();
            size += (long) r.rows() * r.cols();
            extra += r.extraParameters();
        }
        double ppl = target.perplexity(pr.model());
        Outcome o = new Outcome(label, p.toString(), ppl, 1 - (double) kept / size, pr.seconds(), 100.0 * extra / size,
                block, DecodeSpeed.projections((CausalLm) pr.model()));
        System.out.printf(Locale.ROOT, "%-10s %-15s perplexity %.4f | sparsity %.4f over %d layers | extra %.1f%% |"
                + " %.2f s | %s%n", o.method(), o.pattern(), ppl, o.sparsity(), pr.layers().size(), o.extraPercent(),
                pr.seconds(), o.projections());
        return o;
    }

    /** The mean perplexity and pruning time of each method and pattern over the calibration seeds, in first-seen order. */
    static List<Outcome> mean(List<Outcome> perSeed) {
        Map<String, List<Outcome>> groups = new LinkedHashMap<>();
        perSeed.forEach(o -> groups.computeIfAbsent(o.method() + "@" + o.pattern(), k -> new ArrayList<>()).add(o));
        List<Outcome> out = new ArrayList<>();
        groups.values().forEach(g -> {
            Outcome first = g.getFirst();
            out.add(new Outcome(first.method(), first.pattern(), g.stream().mapToDouble(Outcome::perplexity).average()
                    .orElseThrow(), first.sparsity(), g.stream().mapToDouble(Outcome::seconds).average().orElseThrow(),
                    first.extraPercent(), first.armorBlock(), first.projections()));
        });
        return out;
    }

    /** The dense model's perplexity and what its block projections are. */
    private record DenseResult(double perplexity, String projections) {}

    private void report(RunDir runDir, DenseResult denseResult, List<Outcome> outcomes, List<Outcome> perSeed,
            Map<String, List<SequentialPruner.LayerReport>> layerReports,
            Map<String, List<SequentialPruner.LayerReport>> firstSeedReports, List<PruningPattern> chosenPatterns,
            List<DecodeSpeed.Row> speeds, double minutes) {
        ResultTable table = new ResultTable("method", "pattern", "perplexity (mean of " + seedCount + " seeds)",
                "per seed", "% of magnitude → dense gap closed", "extra parameters %", "sparsity", "pruning seconds",
                "block projections");
        double dense = denseResult.perplexity();
        table.row("dense", "-", fmt(dense), "-", "-", "0", "0", "-", denseResult.projections());
        for (Outcome o : outcomes) {
            double mag = find(outcomes, "magnitude", o.pattern());
            double closed = 100 * (mag - o.perplexity()) / (mag - dense);
            String seeds = perSeed.stream().filter(x -> x.method().equals(o.method()) && x.pattern().equals(o.pattern()))
                    .map(x -> String.format(Locale.ROOT, "%.2f", x.perplexity()))
                    .collect(java.util.stream.Collectors.joining(" / "));
            table.row(o.method(), o.pattern(), fmt(o.perplexity()), seeds, Double.isNaN(closed) ? "-" : fmtPct(closed),
                    fmtPct(o.extraPercent()), String.format(Locale.ROOT, "%.4f", o.sparsity()),
                    String.format(Locale.ROOT, "%.2f", o.seconds()), o.projections());
        }
        ResultTable speedTable = new ResultTable("model", "block projections", "decode tokens/s (median)", "best",
                "x dense");
        double denseRate = speeds.isEmpty() ? Double.NaN : speeds.getFirst().medianTokensPerSecond();
        for (DecodeSpeed.Row r : speeds) {
            speedTable.row(r.model(), r.projections(), String.format(Locale.ROOT, "%.0f", r.medianTokensPerSecond()),
                    String.format(Locale.ROOT, "%.0f", r.bestTokensPerSecond()),
                    String.format(Locale.ROOT, "%.2f", r.medianTokensPerSecond() / denseRate));
        }
        List<Check> checks = checks(dense, outcomes, chosenPatterns, minutes);
        checks.addAll(armorChecks(dense, outcomes, layerReports, minutes));
        runDir.writeText("results.csv", table.csv());
        StringBuilder md = new StringBuilder("# prune-llm\n\n").append(table.markdown()).append("\n```\n");
        checks.forEach(c -> md.append(c.line()).append('\n'));
        md.append("```\n\n");
        if (!speeds.isEmpty()) {
            runDir.writeText("decode-speed.csv", speedTable.csv());
            md.append("## Decode speed (batch 1, KV cache, ").append(decodeTokens).append(" tokens, CPU kernels)\n\n")
                    .append(speedTable.markdown()).append('\n');
        }
        md.append("## Proxy loss per layer (seed ").append(seed).append(")\n\n");
        md.append(proxyTable(firstSeedReports).markdown());
        runDir.writeText("results.md", md.toString());
        armorCurves(runDir, firstSeedReports);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("densePerplexity", dense);
        json.put("rows", table.records());
        json.put("perSeed", perSeed);
        json.put("decode", speedTable.records());
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
        if (!speeds.isEmpty()) {
            System.out.println();
            System.out.print(speedTable.markdown());
        }
        checks.forEach(c -> System.out.println(c.line()));
        System.out.printf(Locale.ROOT, "done in %.1f minutes | results in %s%n", minutes, runDir.path());
    }

    /** The §2.5 claims the chosen methods and patterns allow. */
    private List<Check> checks(double dense, List<Outcome> outcomes, List<PruningPattern> chosenPatterns,
            double minutes) {
        List<Check> out = new ArrayList<>();
        Check.Builder data = Check.named("ptq_baselines").value("ppl_dense", dense, 3);
        outcomes.forEach(o -> data.value(o.method() + "@" + o.pattern(), o.perplexity(), 3));
        out.add(data.value("seeds", seeds()).value("minutes", minutes, 1).data());
        for (PruningPattern p : chosenPatterns) {
            List<Outcome> row = outcomes.stream().filter(o -> o.pattern().equals(p.toString())).toList();
            Outcome mag = row.stream().filter(o -> o.method().equals("magnitude")).findFirst().orElse(null);
            if (mag != null && row.size() > 1) {
                boolean worst = row.stream().allMatch(o -> o == mag || o.perplexity() < mag.perplexity());
                out.add(Check.named("ptq_magnitude_worst").value("pattern", p).value("ppl_magnitude", mag.perplexity(), 3)
                        .value("sparsity", mag.sparsity(), 4).value("seeds", seeds()).value("minutes", minutes, 1)
                        .verdict(Check.Verdict.of(worst)));
            }
        }
        for (PruningPattern p : chosenPatterns) {
            double wanda = find(outcomes, "wanda", p.toString());
            double gblm = find(outcomes, "gblm", p.toString());
            double sgpt = find(outcomes, "sparsegpt", p.toString());
            if (!Double.isNaN(wanda) && !Double.isNaN(gblm)) { // §2.5: GBLM ≤ Wanda, or within noise (2%)
                out.add(Check.named("ptq_gblm_vs_wanda").value("pattern", p).value("ppl_gblm", gblm, 3)
                        .value("ppl_wanda", wanda, 3).value("alpha", gblmAlpha).value("seeds", seeds())
                        .value("minutes", minutes, 1).verdict(Check.Verdict.of(gblm <= 1.02 * wanda)));
            }
            if (!Double.isNaN(wanda) && !Double.isNaN(sgpt)) { // §2.5: within ~10% of each other
                double ratio = Math.max(wanda, sgpt) / Math.min(wanda, sgpt);
                out.add(Check.named("ptq_sgpt_wanda_close").value("pattern", p).value("ppl_sparsegpt", sgpt, 3)
                        .value("ppl_wanda", wanda, 3).value("ratio", ratio, 3).value("seeds", seeds())
                        .value("minutes", minutes, 1).verdict(Check.Verdict.of(ratio <= 1.10)));
            }
        }
        List<String> halves = chosenPatterns.stream().filter(p -> !p.isNm() && Math.abs(p.sparsity() - 0.5) < 1e-9)
                .map(PruningPattern::toString).toList();
        if (!halves.isEmpty()) {
            for (String m : outcomes.stream().map(Outcome::method).distinct().toList()) {
                double a = find(outcomes, m, "2:4");
                double b = find(outcomes, m, halves.getFirst());
                if (!Double.isNaN(a) && !Double.isNaN(b)) {
                    out.add(Check.named("ptq_24_worse_than_unstructured").value("method", m).value("ppl_24", a, 3)
                            .value("ppl_unstructured50", b, 3).value("seeds", seeds()).value("minutes", minutes, 1)
                            .verdict(Check.Verdict.of(a > b)));
                }
            }
        }
        return out;
    }

    /** The ARMOR claims of methods.md §1.8 and the issue, on the 2:4 rows. */
    private List<Check> armorChecks(double dense, List<Outcome> outcomes,
            Map<String, List<SequentialPruner.LayerReport>> layerReports, double minutes) {
        List<Outcome> armor = outcomes.stream().filter(o -> o.armorBlock() != null).toList();
        List<Check> out = new ArrayList<>();
        if (armor.isEmpty()) {
            return out;
        }
        Outcome headline = armor.stream().filter(o -> o.extraPercent() <= 10 + 1e-9)
                .max(java.util.Comparator.comparingInt(Outcome::armorBlock)).orElse(armor.getFirst());
        double nowag = find(outcomes, "nowag", "2:4");
        double closed = 100 * (nowag - headline.perplexity()) / (nowag - dense);
        boolean lowest = outcomes.stream().filter(o -> o.pattern().equals("2:4") && o.armorBlock() == null)
                .allMatch(o -> headline.perplexity() < o.perplexity());
        List<SequentialPruner.LayerReport> layers = layerReports.get(headline.method() + "@2:4");
        Check.Builder b = Check.named("armor").value("ppl_dense", dense, 3);
        for (String m : List.of("magnitude", "wanda", "sparsegpt", "nowag")) {
            b.value("ppl_" + m + "24", find(outcomes, m, "2:4"), 3);
        }
        out.add(b.value("ppl_armor24", headline.perplexity(), 3).value("gap_closed", String.format(Locale.ROOT, "%.1f%%", closed))
                .value("proxy_init", layers.stream().mapToDouble(SequentialPruner.LayerReport::proxyBefore).average()
                        .orElse(Double.NaN), 4)
                .value("proxy_final", layers.stream().mapToDouble(SequentialPruner.LayerReport::proxyAfter).average()
                        .orElse(Double.NaN), 4)
                .value("overhead", String.format(Locale.ROOT, "%.1f%%", headline.extraPercent()))
                .value("block", headline.armorBlock()).value("iters", armorIters)
                .value("lr", armorLrs.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","))).value("seeds", seeds())
                .value("minutes", minutes, 1).value("sparsity", headline.sparsity(), 4)
                .verdict(Check.Verdict.of(lowest && closed >= 25)));
        for (Outcome o : armor) {
            List<SequentialPruner.LayerReport> ls = layerReports.get(o.method() + "@2:4");
            int rising = 0;
            int aboveStart = 0;
            double worst = 0; // the largest relative rise between logged points
            for (SequentialPruner.LayerReport l : ls) {
                double[] c = l.lossCurve();
                for (int i = 1; i < c.length; i++) {
                    if (c[i] > c[i - 1] + 1e-12) {
                        rising++;
                        worst = Math.max(worst, c[i] / c[i - 1] - 1);
                    }
                }
                aboveStart += l.proxyAfter() > l.proxyBefore() ? 1 : 0;
            }
            out.add(Check.named("armor_proxy").value("block", o.armorBlock()).value("layers", ls.size())
                    .value("logged_increases", rising).value("max_increase", String.format(Locale.ROOT, "%.3f%%", 100 * worst))
                    .value("layers_above_nowag_start", aboveStart)
                    .value("seeds", seeds()).value("minutes", minutes, 1).value("sparsity", o.sparsity(), 4)
                    .verdict(Check.Verdict.of(rising == 0 && aboveStart == 0)));
        }
        List<Outcome> byBlock = armor.stream().sorted(java.util.Comparator.comparingInt(Outcome::armorBlock)).toList();
        boolean monotone = true;
        for (int i = 1; i < byBlock.size(); i++) {
            monotone &= byBlock.get(i).perplexity() <= byBlock.get(i - 1).perplexity();
        }
        if (byBlock.size() > 1) {
            out.add(Check.named("armor_blocks").value("blocks", byBlock.stream().map(o -> String.valueOf(o.armorBlock()))
                            .collect(java.util.stream.Collectors.joining(",")))
                    .value("ppl", byBlock.stream().map(o -> String.format(Locale.ROOT, "%.3f", o.perplexity()))
                            .collect(java.util.stream.Collectors.joining(",")))
                    .value("seeds", seeds()).value("minutes", minutes, 1).verdict(Check.Verdict.of(monotone)));
        }
        return out;
    }

    /** Per-layer proxy loss before and after, for NoWag-P and every ARMOR block size. */
    private static ResultTable proxyTable(Map<String, List<SequentialPruner.LayerReport>> layerReports) {
        ResultTable t = new ResultTable("method", "layer", "shape", "proxy loss (NoWag-P start)", "proxy loss (end)",
                "extra parameters", "Adam rate");
        layerReports.forEach((key, layers) -> {
            if (key.startsWith("nowag@2:4") || key.startsWith("armor")) {
                for (SequentialPruner.LayerReport l : layers) {
                    t.row(key.substring(0, key.indexOf('@')), l.name(), l.rows() + "x" + l.cols(),
                            String.format(Locale.ROOT, "%.5f", l.proxyBefore()),
                            String.format(Locale.ROOT, "%.5f", l.proxyAfter()), l.extraParameters(),
                            Double.isNaN(l.armorLr()) ? "-" : String.valueOf(l.armorLr()));
                }
            }
        });
        return t;
    }

    /** armor-loss-b&lt;b&gt;.png: every layer's proxy loss against the iteration. */
    private static void armorCurves(RunDir runDir, Map<String, List<SequentialPruner.LayerReport>> layerReports) {
        layerReports.forEach((key, layers) -> {
            if (!key.startsWith("armor")) {
                return;
            }
            String name = key.substring(0, key.indexOf('@'));
            Plot p = Plot.line("ARMOR proxy loss (" + name + ")").xLabel("iteration").yLabel("proxy loss").logY();
            for (SequentialPruner.LayerReport l : layers) {
                p.series(l.name(), java.util.Arrays.stream(l.lossSteps()).asDoubleStream().toArray(), l.lossCurve());
            }
            try {
                runDir.writePlot(name.replace("armor-", "armor-loss-") + ".png", p);
            } catch (RuntimeException e) {
                System.out.println("plot skipped: " + e.getMessage());
            }
        });
    }

    /** The calibration seeds, e.g. {@code 0-2}. */
    private String seeds() {
        return seedCount == 1 ? String.valueOf(seed) : seed + "-" + (seed + seedCount - 1);
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

package dev.shears.pruning;

import dev.shears.autograd.Autograd;
import dev.shears.autograd.Var;
import dev.shears.lm.BlockStack;
import dev.shears.nn.InputHooks;
import dev.shears.nn.Linear;
import dev.shears.sparse.Mask;
import dev.shears.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One-shot post-training pruning of every {@link Linear} inside the blocks of a decoder, block by
 * block (methods.md §0.2.5): the calibration tokens are embedded once; for each block, one pass
 * through it collects the input statistics of all its Linear layers at once (through their input
 * hooks), every layer is pruned, and the calibration states are then run through the pruned block
 * to become the next block's inputs. Embeddings, norms and the output layer are left dense. Pruned
 * weights are masked on their {@link dev.shears.nn.Parameter}s (exactly zero); SparseGPT also
 * updates the kept ones; ARMOR replaces each Linear with its {@link dev.shears.nn.ArmorLinear}.
 * {@link SparseExport#sparsify} then turns the masked Linears into sparse layers.
 */
public final class SequentialPruner {
    private SequentialPruner() {}

    /** The one-shot methods this driver runs. */
    public enum Method {
        /** |w|: one threshold per matrix, or the largest of each N:M group; needs no calibration. */
        MAGNITUDE("magnitude"),
        /** |w| · ‖X_j‖₂ per row or N:M group. */
        WANDA("wanda"),
        /** Wanda's score plus |w| times the ℓ2 norm of α-scaled per-sequence gradients of the dense model. */
        GBLM("gblm"),
        /** OBS with the layer Hessian 2XᵀX/N, pruning column by column and updating the rest. */
        SPARSEGPT("sparsegpt", true),
        /** h_j·W̄_ij² in NoWag's normalised space, from one dense pass. */
        NOWAG("nowag", false),
        /** NoWag-P refined into A·(V⊙M)·B with block-diagonal A, B (2:4 only), from one dense pass. */
        ARMOR("armor", false);

        private final String label;
        private final boolean sequential;

        Method(String label) {
            this(label, true);
        }

        Method(String label, boolean sequential) {
            this.label = label;
            this.sequential = sequential;
        }

        public String label() {
            return label;
        }

        /**
         * Whether a block is calibrated on the outputs of the already-pruned blocks (the
         * sequential driver); otherwise all statistics come from one pass of the dense model.
         */
        public boolean sequential() {
            return sequential;
        }
    }

    /**
     * ARMOR's settings: the block size, the optimisation settings to try and the seed of the group
     * draws. With several candidates (methods.md §1.7: for tiny models try Adam rates 3e-4 and 1e-3)
     * each layer runs every one from the same draws and keeps the lowest final proxy loss.
     */
    public record ArmorOptions(int block, List<Armor.Settings> candidates, long seed) {
        public ArmorOptions {
            candidates = List.copyOf(candidates);
            if (candidates.isEmpty()) {
                throw new IllegalArgumentException("SequentialPruner.ArmorOptions: no ARMOR settings to run");
            }
        }

        /** One setting for every layer. */
        public ArmorOptions(int block, Armor.Settings settings, long seed) {
            this(block, List.of(settings), seed);
        }
    }

    /** Method settings: ARMOR's (required for ARMOR) and GBLM's α (the reference's 100 by default). */
    public record Options(ArmorOptions armor, double gblmAlpha) {
        public static Options defaults() {
            return new Options(null, 100);
        }

        public static Options armor(ArmorOptions armor) {
            return new Options(armor, 100);
        }

        public static Options gblm(double alpha) {
            return new Options(null, alpha);
        }
    }

    /**
     * One pruned layer: its dotted name inside the model, shape, kept count (of the sparse core for
     * ARMOR), pruning time, the proxy loss before and after (NoWag-P and ARMOR; NaN otherwise), the
     * parameters added (ARMOR's A and B), ARMOR's loss curve and the Adam rate it kept (NaN otherwise).
     */
    public record LayerReport(String name, int rows, int cols, int kept, double seconds, double proxyBefore,
                              double proxyAfter, long extraParameters, double[] lossCurve, int[] lossSteps,
                              double armorLr) {
        public double sparsity() {
            return 1 - (double) kept / ((long) rows * cols);
        }
    }

    /**
     * Prunes {@code model} in place.
     *
     * @param calibration token ids [sequences, T] (I32)
     * @param batch       sequences per forward pass
     * @return every pruned layer in order, named {@code <block>.<path>} (e.g. {@code 0.self_attn.q_proj})
     */
    public static List<LayerReport> prune(BlockStack model, Tensor calibration, Method method, PruningPattern pattern,
            int batch) {
        return prune(model, calibration, method, pattern, batch, Options.defaults());
    }

    /**
     * As {@link #prune(BlockStack, Tensor, Method, PruningPattern, int)}, with the methods' settings
     * (ARMOR's are required for {@link Method#ARMOR}, which only makes 2:4 cores).
     */
    public static List<LayerReport> prune(BlockStack model, Tensor calibration, Method method, PruningPattern pattern,
            int batch, Options options) {
        Objects.requireNonNull(method, "method");
        ArmorOptions armor = options.armor();
        if (method == Method.ARMOR && (armor == null || !pattern.isNm() || pattern.n() != 2 || pattern.m() != 4)) {
            throw new IllegalArgumentException("SequentialPruner: ARMOR needs its options and the 2:4 pattern, got "
                    + pattern);
        }
        Objects.requireNonNull(pattern, "pattern");
        if (calibration.rank() != 2 || calibration.dim(0) < 1 || batch < 1) {
            throw new IllegalArgumentException("SequentialPruner: calibration " + calibration.shape()
                    + " must be [sequences >= 1, T] and batch " + batch + " >= 1");
        }
        List<LayerReport> reports = new ArrayList<>();
        // GBLM's gradients come from the dense model, before anything is pruned
        Map<Linear, float[]> gradients = method == Method.GBLM
                ? Gblm.gradientNorms(model, calibration, options.gblmAlpha()) : null;
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            List<Tensor> states = new ArrayList<>();
            for (int s = 0; s < calibration.dim(0); s += batch) {
                int n = Math.min(batch, calibration.dim(0) - s);
                states.add(model.embed(calibration.narrow(0, s, n).contiguous()).value());
            }
            if (!method.sequential()) {
                return pruneFromOnePass(model, states, method, pattern, armor);
            }
            for (int b = 0; b < model.blockCount(); b++) {
                Map<String, Linear> linears = model.blockModule(b).modules(Linear.class);
                Map<String, ActivationStats> stats = collect(model, b, linears, states, method);
                for (var e : linears.entrySet()) {
                    long t0 = System.nanoTime();
                    Linear l = e.getValue();
                    Mask mask = method == Method.GBLM
                            ? Gblm.mask(l.weight().value(), stats.get(e.getKey()).columnNorms(), gradients.get(l), pattern)
                            : pruneLayer(l, stats.get(e.getKey()), method, pattern);
                    l.weight().setMask(mask).applyMask();
                    reports.add(new LayerReport(b + "." + e.getKey(), l.outFeatures(), l.inFeatures(), mask.keptCount(),
                            (System.nanoTime() - t0) / 1e9, Double.NaN, Double.NaN, 0, new double[0], new int[0], Double.NaN));
                }
                states = runBlock(model, b, states);
            }
        }
        return reports;
    }

    private static List<Tensor> runBlock(BlockStack model, int b, List<Tensor> states) {
        List<Tensor> next = new ArrayList<>(states.size());
        for (Tensor x : states) {
            next.add(model.block(b, Var.constant(x)).value());
        }
        return next;
    }

    /** NoWag-P and ARMOR: every layer's h from one pass of the dense model, then each layer on its own. */
    private static List<LayerReport> pruneFromOnePass(BlockStack model, List<Tensor> states, Method method,
            PruningPattern pattern, ArmorOptions armor) {
        Map<String, Linear> all = new LinkedHashMap<>();
        Map<String, ActivationStats> stats = new LinkedHashMap<>();
        List<InputHooks.Registration> hooks = new ArrayList<>();
        try {
            for (int b = 0; b < model.blockCount(); b++) {
                for (var e : model.blockModule(b).modules(Linear.class).entrySet()) {
                    String name = b + "." + e.getKey();
                    ActivationStats s = ActivationStats.of(e.getValue().inFeatures());
                    all.put(name, e.getValue());
                    stats.put(name, s);
                    hooks.add(s.attach(e.getValue()));
                }
            }
            for (int b = 0; b < model.blockCount(); b++) {
                states = runBlock(model, b, states);
            }
        } finally {
            hooks.forEach(InputHooks.Registration::close);
        }
        List<String> names = new ArrayList<>(all.keySet());
        List<NoWag.Normalized> normalized = new ArrayList<>();
        List<Mask> masks = new ArrayList<>();
        for (String name : names) {
            ActivationStats s = stats.get(name);
            NoWag.Normalized w = NoWag.normalize(all.get(name).weight().value(), s.sumOfSquares(), s.rows());
            normalized.add(w);
            masks.add(NoWag.mask(w, pattern));
        }
        List<LayerReport> reports = new ArrayList<>();
        if (method == Method.NOWAG) {
            for (int i = 0; i < names.size(); i++) {
                Linear l = all.get(names.get(i));
                double loss = NoWag.proxyLoss(normalized.get(i), masks.get(i));
                l.weight().setMask(masks.get(i)).applyMask();
                reports.add(new LayerReport(names.get(i), l.outFeatures(), l.inFeatures(), masks.get(i).keptCount(), 0,
                        loss, loss, 0, new double[] {loss}, new int[] {0}, Double.NaN));
            }
            return reports;
        }
        List<Armor.Result> results = ArmorJobs.run(normalized, masks, armor);
        for (int i = 0; i < names.size(); i++) {
            Linear l = all.get(names.get(i));
            Armor.Result r = results.get(i);
            String name = names.get(i);
            int dot = name.indexOf('.');
            model.blockModule(Integer.parseInt(name.substring(0, dot)))
                    .replace(name.substring(dot + 1), r.toLayer(l.bias() == null ? null : l.bias().value()));
            reports.add(new LayerReport(names.get(i), l.outFeatures(), l.inFeatures(), r.mask().keptCount(), r.seconds(),
                    r.initialLoss(), r.finalLoss(), r.extraParameters(), r.lossCurve(), r.lossSteps(), r.lr()));
        }
        return reports;
    }

    private static Map<String, ActivationStats> collect(BlockStack model, int b, Map<String, Linear> linears,
            List<Tensor> states, Method method) {
        Map<String, ActivationStats> stats = new LinkedHashMap<>();
        if (method == Method.MAGNITUDE) {
            return stats;
        }
        List<InputHooks.Registration> hooks = new ArrayList<>();
        try {
            linears.forEach((name, l) -> {
                ActivationStats s = method == Method.SPARSEGPT ? ActivationStats.withGram(l.inFeatures())
                        : ActivationStats.of(l.inFeatures());
                stats.put(name, s);
                hooks.add(s.attach(l));
            });
            for (Tensor x : states) {
                model.block(b, Var.constant(x));
            }
        } finally {
            hooks.forEach(InputHooks.Registration::close);
        }
        return stats;
    }

    private static Mask pruneLayer(Linear l, ActivationStats stats, Method method, PruningPattern pattern) {
        Tensor w = l.weight().value();
        return switch (method) {
            case MAGNITUDE -> LayerPruning.magnitude(w, pattern);
            case WANDA -> LayerPruning.wanda(w, stats.columnNorms(), pattern);
            case SPARSEGPT -> {
                SparseGpt.Result r = SparseGpt.prune(w, stats.hessian(), pattern);
                w.copyFrom(r.weight());
                yield r.mask();
            }
            case NOWAG, ARMOR -> throw new IllegalStateException(method + " calibrates in one dense pass");
            case GBLM -> throw new IllegalStateException("GBLM needs its gradients");
        };
    }
}

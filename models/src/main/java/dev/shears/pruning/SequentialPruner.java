package dev.shears.pruning;

import dev.shears.autograd.Autograd;
import dev.shears.autograd.Var;
import dev.shears.lm.BlockStack;
import dev.shears.nn.InputHooks;
import dev.shears.nn.Linear;
import dev.shears.nn.Module;
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
 * updates the kept ones.
 */
public final class SequentialPruner {
    private SequentialPruner() {}

    /** The one-shot methods this driver runs. */
    public enum Method {
        /** |w|: one threshold per matrix, or the largest of each N:M group; needs no calibration. */
        MAGNITUDE("magnitude"),
        /** |w| · ‖X_j‖₂ per row or N:M group. */
        WANDA("wanda"),
        /** OBS with the layer Hessian 2XᵀX/N, pruning column by column and updating the rest. */
        SPARSEGPT("sparsegpt");

        private final String label;

        Method(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** One pruned layer: its dotted name inside the model, shape, kept count and pruning time. */
    public record LayerReport(String name, int rows, int cols, int kept, double seconds) {
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
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(pattern, "pattern");
        if (calibration.rank() != 2 || calibration.dim(0) < 1 || batch < 1) {
            throw new IllegalArgumentException("SequentialPruner: calibration " + calibration.shape()
                    + " must be [sequences >= 1, T] and batch " + batch + " >= 1");
        }
        List<LayerReport> reports = new ArrayList<>();
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            List<Tensor> states = new ArrayList<>();
            for (int s = 0; s < calibration.dim(0); s += batch) {
                int n = Math.min(batch, calibration.dim(0) - s);
                states.add(model.embed(calibration.narrow(0, s, n).contiguous()).value());
            }
            for (int b = 0; b < model.blockCount(); b++) {
                Map<String, Linear> linears = linears(model.blockModule(b));
                Map<String, ActivationStats> stats = collect(model, b, linears, states, method);
                for (var e : linears.entrySet()) {
                    long t0 = System.nanoTime();
                    Linear l = e.getValue();
                    Mask mask = pruneLayer(l, stats.get(e.getKey()), method, pattern);
                    l.weight().setMask(mask).applyMask();
                    reports.add(new LayerReport(b + "." + e.getKey(), l.outFeatures(), l.inFeatures(), mask.keptCount(),
                            (System.nanoTime() - t0) / 1e9));
                }
                List<Tensor> next = new ArrayList<>(states.size());
                for (Tensor x : states) {
                    next.add(model.block(b, Var.constant(x)).value());
                }
                states = next;
            }
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
        };
    }

    /** Every Linear under {@code root}, by dotted path, in registration order. */
    static Map<String, Linear> linears(Module root) {
        Map<String, Linear> out = new LinkedHashMap<>();
        collectLinears("", root, out);
        return out;
    }

    private static void collectLinears(String prefix, Module m, Map<String, Linear> out) {
        m.children().forEach((name, child) -> {
            if (child instanceof Linear l) {
                out.put(prefix + name, l);
            } else {
                collectLinears(prefix + name + ".", child, out);
            }
        });
    }
}

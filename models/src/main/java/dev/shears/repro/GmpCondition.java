package dev.shears.repro;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.shears.nn.Module;
import dev.shears.pruning.CubicSparsitySchedule;
import dev.shears.pruning.GlobalMagnitude;
import java.util.Optional;
import java.util.Set;

/**
 * How the {@code global-magnitude} reproduction prunes a pretrained model to a sparsity before and
 * during fine-tuning (methods.md §4.3): the three compared one-shot rules, and gradual global
 * pruning as an extra condition. Every layer is prunable, the first and last included.
 */
enum GmpCondition {
    /** Global magnitude (GP): one threshold over |w| of all layers, once before fine-tuning. */
    GLOBAL("global", "global magnitude (GP), one-shot"),
    /** GP with the minimum-threshold rule: no layer keeps fewer than MT weights. */
    GLOBAL_MT("global_mt", "GP + minimum threshold (MT), one-shot"),
    /** Every layer pruned to the same sparsity by its own magnitude threshold. */
    UNIFORM("uniform", "uniform layer-wise magnitude, one-shot"),
    /**
     * GP to the cubic schedule's sparsity for fine-tune epoch k = 1..E before that epoch (Zhu &amp;
     * Gupta with t0 = the dense model, Δt = one epoch, n = E), so the last epoch trains at s.
     */
    GRADUAL("gradual", "GP reached gradually: cubic schedule over the fine-tune epochs");

    private static final Set<String> ALL_LAYERS = Set.of();

    private final String key;
    private final String description;

    GmpCondition(String key, String description) {
        this.key = key;
        this.description = description;
    }

    /** The name in tables, logs, plots and results.json. */
    @JsonValue
    String key() {
        return key;
    }

    String description() {
        return description;
    }

    /** Prunes the dense {@code model} before fine-tune epoch 1 of {@code epochs}. */
    GlobalMagnitude.Report beforeFineTuning(Module model, double sparsity, double mtPercent, int epochs) {
        return switch (this) {
            case GLOBAL -> GlobalMagnitude.global(model, sparsity, ALL_LAYERS);
            case GLOBAL_MT -> GlobalMagnitude.globalWithMinimum(model, sparsity, mtPercent, ALL_LAYERS);
            case UNIFORM -> GlobalMagnitude.uniform(model, sparsity, ALL_LAYERS);
            case GRADUAL -> GlobalMagnitude.gradual(model, schedule(sparsity, epochs), 1, ALL_LAYERS).orElseThrow();
        };
    }

    /** Prunes further after fine-tune epoch {@code done} (1-based) of {@code epochs}, if this condition does. */
    Optional<GlobalMagnitude.Report> afterEpoch(Module model, double sparsity, int done, int epochs) {
        return this == GRADUAL && done < epochs
                ? GlobalMagnitude.gradual(model, schedule(sparsity, epochs), done + 1, ALL_LAYERS)
                : Optional.empty();
    }

    private static CubicSparsitySchedule schedule(double sparsity, int epochs) {
        return new CubicSparsitySchedule(0, sparsity, 0, 1, epochs);
    }
}

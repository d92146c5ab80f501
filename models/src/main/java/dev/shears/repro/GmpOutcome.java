package dev.shears.repro;

import dev.shears.pruning.LayerDensity;
import java.util.Comparator;
import java.util.List;

/**
 * One pruned and fine-tuned model of the {@code global-magnitude} reproduction.
 *
 * @param net                  the net's key ({@code lenet5})
 * @param data                 the data set's key ({@code mnist})
 * @param sparsity             the target sparsity s
 * @param condition            how it was pruned
 * @param accuracyAfterPruning test accuracy right after the first pruning, before any fine-tuning
 * @param accuracy             test accuracy after the last fine-tune epoch
 * @param measuredSparsity     the fraction of exactly-zero prunable weights after fine-tuning
 * @param layers               every prunable layer's final density
 * @param seconds              the fine-tune epochs' training time
 */
record GmpOutcome(String net, String data, double sparsity, GmpCondition condition, double accuracyAfterPruning,
                  double accuracy, double measuredSparsity, List<LayerDensity> layers, double seconds) {

    GmpOutcome {
        layers = List.copyOf(layers);
    }

    /** The least dense layer (the first of equal ones). */
    LayerDensity sparsestLayer() {
        return layers.stream().min(Comparator.comparingDouble(LayerDensity::density)).orElseThrow();
    }

    /** The number of layers whose density is below {@code density}. */
    long layersBelow(double density) {
        return layers.stream().filter(l -> l.density() < density).count();
    }
}

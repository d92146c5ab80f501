package dev.shears.pruning;

import dev.shears.nn.Module;
import dev.shears.pruning.PrunableLayers.Layer;
import dev.shears.sparse.Mask;
import dev.shears.sparse.select.GlobalThreshold;
import dev.shears.sparse.select.TopK;
import dev.shears.tensor.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Magnitude pruning of a model's prunable weights (methods.md §4), one-shot: global (one threshold
 * over |w| of every layer), global with the minimum-threshold rule (no layer keeps fewer than a
 * fixed count), and uniform layer-wise (every layer at the same sparsity), the baseline the global
 * variants are compared with; and the gradual variant, which reaches the target over several
 * prune steps of a {@link CubicSparsitySchedule}.
 *
 * <p>Sparsity is the fraction of the included layers' weights that is pruned after the call,
 * counting what earlier calls pruned: the selection runs among the currently kept weights and
 * intersects each {@link dev.shears.nn.Parameter}'s mask, so pruned weights stay pruned (and zero)
 * and a second call at a higher sparsity keeps a subset. Counts are exact; among equal magnitudes
 * the earlier layer, then the lower flat index, is kept. Nothing is logged: callers print the
 * {@link Report}.
 *
 * <pre>{@code
 * GlobalMagnitude.Report r = GlobalMagnitude.globalWithMinimum(model, 0.98,
 *         GlobalMagnitude.DEFAULT_MIN_PERCENT, Set.of());
 * }</pre>
 */
public final class GlobalMagnitude {
    private GlobalMagnitude() {}

    /** The reference's minimum: 0.05% of all prunable weights. */
    public static final double DEFAULT_MIN_PERCENT = 0.05;

    /**
     * The outcome of a pruning call.
     *
     * @param layers    the included layers in {@code Module.prunable()} order, after pruning
     * @param threshold the global step's lowest kept |w| (see {@link GlobalThreshold.Result});
     *                  NaN for {@link #uniform}, which has one threshold per layer
     */
    public record Report(List<LayerDensity> layers, float threshold) {
        public Report {
            layers = List.copyOf(layers);
        }

        /** The included layers' total weight count. */
        public long size() {
            return layers.stream().mapToLong(LayerDensity::size).sum();
        }

        /** The included layers' total kept count. */
        public long kept() {
            return layers.stream().mapToLong(LayerDensity::kept).sum();
        }

        /** The overall pruned fraction of the included layers. */
        public double sparsity() {
            return 1 - (double) kept() / size();
        }
    }

    /**
     * Global magnitude pruning (§4.1 step 1): keeps the {@code round((1 - sparsity) · total)}
     * largest |w| over all included layers, so layers end up at different densities (and a layer
     * may collapse; see {@link #globalWithMinimum}).
     *
     * @param exclude dotted names of prunable weights to leave untouched (e.g. the output layer);
     *                they count neither in the total nor in the report
     * @throws IllegalArgumentException if {@code sparsity} is outside [0, 1) or below what the
     *                                  layers are already pruned to, an excluded name is not a
     *                                  prunable weight, or nothing is left to prune
     */
    public static Report global(Module model, double sparsity, Set<String> exclude) {
        String op = "GlobalMagnitude.global";
        List<Layer> layers = PrunableLayers.of(op, model, exclude);
        GlobalThreshold.Result r = globalSelection(op, layers, sparsity);
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).param().pruneTo(r.masks().get(i));
        }
        return new Report(PrunableLayers.report(layers), r.threshold());
    }

    /**
     * One step of gradual global magnitude pruning (§4.1's gradual variant): at a prune step of
     * {@code schedule}, {@link #global} to the scheduled sparsity, so every step uses one threshold
     * over all included layers, chosen among the weights the earlier steps kept; at any other time,
     * nothing. Call it at every time step of training (or at the schedule's prune steps) with the
     * same model: the masks only shrink, so the call needs no state of its own, and the last prune
     * step reaches {@code schedule.target()} exactly. With no training between the steps the result
     * is the one-shot {@link #global} mask at the target (magnitude top-k sets are nested).
     *
     * @param t the current time in the schedule's unit (optimizer steps, epochs)
     * @return the pruning report at a prune step, else empty
     * @throws IllegalArgumentException as {@link #global}, e.g. if the included layers are already
     *                                  sparser than the schedule says at {@code t}
     */
    public static Optional<Report> gradual(Module model, CubicSparsitySchedule schedule, long t, Set<String> exclude) {
        return schedule.isPruneStep(t) ? Optional.of(global(model, schedule.sparsityAt(t), exclude)) : Optional.empty();
    }

    /**
     * Global magnitude pruning with the minimum-threshold rule (§4.1 step 2). With
     * {@code MT = floor(minPercent / 100 · total)}: layers of fewer than MT weights are not pruned;
     * the global step's per-layer sparsities are rescaled to restore the target, and any layer that
     * would keep fewer than MT is clamped to keep MT (or what it keeps now, if less) while the
     * others are rescaled again, until the target holds. Each layer is then pruned by magnitude
     * within itself to its count; the rescaled counts are rounded so the total is exact.
     *
     * @param minPercent MT as a percentage of the included weights, in [0, 100] (reference default
     *                   {@link #DEFAULT_MIN_PERCENT})
     * @throws IllegalArgumentException as {@link #global}, if {@code minPercent} is outside
     *                                  [0, 100], or if the rule leaves too few prunable weights to
     *                                  reach {@code sparsity}
     */
    public static Report globalWithMinimum(Module model, double sparsity, double minPercent, Set<String> exclude) {
        String op = "GlobalMagnitude.globalWithMinimum";
        if (!(minPercent >= 0 && minPercent <= 100)) {
            throw new IllegalArgumentException(op + ": minPercent " + minPercent + " is outside [0, 100]");
        }
        List<Layer> layers = PrunableLayers.of(op, model, exclude);
        GlobalThreshold.Result r = globalSelection(op, layers, sparsity);
        int minimum = minimumCount(minPercent, PrunableLayers.totalSize(layers));
        int[] keep = minimumThresholdCounts(op, layers, r.masks(), minimum, sparsity);
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            l.param().pruneTo(TopK.keep(magnitude(l), l.current(), keep[i]));
        }
        return new Report(PrunableLayers.report(layers), r.threshold());
    }

    /**
     * The minimum-threshold rule's count {@code MT = floor(minPercent / 100 · total)}: the fewest
     * weights a layer keeps under {@link #globalWithMinimum} (unless it is smaller or already sparser).
     *
     * @param total the included layers' weight count
     */
    public static int minimumCount(double minPercent, long total) {
        return (int) Math.floor(minPercent / 100 * total);
    }

    /**
     * Uniform layer-wise magnitude pruning: every included layer keeps its own
     * {@code round((1 - sparsity) · n)} largest |w|, so all layers share the sparsity up to one
     * weight of rounding.
     *
     * @throws IllegalArgumentException as {@link #global}
     */
    public static Report uniform(Module model, double sparsity, Set<String> exclude) {
        String op = "GlobalMagnitude.uniform";
        checkSparsity(op, sparsity);
        List<Layer> layers = PrunableLayers.of(op, model, exclude);
        for (Layer l : layers) {
            Mask current = l.current();
            int k = reachableCount(op, "layer '" + l.name() + "'", l.size(), current.keptCount(), sparsity);
            l.param().pruneTo(TopK.keep(magnitude(l), current, k));
        }
        return new Report(PrunableLayers.report(layers), Float.NaN);
    }

    /** The global step shared by both global variants: top |w| among the kept weights of all layers. */
    private static GlobalThreshold.Result globalSelection(String op, List<Layer> layers, double sparsity) {
        checkSparsity(op, sparsity);
        List<Mask> current = layers.stream().map(Layer::current).toList();
        int kept = current.stream().mapToInt(Mask::keptCount).sum();
        int k = reachableCount(op, "the included layers", PrunableLayers.totalSize(layers), kept, sparsity);
        return GlobalThreshold.keep(layers.stream().map(GlobalMagnitude::magnitude).toList(), current, k);
    }

    private static Tensor magnitude(Layer l) {
        return l.param().value().abs();
    }

    private static void checkSparsity(String op, double sparsity) {
        if (!(sparsity >= 0 && sparsity < 1)) {
            throw new IllegalArgumentException(op + ": sparsity " + sparsity + " is outside [0, 1)");
        }
    }

    /**
     * {@code round((1 - sparsity) · size)}, checked against the {@code kept} weights it must be
     * chosen from: pruning never revives a weight.
     */
    private static int reachableCount(String op, String what, long size, int kept, double sparsity) {
        int k = (int) Math.round((1 - sparsity) * size);
        if (k > kept) {
            throw new IllegalArgumentException(op + ": sparsity " + sparsity + " keeps " + k + " of " + size
                    + " weights in " + what + ", but only " + kept + " are still kept; pruned weights stay pruned");
        }
        return k;
    }

    /**
     * The per-layer kept counts of the minimum-threshold rule, starting from the global step's
     * masks. Works on pruned counts {@code P_l = s_l · n_l} (what scaling {@code s_l} scales),
     * capped at {@code n_l - min(MT, currently kept)}.
     */
    private static int[] minimumThresholdCounts(String op, List<Layer> layers, List<Mask> global, int minimum,
            double sparsity) {
        int t = layers.size();
        double[] pruned = new double[t];
        int[] cap = new int[t];
        boolean[] fixed = new boolean[t];
        long target = 0; // total pruned count the global step reached
        for (int i = 0; i < t; i++) {
            int n = layers.get(i).size();
            int current = layers.get(i).current().keptCount();
            pruned[i] = n - global.get(i).keptCount();
            cap[i] = n - Math.min(minimum, current);
            target += (long) pruned[i];
            if (n < minimum) { // too small to prune: only what earlier calls pruned stays pruned
                pruned[i] = cap[i];
                fixed[i] = true;
            }
        }
        // Rescale the free layers to the target; clamp the ones that overshoot their cap and repeat.
        // Every pass only lowers some layers, so the scale is >= 1 and nothing drops below its
        // already-pruned count.
        boolean clamped = true;
        while (clamped) {
            double fixedSum = 0;
            double freeSum = 0;
            for (int i = 0; i < t; i++) {
                if (fixed[i]) {
                    fixedSum += pruned[i];
                } else {
                    freeSum += pruned[i];
                }
            }
            if (freeSum == 0) {
                break; // nothing left to scale; the check below reports a shortfall
            }
            double scale = (target - fixedSum) / freeSum;
            clamped = false;
            for (int i = 0; i < t; i++) {
                if (!fixed[i]) {
                    pruned[i] *= scale;
                    if (pruned[i] > cap[i]) {
                        pruned[i] = cap[i];
                        fixed[i] = true;
                        clamped = true;
                    }
                }
            }
        }
        double reached = 0;
        for (double p : pruned) {
            reached += p;
        }
        if (target - reached >= 0.5) {
            throw new IllegalArgumentException(op + ": sparsity " + sparsity + " is out of reach when every layer"
                    + " keeps at least " + minimum + " weights (the minimum-threshold rule): it prunes "
                    + Math.round(reached) + " of the " + target + " weights needed");
        }
        int[] count = roundToTotal(pruned, cap, target);
        int[] keep = new int[t];
        for (int i = 0; i < t; i++) {
            keep[i] = layers.get(i).size() - count[i];
        }
        return keep;
    }

    /**
     * Largest-remainder rounding of {@code values} (each {@code <= cap}, summing to {@code total}
     * up to float error) to integers {@code <= cap} summing to exactly {@code total}; equal
     * remainders round up the lower index first.
     */
    private static int[] roundToTotal(double[] values, int[] cap, long total) {
        int t = values.length;
        int[] out = new int[t];
        long sum = 0;
        List<Integer> roundUp = new ArrayList<>();
        for (int i = 0; i < t; i++) {
            out[i] = (int) Math.min(Math.floor(values[i]), cap[i]);
            sum += out[i];
            if (out[i] < cap[i]) {
                roundUp.add(i);
            }
        }
        roundUp.sort(Comparator.comparingDouble((Integer i) -> values[i] - out[i]).reversed());
        long missing = total - sum;
        for (int q = 0; q < missing; q++) {
            out[roundUp.get(q)]++;
        }
        return out;
    }
}

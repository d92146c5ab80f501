package dev.shears.pruning;

import dev.shears.nn.Module;
import dev.shears.pruning.PrunableLayers.Layer;
import dev.shears.sparse.Mask;
import dev.shears.sparse.select.RandomSelector;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Random masks for static sparse training (methods.md §5.1): each prunable layer gets a density
 * from a layer-wise distribution solved to a global density D ({@code Σ d_l n_l = D · Σ n_l}), and
 * a random mask at that density.
 *
 * <p>The paper draws i.i.d. Bernoulli({@code d_l}) masks; here each layer keeps exactly
 * {@code round(d_l · n_l)} weights chosen uniformly at random ({@link RandomSelector}), so the
 * realised densities equal the solved ones up to rounding instead of fluctuating around them.
 * Masks are drawn from an explicit {@link Rng}, so a seed reproduces them. Nothing is logged.
 *
 * <pre>{@code
 * List<LayerDensity> r = RandomPruning.prune(model, Distribution.ERK, 0.05, Rng.seeded(17), Set.of());
 * }</pre>
 */
public final class RandomPruning {
    private RandomPruning() {}

    /** How the global density is spread over the layers. */
    public enum Distribution {
        /** Every layer at D. */
        UNIFORM,
        /** Erdős–Rényi: {@code d_l ∝ (n_out + n_in) / (n_out · n_in)} over the first two dims. */
        ER,
        /** Erdős–Rényi-Kernel: {@code d_l ∝ (Σ dims) / (Π dims)} (equals ER for a linear weight). */
        ERK,
        /**
         * ERK with the last prunable layer (the classifier) dense; the other layers share the
         * remaining budget by ERK, so the global density is still D.
         */
        ERK_PLUS
    }

    /**
     * The solved per-layer densities, by dotted parameter name in {@code Module.prunable()} order.
     * A layer whose density would exceed 1 is made dense and the rest re-solved (§5.1), so every
     * density is in [0, 1].
     *
     * @param density the global density D of the included layers, in (0, 1]
     * @param exclude dotted names of prunable weights to leave out (not masked, not in the budget)
     * @throws IllegalArgumentException if {@code density} is outside (0, 1], an excluded name is not
     *                                  a prunable weight, nothing is left to prune, or (ERK+) D is
     *                                  too low to keep the last layer dense
     */
    public static Map<String, Double> densities(Module model, Distribution distribution, double density,
            Set<String> exclude) {
        String op = "RandomPruning.densities(" + distribution + ")";
        List<Layer> layers = PrunableLayers.of(op, model, exclude);
        double[] d = solve(op, layers, distribution, density);
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            out.put(layers.get(i).name(), d[i]);
        }
        return out;
    }

    /**
     * Masks every included layer at its {@link #densities solved density}: layer {@code l} keeps
     * exactly {@code round(d_l · n_l)} random weights. The masks replace any existing ones and are
     * set on the Parameters, so masked weights are zeroed now and stay zero in training.
     *
     * @param rng the random stream the masks are drawn from (split once per layer)
     * @return the included layers after masking, in {@code Module.prunable()} order
     * @throws IllegalArgumentException as {@link #densities}
     */
    public static List<LayerDensity> prune(Module model, Distribution distribution, double density, Rng rng,
            Set<String> exclude) {
        String op = "RandomPruning.prune(" + distribution + ")";
        List<Layer> layers = PrunableLayers.of(op, model, exclude);
        double[] d = solve(op, layers, distribution, density);
        List<Mask> masks = RandomSelector.draw(shapes(layers), d, rng);
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).param().setMask(masks.get(i)).applyMask();
        }
        return PrunableLayers.report(layers);
    }

    private static double[] solve(String op, List<Layer> layers, Distribution distribution, double density) {
        if (!(density > 0 && density <= 1)) {
            throw new IllegalArgumentException(op + ": density " + density + " is outside (0, 1]");
        }
        List<Shape> shapes = shapes(layers);
        return switch (distribution) {
            case UNIFORM -> RandomSelector.densities(RandomSelector.Distribution.UNIFORM, shapes, density);
            case ER -> RandomSelector.densities(RandomSelector.Distribution.ER, shapes, density);
            case ERK -> RandomSelector.densities(RandomSelector.Distribution.ERK, shapes, density);
            case ERK_PLUS -> erkWithDenseLast(op, layers, shapes, density);
        };
    }

    /** ERK over all but the last layer, at the density that leaves the budget D·total once the last is dense. */
    private static double[] erkWithDenseLast(String op, List<Layer> layers, List<Shape> shapes, double density) {
        int last = layers.size() - 1;
        if (last == 0) {
            throw new IllegalArgumentException(op + ": ERK+ keeps the last layer '" + layers.get(last).name()
                    + "' dense and needs at least one other prunable layer");
        }
        long total = PrunableLayers.totalSize(layers);
        int lastSize = layers.get(last).size();
        double restDensity = (density * total - lastSize) / (total - lastSize);
        if (restDensity < 0) {
            throw new IllegalArgumentException(op + ": density " + density + " keeps " + Math.round(density * total)
                    + " of " + total + " weights, fewer than the dense last layer '" + layers.get(last).name()
                    + "' alone (" + lastSize + ")");
        }
        double[] rest = RandomSelector.densities(RandomSelector.Distribution.ERK, shapes.subList(0, last),
                Math.min(restDensity, 1)); // min: float error at D = 1
        double[] d = new double[layers.size()];
        System.arraycopy(rest, 0, d, 0, last);
        d[last] = 1;
        return d;
    }

    private static List<Shape> shapes(List<Layer> layers) {
        return layers.stream().map(l -> l.param().value().shape()).toList();
    }
}

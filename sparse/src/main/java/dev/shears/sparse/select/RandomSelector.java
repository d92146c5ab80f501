package dev.shears.sparse.select;

import dev.shears.sparse.Mask;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Shape;
import dev.shears.tensor.ShapeException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Random masks with exact kept counts, and the layer-wise densities of random sparse training
 * (uniform, Erdős–Rényi, Erdős–Rényi-Kernel).
 *
 * <pre>{@code
 * double[] d = RandomSelector.densities(Distribution.ERK, shapes, 0.05);   // 5% of all weights overall
 * List<Mask> masks = RandomSelector.draw(shapes, d, Rng.seeded(17));
 * }</pre>
 */
public final class RandomSelector {
    private RandomSelector() {}

    /** How a global density is spread over layers. */
    public enum Distribution {
        /** Every layer at the global density. */
        UNIFORM,
        /** Erdős–Rényi: density proportional to {@code (n_out + n_in) / (n_out · n_in)} over the first two dims. */
        ER,
        /** Erdős–Rényi-Kernel: density proportional to {@code (Σ dims) / (Π dims)}; equals ER for a linear weight. */
        ERK;

        /** The unnormalised density of a layer of shape {@code s} (the ε-free ratio). */
        double rawRatio(Shape s) {
            return switch (this) {
                case UNIFORM -> 1.0;
                case ER -> ((double) s.dim(0) + s.dim(1)) / ((double) s.dim(0) * s.dim(1));
                case ERK -> {
                    double sum = 0;
                    for (int d : s.dims()) {
                        sum += d;
                    }
                    yield sum / s.numel();
                }
            };
        }

        private int minRank() {
            return this == ER ? 2 : this == ERK ? 1 : 0;
        }
    }

    /**
     * A uniformly random mask of {@code shape} keeping exactly {@code k} elements, reproducible from
     * {@code rng}'s state.
     *
     * @throws IllegalArgumentException if {@code k} is outside [0, numel]
     */
    public static Mask keep(Shape shape, int k, Rng rng) {
        int n = shape.numel();
        Selection.checkCount("RandomSelector.keep", "of " + n + ", shape " + shape, k, n);
        // Partial Fisher-Yates: the first k slots become a uniform random k-subset.
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        for (int i = 0; i < k; i++) {
            int j = i + rng.nextInt(n - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        return Mask.fromKeptIndices(shape, Arrays.copyOf(idx, k));
    }

    /**
     * A uniformly random mask of {@code shape} keeping exactly {@code Math.round(density * numel)}
     * elements.
     *
     * @throws IllegalArgumentException if {@code density} is outside [0, 1]
     */
    public static Mask atDensity(Shape shape, double density, Rng rng) {
        return keep(shape, Selection.keepCount("RandomSelector.atDensity", density, shape.numel()), rng);
    }

    /**
     * One random mask per layer at the given densities; layer {@code i} draws from its own
     * {@code rng.split()}, so a layer's mask does not depend on the sizes of the layers before it.
     *
     * @throws IllegalArgumentException if the lengths differ or a density is outside [0, 1]
     */
    public static List<Mask> draw(List<Shape> shapes, double[] densities, Rng rng) {
        if (shapes.size() != densities.length) {
            throw new IllegalArgumentException("RandomSelector.draw: " + shapes.size() + " shapes but "
                    + densities.length + " densities");
        }
        for (int i = 0; i < densities.length; i++) {
            Selection.checkDensity("RandomSelector.draw (layer " + i + ")", densities[i]);
        }
        List<Mask> masks = new ArrayList<>(shapes.size());
        for (int i = 0; i < densities.length; i++) {
            masks.add(atDensity(shapes.get(i), densities[i], rng.split()));
        }
        return masks;
    }

    /**
     * Per-layer densities {@code d_l} with {@code Σ d_l n_l = density · Σ n_l} (n_l = layer size)
     * and every {@code d_l <= 1}.
     *
     * <p>Each layer gets {@code d_l = ε · raw_l} (see {@link Distribution}), with ε solved from the
     * budget. When that would push a layer above 1, the layer with the largest raw ratio is made
     * dense ({@code d = 1}), its size leaves the budget, and ε is solved again for the rest, until
     * every density fits.
     *
     * @param shapes  the prunable layers' shapes (ER needs rank >= 2, ERK rank >= 1)
     * @param density the global density D in [0, 1]
     * @throws ShapeException naming the layer whose shape has no elements or too few dims
     * @throws IllegalArgumentException if {@code density} is outside [0, 1]
     */
    public static double[] densities(Distribution distribution, List<Shape> shapes, double density) {
        String op = "RandomSelector.densities(" + distribution + ")";
        Selection.checkDensity(op, density);
        int layers = shapes.size();
        double[] raw = new double[layers];
        double total = 0;
        for (int l = 0; l < layers; l++) {
            Shape s = shapes.get(l);
            if (s.rank() < distribution.minRank() || s.numel() == 0) {
                throw new ShapeException(op + ": layer " + l + " has shape " + s + "; it needs at least one element"
                        + (distribution.minRank() > 0 ? " and rank >= " + distribution.minRank() : ""));
            }
            raw[l] = distribution.rawRatio(s);
            total += s.numel();
        }

        boolean[] dense = new boolean[layers];
        double budget = density * total; // elements the non-dense layers must hold
        double epsilon;
        while (true) {
            double weighted = 0; // Σ raw_l n_l over the non-dense layers
            int largest = -1;
            for (int l = 0; l < layers; l++) {
                if (!dense[l]) {
                    weighted += raw[l] * shapes.get(l).numel();
                    if (largest < 0 || raw[l] > raw[largest]) {
                        largest = l;
                    }
                }
            }
            epsilon = largest < 0 ? 0 : budget / weighted;
            if (largest < 0 || epsilon * raw[largest] <= 1) {
                break;
            }
            dense[largest] = true;
            budget -= shapes.get(largest).numel();
        }
        double[] out = new double[layers];
        for (int l = 0; l < layers; l++) {
            out[l] = dense[l] ? 1.0 : epsilon * raw[l]; // <= ε·raw[largest] <= 1
        }
        return out;
    }
}

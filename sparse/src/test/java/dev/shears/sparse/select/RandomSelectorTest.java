package dev.shears.sparse.select;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.sparse.Mask;
import dev.shears.sparse.select.RandomSelector.Distribution;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Shape;
import dev.shears.tensor.ShapeException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class RandomSelectorTest {
    /** LeNet-300-100's weights. */
    private static final List<Shape> MLP = List.of(Shape.of(300, 784), Shape.of(100, 300), Shape.of(10, 100));

    private static double budget(List<Shape> shapes, double[] d) {
        double sum = 0;
        for (int l = 0; l < d.length; l++) {
            sum += d[l] * shapes.get(l).numel();
        }
        return sum;
    }

    private static double total(List<Shape> shapes) {
        return shapes.stream().mapToDouble(Shape::numel).sum();
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {1, 2, 3})
    void keepsExactlyKAndIsReproducibleFromTheSeed(long seed) {
        for (int[] dims : new int[][] {{1}, {7}, {3, 5}, {17, 33}, {4, 3, 3, 3}}) {
            Shape s = Shape.of(dims);
            for (int k : new int[] {0, 1, s.numel() / 3, s.numel()}) {
                Mask m = RandomSelector.keep(s, k, Rng.seeded(seed));
                assertEquals(k, m.keptCount(), "seed " + seed + " shape " + s + " k " + k);
                assertEquals(m, RandomSelector.keep(s, k, Rng.seeded(seed)), "same seed, same mask");
            }
        }
        Shape big = Shape.of(64, 64);
        assertNotEquals(RandomSelector.keep(big, 1000, Rng.seeded(seed)), RandomSelector.keep(big, 1000, Rng.seeded(seed + 10)),
                "different seeds give different masks");
    }

    @Test
    void everyPositionIsEquallyLikely() {
        Rng rng = Rng.seeded(77);
        int draws = 4000;
        int[] hits = new int[10];
        for (int t = 0; t < draws; t++) {
            for (int i : RandomSelector.keep(Shape.of(10), 3, rng).keptIndices()) {
                hits[i]++;
            }
        }
        // Each position is kept with probability 0.3: 1200 expected, standard deviation about 29.
        for (int i = 0; i < 10; i++) {
            assertTrue(Math.abs(hits[i] - 1200) < 150, "position " + i + " kept " + hits[i] + " times of " + draws);
        }
    }

    @Test
    void densityKeepsTheRoundedCount() {
        assertEquals(3, RandomSelector.atDensity(Shape.of(2, 5), 0.25, Rng.seeded(1)).keptCount(), "2.5 rounds up");
        assertEquals(147, RandomSelector.atDensity(Shape.of(7, 21), 1, Rng.seeded(1)).keptCount());
    }

    @Test
    void uniformGivesEveryLayerTheGlobalDensity() {
        assertArrayEquals(new double[] {0.3, 0.3, 0.3}, RandomSelector.densities(Distribution.UNIFORM, MLP, 0.3));
    }

    @Test
    void erAndErkFollowTheirFormulasOnALinearAndAConvLayer() {
        List<Shape> shapes = List.of(Shape.of(16, 8, 3, 3), Shape.of(10, 128)); // 1152 and 1280 weights
        double budget = 0.1 * (1152 + 1280);
        // ERK: ε·(16+8+3+3)/1152 and ε·(10+128)/1280.
        double[] erk = RandomSelector.densities(Distribution.ERK, shapes, 0.1);
        double epsErk = budget / (30 + 138);
        assertEquals(epsErk * 30 / 1152, erk[0], 1e-12);
        assertEquals(epsErk * 138 / 1280, erk[1], 1e-12);
        // ER: the conv uses its first two dims only, ε·(16+8)/(16·8).
        double[] er = RandomSelector.densities(Distribution.ER, shapes, 0.1);
        double epsEr = budget / (24.0 / 128 * 1152 + 138);
        assertEquals(epsEr * 24 / 128, er[0], 1e-12);
        assertEquals(epsEr * 138 / 1280, er[1], 1e-12);
        assertEquals(er[1] / erk[1], epsEr / epsErk, 1e-12, "for a linear layer ER and ERK share the ratio");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Distribution.class)
    void densitiesSolveTheBudget(Distribution dist) {
        for (double density : new double[] {0, 0.02, 0.05, 0.1, 0.5, 0.9, 1}) {
            double[] d = RandomSelector.densities(dist, MLP, density);
            String ctx = dist + " D " + density;
            assertEquals(density * total(MLP), budget(MLP, d), 1e-6, ctx + ": Σ d n = D Σ n");
            for (double v : d) {
                assertTrue(v >= 0 && v <= 1, ctx + ": density " + v + " outside [0, 1]");
            }
        }
        assertArrayEquals(new double[] {1, 1, 1}, RandomSelector.densities(dist, MLP, 1), dist.toString());
        assertArrayEquals(new double[] {0, 0, 0}, RandomSelector.densities(dist, MLP, 0), dist.toString());
    }

    @Test
    void aLayerThatWouldExceedOneGoesDenseAndTheRestShareTheBudget() {
        // ERK at D = 0.1: the output layer's raw share (ε·110/1000 with ε ≈ 16.7) would be 1.84.
        double[] d = RandomSelector.densities(Distribution.ERK, MLP, 0.1);
        assertEquals(1.0, d[2], "the 10x100 layer is dense");
        double eps = (0.1 * total(MLP) - 1000) / (1084 + 400); // solved again without it
        assertEquals(eps * 1084 / 235200, d[0], 1e-12);
        assertEquals(eps * 400 / 30000, d[1], 1e-12);
        assertEquals(0.1 * total(MLP), budget(MLP, d), 1e-6);

        // A tiny layer next to big ones at D = 0.3: two rounds of capping, the largest raw ratio first.
        List<Shape> shapes = List.of(Shape.of(3, 2), Shape.of(300, 784), Shape.of(10, 100), Shape.of(100, 300));
        double[] c = RandomSelector.densities(Distribution.ERK, shapes, 0.3);
        assertEquals(1.0, c[0], "the 3x2 layer");
        assertEquals(1.0, c[2], "the 10x100 layer");
        assertTrue(c[1] < 1 && c[3] < 1);
        assertEquals(c[1] / (1084.0 / 235200), c[3] / (400.0 / 30000), 1e-9, "the others share one ε");
        assertEquals(0.3 * total(shapes), budget(shapes, c), 1e-6);
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {5, 6})
    void drawnMasksHaveTheRoundedCountsAndAreReproducible(long seed) {
        double[] d = RandomSelector.densities(Distribution.ERK, MLP, 0.05);
        List<Mask> masks = RandomSelector.draw(MLP, d, Rng.seeded(seed));
        int kept = 0;
        for (int l = 0; l < MLP.size(); l++) {
            assertEquals(MLP.get(l), masks.get(l).shape());
            assertEquals(Math.round(d[l] * MLP.get(l).numel()), masks.get(l).keptCount(), "layer " + l);
            kept += masks.get(l).keptCount();
        }
        assertTrue(Math.abs(kept - 0.05 * total(MLP)) <= MLP.size() / 2.0, "Σ kept " + kept + " within rounding");
        assertEquals(masks, RandomSelector.draw(MLP, d, Rng.seeded(seed)));
        assertNotEquals(masks.getFirst(), RandomSelector.draw(MLP, d, Rng.seeded(seed + 100)).getFirst());
    }

    @Test
    void errorsNameTheOffendingLayerOrValue() {
        var s = assertThrows(ShapeException.class,
                () -> RandomSelector.densities(Distribution.ER, List.of(Shape.of(4, 4), Shape.of(10)), 0.5));
        assertEquals("RandomSelector.densities(ER): layer 1 has shape [10]; it needs at least one element and rank >= 2",
                s.getMessage());
        s = assertThrows(ShapeException.class,
                () -> RandomSelector.densities(Distribution.UNIFORM, List.of(Shape.of(0, 4)), 0.5));
        assertEquals("RandomSelector.densities(UNIFORM): layer 0 has shape [0, 4]; it needs at least one element",
                s.getMessage());
        var e = assertThrows(IllegalArgumentException.class, () -> RandomSelector.densities(Distribution.ERK, MLP, 1.5));
        assertEquals("RandomSelector.densities(ERK): density 1.5 is outside [0, 1]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RandomSelector.draw(MLP, new double[] {0.1, 0.2}, Rng.seeded(1)));
        assertEquals("RandomSelector.draw: 3 shapes but 2 densities", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RandomSelector.draw(MLP, new double[] {0.1, -0.2, 0.3}, Rng.seeded(1)));
        assertEquals("RandomSelector.draw (layer 1): density -0.2 is outside [0, 1]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RandomSelector.keep(Shape.of(2, 2), 5, Rng.seeded(1)));
        assertEquals("RandomSelector.keep: k = 5 is outside [0, 4] (of 4, shape [2, 2])", e.getMessage());
    }
}

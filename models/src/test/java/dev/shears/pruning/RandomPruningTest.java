package dev.shears.pruning;

import static dev.shears.pruning.PruningAsserts.assertMaskedValues;
import static dev.shears.pruning.PruningAsserts.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.models.LeNet;
import dev.shears.nn.Module;
import dev.shears.nn.Parameter;
import dev.shears.pruning.RandomPruning.Distribution;
import dev.shears.sparse.Mask;
import dev.shears.tensor.Rng;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RandomPruningTest {

    @Test
    void everyDistributionMeetsTheBudgetWithExactLayerCounts() {
        for (Distribution dist : Distribution.values()) {
            for (double density : new double[] {0.05, 0.5}) {
                Module model = LeNet.lenet5(Rng.seeded(1));
                float[][] before = snapshot(model);
                Map<String, Double> d = RandomPruning.densities(model, dist, density, Set.of());
                List<LayerDensity> r = RandomPruning.prune(model, dist, density, Rng.seeded(17), Set.of());
                String where = dist + " at D=" + density;

                assertEquals(List.copyOf(d.keySet()), r.stream().map(LayerDensity::name).toList(), where);
                double budget = 0;
                long total = 0;
                long kept = 0;
                for (LayerDensity layer : r) {
                    double dl = d.get(layer.name());
                    assertTrue(dl >= 0 && dl <= 1, where + ": " + layer.name() + " density " + dl);
                    assertEquals(Math.round(dl * layer.size()), layer.kept(), where + ": " + layer.name());
                    budget += dl * layer.size();
                    total += layer.size();
                    kept += layer.kept();
                }
                assertEquals(density * total, budget, 1e-6 * total, where + ": Σ d·n");
                assertEquals(density * total, kept, r.size() / 2.0, where + ": kept within rounding");
                assertMaskedValues(model.prunable(), before);
            }
        }
    }

    @Test
    void distributionsShapeTheLayerDensities() {
        Module model = LeNet.lenet5(Rng.seeded(2));
        // Uniform: every layer at D.
        RandomPruning.densities(model, Distribution.UNIFORM, 0.3, Set.of()).values()
                .forEach(d -> assertEquals(0.3, d, 1e-12));
        // ERK at D = 0.5 would put the 150-weight first conv far above 1: it is made dense instead.
        Map<String, Double> erk = RandomPruning.densities(model, Distribution.ERK, 0.5, Set.of());
        assertEquals(1.0, erk.get("0.weight"));
        assertTrue(erk.get("7.weight") < 0.5, "the largest layer gets below D: " + erk);
        // ERK+ keeps the classifier dense.
        Map<String, Double> erkPlus = RandomPruning.densities(model, Distribution.ERK_PLUS, 0.05, Set.of());
        assertEquals(1.0, erkPlus.get("11.weight"));
        // ER ignores the 5×5 kernel, so the conv's ratio (16+6)/(16·6) is far above ERK's (16+6+5+5)/2400.
        Map<String, Double> er = RandomPruning.densities(model, Distribution.ER, 0.05, Set.of());
        assertTrue(er.get("3.weight") > RandomPruning.densities(model, Distribution.ERK, 0.05, Set.of()).get("3.weight"));
    }

    @Test
    void masksAreReproducibleFromTheSeedAndDifferAcrossSeeds() {
        assertEquals(masks(17), masks(17));
        assertNotEquals(masks(17), masks(18));
    }

    private static List<Mask> masks(long seed) {
        Module model = LeNet.lenet300100(Rng.seeded(3));
        RandomPruning.prune(model, Distribution.ERK, 0.1, Rng.seeded(seed), Set.of());
        return model.prunable().stream().map(Parameter::maskPattern).toList();
    }

    @Test
    void excludedLayersStayDenseAndOutOfTheBudget() {
        Module model = LeNet.lenet300100(Rng.seeded(4));
        List<LayerDensity> r = RandomPruning.prune(model, Distribution.UNIFORM, 0.1, Rng.seeded(5), Set.of("0.weight"));
        assertEquals(List.of("2.weight", "4.weight"), r.stream().map(LayerDensity::name).toList());
        assertFalse(model.prunable().getFirst().isMasked());
        assertEquals(3000, r.getFirst().kept());
    }

    @Test
    void badArgumentsAreNamed() {
        Module model = LeNet.lenet300100(Rng.seeded(6));
        for (double d : new double[] {0, 1.5, Double.NaN}) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> RandomPruning.prune(model, Distribution.ERK, d, Rng.seeded(1), Set.of()));
            assertTrue(e.getMessage().contains("density " + d), e.getMessage());
        }
        var unknown = assertThrows(IllegalArgumentException.class,
                () -> RandomPruning.densities(model, Distribution.ER, 0.1, Set.of("fc.weight")));
        assertTrue(unknown.getMessage().contains("'fc.weight'"), unknown.getMessage());
        // 0.1% of 266,200 weights is fewer than the 1,000 of the dense classifier.
        var erkPlus = assertThrows(IllegalArgumentException.class,
                () -> RandomPruning.densities(model, Distribution.ERK_PLUS, 0.001, Set.of()));
        assertTrue(erkPlus.getMessage().contains("'4.weight'") && erkPlus.getMessage().contains("1000"),
                erkPlus.getMessage());
        assertFalse(model.prunable().getFirst().isMasked(), "a rejected call must not prune");
    }
}

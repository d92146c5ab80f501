package dev.shears.pruning;

import static dev.shears.pruning.PruningAsserts.assertMaskedValues;
import static dev.shears.pruning.PruningAsserts.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.models.LeNet;
import dev.shears.nn.Linear;
import dev.shears.nn.Module;
import dev.shears.nn.Parameter;
import dev.shears.nn.ReLU;
import dev.shears.nn.Sequential;
import dev.shears.sparse.Mask;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GlobalMagnitudeTest {

    @Test
    void globalKeepsTheExactCountAboveOneThresholdAcrossLayers() {
        Sequential model = LeNet.lenet300100(Rng.seeded(1));
        float[][] before = snapshot(model);
        GlobalMagnitude.Report r = GlobalMagnitude.global(model, 0.9, Set.of());

        long total = 784 * 300 + 300 * 100 + 100 * 10;
        assertEquals(total, r.size());
        assertEquals(Math.round(0.1 * total), r.kept());
        assertEquals(List.of("0.weight", "2.weight", "4.weight"), r.layers().stream().map(LayerDensity::name).toList());

        List<Parameter> params = model.prunable();
        for (int l = 0; l < params.size(); l++) {
            assertEquals(params.get(l).kept(), r.layers().get(l).kept());
        }
        float minKept = assertKeptAbovePruned(params.stream().map(Parameter::maskPattern).toList(), List.of(before));
        assertEquals(minKept, r.threshold());
        assertMaskedValues(params, before);
    }

    /** Two normal layers, one layer of tiny weights that global pruning wipes out, and one smaller than MT. */
    private static Sequential collapsingModel() {
        Rng rng = Rng.seeded(7);
        return new Sequential(
                Linear.of(Tensor.randn(rng, 50, 20), null), new ReLU(),
                Linear.of(Tensor.randn(rng, 50, 50), null), new ReLU(),
                Linear.of(Tensor.randn(rng, 4, 50).mul(1e-3f), null), new ReLU(),
                Linear.of(Tensor.randn(rng, 2, 4).mul(1e-3f), null));
    }

    @Test
    void minimumThresholdKeepsEveryLayerAliveAndRescalesTheOthers() {
        double s = 0.9;
        int total = 1000 + 2500 + 200 + 8;
        int minimum = (int) Math.floor(2.0 / 100 * total); // 74: binds on the tiny layer
        int keep = (int) Math.round((1 - s) * total);

        Sequential plain = collapsingModel();
        GlobalMagnitude.Report gp = GlobalMagnitude.global(plain, s, Set.of());
        assertEquals(0, gp.layers().get(2).kept(), "plain global pruning should collapse the tiny layer");

        Sequential model = collapsingModel();
        float[][] before = snapshot(model);
        GlobalMagnitude.Report mt = GlobalMagnitude.globalWithMinimum(model, s, 2.0, Set.of());
        assertEquals(keep, mt.kept());
        assertEquals(gp.threshold(), mt.threshold());
        assertEquals(8, mt.layers().get(3).kept(), "a layer smaller than MT is not pruned");
        assertEquals(minimum, mt.layers().get(2).kept(), "the collapsing layer is clamped to MT");
        // The free layers take the rest, their global-step pruned counts scaled by one factor.
        double scale = (double) (total - keep - (200 - minimum)) / (total - gp.kept() - 200 - 8);
        for (int l = 0; l < 2; l++) {
            double expectedPruned = (gp.layers().get(l).size() - gp.layers().get(l).kept()) * scale;
            LayerDensity layer = mt.layers().get(l);
            assertEquals(expectedPruned, layer.size() - layer.kept(), 1.0, layer.name());
        }
        // Within each layer the kept weights are its largest.
        List<Parameter> params = model.prunable();
        for (int l = 0; l < params.size(); l++) {
            assertKeptAbovePruned(List.of(params.get(l).maskPattern()), List.of(before[l]));
        }
        assertMaskedValues(params, before);
    }

    @Test
    void minimumThresholdReportsAnUnreachableTarget() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> GlobalMagnitude.globalWithMinimum(collapsingModel(), 0.5, 100, Set.of()));
        assertTrue(e.getMessage().contains("0.5") && e.getMessage().contains("1854"), e.getMessage());
    }

    @Test
    void uniformGivesEveryLayerTheSameSparsity() {
        Sequential model = LeNet.lenet5(Rng.seeded(2));
        float[][] before = snapshot(model);
        GlobalMagnitude.Report r = GlobalMagnitude.uniform(model, 0.8, Set.of());
        assertTrue(Float.isNaN(r.threshold()));
        List<Parameter> params = model.prunable();
        for (int l = 0; l < params.size(); l++) {
            LayerDensity layer = r.layers().get(l);
            assertEquals(Math.round(0.2 * layer.size()), layer.kept(), layer.name());
            assertKeptAbovePruned(List.of(params.get(l).maskPattern()), List.of(before[l]));
        }
        assertMaskedValues(params, before);
    }

    @Test
    void repeatedCallsPruneAmongTheKeptWeights() {
        Sequential model = LeNet.lenet300100(Rng.seeded(3));
        GlobalMagnitude.global(model, 0.5, Set.of());
        List<Mask> first = model.prunable().stream().map(Parameter::maskPattern).toList();
        GlobalMagnitude.Report r = GlobalMagnitude.globalWithMinimum(model, 0.8, GlobalMagnitude.DEFAULT_MIN_PERCENT,
                Set.of());
        assertEquals(Math.round(0.2 * r.size()), r.kept());
        for (int l = 0; l < first.size(); l++) {
            Mask second = model.prunable().get(l).maskPattern();
            assertEquals(second, second.and(first.get(l)), "layer " + l + " revived a pruned weight");
        }
        var e = assertThrows(IllegalArgumentException.class, () -> GlobalMagnitude.uniform(model, 0.6, Set.of()));
        assertTrue(e.getMessage().contains("0.6") && e.getMessage().contains("stay pruned"), e.getMessage());
    }

    @Test
    void excludedLayersAreLeftAloneAndOutOfTheCount() {
        Sequential model = LeNet.lenet300100(Rng.seeded(4));
        GlobalMagnitude.Report r = GlobalMagnitude.global(model, 0.9, Set.of("4.weight"));
        assertEquals(List.of("0.weight", "2.weight"), r.layers().stream().map(LayerDensity::name).toList());
        assertEquals(Math.round(0.1 * (784 * 300 + 300 * 100)), r.kept());
        assertFalse(model.prunable().get(2).isMasked());
    }

    @Test
    void badArgumentsAreNamed() {
        Module model = LeNet.lenet300100(Rng.seeded(5));
        for (double s : new double[] {1.0, -0.1, Double.NaN}) {
            var e = assertThrows(IllegalArgumentException.class, () -> GlobalMagnitude.global(model, s, Set.of()));
            assertTrue(e.getMessage().contains("sparsity " + s), e.getMessage());
        }
        var unknown = assertThrows(IllegalArgumentException.class,
                () -> GlobalMagnitude.uniform(model, 0.5, Set.of("fc.weight")));
        assertTrue(unknown.getMessage().contains("'fc.weight'") && unknown.getMessage().contains("0.weight"),
                unknown.getMessage());
        var all = assertThrows(IllegalArgumentException.class,
                () -> GlobalMagnitude.global(model, 0.5, Set.of("0.weight", "2.weight", "4.weight")));
        assertTrue(all.getMessage().contains("nothing is left"), all.getMessage());
        var percent = assertThrows(IllegalArgumentException.class,
                () -> GlobalMagnitude.globalWithMinimum(model, 0.5, 101, Set.of()));
        assertTrue(percent.getMessage().contains("101"), percent.getMessage());
        var empty = assertThrows(IllegalArgumentException.class,
                () -> GlobalMagnitude.global(new Sequential(new ReLU()), 0.5, Set.of()));
        assertTrue(empty.getMessage().contains("no prunable weights"), empty.getMessage());
        assertFalse(model.prunable().getFirst().isMasked(), "a rejected call must not prune");
    }

    /** Every kept |w| is at least every pruned |w| over all the given layers; returns the smallest kept. */
    private static float assertKeptAbovePruned(List<Mask> masks, List<float[]> before) {
        float minKept = Float.POSITIVE_INFINITY;
        float maxPruned = 0;
        for (int l = 0; l < masks.size(); l++) {
            for (int i = 0; i < before.get(l).length; i++) {
                float a = Math.abs(before.get(l)[i]);
                if (masks.get(l).isKept(i)) {
                    minKept = Math.min(minKept, a);
                } else {
                    maxPruned = Math.max(maxPruned, a);
                }
            }
        }
        assertTrue(minKept >= maxPruned, minKept + " < " + maxPruned);
        return minKept;
    }
}

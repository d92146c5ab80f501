package dev.shears.pruning;

import static dev.shears.pruning.PruningAsserts.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.models.LeNet;
import dev.shears.nn.Linear;
import dev.shears.nn.Parameter;
import dev.shears.nn.ReLU;
import dev.shears.nn.Sequential;
import dev.shears.sparse.Mask;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GlobalMagnitudeGradualTest {

    private static List<Mask> masks(Sequential model) {
        return model.prunable().stream().map(Parameter::maskPattern).toList();
    }

    @Test
    void withoutTrainingBetweenStepsGradualEndsAtTheOneShotGlobalMask() {
        CubicSparsitySchedule schedule = new CubicSparsitySchedule(0, 0.95, 0, 2, 5);
        Sequential model = LeNet.lenet300100(Rng.seeded(11));
        int prunes = 0;
        for (long t = 0; t <= 12; t++) {
            Optional<GlobalMagnitude.Report> r = GlobalMagnitude.gradual(model, schedule, t, Set.of());
            assertEquals(schedule.isPruneStep(t), r.isPresent(), "t = " + t);
            if (r.isPresent()) {
                prunes++;
                assertEquals(Math.round((1 - schedule.sparsityAt(t)) * r.get().size()), r.get().kept(), "t = " + t);
            }
        }
        assertEquals(6, prunes);

        Sequential oneShot = LeNet.lenet300100(Rng.seeded(11));
        GlobalMagnitude.global(oneShot, 0.95, Set.of());
        assertEquals(masks(oneShot), masks(model));
    }

    @Test
    void everyStepPrunesBelowOneGlobalThresholdAndTheLastHitsTheTarget() {
        Rng rng = Rng.seeded(12);
        Sequential model = new Sequential(
                Linear.of(Tensor.randn(rng, 40, 30), null), new ReLU(),
                Linear.of(Tensor.randn(rng, 30, 40).mul(0.1f), null), new ReLU(),
                Linear.of(Tensor.randn(rng, 5, 30).mul(3f), null));
        int total = 40 * 30 + 30 * 40 + 5 * 30;
        CubicSparsitySchedule schedule = new CubicSparsitySchedule(0.2, 0.9, 3, 4, 3);
        GlobalMagnitude.Report last = null;
        for (long t = 0; t <= schedule.end() + 3; t++) {
            // "Training": every kept weight's magnitude moves by up to 50% (pruned ones stay exactly 0).
            for (Parameter p : model.prunable()) {
                p.value().muli(Tensor.uniform(rng, 0.5f, 1.5f, p.value().shape().dims()));
            }
            List<Mask> before = masks(model);
            float[][] values = snapshot(model);
            Optional<GlobalMagnitude.Report> r = GlobalMagnitude.gradual(model, schedule, t, Set.of());
            if (r.isEmpty()) {
                assertEquals(before, masks(model), "no pruning at t = " + t);
                continue;
            }
            last = r.get();
            assertEquals(Math.round((1 - schedule.sparsityAt(t)) * total), last.kept(), "t = " + t);
            assertNewlyPrunedBelowKept(before, masks(model), values, last.threshold(), t);
        }
        assertEquals(Math.round(0.1 * total), last.kept());
        assertEquals(0.9, last.sparsity(), 0.5 / total);
        long zeros = 0;
        for (float[] w : snapshot(model)) {
            for (float v : w) {
                zeros += v == 0f ? 1 : 0;
            }
        }
        assertEquals(total - last.kept(), zeros, "pruned weights are exactly zero");
    }

    /**
     * One threshold over all layers: masks only shrink, every weight kept at this step has
     * |w| >= threshold, and every weight this step pruned has |w| <= threshold.
     */
    private static void assertNewlyPrunedBelowKept(List<Mask> before, List<Mask> after, float[][] values,
            float threshold, long t) {
        int newlyPruned = 0;
        for (int l = 0; l < after.size(); l++) {
            Mask was = before.get(l);
            Mask now = after.get(l);
            if (was != null) {
                assertEquals(now, now.and(was), "layer " + l + " revived a weight at t = " + t);
            }
            for (int i = 0; i < values[l].length; i++) {
                float a = Math.abs(values[l][i]);
                if (now.isKept(i)) {
                    assertTrue(a >= threshold, "kept |w| " + a + " < threshold " + threshold + " at t = " + t);
                } else if (was == null || was.isKept(i)) {
                    newlyPruned++;
                    assertTrue(a <= threshold, "pruned |w| " + a + " > threshold " + threshold + " at t = " + t);
                }
            }
        }
        assertTrue(newlyPruned > 0, "t = " + t + " pruned nothing");
    }

    @Test
    void aModelAlreadySparserThanTheScheduleIsRejected() {
        Sequential model = LeNet.lenet300100(Rng.seeded(13));
        GlobalMagnitude.global(model, 0.9, Set.of());
        CubicSparsitySchedule schedule = new CubicSparsitySchedule(0, 0.95, 0, 1, 4);
        var e = assertThrows(IllegalArgumentException.class, () -> GlobalMagnitude.gradual(model, schedule, 1, Set.of()));
        assertTrue(e.getMessage().contains("sparsity " + schedule.sparsityAt(1)), e.getMessage());
        assertFalse(GlobalMagnitude.gradual(model, schedule, 5, Set.of()).isPresent(), "t = 5 is past the end");
    }
}

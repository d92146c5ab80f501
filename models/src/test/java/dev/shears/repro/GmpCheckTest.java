package dev.shears.repro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.pruning.LayerDensity;
import java.util.List;
import org.junit.jupiter.api.Test;

class GmpCheckTest {

    /** A two-layer outcome whose first layer keeps {@code firstKept} of 1000 weights. */
    private static GmpOutcome outcome(GmpCondition c, double s, double accuracy, int firstKept) {
        return new GmpOutcome("lenet300", "mnist", s, c, 0.5, accuracy, s,
                List.of(new LayerDensity("0.weight", 1000, firstKept), new LayerDensity("2.weight", 100, 60)), 1.0);
    }

    private static Check check(double s, double global, double mt, double uniform, int globalFirstKept) {
        return GmpCheck.of(outcome(GmpCondition.GLOBAL, s, global, globalFirstKept),
                outcome(GmpCondition.GLOBAL_MT, s, mt, 20), outcome(GmpCondition.UNIFORM, s, uniform, 300), 7, 1.25);
    }

    @Test
    void printsTheSection43Line() {
        assertEquals("CHECK gmp net=lenet300 data=mnist s=0.98 acc_global=97.50 acc_global_mt=97.60 acc_uniform=96.00"
                + " min_layer_density_global=0.0030 min_layer_density_mt=0.0200 collapsed_layers=1 seed=7 minutes=1.3"
                + " sparsity=0.9800 verdict=PASS", check(0.98, 0.975, 0.976, 0.96, 3).line());
    }

    @Test
    void globalMustMatchUniformFromNinetyFivePercent() {
        assertEquals(Check.Verdict.PASS, check(0.95, 0.97, 0.96, 0.97, 100).verdict(), "ties pass");
        assertEquals(Check.Verdict.FAIL, check(0.95, 0.9699, 0.99, 0.97, 100).verdict());
        assertEquals(Check.Verdict.INCONCLUSIVE, check(0.9, 0.5, 0.5, 0.97, 100).verdict(),
                "below 95% without collapse no rule applies");
    }

    @Test
    void minimumThresholdMustMatchGlobalWhenALayerCollapses() {
        // 4 of 1000 is below 0.5%; 5 of 1000 is not.
        assertEquals(Check.Verdict.FAIL, check(0.98, 0.97, 0.9699, 0.9, 4).verdict());
        assertEquals(Check.Verdict.PASS, check(0.98, 0.97, 0.9699, 0.9, 5).verdict());
        assertEquals(Check.Verdict.PASS, check(0.9, 0.97, 0.97, 0.99, 4).verdict(),
                "below 95% only the collapse rule applies");
        assertEquals(Check.Verdict.FAIL, check(0.9, 0.97, 0.96, 0.5, 0).verdict());
    }

    @Test
    void outcomesOfDifferentCellsAreRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> GmpCheck.of(
                outcome(GmpCondition.GLOBAL, 0.95, 0.9, 10), outcome(GmpCondition.GLOBAL_MT, 0.98, 0.9, 10),
                outcome(GmpCondition.UNIFORM, 0.95, 0.9, 10), 1, 0));
        assertTrue(e.getMessage().contains("global_mt") && e.getMessage().contains("0.98"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GmpCheck.of(
                outcome(GmpCondition.GLOBAL, 0.95, 0.9, 10), outcome(GmpCondition.UNIFORM, 0.95, 0.9, 10),
                outcome(GmpCondition.GLOBAL_MT, 0.95, 0.9, 10), 1, 0));
    }
}

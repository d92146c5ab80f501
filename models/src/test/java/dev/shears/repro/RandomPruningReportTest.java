package dev.shears.repro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.repro.Check.Verdict;
import dev.shears.repro.RandomPruningReport.Condition;
import dev.shears.repro.RandomPruningReport.LayerResult;
import dev.shears.repro.RandomPruningReport.Run;
import dev.shears.repro.RandomPruningRepro.Settings;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The claims of methods.md §5.3, judged on synthetic accuracies. */
class RandomPruningReportTest {

    @Test
    void passesWhenTheGapFallsWithWidthAndErkBeatsUniform() {
        // D=0.1: gaps 3, 2, 1 points; D=0.05: gaps 6, 4, 2 points, ERK 1 point above uniform.
        RandomPruningReport r = report(List.of(100, 300, 1000), List.of(0.1, 0.05), List.of(17L),
                (w, d, seed) -> new double[] {0.90, 0.90 - gap(w, d) - 0.01, 0.90 - gap(w, d)});

        List<Check> checks = r.checks();
        assertEquals(6 + 3, checks.size(), "a data line per width and density, then three claims");
        assertEquals("CHECK random_prune width=100 D=0.1 acc_dense=90.00 acc_uniform=86.00 acc_erk=87.00 gap_erk=3.00 "
                + "seed=17 minutes=0.3 sparsity=0.9000", checks.getFirst().line());
        assertEquals(Verdict.PASS, claim(checks, "gap_erk_decreases_with_width", "0.1").verdict());
        assertEquals(Verdict.PASS, claim(checks, "gap_erk_decreases_with_width", "0.05").verdict());
        assertEquals(Verdict.PASS, claim(checks, "erk_ge_uniform", "0.05").verdict());
        assertEquals("6.00,4.00,2.00", claim(checks, "gap_erk_decreases_with_width", "0.05").fields().get("gap_erk"));
    }

    @Test
    void failsWhenTheGapDoesNotFallAtEveryStepOrUniformWins() {
        // At D=0.05 the gap at w=1000 equals the one at w=300 (not a decrease), and uniform beats ERK at w=300.
        RandomPruningReport r = report(List.of(100, 300, 1000), List.of(0.1, 0.05), List.of(17L), (w, d, seed) -> {
            double g = d == 0.05 && w == 1000 ? gap(300, d) : gap(w, d);
            double uniform = 0.90 - g + (w == 300 ? 0.005 : -0.01);
            return new double[] {0.90, uniform, 0.90 - g};
        });
        List<Check> checks = r.checks();
        assertEquals(Verdict.PASS, claim(checks, "gap_erk_decreases_with_width", "0.1").verdict());
        assertEquals(Verdict.FAIL, claim(checks, "gap_erk_decreases_with_width", "0.05").verdict());
        assertEquals(Verdict.FAIL, claim(checks, "erk_ge_uniform", "0.05").verdict());
    }

    @Test
    void claimsThatCannotBeJudgedAreInconclusive() {
        RandomPruningReport r = report(List.of(300), List.of(0.1), List.of(17L),
                (w, d, seed) -> new double[] {0.9, 0.8, 0.85});
        List<Check> checks = r.checks();
        assertEquals(Verdict.INCONCLUSIVE, claim(checks, "gap_erk_decreases_with_width", "0.1").verdict(), "one width");
        Check erk = claim(checks, "erk_ge_uniform", "0.05");
        assertEquals(Verdict.INCONCLUSIVE, erk.verdict(), "D=0.05 not run");
        assertEquals("not_run", erk.fields().get("acc_erk"));
    }

    @Test
    void accuraciesAreAveragedOverSeedsBeforeTheClaims() {
        // Seed 1 alone would pass (gap 2 -> 1); seed 2 reverses it strongly (gap 1 -> 4): the mean gap rises.
        RandomPruningReport r = report(List.of(100, 300), List.of(0.05), List.of(1L, 2L), (w, d, seed) -> {
            double g = seed == 1 ? (w == 100 ? 0.02 : 0.01) : (w == 100 ? 0.01 : 0.04);
            return new double[] {0.90, 0.80, 0.90 - g};
        });
        List<Check> checks = r.checks();
        assertEquals("1.50", checks.get(0).fields().get("gap_erk"));
        assertEquals("2.50", checks.get(1).fields().get("gap_erk"));
        assertEquals("1,2", checks.get(0).fields().get("seed"));
        assertEquals(Verdict.FAIL, claim(checks, "gap_erk_decreases_with_width", "0.05").verdict());
        assertTrue(r.markdown().contains("## Per seed"), "several seeds get a per-seed table");
    }

    @Test
    void aMissingTrainingIsAnError() {
        Settings s = settings(List.of(100), List.of(0.1), List.of(17L));
        List<Run> runs = List.of(run(100, 1, Condition.DENSE, 17, 0.9), run(100, 0.1, Condition.UNIFORM, 17, 0.8));
        var e = assertThrows(IllegalArgumentException.class, () -> new RandomPruningReport(s, runs, 1));
        assertTrue(e.getMessage().contains("0 ERK runs at width 100"), e.getMessage());
    }

    /** 3, 2, 1 points at D = 0.1 and twice that at D = 0.05, for w = 100, 300, 1000. */
    private static double gap(int width, double density) {
        double points = width == 100 ? 3 : width == 300 ? 2 : 1;
        return points / 100 * (density == 0.05 ? 2 : 1);
    }

    private interface Accuracies {
        /** {dense, uniform, ERK} test accuracies. */
        double[] of(int width, double density, long seed);
    }

    private static RandomPruningReport report(List<Integer> widths, List<Double> densities, List<Long> seeds,
            Accuracies acc) {
        List<Run> runs = new ArrayList<>();
        for (long seed : seeds) {
            for (int w : widths) {
                runs.add(run(w, 1, Condition.DENSE, seed, acc.of(w, densities.getFirst(), seed)[0]));
                for (double d : densities) {
                    double[] a = acc.of(w, d, seed);
                    runs.add(run(w, d, Condition.UNIFORM, seed, a[1]));
                    runs.add(run(w, d, Condition.ERK, seed, a[2]));
                }
            }
        }
        return new RandomPruningReport(settings(widths, densities, seeds), runs, 1.5);
    }

    private static Settings settings(List<Integer> widths, List<Double> densities, List<Long> seeds) {
        return new Settings(widths, densities, 1, 128, 0.1, 0.9, true, 5e-4, seeds, 5000, null, null, null);
    }

    /** A run whose single 1000-weight layer keeps {@code density · 1000} weights. */
    private static Run run(int width, double density, Condition c, long seed, double accuracy) {
        int kept = (int) Math.round(density * 1000);
        return new Run(width, density, c, seed, accuracy, 0.5, accuracy, List.of(new LayerResult("0.weight", 1000,
                density, kept, kept)), 6, 1000, 0.1);
    }

    private static Check claim(List<Check> checks, String claim, String density) {
        return checks.stream().filter(c -> claim.equals(c.fields().get("claim")) && density.equals(c.fields().get("D")))
                .findFirst().orElseThrow(() -> new AssertionError("no " + claim + " line at D=" + density + " in " + checks));
    }
}

package dev.shears.repro;

import java.util.List;

/**
 * The {@code CHECK gmp} line of methods.md §4.3 for one net, data set and sparsity, with its pass
 * rules: global pruning is at least as accurate as uniform layer-wise pruning at s ≥ 95%, and
 * whenever global pruning leaves a layer below 0.5% density (collapse), the minimum threshold is
 * at least as accurate as plain global pruning. A rule that does not apply (s < 95%, no collapse)
 * is not checked; with neither applying the verdict is INCONCLUSIVE. {@code sparsity=} is the
 * lowest of the three models' measured sparsities (exact zeros), so a model short of its target
 * shows.
 */
final class GmpCheck {
    private GmpCheck() {}

    /** Below this density a layer counts as collapsed. */
    static final double COLLAPSE_DENSITY = 0.005;

    /** From this sparsity on, global pruning must match or beat uniform. */
    static final double HIGH_SPARSITY = 0.95;

    /**
     * The check from the three compared conditions' outcomes at one sparsity.
     *
     * @param minutes the run's wall-clock minutes so far
     * @throws IllegalArgumentException if the outcomes are not GP, GP + MT and uniform of one net,
     *                                  data set and sparsity
     */
    static Check of(GmpOutcome global, GmpOutcome mt, GmpOutcome uniform, long seed, double minutes) {
        checkSameCell(global, mt, uniform);
        double minGlobal = global.sparsestLayer().density();
        boolean highSparsity = global.sparsity() >= HIGH_SPARSITY;
        boolean collapse = minGlobal < COLLAPSE_DENSITY;
        double measured = List.of(global, mt, uniform).stream().mapToDouble(GmpOutcome::measuredSparsity).min()
                .orElseThrow();
        Check.Builder b = Check.named("gmp")
                .value("net", global.net())
                .value("data", global.data())
                .value("s", global.sparsity())
                .value("acc_global", 100 * global.accuracy(), 2)
                .value("acc_global_mt", 100 * mt.accuracy(), 2)
                .value("acc_uniform", 100 * uniform.accuracy(), 2)
                .value("min_layer_density_global", minGlobal, 4)
                .value("min_layer_density_mt", mt.sparsestLayer().density(), 4)
                .value("collapsed_layers", global.layersBelow(COLLAPSE_DENSITY))
                .value("seed", seed)
                .value("minutes", minutes, 1)
                .value("sparsity", measured, 4);
        if (!highSparsity && !collapse) {
            return b.verdict(Check.Verdict.INCONCLUSIVE);
        }
        boolean pass = (!highSparsity || global.accuracy() >= uniform.accuracy())
                && (!collapse || mt.accuracy() >= global.accuracy());
        return b.verdict(Check.Verdict.of(pass));
    }

    private static void checkSameCell(GmpOutcome global, GmpOutcome mt, GmpOutcome uniform) {
        List<GmpOutcome> given = List.of(global, mt, uniform);
        List<GmpCondition> expected = List.of(GmpCondition.GLOBAL, GmpCondition.GLOBAL_MT, GmpCondition.UNIFORM);
        for (int i = 0; i < 3; i++) {
            GmpOutcome o = given.get(i);
            if (o.condition() != expected.get(i) || !o.net().equals(global.net()) || !o.data().equals(global.data())
                    || o.sparsity() != global.sparsity()) {
                throw new IllegalArgumentException("GmpCheck: outcome " + i + " is " + o.condition().key() + " of "
                        + o.net() + "/" + o.data() + " at s " + o.sparsity() + "; expected " + expected.get(i).key()
                        + " of " + global.net() + "/" + global.data() + " at s " + global.sparsity());
            }
        }
    }
}

package dev.shears.repro;

import dev.shears.pruning.LotteryTicket.Condition;
import dev.shears.pruning.LotteryTicket.Run;
import dev.shears.train.Plot;
import dev.shears.train.ResultTable;
import dev.shears.train.RunDir;
import dev.shears.train.StepTrainer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The lottery reproduction's figures averaged over seeds, and the claims of methods.md §3.5 checked
 * on them: the results table, the {@code CHECK} lines and the plots.
 *
 * <p>"Accuracy" is the test accuracy of the weights at the early-stop step (the lowest validation
 * loss), the paper's measure; the accuracy at the last step is reported beside it.
 */
final class LotteryReport {
    /** Tickets must stay within this many points of dense to count as matching. */
    static final double MATCH_TOLERANCE_PP = 0.2;
    /** Matching must hold down to at least this remaining fraction (the claim's "about 10-20%"). */
    static final double MATCH_DOWN_TO = 0.20;
    /** Random reinitialisation must trail the ticket by at least this many points at about 10% remaining. */
    static final double REINIT_GAP_PP = 0.5;
    /** The deepest level counts as "about 10% remaining" up to this fraction. */
    static final double ABOUT_TEN_PERCENT = 0.12;
    /** "Moderate sparsity" for the early-stop claim: remaining between these fractions. */
    static final double MODERATE_MIN = 0.20;
    static final double MODERATE_MAX = 0.60;

    /** One level and condition, averaged over the seeds that ran it. */
    record Cell(int level, Condition condition, double remaining, double accuracy, double finalAccuracy,
                double earlyStopStep, int seeds) {}

    private final Map<Integer, Map<Condition, Cell>> levels = new TreeMap<>();
    private final Map<Long, List<Run>> bySeed;

    LotteryReport(Map<Long, List<Run>> bySeed) {
        this.bySeed = bySeed;
        Map<Integer, Map<Condition, List<Run>>> grouped = new TreeMap<>();
        bySeed.values().forEach(runs -> runs.forEach(r -> grouped.computeIfAbsent(r.level(),
                l -> new EnumMap<>(Condition.class)).computeIfAbsent(r.condition(), c -> new ArrayList<>()).add(r)));
        grouped.forEach((level, byCondition) -> {
            Map<Condition, Cell> cells = new EnumMap<>(Condition.class);
            byCondition.forEach((c, runs) -> cells.put(c, new Cell(level, c,
                    mean(runs, Run::remaining), mean(runs, Run::earlyStopTestAccuracy),
                    mean(runs, Run::finalTestAccuracy), mean(runs, r -> r.earlyStop().step()), runs.size())));
            levels.put(level, cells);
        });
    }

    private static double mean(List<Run> runs, java.util.function.ToDoubleFunction<Run> f) {
        return runs.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    private Cell cell(int level, Condition c) {
        return levels.getOrDefault(level, Map.of()).get(c);
    }

    private Cell dense() {
        return cell(0, Condition.TICKET);
    }

    private int deepestLevel() {
        return ((TreeMap<Integer, ?>) levels).lastKey();
    }

    /** The level whose remaining fraction is closest to {@code fraction}. */
    private int levelNear(double fraction) {
        int best = 0;
        for (int level : levels.keySet()) {
            double r = cell(level, Condition.TICKET).remaining();
            if (Math.abs(r - fraction) < Math.abs(cell(best, Condition.TICKET).remaining() - fraction)) {
                best = level;
            }
        }
        return best;
    }

    /** The per-level table: remaining, accuracy at early stop and at the end, early-stop step, per condition. */
    ResultTable table() {
        ResultTable t = new ResultTable("level", "remaining %", "ticket acc %", "reinit acc %", "random-mask acc %",
                "ticket final %", "reinit final %", "random-mask final %", "ticket ES step", "reinit ES step",
                "random-mask ES step");
        for (int level : levels.keySet()) {
            Cell ticket = cell(level, Condition.TICKET);
            Cell reinit = cell(level, Condition.REINIT);
            Cell random = cell(level, Condition.RANDOM_MASK);
            t.row(level, pct(ticket.remaining(), 1), pct(ticket.accuracy(), 2), acc(reinit), acc(random),
                    pct(ticket.finalAccuracy(), 2), finalAcc(reinit), finalAcc(random), step(ticket), step(reinit),
                    step(random));
        }
        return t;
    }

    private static String acc(Cell c) {
        return c == null ? "-" : pct(c.accuracy(), 2);
    }

    private static String finalAcc(Cell c) {
        return c == null ? "-" : pct(c.finalAccuracy(), 2);
    }

    private static String step(Cell c) {
        return c == null ? "-" : String.format(Locale.ROOT, "%.0f", c.earlyStopStep());
    }

    private static String pct(double fraction, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", 100 * fraction);
    }

    /** One data line per level, then the three claims and their summary. */
    List<Check> checks(String seeds, double minutes) {
        List<Check> out = new ArrayList<>();
        for (int level : levels.keySet()) {
            Cell ticket = cell(level, Condition.TICKET);
            Check.Builder b = Check.named("lth").value("level", level)
                    .value("remaining", pct(ticket.remaining(), 1) + "%")
                    .value("acc_ticket", pct(ticket.accuracy(), 2));
            Cell reinit = cell(level, Condition.REINIT);
            Cell random = cell(level, Condition.RANDOM_MASK);
            if (reinit != null) {
                b.value("acc_reinit", pct(reinit.accuracy(), 2));
            }
            if (random != null) {
                b.value("acc_random_mask", pct(random.accuracy(), 2));
            }
            b.value("es_iter_ticket", step(ticket));
            if (reinit != null) {
                b.value("es_iter_reinit", step(reinit));
            }
            out.add(b.value("seed", seeds).data());
        }
        double sparsity = 1 - cell(deepestLevel(), Condition.TICKET).remaining();
        Check matching = matching(seeds, minutes, sparsity);
        Check reinit = reinitGap(seeds, minutes, sparsity);
        Check earlyStop = earlyStop(seeds, minutes, sparsity);
        out.add(matching);
        out.add(reinit);
        out.add(earlyStop);
        out.add(summary(seeds, minutes, sparsity, List.of(matching, reinit, earlyStop)));
        return out;
    }

    /** Tickets within 0.2 pp of dense at every level down to the claim's 10-20% remaining. */
    private Check matching(String seeds, double minutes, double sparsity) {
        double dense = dense().accuracy();
        double downTo = 1;
        for (int level : levels.keySet()) {
            Cell t = cell(level, Condition.TICKET);
            if (100 * (dense - t.accuracy()) > MATCH_TOLERANCE_PP) {
                break;
            }
            downTo = t.remaining();
        }
        Check.Builder b = common(Check.named("lth_matching"), seeds, minutes, sparsity)
                .value("dense_acc", pct(dense, 2)).value("tolerance_pp", MATCH_TOLERANCE_PP)
                .value("matching_down_to", pct(downTo, 1) + "%").value("required_down_to", pct(MATCH_DOWN_TO, 0) + "%");
        if (downTo <= MATCH_DOWN_TO + 1e-9) {
            return b.verdict(Check.Verdict.PASS);
        }
        boolean deeperRan = cell(deepestLevel(), Condition.TICKET).remaining() < downTo;
        return deeperRan ? b.verdict(Check.Verdict.FAIL)
                : b.value("reason", "no level reached " + pct(MATCH_DOWN_TO, 0) + "% remaining")
                        .verdict(Check.Verdict.INCONCLUSIVE);
    }

    /** Random reinitialisation at least 0.5 pp below the ticket at about 10% remaining (the deepest level). */
    private Check reinitGap(String seeds, double minutes, double sparsity) {
        int deepest = deepestLevel();
        Cell ticket = cell(deepest, Condition.TICKET);
        Cell reinit = cell(deepest, Condition.REINIT);
        Check.Builder b = common(Check.named("lth_reinit"), seeds, minutes, sparsity)
                .value("remaining", pct(ticket.remaining(), 1) + "%").value("acc_ticket", pct(ticket.accuracy(), 2));
        if (reinit == null || ticket.remaining() > ABOUT_TEN_PERCENT) {
            return b.value("reason", reinit == null ? "no reinit control ran" : "the deepest level keeps more than "
                    + pct(ABOUT_TEN_PERCENT, 0) + "%").verdict(Check.Verdict.INCONCLUSIVE);
        }
        double gap = 100 * (ticket.accuracy() - reinit.accuracy());
        return b.value("acc_reinit", pct(reinit.accuracy(), 2)).value("gap_pp", gap, 2)
                .value("required_gap_pp", REINIT_GAP_PP).verdict(Check.Verdict.of(gap >= REINIT_GAP_PP));
    }

    /** Tickets stop early no later than dense at moderate sparsity (mean over those levels). */
    private Check earlyStop(String seeds, double minutes, double sparsity) {
        List<Cell> moderate = levels.keySet().stream().map(l -> cell(l, Condition.TICKET))
                .filter(c -> c.level() > 0 && c.remaining() >= MODERATE_MIN && c.remaining() <= MODERATE_MAX).toList();
        Check.Builder b = common(Check.named("lth_early_stop"), seeds, minutes, sparsity)
                .value("es_iter_dense", step(dense()));
        if (moderate.isEmpty()) {
            return b.value("reason", "no level between " + pct(MODERATE_MIN, 0) + "% and " + pct(MODERATE_MAX, 0)
                    + "% remaining").verdict(Check.Verdict.INCONCLUSIVE);
        }
        double mean = moderate.stream().mapToDouble(Cell::earlyStopStep).average().orElseThrow();
        String range = pct(moderate.getLast().remaining(), 0) + "-" + pct(moderate.getFirst().remaining(), 0) + "%";
        return b.value("moderate_remaining", range).value("es_iter_ticket_mean", mean, 0)
                .verdict(Check.Verdict.of(mean <= dense().earlyStopStep()));
    }

    private Check summary(String seeds, double minutes, double sparsity, List<Check> claims) {
        int near21 = levelNear(0.21);
        int deepest = deepestLevel();
        Check.Builder b = Check.named("lth_summary").value("dense_acc", pct(dense().accuracy(), 2));
        String at21 = "@" + pct(cell(near21, Condition.TICKET).remaining(), 1) + "%";
        b.value("ticket_acc" + at21, pct(cell(near21, Condition.TICKET).accuracy(), 2));
        Cell reinit21 = cell(near21, Condition.REINIT);
        if (reinit21 != null) {
            b.value("reinit_acc" + at21, pct(reinit21.accuracy(), 2));
        }
        b.value("ticket_acc@" + pct(cell(deepest, Condition.TICKET).remaining(), 1) + "%",
                pct(cell(deepest, Condition.TICKET).accuracy(), 2));
        common(b, seeds, minutes, sparsity);
        boolean fail = claims.stream().anyMatch(c -> c.verdict() == Check.Verdict.FAIL);
        boolean unsure = claims.stream().anyMatch(c -> c.verdict() == Check.Verdict.INCONCLUSIVE);
        return b.verdict(fail ? Check.Verdict.FAIL : unsure ? Check.Verdict.INCONCLUSIVE : Check.Verdict.PASS);
    }

    private static Check.Builder common(Check.Builder b, String seeds, double minutes, double sparsity) {
        return b.value("seed", seeds).value("minutes", minutes, 1).value("sparsity", sparsity, 4);
    }

    /** accuracy.png (accuracy at early stop against % remaining, log axis), early_stop.png and validation_loss.png. */
    void plots(RunDir runDir) {
        Plot accuracy = Plot.line("Test accuracy at the early-stop step").xLabel("weights remaining (%)")
                .yLabel("test accuracy (%)").logX().markers(true);
        Plot early = Plot.line("Early-stop step (lowest validation loss)").xLabel("weights remaining (%)")
                .yLabel("step").logX().markers(true);
        for (Condition c : Condition.values()) {
            List<Cell> cells = levels.values().stream().map(m -> m.get(c)).filter(java.util.Objects::nonNull).toList();
            if (c != Condition.TICKET && cells.isEmpty()) {
                continue;
            }
            List<Cell> withDense = c == Condition.TICKET ? cells : prepend(dense(), cells);
            double[] x = withDense.stream().mapToDouble(e -> 100 * e.remaining()).toArray();
            accuracy.series(c.label(), x, withDense.stream().mapToDouble(e -> 100 * e.accuracy()).toArray());
            early.series(c.label(), x, withDense.stream().mapToDouble(Cell::earlyStopStep).toArray());
        }
        runDir.writePlot("accuracy.png", accuracy);
        runDir.writePlot("early_stop.png", early);
        runDir.writePlot("validation_loss.png", validationCurves());
    }

    private static List<Cell> prepend(Cell first, List<Cell> rest) {
        List<Cell> out = new ArrayList<>(rest.size() + 1);
        out.add(first);
        out.addAll(rest);
        return out;
    }

    /** The first seed's ticket validation loss against step at a few levels (the paper's Figure 3 view). */
    private Plot validationCurves() {
        List<Run> tickets = bySeed.values().iterator().next().stream()
                .filter(r -> r.condition() == Condition.TICKET).toList();
        Plot p = Plot.line("Ticket validation loss (first seed)").xLabel("step").yLabel("cross-entropy").logY();
        for (int level : List.of(0, levelNear(0.5), levelNear(0.21), deepestLevel()).stream().distinct()
                .collect(Collectors.toList())) {
            Run r = tickets.stream().filter(t -> t.level() == level).findFirst().orElseThrow();
            p.series(pct(r.remaining(), 1) + "% remaining",
                    r.curve().stream().mapToDouble(StepTrainer.Point::step).toArray(),
                    r.curve().stream().mapToDouble(StepTrainer.Point::validationLoss).toArray());
        }
        return p;
    }
}

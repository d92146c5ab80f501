package dev.shears.pruning;

/**
 * The gradual pruning schedule of Zhu &amp; Gupta (methods.md §6.1): starting from sparsity
 * {@code s_i} at time {@code t0}, prune at {@code t0, t0 + Δt, ..., t0 + n·Δt} to
 * <pre>
 *   s_t = s_f + (s_i − s_f) · (1 − (t − t0) / (n·Δt))³
 * </pre>
 * so sparsity rises fast while many weights are redundant and slowly near the target, where each
 * weight matters more. Between prune steps the sparsity holds the last step's value; before
 * {@code t0} it is {@code s_i}, from {@code t0 + n·Δt} on it is {@code s_f}.
 *
 * <p>Time is whatever unit the caller counts in (optimizer steps, epochs). Unlike GraNet's code,
 * which prunes only while {@code t < t_f} and so stops one step short, the last prune step here
 * reaches {@code s_f} exactly.
 *
 * <pre>{@code
 * // dense at t = 0, 90% sparse after 10 prune steps 100 optimizer steps apart
 * CubicSparsitySchedule s = new CubicSparsitySchedule(0, 0.9, 0, 100, 10);
 * if (s.isPruneStep(step)) GlobalMagnitude.global(model, s.sparsityAt(step), Set.of());
 * }</pre>
 *
 * @param initial  {@code s_i}, the sparsity at {@code t0}, in [0, 1)
 * @param target   {@code s_f}, the sparsity reached at the last prune step, in [initial, 1)
 * @param start    {@code t0}, the first prune step, {@code >= 0}
 * @param interval {@code Δt}, the time between prune steps, {@code >= 1}
 * @param steps    {@code n}, the number of intervals from {@code t0} to the last prune step, {@code >= 1}
 */
public record CubicSparsitySchedule(double initial, double target, long start, long interval, int steps) {

    public CubicSparsitySchedule {
        String op = "CubicSparsitySchedule";
        if (!(initial >= 0 && initial < 1)) {
            throw new IllegalArgumentException(op + ": initial sparsity " + initial + " is outside [0, 1)");
        }
        if (!(target >= initial && target < 1)) {
            throw new IllegalArgumentException(op + ": target sparsity " + target + " is outside [initial sparsity "
                    + initial + ", 1); pruning never lowers sparsity");
        }
        if (start < 0) {
            throw new IllegalArgumentException(op + ": start " + start + " must be >= 0");
        }
        if (interval < 1) {
            throw new IllegalArgumentException(op + ": interval " + interval + " must be >= 1");
        }
        if (steps < 1) {
            throw new IllegalArgumentException(op + ": steps " + steps + " must be >= 1");
        }
        if (steps > (Long.MAX_VALUE - start) / interval) {
            throw new IllegalArgumentException(op + ": start " + start + " + steps " + steps + " * interval " + interval
                    + " overflows a long");
        }
    }

    /** {@code t0 + n·Δt}, the last prune step, where the sparsity reaches the target. */
    public long end() {
        return start + steps * interval;
    }

    /** Whether {@code t} is one of {@code t0, t0 + Δt, ..., t0 + n·Δt}. */
    public boolean isPruneStep(long t) {
        return t >= start && t <= end() && (t - start) % interval == 0;
    }

    /** The scheduled sparsity at time {@code t}: that of the latest prune step at or before {@code t}. */
    public double sparsityAt(long t) {
        if (t <= start) {
            return initial;
        }
        if (t >= end()) {
            return target;
        }
        long k = (t - start) / interval;
        double remaining = 1 - (double) k / steps;
        return target + (initial - target) * remaining * remaining * remaining;
    }
}

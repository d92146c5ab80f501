package dev.shears.optim;

/** A learning rate as a pure function of the (0-based) step. */
@FunctionalInterface
public interface LrSchedule {
    double lr(int step);

    /** The same rate at every step. */
    static LrSchedule constant(double lr) {
        return step -> lr;
    }

    /** lr·γ^⌊step / stepSize⌋ (torch StepLR). */
    static LrSchedule step(double lr, int stepSize, double gamma) {
        if (stepSize < 1) {
            throw new IllegalArgumentException("LrSchedule.step: stepSize " + stepSize + " must be >= 1");
        }
        return step -> lr * Math.pow(gamma, Math.floorDiv(Math.max(step, 0), stepSize));
    }

    /**
     * Cosine from {@code lr} at step 0 to {@code minLr} at {@code totalSteps} (and after):
     * minLr + (lr - minLr)·(1 + cos(π·step/totalSteps))/2.
     */
    static LrSchedule cosine(double lr, int totalSteps, double minLr) {
        if (totalSteps < 1) {
            throw new IllegalArgumentException("LrSchedule.cosine: totalSteps " + totalSteps + " must be >= 1");
        }
        return step -> {
            if (step >= totalSteps) {
                return minLr;
            }
            double progress = Math.max(step, 0) / (double) totalSteps;
            return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * progress));
        };
    }

    /**
     * Linear warmup then cosine: lr·(step+1)/warmup for step < warmup (reaching lr at step
     * warmup-1), then cosine from lr at step = warmup to minLr at totalSteps, minLr afterwards.
     */
    static LrSchedule warmupCosine(double lr, int warmupSteps, int totalSteps, double minLr) {
        if (warmupSteps < 0 || totalSteps <= warmupSteps) {
            throw new IllegalArgumentException("LrSchedule.warmupCosine: need 0 <= warmupSteps (" + warmupSteps
                    + ") < totalSteps (" + totalSteps + ")");
        }
        LrSchedule cos = cosine(lr, totalSteps - warmupSteps, minLr);
        return step -> step < warmupSteps ? lr * (step + 1) / warmupSteps : cos.lr(step - warmupSteps);
    }
}

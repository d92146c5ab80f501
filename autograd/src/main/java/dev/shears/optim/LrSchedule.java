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
     * lr·γ^k where k is the number of milestones at or before {@code step} (torch MultiStepLR):
     * {@code multiStep(0.1, 0.1, T / 2, 3 * T / 4)} is the "×0.1 at 50% and 75% of training"
     * schedule of the SGD image-classification recipes.
     *
     * @param milestones the steps at which the rate is multiplied by {@code gamma}, ascending, >= 0; a step
     *                   listed twice multiplies by γ² (as in torch), so short runs need not dedupe them
     */
    static LrSchedule multiStep(double lr, double gamma, int... milestones) {
        int[] at = milestones.clone();
        for (int i = 0; i < at.length; i++) {
            if (at[i] < 0 || (i > 0 && at[i] < at[i - 1])) {
                throw new IllegalArgumentException("LrSchedule.multiStep: milestone " + at[i] + " in "
                        + java.util.Arrays.toString(at) + " must be >= 0 and not below the one before");
            }
        }
        return step -> {
            int k = 0;
            while (k < at.length && at[k] <= step) {
                k++;
            }
            return lr * Math.pow(gamma, k);
        };
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

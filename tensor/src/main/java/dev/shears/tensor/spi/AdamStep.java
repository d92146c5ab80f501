package dev.shears.tensor.spi;

/**
 * The scalars of one Adam/AdamW update, already combined for the current step, so every backend
 * evaluates the same float expression per element:
 * <pre>
 *   g  = g·mask
 *   w  = mask == null ? w·(1 - decay) : w + (w·mask)·(-decay)
 *   m  = m·beta1 + g·oneMinusBeta1
 *   v  = v·beta2 + g²·oneMinusBeta2
 *   w  = w + (m / (√v / sqrtBias2 + eps))·mask · (-stepSize)
 * </pre>
 * The complements 1 - β are rounded from double: with β₂ = 0.999, {@code 1f - 0.999f} is off by
 * 1.3e-5 relative, which would skew the bias correction of every early step.
 *
 * @param decay          lr · weight decay (0 for plain Adam)
 * @param beta1          first-moment decay β₁
 * @param oneMinusBeta1  1 - β₁
 * @param beta2          second-moment decay β₂
 * @param oneMinusBeta2  1 - β₂
 * @param sqrtBias2      √(1 - β₂ᵗ), the second-moment bias correction
 * @param eps            denominator guard
 * @param stepSize       lr / (1 - β₁ᵗ), the first-moment bias correction folded into the rate
 */
public record AdamStep(float decay, float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2,
                       float sqrtBias2, float eps, float stepSize) {

    /** Step {@code t} (1-based) of Adam with these settings, every combination computed in double. */
    public static AdamStep of(double lr, double beta1, double beta2, double eps, double weightDecay, int t) {
        if (t < 1) {
            throw new IllegalArgumentException("AdamStep.of: step t = " + t + " must be >= 1");
        }
        return new AdamStep((float) (lr * weightDecay), (float) beta1, (float) (1 - beta1), (float) beta2,
                (float) (1 - beta2), (float) Math.sqrt(1 - Math.pow(beta2, t)), (float) eps,
                (float) (lr / (1 - Math.pow(beta1, t))));
    }
}

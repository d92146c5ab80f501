package dev.shears.optim;

import dev.shears.autograd.Var;
import dev.shears.tensor.FusedUpdates;
import dev.shears.tensor.Tensor;
import dev.shears.tensor.spi.AdamStep;
import java.util.List;
import java.util.Map;

/**
 * Adam with decoupled weight decay (torch.optim.AdamW; plain Adam when weightDecay = 0):
 * p -= lr·wd·p; m = β₁m + (1-β₁)g; v = β₂v + (1-β₂)g²; p -= lr/(1-β₁ᵗ) · m / (√v/√(1-β₂ᵗ) + ε),
 * with t counted per parameter. The gradient, the decay and the update are multiplied by the
 * parameter's mask.
 */
public final class AdamW extends BaseOptimizer {
    /** Settings; {@code Config.defaults().lr(1e-3).weightDecay(0.1)}. */
    public record Config(double lr, double beta1, double beta2, double eps, double weightDecay) {
        public Config {
            if (!(lr >= 0) || !(eps >= 0) || !(weightDecay >= 0)) {
                throw new IllegalArgumentException("AdamW.Config: lr " + lr + ", eps " + eps + " and weight decay "
                        + weightDecay + " must be >= 0");
            }
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("AdamW.Config: betas " + beta1 + ", " + beta2 + " must be in [0, 1)");
            }
        }

        /** PyTorch's AdamW defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0.01. */
        public static Config defaults() {
            return new Config(1e-3, 0.9, 0.999, 1e-8, 0.01);
        }

        /** Plain Adam's defaults (weight decay 0). */
        public static Config adam() {
            return defaults().weightDecay(0);
        }

        public Config lr(double v) { return new Config(v, beta1, beta2, eps, weightDecay); }

        public Config betas(double b1, double b2) { return new Config(lr, b1, b2, eps, weightDecay); }

        public Config eps(double v) { return new Config(lr, beta1, beta2, v, weightDecay); }

        public Config weightDecay(double v) { return new Config(lr, beta1, beta2, eps, v); }
    }

    private final Config config;
    private final boolean[] decays;

    public AdamW(List<? extends Var> params, Config config) {
        this(params, config, java.util.Set.of());
    }

    /**
     * AdamW whose weight decay skips the parameters in {@code noDecay} (biases and normalisation
     * gains, as GPT training does); they still get Adam updates.
     *
     * @throws IllegalArgumentException if a parameter in {@code noDecay} is not in {@code params}
     */
    public AdamW(List<? extends Var> params, Config config, java.util.Set<? extends Var> noDecay) {
        super("AdamW", params, config.lr());
        this.config = config;
        this.decays = new boolean[params.size()];
        java.util.Set<Var> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (int i = 0; i < params.size(); i++) {
            decays[i] = !noDecay.contains(params.get(i));
            seen.add(params.get(i));
        }
        for (Var v : noDecay) {
            if (!seen.contains(v)) {
                throw new IllegalArgumentException("AdamW: " + v + " is excluded from weight decay but not optimized");
            }
        }
    }

    public Config config() {
        return config;
    }

    @Override
    protected List<String> stateNames() {
        return List.of("step", "exp_avg", "exp_avg_sq");
    }

    @Override
    protected void update(int index, Var p, Tensor grad, Tensor mask) {
        Tensor w = p.value();
        Map<String, Tensor> s = state.get(index);
        if (s.isEmpty()) {
            s.put("step", Tensor.ofInts(new int[] {0}, 1));
            s.put("exp_avg", Tensor.zeros(w.shape().dims()));
            s.put("exp_avg_sq", Tensor.zeros(w.shape().dims()));
        }
        int t = s.get("step").contiguous().toIntArray()[0] + 1;
        s.put("step", Tensor.ofInts(new int[] {t}, 1));
        AdamStep step = AdamStep.of(lr, config.beta1(), config.beta2(), config.eps(),
                decays[index] ? config.weightDecay() : 0, t);
        FusedUpdates.adam(step, p.value(), grad, mask, s.get("exp_avg"), s.get("exp_avg_sq"));
    }
}

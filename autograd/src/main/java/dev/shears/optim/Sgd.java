package dev.shears.optim;

import dev.shears.autograd.Var;
import dev.shears.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with torch.optim.SGD's rules: d = g + wd·p; with momentum
 * buf = d (first step) or μ·buf + (1 - dampening)·d; Nesterov uses d + μ·buf, otherwise buf;
 * p -= lr·d. The gradient term and the update are multiplied by the parameter's mask.
 */
public final class Sgd extends BaseOptimizer {
    /** Settings; {@code Config.defaults().lr(0.1).momentum(0.9)}. */
    public record Config(double lr, double momentum, double dampening, boolean nesterov, double weightDecay) {
        public Config {
            if (!(lr >= 0) || !(momentum >= 0) || !(dampening >= 0) || !(weightDecay >= 0)) {
                throw new IllegalArgumentException("Sgd.Config: lr " + lr + ", momentum " + momentum + ", dampening "
                        + dampening + " and weight decay " + weightDecay + " must be >= 0");
            }
            if (nesterov && (momentum == 0 || dampening != 0)) {
                throw new IllegalArgumentException("Sgd.Config: Nesterov momentum needs momentum > 0 and zero dampening");
            }
        }

        /** lr 0.01, no momentum, no dampening, no Nesterov, no weight decay. */
        public static Config defaults() {
            return new Config(0.01, 0, 0, false, 0);
        }

        public Config lr(double v) { return new Config(v, momentum, dampening, nesterov, weightDecay); }

        public Config momentum(double v) { return new Config(lr, v, dampening, nesterov, weightDecay); }

        public Config dampening(double v) { return new Config(lr, momentum, v, nesterov, weightDecay); }

        public Config nesterov(boolean v) { return new Config(lr, momentum, dampening, v, weightDecay); }

        public Config weightDecay(double v) { return new Config(lr, momentum, dampening, nesterov, v); }
    }

    private final Config config;

    public Sgd(List<? extends Var> params, Config config) {
        super("Sgd", params, config.lr());
        this.config = config;
    }

    public Config config() {
        return config;
    }

    @Override
    protected List<String> stateNames() {
        return List.of("momentum");
    }

    @Override
    protected void update(int index, Var p, Tensor grad, Tensor mask) {
        Tensor d = config.weightDecay() != 0 ? grad.add(p.value().mul((float) config.weightDecay())) : grad;
        if (mask != null) {
            d = d.mul(mask);
        }
        if (config.momentum() != 0) {
            Map<String, Tensor> s = state.get(index);
            Tensor buf = s.get("momentum");
            if (buf == null) {
                buf = d.contiguous().copy();
                s.put("momentum", buf);
            } else {
                buf.muli((float) config.momentum());
                buf.addi(d, (float) (1 - config.dampening()));
            }
            d = config.nesterov() ? d.add(buf.mul((float) config.momentum())) : buf;
        }
        if (mask != null) {
            d = d.mul(mask);
        }
        p.value().addi(d, (float) -lr);
    }
}

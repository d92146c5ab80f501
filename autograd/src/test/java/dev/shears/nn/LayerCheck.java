package dev.shears.nn;

import dev.shears.autograd.Autograd;
import dev.shears.autograd.GradCheck;
import dev.shears.autograd.Var;
import dev.shears.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@link GradCheck} over a layer's input and parameters together: a custom op whose inputs
 * are x and copies of the parameter values, whose forward loads them into the parameters and runs
 * the layer, and whose backward runs the layer's own backward and returns the gradients of x and
 * of every parameter.
 */
final class LayerCheck {
    private LayerCheck() {}

    static GradCheck.Report check(List<Parameter> params, Tensor x, java.util.function.Function<Var, Var> f) {
        return check(GradCheck.Options.DEFAULT, params, x, f);
    }

    static GradCheck.Report check(GradCheck.Options options, List<Parameter> params, Tensor x,
                                  java.util.function.Function<Var, Var> f) {
        List<Tensor> inputs = new ArrayList<>();
        int off = x == null ? 0 : 1;
        if (x != null) {
            inputs.add(x);
        }
        for (Parameter p : params) {
            inputs.add(p.value().copy());
        }
        dev.shears.autograd.Function bind = new dev.shears.autograd.Function() {
            private void load(Tensor[] in) {
                for (int i = 0; i < params.size(); i++) {
                    params.get(i).value().copyFrom(in[off + i]);
                }
            }

            @Override
            public Tensor forward(Tensor... in) {
                load(in);
                Autograd.NoGrad scope = Autograd.noGrad();
                try {
                    return f.apply(off == 1 ? Var.constant(in[0]) : null).value();
                } finally {
                    scope.close();
                }
            }

            @Override
            public Tensor[] backward(Tensor gradOut, Tensor[] in, Tensor output) {
                load(in);
                for (Parameter p : params) {
                    p.zeroGrad();
                }
                Var xv = off == 1 ? Var.param(in[0]) : null;
                f.apply(xv).mul(Var.constant(gradOut)).sum().backward();
                Tensor[] out = new Tensor[in.length];
                if (off == 1) {
                    out[0] = xv.grad();
                }
                for (int i = 0; i < params.size(); i++) {
                    out[off + i] = params.get(i).grad();
                }
                return out;
            }
        };
        return GradCheck.check(options, vs -> Var.apply(bind, vs), inputs.toArray(Tensor[]::new));
    }
}

package dev.shears.nn;

import dev.shears.autograd.Var;

/** GELU: x·Φ(x) (exact, erf) by default, or PyTorch's approximate = "tanh" form. */
public class GELU extends Layer {
    private final boolean tanhApproximation;

    public GELU() {
        this(false);
    }

    public GELU(boolean tanhApproximation) {
        this.tanhApproximation = tanhApproximation;
    }

    @Override
    public Var forward(Var x) {
        return tanhApproximation ? x.geluTanh() : x.gelu();
    }

    @Override
    public String toString() {
        return tanhApproximation ? "GELU(tanh)" : "GELU";
    }
}

package dev.shears.nn;

import dev.shears.autograd.Var;

/** Element-wise x·sigmoid(x) (swish). */
public class SiLU extends Layer {
    @Override
    public Var forward(Var x) {
        return x.silu();
    }

    @Override
    public String toString() {
        return "SiLU";
    }
}

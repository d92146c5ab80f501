package dev.shears.nn;

import dev.shears.autograd.Var;

/** Element-wise max(x, 0). */
public class ReLU extends Layer {
    @Override
    public Var forward(Var x) {
        return x.relu();
    }

    @Override
    public String toString() {
        return "ReLU";
    }
}

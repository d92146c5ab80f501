package dev.shears.nn;

import dev.shears.autograd.Var;

/** Element-wise 1 / (1 + exp(-x)). */
public class Sigmoid extends Layer {
    @Override
    public Var forward(Var x) {
        return x.sigmoid();
    }

    @Override
    public String toString() {
        return "Sigmoid";
    }
}

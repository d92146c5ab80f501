package dev.shears.nn;

import dev.shears.autograd.Var;

/** Element-wise tanh(x). */
public class Tanh extends Layer {
    @Override
    public Var forward(Var x) {
        return x.tanh();
    }

    @Override
    public String toString() {
        return "Tanh";
    }
}

package dev.shears.nn;

import dev.shears.autograd.Var;

/** Returns its input. */
public class Identity extends Layer {
    @Override
    public Var forward(Var x) {
        return x;
    }
}

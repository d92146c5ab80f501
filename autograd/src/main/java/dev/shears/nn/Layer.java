package dev.shears.nn;

import dev.shears.autograd.Var;

/** A module with one input and one output, so {@link Sequential} can chain it. */
public abstract class Layer extends Module {
    public abstract Var forward(Var x);
}

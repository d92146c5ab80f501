package dev.shears.nn;

import dev.shears.autograd.Var;

/** Flattens every axis from {@code startDim} (default 1, keeping the batch axis) into one. */
public class Flatten extends Layer {
    private final int startDim;

    public Flatten() {
        this(1);
    }

    public Flatten(int startDim) {
        this.startDim = startDim;
    }

    @Override
    public Var forward(Var x) {
        int s = startDim < 0 ? startDim + x.rank() : startDim;
        int[] dims = new int[s + 1];
        for (int i = 0; i < s; i++) {
            dims[i] = x.dim(i);
        }
        dims[s] = -1;
        return x.reshape(dims);
    }
}

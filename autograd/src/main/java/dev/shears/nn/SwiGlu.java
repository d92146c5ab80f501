package dev.shears.nn;

import dev.shears.autograd.Var;
import dev.shears.tensor.Rng;

/**
 * The SiLU-gated feed-forward block of Llama: {@code down(SiLU(gate(x)) ⊙ up(x))}, with
 * projections {@code gate_proj} and {@code up_proj} [hidden, dim] and {@code down_proj} [dim,
 * hidden] (Hugging Face names).
 */
public class SwiGlu extends Layer {
    private final Linear gate;
    private final Linear up;
    private final Linear down;

    public SwiGlu(int dim, int hidden, boolean bias, Rng rng) {
        if (dim < 1 || hidden < 1) {
            throw new IllegalArgumentException("SwiGlu: width " + dim + " and hidden size " + hidden + " must be >= 1");
        }
        this.gate = child("gate_proj", new Linear(dim, hidden, bias, rng));
        this.up = child("up_proj", new Linear(dim, hidden, bias, rng));
        this.down = child("down_proj", new Linear(hidden, dim, bias, rng));
    }

    @Override
    public Var forward(Var x) {
        return down.forward(gate.forward(x).silu().mul(up.forward(x)));
    }

    public Linear gateProj() {
        return gate;
    }

    public Linear upProj() {
        return up;
    }

    public Linear downProj() {
        return down;
    }
}

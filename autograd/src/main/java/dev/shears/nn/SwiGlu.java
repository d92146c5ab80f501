package dev.shears.nn;

import dev.shears.autograd.Var;
import dev.shears.tensor.Rng;
import java.util.Map;

/**
 * The SiLU-gated feed-forward block of Llama: {@code down(SiLU(gate(x)) ⊙ up(x))}, with
 * projections {@code gate_proj} and {@code up_proj} [hidden, dim] and {@code down_proj} [dim,
 * hidden] (Hugging Face names).
 */
public class SwiGlu extends Layer {
    private Projection gate;
    private Projection up;
    private Projection down;

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

    public Projection gateProj() {
        return gate;
    }

    public Projection upProj() {
        return up;
    }

    public Projection downProj() {
        return down;
    }

    /** Takes any projection of the same shape for gate_proj, up_proj or down_proj. */
    @Override
    protected void accept(String name, Module old, Module replacement) {
        Projection.fill(this, name, old, replacement,
                Map.of("gate_proj", p -> gate = p, "up_proj", p -> up = p, "down_proj", p -> down = p));
    }
}

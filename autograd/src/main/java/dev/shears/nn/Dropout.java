package dev.shears.nn;

import dev.shears.autograd.Var;
import dev.shears.autograd.ops.ConvFunctions;
import dev.shears.tensor.Rng;
import java.util.Objects;

/**
 * Inverted dropout in training mode (zero with probability p, scale the rest by 1/(1-p)), drawn
 * from its own seeded {@link Rng}; the identity in eval mode.
 */
public class Dropout extends Layer {
    private final float p;
    private final Rng rng;

    public Dropout(float p, Rng rng) {
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("Dropout: p = " + p + " must be in [0, 1)");
        }
        this.p = p;
        this.rng = rng("rng", Objects.requireNonNull(rng, "rng"));
    }

    @Override
    public Var forward(Var x) {
        return isTraining() ? ConvFunctions.dropout(x, p, rng) : x;
    }

    public float p() {
        return p;
    }

    @Override
    public String toString() {
        return "Dropout(" + p + ")";
    }
}

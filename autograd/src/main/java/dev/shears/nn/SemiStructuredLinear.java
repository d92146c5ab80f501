package dev.shears.nn;

import dev.shears.sparse.SemiStructured24;
import dev.shears.tensor.Tensor;

/**
 * A {@link SparseLinear} over a 2:4 weight: of every 4 consecutive input weights of an output,
 * exactly 2 are stored. The values parameter is F32 [out, in/2] and the 2:4 pattern is fixed.
 */
public class SemiStructuredLinear extends SparseLinear {

    /** A layer over a 2:4 weight and its values (copied), with a copy of {@code bias} [out] or none (null). */
    public SemiStructuredLinear(SemiStructured24 weight, Tensor bias) {
        super(weight, bias);
    }

    @Override
    public SemiStructured24 weight() {
        return (SemiStructured24) super.weight();
    }
}

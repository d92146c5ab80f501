package dev.shears.nn;

import dev.shears.autograd.Var;
import dev.shears.sparse.BitmapMatrix;
import dev.shears.sparse.CsrMatrix;
import dev.shears.sparse.SemiStructured24;
import dev.shears.tensor.Rng;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;
import java.util.List;

/**
 * y = x·Wᵀ + b with weight [out, in] and bias [out]; x is [..., in]. PyTorch's initialisation:
 * both drawn from U(-1/√in, 1/√in).
 */
public class Linear extends Projection {
    private final int inFeatures;
    private final int outFeatures;
    private final Parameter weight;
    private final Parameter bias;

    public Linear(int inFeatures, int outFeatures, Rng rng) {
        this(inFeatures, outFeatures, true, rng);
    }

    public Linear(int inFeatures, int outFeatures, boolean bias, Rng rng) {
        if (inFeatures < 1 || outFeatures < 1) {
            throw new IllegalArgumentException("Linear: features " + inFeatures + " -> " + outFeatures + " must be >= 1");
        }
        this(Init.torchDefaultWeight(rng, outFeatures, inFeatures),
                bias ? Init.torchDefaultBias(rng, inFeatures, outFeatures) : null);
    }

    private Linear(Tensor weight, Tensor bias) {
        this.inFeatures = weight.dim(1);
        this.outFeatures = weight.dim(0);
        this.weight = param("weight", weight);
        this.bias = bias == null ? null : param("bias", bias);
    }

    /**
     * A layer holding copies of {@code weight} and {@code bias}, unmasked.
     *
     * @param weight F32 {@code [out, in]}, both at least 1
     * @param bias   F32 {@code [out]}, or null for none
     * @throws ShapeException naming the shapes
     */
    public static Linear of(Tensor weight, Tensor bias) {
        if (weight.rank() != 2 || weight.dim(0) < 1 || weight.dim(1) < 1) {
            throw new ShapeException("Linear.of: weight " + weight.shape() + " must be [out, in] with out, in >= 1");
        }
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != weight.dim(0))) {
            throw new ShapeException("Linear.of: bias " + bias.shape() + " must be [" + weight.dim(0) + "] for weight "
                    + weight.shape());
        }
        return new Linear(weight.copy(), bias == null ? null : bias.copy());
    }

    @Override
    public Var forward(Var x) {
        receive(x);
        return Functional.linear(x, weight.effective(), bias);
    }

    public Parameter weight() {
        return weight;
    }

    @Override
    public Parameter bias() {
        return bias;
    }

    @Override
    public int inFeatures() {
        return inFeatures;
    }

    @Override
    public int outFeatures() {
        return outFeatures;
    }

    /** The weight with its masked entries zero, a copy. */
    @Override
    public Tensor toDense() {
        Tensor keep = weight.maskF32();
        return keep == null ? weight.value().copy() : weight.value().mul(keep);
    }

    /**
     * A sparse layer computing what this one computes now, with copies of the weight and bias: the
     * weight's masked-out entries (see {@link Parameter#setMask}) are not stored, the others are,
     * zeros included. Without a mask, CSR and bitmap store the non-zeros and 2:4 keeps the 2
     * largest-magnitude weights of every 4 (the same function only if the weight already was 2:4).
     *
     * @return a {@link SemiStructuredLinear} for {@link SparseFormat#SEMI_STRUCTURED_24}, else a {@link SparseLinear}
     * @throws dev.shears.sparse.SparseFormatException for 2:4 when {@code in} is not a multiple of
     *     4 or the mask keeps more than 2 of some group of 4
     */
    public SparseLinear toSparse(SparseFormat format) {
        Tensor w = weight.value();
        Tensor keep = weight.maskF32();
        Tensor b = bias == null ? null : bias.value();
        return switch (format) {
            case CSR -> new SparseLinear(keep == null ? CsrMatrix.fromDense(w)
                    : CsrMatrix.fromDenseAndMask(w, keep), b);
            case BITMAP -> new SparseLinear(keep == null ? BitmapMatrix.fromDense(w)
                    : BitmapMatrix.fromDenseAndMask(w, keep), b);
            case SEMI_STRUCTURED_24 -> new SemiStructuredLinear(semiStructuredWeight(), b);
        };
    }

    /** The weight as 2:4, selected as {@link #toSparse} does; ARMOR starts from the same core. */
    SemiStructured24 semiStructuredWeight() {
        Tensor keep = weight.maskF32();
        return keep == null ? SemiStructured24.fromDense(weight.value())
                : SemiStructured24.fromDenseAndMask(weight.value(), keep);
    }

    @Override
    protected List<Parameter> ownPrunable() {
        return List.of(weight);
    }

    @Override
    public String toString() {
        return "Linear(" + inFeatures + " -> " + outFeatures + (bias == null ? ", no bias" : "") + ")";
    }
}

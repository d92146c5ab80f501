package dev.shears.nn;

import dev.shears.autograd.Var;
import dev.shears.autograd.ops.SparseFunctions;
import dev.shears.sparse.BitmapMatrix;
import dev.shears.sparse.CsrMatrix;
import dev.shears.sparse.SparseMatrix;
import dev.shears.sparse.SparseOps;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;
import java.util.List;

/**
 * y = x·Wᵀ + b with a sparse weight W [out, in] (CSR or bitmap here; 2:4 in
 * {@link SemiStructuredLinear}) and bias [out]; x is [..., in]. The pattern, which positions are
 * stored, is fixed; the stored values are the trainable parameter {@code values} (laid out as
 * {@link SparseOps#values}: F32 [nnz] for CSR and bitmap), so optimizers and state dicts treat
 * them like any weight and training never changes the structure. The pattern itself is not state:
 * keep it with {@code SparseTensors.write(file, name, layer.weight())}.
 *
 * <p>{@link #prunable()} is the values: a mask set on them zeroes stored entries (they stay stored).
 */
public class SparseLinear extends Projection {
    private final SparseMatrix pattern;
    private final Parameter values;
    private final Parameter bias;

    /** A layer over a CSR weight and its values (copied), with a copy of {@code bias} [out] or none (null). */
    public SparseLinear(CsrMatrix weight, Tensor bias) {
        this((SparseMatrix) weight, bias);
    }

    /** A layer over a bitmap weight and its values (copied), with a copy of {@code bias} [out] or none (null). */
    public SparseLinear(BitmapMatrix weight, Tensor bias) {
        this((SparseMatrix) weight, bias);
    }

    SparseLinear(SparseMatrix weight, Tensor bias) {
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != weight.rows())) {
            throw new ShapeException(getClass().getSimpleName() + ": bias " + bias.shape() + " must be ["
                    + weight.rows() + "] (out) for weight " + weight);
        }
        this.pattern = weight;
        this.values = param("values", SparseOps.values(weight).copy());
        this.bias = bias == null ? null : param("bias", bias.copy());
    }

    /** x [..., in] → [..., out]. */
    @Override
    public Var forward(Var x) {
        receive(x);
        return SparseFunctions.linear(x, pattern, values.effective(), bias);
    }

    /** The weight with the current values (masked ones zero): a snapshot, not updated by training. */
    public SparseMatrix weight() {
        return SparseOps.withValues(pattern, values.effective().value());
    }

    /** The stored values, trainable. */
    public Parameter values() {
        return values;
    }

    @Override
    public Parameter bias() {
        return bias;
    }

    @Override
    public int inFeatures() {
        return pattern.cols();
    }

    @Override
    public int outFeatures() {
        return pattern.rows();
    }

    /** The equivalent dense weight, F32 [out, in], zeros where nothing is stored. */
    @Override
    public Tensor toDense() {
        return weight().toDense();
    }

    /**
     * A dense {@link Linear} computing the same function, its weight masked to the stored positions
     * (minus those masked on {@link #values()}), so training it keeps this layer's sparsity.
     */
    public Linear toLinear() {
        Linear fc = Linear.of(toDense(), bias == null ? null : bias.value());
        Tensor kept = values.isMasked() ? values.maskF32() : Tensor.ones(values.shape().dims());
        fc.weight().setMask(SparseOps.withValues(pattern, kept).toDense());
        return fc;
    }

    @Override
    protected List<Parameter> ownPrunable() {
        return List.of(values);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + inFeatures() + " -> " + outFeatures() + ", "
                + pattern.getClass().getSimpleName() + " nnz " + pattern.nnz() + (bias == null ? ", no bias" : "")
                + ")";
    }
}

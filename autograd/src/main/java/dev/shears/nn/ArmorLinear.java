package dev.shears.nn;

import dev.shears.autograd.Var;
import dev.shears.autograd.ops.SparseFunctions;
import dev.shears.sparse.BlockDiagonal;
import dev.shears.sparse.SemiStructured24;
import dev.shears.sparse.SparseOps;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;
import java.util.List;

/**
 * ARMOR's factorised linear layer y = x·Ŵᵀ + b with Ŵ = A·S·B [out, in]: A [out, out] and B
 * [in, in] block-diagonal with one block size, S a 2:4 core. Trainable parameters, in this order:
 * {@code a} (A's blocks, F32 [out/b, b, b]), {@code coreValues} (S's kept values, F32 [out, in/2];
 * S's 2:4 pattern is fixed), {@code b} (B's blocks, [in/b, b, b]) and {@code bias} [out]. The
 * forward runs x through Bᵀ, the 2:4 product and Aᵀ and never builds Ŵ; without a graph to record
 * (inference) it is one fused pass. The discrete update of S's pattern belongs to the pruning
 * method, not to this layer.
 *
 * <p>{@link #prunable()} is the core's values; A and B are dense rotations, not pruning targets.
 */
public class ArmorLinear extends Projection {
    private final SemiStructured24 core;
    private final BlockDiagonal aPattern; // A's and B's structure; their values are the parameters
    private final BlockDiagonal bPattern;
    private final Parameter a;
    private final Parameter coreValues;
    private final Parameter b;
    private final Parameter bias;

    /**
     * A layer from copies of its factors.
     *
     * @param a    block-diagonal [out, out]
     * @param core 2:4 [out, in]
     * @param b    block-diagonal [in, in], with A's block size
     * @param bias F32 [out], or null for none
     * @throws ShapeException if the factors do not compose or the bias is not [out]
     */
    public ArmorLinear(BlockDiagonal a, SemiStructured24 core, BlockDiagonal b, Tensor bias) {
        SparseOps.checkArmor("ArmorLinear", a, core, b);
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != core.rows())) {
            throw new ShapeException("ArmorLinear: bias " + bias.shape() + " must be [" + core.rows()
                    + "] (out) for core " + core);
        }
        this.core = core;
        this.aPattern = a;
        this.bPattern = b;
        this.a = param("a", a.blocks().copy());
        this.coreValues = param("coreValues", core.values().copy());
        this.b = param("b", b.blocks().copy());
        this.bias = bias == null ? null : param("bias", bias.copy());
    }

    /**
     * The ARMOR layer that starts as {@code linear}'s 2:4 pruning: A = B = I, S the 2:4 selection of
     * {@link Linear#toSparse} (the mask's positions if {@code linear} is masked, else the 2 largest
     * magnitudes of every 4), the bias copied.
     *
     * @param blockSize the side of A's and B's blocks; must divide both {@code in} and {@code out}
     * @throws ShapeException if {@code blockSize} is below 1 or does not divide in and out
     * @throws dev.shears.sparse.SparseFormatException if {@code in} is not a multiple of 4 or the
     *     mask keeps more than 2 of some group of 4
     */
    public static ArmorLinear from(Linear linear, int blockSize) {
        int in = linear.inFeatures();
        int out = linear.outFeatures();
        if (blockSize < 1 || in % blockSize != 0 || out % blockSize != 0) {
            throw new ShapeException("ArmorLinear.from: blockSize = " + blockSize
                    + " must be >= 1 and divide both in = " + in + " and out = " + out + " of " + linear);
        }
        Tensor bias = linear.bias() == null ? null : linear.bias().value();
        return new ArmorLinear(BlockDiagonal.identity(out / blockSize, blockSize), linear.semiStructuredWeight(),
                BlockDiagonal.identity(in / blockSize, blockSize), bias);
    }

    /** x [..., in] → [..., out]. */
    @Override
    public Var forward(Var x) {
        receive(x);
        return SparseFunctions.armor(x, aPattern, a, core, coreValues.effective(), bPattern, b, bias);
    }

    /** A's blocks, [out/b, b, b]. */
    public Parameter a() {
        return a;
    }

    /** The 2:4 core's kept values, [out, in/2]. */
    public Parameter coreValues() {
        return coreValues;
    }

    /** B's blocks, [in/b, b, b]. */
    public Parameter b() {
        return b;
    }

    @Override
    public Parameter bias() {
        return bias;
    }

    /** The 2:4 core with the current values (masked ones zero): a snapshot, not updated by training. */
    public SemiStructured24 core() {
        return core.withValues(coreValues.effective().value());
    }

    @Override
    public int inFeatures() {
        return core.cols();
    }

    @Override
    public int outFeatures() {
        return core.rows();
    }

    public int blockSize() {
        return a.dim(1);
    }

    /** The equivalent dense weight Ŵ = A·S·B, F32 [out, in] (in general dense). */
    @Override
    public Tensor toDense() {
        Tensor ad = BlockDiagonal.of(a.value()).toDense();
        Tensor bd = BlockDiagonal.of(b.value()).toDense();
        return ad.matmul(core().toDense()).matmul(bd);
    }

    /** An unmasked dense {@link Linear} with weight {@link #toDense()} and a copy of the bias. */
    public Linear toLinear() {
        return Linear.of(toDense(), bias == null ? null : bias.value());
    }

    @Override
    protected List<Parameter> ownPrunable() {
        return List.of(coreValues);
    }

    @Override
    public String toString() {
        return "ArmorLinear(" + inFeatures() + " -> " + outFeatures() + ", blocks " + blockSize() + "x" + blockSize()
                + (bias == null ? ", no bias" : "") + ")";
    }
}

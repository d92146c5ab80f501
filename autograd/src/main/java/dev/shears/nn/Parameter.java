package dev.shears.nn;

import dev.shears.autograd.Var;
import dev.shears.sparse.Mask;
import dev.shears.tensor.DType;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;
import java.util.Objects;

/**
 * A trainable leaf {@link Var} with a name and an optional mask (U8 or F32, same shape as the
 * value; 0 = pruned, 1 = kept). Layers compute with {@link #effective()} = value ⊙ mask as a graph
 * op, so pruned entries get exactly zero gradient; optimizers multiply their updates by
 * {@link #maskF32()}, so pruned entries never move.
 */
public class Parameter extends Var {
    private final String name;
    private Tensor mask;
    private Tensor maskF32;

    public Parameter(String name, Tensor value) {
        super(requireF32(name, value), true);
        this.name = Objects.requireNonNull(name, "name");
    }

    private static Tensor requireF32(String name, Tensor value) {
        Objects.requireNonNull(value, "value");
        if (value.dtype() != DType.F32) {
            throw new IllegalArgumentException("Parameter '" + name + "': value is " + value.dtype() + ", not F32");
        }
        return value;
    }

    /** The local name this parameter was created with (its module registers the dotted name). */
    public String name() {
        return name;
    }

    /** Sets (or, with null, clears) the mask; the value itself is left as is (see {@link #applyMask()}). */
    public Parameter setMask(Tensor mask) {
        if (mask == null) {
            this.mask = null;
            this.maskF32 = null;
            return this;
        }
        if (mask.dtype() != DType.U8 && mask.dtype() != DType.F32) {
            throw new IllegalArgumentException("Parameter '" + name + "': mask is " + mask.dtype() + "; use U8 or F32");
        }
        if (!mask.shape().equals(value().shape())) {
            throw new ShapeException("Parameter '" + name + "': mask " + mask.shape() + " does not match value "
                    + value().shape());
        }
        Tensor f = mask.to(DType.F32).ne(0f).to(DType.F32).contiguous();
        this.mask = mask;
        this.maskF32 = f;
        return this;
    }

    /** Sets a {@link Mask} (null clears it); see {@link #setMask(Tensor)}. */
    public Parameter setMask(Mask mask) {
        return setMask(mask == null ? null : mask.tensor());
    }

    /**
     * Intersects the current mask with {@code mask} (iterative pruning: what was pruned stays
     * pruned), or sets it when unmasked, and zeroes the newly pruned entries.
     */
    public Parameter pruneTo(Mask mask) {
        Mask combined = this.mask == null ? mask : Mask.of(this.mask).and(mask);
        return setMask(combined).applyMask();
    }

    /** The mask as a {@link Mask}, or null when unmasked. */
    public Mask maskPattern() {
        return mask == null ? null : Mask.of(mask);
    }

    /**
     * Folds the mask into the value for good: pruned entries become zero and the mask is dropped,
     * so they may train again from zero (what "making pruning permanent" means for a dense layer).
     */
    public Parameter makePermanent() {
        applyMask();
        return clearMask();
    }

    /** Drops the mask (the value is left as is). */
    public Parameter clearMask() {
        return setMask((Tensor) null);
    }

    /** The mask as given to {@link #setMask}, or null when unmasked. */
    public Tensor mask() {
        return mask;
    }

    /** The mask as 0/1 F32 values, or null when unmasked. */
    public Tensor maskF32() {
        return maskF32;
    }

    public boolean isMasked() {
        return mask != null;
    }

    /** Zeroes (to +0.0) the masked-out entries of the value in place (a no-op when unmasked). */
    public Parameter applyMask() {
        if (maskF32 != null) {
            value().muli(maskF32).addi(0f); // + 0 turns the -0.0 of negative pruned entries into +0.0
        }
        return this;
    }

    /** value ⊙ mask as a graph op (this Var itself when unmasked); layers compute with this. */
    public Var effective() {
        return maskF32 == null ? this : this.mul(Var.constant(maskF32));
    }

    /** The number of kept entries (all of them when unmasked). */
    public int kept() {
        return maskF32 == null ? numel() : (int) Math.round(maskF32.sum().item());
    }

    @Override
    public String toString() {
        return "Parameter[" + name + (mask != null ? ", masked" : "") + "] " + value();
    }
}

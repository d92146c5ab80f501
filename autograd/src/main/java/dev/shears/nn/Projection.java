package dev.shears.nn;

import dev.shears.autograd.Var;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A layer computing y = x·Wᵀ + b for inputs [..., in], whatever holds W: a dense {@link Linear},
 * a {@link SparseLinear} (CSR, bitmap, 2:4) or a factorised {@link ArmorLinear}. Transformer blocks
 * hold their projections as this type, so a pruned model can swap a dense projection for its
 * sparse form in place ({@link Module#replace}). Every projection has input hooks, through which
 * post-training pruning streams its calibration statistics.
 */
public abstract class Projection extends Layer {
    private final InputHooks inputHooks = new InputHooks();

    public abstract int inFeatures();

    public abstract int outFeatures();

    /** The dense weight W this layer applies now, F32 [out, in] (masked entries zero). */
    public abstract Tensor toDense();

    /** The bias, or null when built without one. */
    public abstract Parameter bias();

    /**
     * Registers an observer of this layer's inputs [..., in], called on every forward pass before
     * the product (calibration statistics for post-training pruning); close the registration to stop.
     */
    public final InputHooks.Registration onInput(Consumer<Tensor> observer) {
        return inputHooks.add(observer);
    }

    /** Checks that {@code x} is [..., in] and hands it to the input observers; the forward's first step. */
    protected final void receive(Var x) {
        if (x.rank() < 1 || x.dim(-1) != inFeatures()) {
            throw new ShapeException(this + ": input " + x.shape() + " must end in " + inFeatures());
        }
        inputHooks.fire(x);
    }

    /** Hands {@code x} to the input observers, for a caller that computes this layer's product itself. */
    final void fireInputHooks(Var x) {
        inputHooks.fire(x);
    }

    /**
     * {@link Module#accept} for a module that keeps projections in fields: hands {@code replacement}
     * to the slot named {@code name} (each slot sets one field).
     *
     * @throws UnsupportedOperationException if {@code name} is not a slot, or the replacement is not a
     *     projection of the shape of {@code old}
     */
    public static void fill(Module owner, String name, Module old, Module replacement,
            Map<String, Consumer<Projection>> slots) {
        Consumer<Projection> slot = slots.get(name);
        if (slot == null) {
            throw new UnsupportedOperationException(owner.getClass().getSimpleName() + " does not let its child '" + name
                    + "' be replaced; its projections are " + slots.keySet());
        }
        if (!(old instanceof Projection was) || !(replacement instanceof Projection p)
                || p.inFeatures() != was.inFeatures() || p.outFeatures() != was.outFeatures()) {
            throw new UnsupportedOperationException(owner.getClass().getSimpleName() + ": '" + name + "' is " + old
                    + "; it can only be replaced by a projection of the same shape, not " + replacement);
        }
        slot.accept(p);
    }
}

package dev.shears.nn;

import dev.shears.autograd.Var;
import dev.shears.tensor.Tensor;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The observers of a layer's inputs: each forward pass hands them the input value before the layer
 * computes. Post-training pruning calibrates through them, streaming activations into running
 * statistics (per-column sums of squares, XᵀX) instead of storing them. An observer must not
 * change the tensor it is given.
 */
public final class InputHooks {
    private final List<Consumer<Tensor>> observers = new CopyOnWriteArrayList<>();

    /** A registered observer; closing it unregisters it. */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** Registers {@code observer} for every later forward pass until the registration is closed. */
    public Registration add(Consumer<Tensor> observer) {
        Objects.requireNonNull(observer, "observer");
        observers.add(observer);
        return () -> observers.remove(observer);
    }

    /** Whether any observer is registered. */
    public boolean isEmpty() {
        return observers.isEmpty();
    }

    /** Hands {@code input}'s value to every observer, in registration order. */
    void fire(Var input) {
        for (Consumer<Tensor> o : observers) {
            o.accept(input.value());
        }
    }
}

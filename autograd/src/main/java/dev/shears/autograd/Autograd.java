package dev.shears.autograd;

import dev.shears.tensor.Shape;
import dev.shears.tensor.Tensor;
import java.util.Arrays;

/**
 * Global switches of the autograd engine and the one broadcasting helper every op shares.
 *
 * <pre>{@code
 * try (var g = Autograd.noGrad()) {
 *     Var y = model.forward(x); // no graph is recorded here
 * }
 * }</pre>
 */
public final class Autograd {
    private static final ThreadLocal<int[]> NO_GRAD_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private Autograd() {}

    /** A scope (thread-local, nestable) in which ops record no graph; close it to leave. */
    public static NoGrad noGrad() {
        NO_GRAD_DEPTH.get()[0]++;
        return new NoGrad();
    }

    /** Whether ops on this thread record a graph (false inside {@link #noGrad()}). */
    public static boolean isGradEnabled() {
        return NO_GRAD_DEPTH.get()[0] == 0;
    }

    /** The scope returned by {@link #noGrad()}; closing it twice is harmless. */
    public static final class NoGrad implements AutoCloseable {
        private final Thread owner = Thread.currentThread();
        private boolean closed;

        private NoGrad() {}

        @Override
        public void close() {
            if (closed) {
                return;
            }
            if (Thread.currentThread() != owner) {
                throw new IllegalStateException("Autograd.noGrad: scope opened on thread " + owner.getName()
                        + " closed on " + Thread.currentThread().getName());
            }
            closed = true;
            NO_GRAD_DEPTH.get()[0]--;
        }
    }

    /**
     * Sums {@code grad} over the axes along which an operand of {@code shape} was broadcast, so
     * the result has exactly {@code shape}: leading extra axes are summed away and axes where
     * {@code shape} has size 1 (but {@code grad} does not) are summed with keepDim.
     *
     * @throws IllegalArgumentException if {@code shape} does not broadcast to {@code grad}'s shape
     */
    public static Tensor unbroadcast(Tensor grad, Shape shape) {
        Shape gs = grad.shape();
        if (gs.equals(shape)) {
            return grad;
        }
        int lead = gs.rank() - shape.rank();
        if (lead < 0) {
            throw new IllegalArgumentException("unbroadcast: gradient " + gs + " has lower rank than operand " + shape);
        }
        int[] axes = new int[gs.rank()];
        int n = 0;
        for (int i = 0; i < gs.rank(); i++) {
            if (i < lead) {
                axes[n++] = i;
            } else {
                int d = shape.dim(i - lead);
                if (d == 1 && gs.dim(i) != 1) {
                    axes[n++] = i;
                } else if (d != gs.dim(i)) {
                    throw new IllegalArgumentException("unbroadcast: operand " + shape + " does not broadcast to gradient "
                            + gs + " (axis " + i + ")");
                }
            }
        }
        Tensor summed = n == 0 ? grad : grad.sum(Arrays.copyOf(axes, n), true);
        return summed.reshape(shape.dims());
    }
}

package dev.shears.autograd;

import dev.shears.tensor.Tensor;

/**
 * The backward closure of a recorded op: given the gradient of the output, the gradients of the
 * inputs in argument order, each with its input's shape. An entry may be null for an input that
 * does not require grad (or that gets no gradient).
 */
@FunctionalInterface
public interface Backward {
    Tensor[] apply(Tensor gradOut);
}

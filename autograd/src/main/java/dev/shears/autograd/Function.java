package dev.shears.autograd;

import dev.shears.tensor.Tensor;

/**
 * A custom differentiable op, applied with {@link Var#apply(Function, Var...)}. Both methods see
 * plain tensors; {@code backward} returns one gradient per input (null where none), each with
 * that input's shape. Return fresh tensors or views of {@code gradOut}: a leaf may keep a returned
 * gradient as its own and add into it later (gradients aliasing an input or the output are copied).
 */
public interface Function {
    /** The op's name in the graph (for debugging); the class's simple name by default. */
    default String name() {
        String n = getClass().getSimpleName();
        return n.isEmpty() ? "custom" : n;
    }

    Tensor forward(Tensor... inputs);

    Tensor[] backward(Tensor gradOut, Tensor[] inputs, Tensor output);
}

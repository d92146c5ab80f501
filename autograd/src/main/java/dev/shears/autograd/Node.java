package dev.shears.autograd;

import java.util.List;

/**
 * One recorded operation: its inputs, its backward closure and its name (for debugging). A node
 * is released (inputs and closure dropped) once {@link Var#backward()} has passed through it.
 */
public final class Node {
    private final String op;
    private Var[] inputs;
    private Backward backward;

    Node(String op, Var[] inputs, Backward backward) {
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
    }

    /** The op name, e.g. {@code "matmul"}. */
    public String op() {
        return op;
    }

    /** The inputs in argument order (empty once released). */
    public List<Var> inputs() {
        return inputs == null ? List.of() : List.of(inputs);
    }

    /** Whether a backward pass already went through this node and dropped its graph. */
    public boolean isReleased() {
        return backward == null;
    }

    Var[] inputArray() {
        return inputs;
    }

    Backward backwardFn() {
        return backward;
    }

    void release() {
        inputs = null;
        backward = null;
    }

    @Override
    public String toString() {
        return "Node[" + op + (isReleased() ? ", released" : ", " + inputs.length + " inputs") + "]";
    }
}

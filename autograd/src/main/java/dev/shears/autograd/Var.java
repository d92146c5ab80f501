package dev.shears.autograd;

import dev.shears.autograd.ops.ElementwiseFunctions;
import dev.shears.autograd.ops.MatmulFunctions;
import dev.shears.autograd.ops.ReduceFunctions;
import dev.shears.autograd.ops.ShapeFunctions;
import dev.shears.autograd.ops.SoftmaxFunctions;
import dev.shears.tensor.Shape;
import dev.shears.tensor.Tensor;
import dev.shears.tensor.spi.Storage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A {@link Tensor} value in a differentiation graph. Leaves are made with {@link #constant}
 * (no gradient) or {@link #param} (trainable, {@link #requiresGrad()}); every op on a Var returns
 * a new Var that, when some input requires grad and grad mode is on (see
 * {@link Autograd#noGrad()}), records a {@link Node}. The math methods carry {@link Tensor}'s
 * names and signatures; their forward and backward rules live in the {@code ops.*Functions}
 * classes.
 *
 * <p>{@link #backward()} accumulates gradients into the leaves that require grad (a leaf used
 * twice, or reached by two backward passes, gets the sum) and releases the graph. Gradients of
 * intermediate results are not kept: {@link #grad()} of a non-leaf is null.
 */
public class Var {
    private final Tensor value;
    private final boolean requiresGrad;
    private final Node node;
    private Tensor grad;

    /** A leaf (for subclasses such as trainable parameters). */
    protected Var(Tensor value, boolean requiresGrad) {
        this(value, requiresGrad, null);
    }

    private Var(Tensor value, boolean requiresGrad, Node node) {
        this.value = Objects.requireNonNull(value, "value");
        this.requiresGrad = requiresGrad;
        this.node = node;
    }

    /** A leaf that needs no gradient (inputs, targets, masks). */
    public static Var constant(Tensor value) {
        return new Var(value, false);
    }

    /** A scalar constant. */
    public static Var constant(float value) {
        return new Var(Tensor.scalar(value), false);
    }

    /** A trainable leaf: {@link #backward()} accumulates into its {@link #grad()}. */
    public static Var param(Tensor value) {
        return new Var(value, true);
    }

    /**
     * The result of an op: records a node (named {@code op}, with {@code backward}) only when
     * grad mode is on and some input requires grad; otherwise a constant. This is how every op in
     * {@code ops} is built.
     */
    public static Var result(String op, Tensor value, Backward backward, Var... inputs) {
        if (Autograd.isGradEnabled()) {
            for (Var in : inputs) {
                if (in.requiresGrad) {
                    return new Var(value, true, new Node(op, inputs.clone(), backward));
                }
            }
        }
        return new Var(value, false);
    }

    /** Applies a custom {@link Function}: forward on the input values, backward as given. */
    public static Var apply(Function f, Var... inputs) {
        Tensor[] values = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            values[i] = inputs[i].value;
        }
        Tensor out = f.forward(values.clone());
        String name = f.name();
        return result(name, out, g -> {
            Tensor[] grads = f.backward(g, values, out);
            if (grads == null || grads.length != inputs.length) {
                throw new IllegalStateException("apply(" + name + "): backward returned "
                        + (grads == null ? "null" : grads.length + " gradients") + " for " + inputs.length + " inputs");
            }
            // A leaf may keep a returned gradient as its own: never let it alias a value of the graph.
            for (int k = 0; k < grads.length; k++) {
                if (grads[k] != null && (sharesStorage(grads[k], values) || grads[k].storage() == out.storage())) {
                    grads[k] = grads[k].copy();
                }
            }
            return grads;
        }, inputs);
    }

    private static boolean sharesStorage(Tensor t, Tensor[] values) {
        for (Tensor v : values) {
            if (v.storage() == t.storage()) {
                return true;
            }
        }
        return false;
    }

    // ==== accessors =============================================================================

    public Tensor value() {
        return value;
    }

    /** The accumulated gradient of a leaf (null before any backward or after {@link #zeroGrad()}). */
    public Tensor grad() {
        return grad;
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** The op that produced this Var, or null for a leaf. */
    public Node node() {
        return node;
    }

    public boolean isLeaf() {
        return node == null;
    }

    /** Drops the accumulated gradient. */
    public void zeroGrad() {
        grad = null;
    }

    /** The same value as a constant leaf, cut from the graph. */
    public Var detach() {
        return new Var(value, false);
    }

    public Shape shape() {
        return value.shape();
    }

    public int rank() {
        return value.rank();
    }

    public int dim(int axis) {
        return value.dim(axis);
    }

    public int numel() {
        return value.numel();
    }

    /** The value of a one-element Var. */
    public float item() {
        return value.item();
    }

    @Override
    public String toString() {
        return "Var[" + (node != null ? node.op() : requiresGrad ? "param" : "constant") + "] " + value;
    }

    // ==== backward ==============================================================================

    /**
     * Back-propagates from this one-element output (seed 1) into every leaf that requires grad,
     * then releases the graph. Iterative, so graphs of any depth work.
     *
     * @throws IllegalStateException if this output has more than one element, does not require
     *     grad, or its graph was already released by an earlier backward
     */
    public void backward() {
        if (value.numel() != 1) {
            throw new IllegalStateException("backward: output has shape " + value.shape() + " (" + value.numel()
                    + " elements); backward() needs a scalar loss: reduce it first, e.g. sum() or mean()");
        }
        if (!requiresGrad) {
            throw new IllegalStateException("backward: output does not require grad (no input is a param, "
                    + "it was computed under Autograd.noGrad(), or it was detached)");
        }
        backward(Tensor.ones(value.shape().dims()));
    }

    private void backward(Tensor seed) {
        List<Var> order = topologicalOrder();
        Map<Var, Tensor> pending = new IdentityHashMap<>();
        Set<Storage> handedToLeaves = Collections.newSetFromMap(new IdentityHashMap<>());
        pending.put(this, seed);
        for (int i = order.size() - 1; i >= 0; i--) {
            Var v = order.get(i);
            Tensor g = pending.remove(v);
            if (v.node == null) {
                if (g != null) {
                    v.accumulate(g, handedToLeaves);
                }
                continue;
            }
            Var[] inputs = v.node.inputArray();
            Backward fn = v.node.backwardFn();
            v.node.release();
            if (g == null) {
                continue;
            }
            Tensor[] grads = fn.apply(g);
            if (grads.length != inputs.length) {
                throw new IllegalStateException("backward of " + v.node.op() + " returned " + grads.length
                        + " gradients for " + inputs.length + " inputs");
            }
            for (int k = 0; k < inputs.length; k++) {
                Var in = inputs[k];
                if (!in.requiresGrad || grads[k] == null) {
                    continue;
                }
                if (!grads[k].shape().equals(in.value.shape())) {
                    throw new IllegalStateException("backward of " + v.node.op() + ": gradient for input " + k + " has shape "
                            + grads[k].shape() + " but the input has " + in.value.shape());
                }
                Tensor prev = pending.get(in);
                pending.put(in, prev == null ? grads[k] : prev.add(grads[k]));
            }
        }
    }

    /**
     * Adds {@code g} into this leaf's gradient. A first gradient that fills its own storage is kept
     * without a copy: the graph that made it is released after this pass, so the leaf is its only
     * holder, unless another leaf of the same pass got the same storage (the backward of {@code a + b}
     * hands one tensor to both), which {@code handed} detects. Views are copied.
     */
    private void accumulate(Tensor g, Set<Storage> handed) {
        if (grad != null) {
            grad.addi(g);
            return;
        }
        boolean wholeStorage = g.isContiguous() && g.layout().offset() == 0 && g.numel() == g.storage().size();
        grad = wholeStorage && handed.add(g.storage()) ? g : g.copy();
    }

    /** Every Var reachable through inputs that require grad, inputs before users; checks nothing is released. */
    private List<Var> topologicalOrder() {
        List<Var> order = new ArrayList<>();
        Set<Var> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Var> stack = new ArrayDeque<>();
        ArrayDeque<int[]> next = new ArrayDeque<>();
        seen.add(this);
        stack.push(this);
        next.push(new int[1]);
        while (!stack.isEmpty()) {
            Var top = stack.peek();
            int[] at = next.peek();
            Node n = top.node;
            if (n != null && n.isReleased()) {
                throw new IllegalStateException("backward: the graph through op '" + n.op() + "' was already released by "
                        + "an earlier backward() call; run the forward pass again to build a new graph");
            }
            Var[] ins = n == null ? null : n.inputArray();
            if (ins == null || at[0] == ins.length) {
                stack.pop();
                next.pop();
                order.add(top);
                continue;
            }
            Var child = ins[at[0]++];
            if (child.requiresGrad && seen.add(child)) {
                stack.push(child);
                next.push(new int[1]);
            }
        }
        return order;
    }

    // ==== element-wise ==========================================================================

    public Var add(Var other) { return ElementwiseFunctions.add(this, other); }

    public Var sub(Var other) { return ElementwiseFunctions.sub(this, other); }

    public Var mul(Var other) { return ElementwiseFunctions.mul(this, other); }

    public Var div(Var other) { return ElementwiseFunctions.div(this, other); }

    public Var add(float value) { return ElementwiseFunctions.add(this, value); }

    public Var sub(float value) { return ElementwiseFunctions.sub(this, value); }

    public Var mul(float value) { return ElementwiseFunctions.mul(this, value); }

    public Var div(float value) { return ElementwiseFunctions.div(this, value); }

    public Var neg() { return ElementwiseFunctions.neg(this); }

    public Var exp() { return ElementwiseFunctions.exp(this); }

    public Var log() { return ElementwiseFunctions.log(this); }

    public Var sqrt() { return ElementwiseFunctions.sqrt(this); }

    public Var rsqrt() { return ElementwiseFunctions.rsqrt(this); }

    public Var reciprocal() { return ElementwiseFunctions.reciprocal(this); }

    public Var tanh() { return ElementwiseFunctions.tanh(this); }

    public Var sigmoid() { return ElementwiseFunctions.sigmoid(this); }

    public Var relu() { return ElementwiseFunctions.relu(this); }

    public Var gelu() { return ElementwiseFunctions.gelu(this); }

    public Var geluTanh() { return ElementwiseFunctions.geluTanh(this); }

    public Var silu() { return ElementwiseFunctions.silu(this); }

    public Var square() { return ElementwiseFunctions.square(this); }

    public Var pow(float exponent) { return ElementwiseFunctions.pow(this, exponent); }

    public Var abs() { return ElementwiseFunctions.abs(this); }

    public Var clamp(float min, float max) { return ElementwiseFunctions.clamp(this, min, max); }

    // ==== reductions ============================================================================

    public Var sum() { return ReduceFunctions.sum(this); }

    public Var sum(int axis, boolean keepDim) { return ReduceFunctions.sum(this, axis, keepDim); }

    public Var sum(int[] axes, boolean keepDim) { return ReduceFunctions.sum(this, axes, keepDim); }

    public Var mean() { return ReduceFunctions.mean(this); }

    public Var mean(int axis, boolean keepDim) { return ReduceFunctions.mean(this, axis, keepDim); }

    public Var mean(int[] axes, boolean keepDim) { return ReduceFunctions.mean(this, axes, keepDim); }

    public Var max() { return ReduceFunctions.max(this); }

    public Var min() { return ReduceFunctions.min(this); }

    public Var var(int axis, boolean keepDim) { return ReduceFunctions.var(this, axis, keepDim); }

    public Var var(int[] axes, boolean keepDim, int correction) {
        return ReduceFunctions.var(this, axes, keepDim, correction);
    }

    public Var max(int axis, boolean keepDim) { return ReduceFunctions.max(this, axis, keepDim); }

    public Var min(int axis, boolean keepDim) { return ReduceFunctions.min(this, axis, keepDim); }

    public Var softmax(int axis) { return SoftmaxFunctions.softmax(this, axis); }

    public Var logSoftmax(int axis) { return SoftmaxFunctions.logSoftmax(this, axis); }

    // ==== linear algebra ========================================================================

    public Var matmul(Var other) { return MatmulFunctions.matmul(this, other); }

    // ==== shape =================================================================================

    public Var reshape(int... newShape) { return ShapeFunctions.reshape(this, newShape); }

    public Var flatten() { return ShapeFunctions.flatten(this); }

    public Var transpose(int axis0, int axis1) { return ShapeFunctions.transpose(this, axis0, axis1); }

    public Var t() { return ShapeFunctions.t(this); }

    public Var permute(int... order) { return ShapeFunctions.permute(this, order); }

    public Var narrow(int axis, int start, int length) { return ShapeFunctions.narrow(this, axis, start, length); }

    public Var slice(int axis, int start, int end) { return ShapeFunctions.slice(this, axis, start, end); }

    public Var expand(int... shape) { return ShapeFunctions.expand(this, shape); }

    public Var squeeze() { return ShapeFunctions.squeeze(this); }

    public Var squeeze(int axis) { return ShapeFunctions.squeeze(this, axis); }

    public Var unsqueeze(int axis) { return ShapeFunctions.unsqueeze(this, axis); }

    public Var indexSelect(int axis, Tensor index) { return ShapeFunctions.indexSelect(this, axis, index); }

    public Var gather(int axis, Tensor index) { return ShapeFunctions.gather(this, axis, index); }

    public static Var concat(List<Var> vars, int axis) { return ShapeFunctions.concat(vars, axis); }

    public static Var stack(List<Var> vars, int axis) { return ShapeFunctions.stack(vars, axis); }
}

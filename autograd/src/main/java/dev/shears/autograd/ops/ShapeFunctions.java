package dev.shears.autograd.ops;

import static dev.shears.autograd.Autograd.unbroadcast;

import dev.shears.autograd.Var;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Differentiable views, joins and index selections. */
public final class ShapeFunctions {
    private ShapeFunctions() {}

    public static Var reshape(Var a, int... newShape) {
        return Var.result("reshape", a.value().reshape(newShape), g -> new Tensor[] {g.reshape(a.shape().dims())}, a);
    }

    public static Var flatten(Var a) {
        return reshape(a, a.numel());
    }

    public static Var transpose(Var a, int axis0, int axis1) {
        return Var.result("transpose", a.value().transpose(axis0, axis1),
                g -> new Tensor[] {g.transpose(axis0, axis1)}, a);
    }

    public static Var t(Var a) {
        Tensor out = a.value().t();
        return Var.result("t", out, g -> new Tensor[] {g.t()}, a);
    }

    /** Result axis i is input axis order[i]; the gradient applies the inverse permutation. */
    public static Var permute(Var a, int... order) {
        Tensor out = a.value().permute(order);
        int r = a.rank();
        int[] inverse = new int[r];
        for (int i = 0; i < r; i++) {
            inverse[a.shape().axis(order[i], "permute")] = i;
        }
        return Var.result("permute", out, g -> new Tensor[] {g.permute(inverse)}, a);
    }

    /** The gradient is g written into a zero tensor at the narrowed range. */
    public static Var narrow(Var a, int axis, int start, int length) {
        Tensor out = a.value().narrow(axis, start, length);
        return Var.result("narrow", out, g -> {
            Tensor full = Tensor.zeros(a.shape().dims());
            full.narrow(axis, start, length).copyFrom(g);
            return new Tensor[] {full};
        }, a);
    }

    /** Negative bounds count from the end, as {@link Tensor#slice}. */
    public static Var slice(Var a, int axis, int start, int end) {
        int size = a.dim(a.shape().axis(axis, "slice"));
        Tensor probe = a.value().slice(axis, start, end); // validates
        int s = start < 0 ? start + size : start;
        return narrow(a, axis, s, probe.dim(a.shape().axis(axis, "slice")));
    }

    /** A broadcast view; the gradient sums over the expanded axes. */
    public static Var expand(Var a, int... shape) {
        return Var.result("expand", a.value().expand(shape), g -> new Tensor[] {unbroadcast(g, a.shape())}, a);
    }

    public static Var squeeze(Var a) {
        return Var.result("squeeze", a.value().squeeze(), g -> new Tensor[] {g.reshape(a.shape().dims())}, a);
    }

    public static Var squeeze(Var a, int axis) {
        return Var.result("squeeze", a.value().squeeze(axis), g -> new Tensor[] {g.reshape(a.shape().dims())}, a);
    }

    public static Var unsqueeze(Var a, int axis) {
        return Var.result("unsqueeze", a.value().unsqueeze(axis), g -> new Tensor[] {g.reshape(a.shape().dims())}, a);
    }

    /** Joins along {@code axis}; each input's gradient is its slice of g. */
    public static Var concat(List<Var> vars, int axis) {
        List<Tensor> values = new ArrayList<>(vars.size());
        for (Var v : vars) {
            values.add(v.value());
        }
        Tensor out = Tensor.concat(values, axis);
        int ax = out.shape().axis(axis, "concat");
        Var[] inputs = vars.toArray(new Var[0]);
        return Var.result("concat", out, g -> {
            Tensor[] grads = new Tensor[inputs.length];
            int at = 0;
            for (int i = 0; i < inputs.length; i++) {
                int len = inputs[i].dim(ax);
                grads[i] = inputs[i].requiresGrad() ? g.narrow(ax, at, len) : null;
                at += len;
            }
            return grads;
        }, inputs);
    }

    /** Stacks same-shape Vars along a new axis. */
    public static Var stack(List<Var> vars, int axis) {
        if (vars.isEmpty()) {
            throw new IllegalArgumentException("stack: no tensors given");
        }
        for (int i = 1; i < vars.size(); i++) {
            if (!vars.get(i).shape().equals(vars.get(0).shape())) {
                throw new ShapeException("stack: tensor " + i + " has shape " + vars.get(i).shape()
                        + " but tensor 0 has " + vars.get(0).shape() + "; all must match");
            }
        }
        List<Var> expanded = new ArrayList<>(vars.size());
        for (Var v : vars) {
            expanded.add(v.unsqueeze(axis));
        }
        return concat(expanded, axis);
    }

    /** Entries {@code index} (1-D I32) along {@code axis}; repeated indices sum their gradients (indexAdd). */
    public static Var indexSelect(Var a, int axis, Tensor index) {
        Tensor out = a.value().indexSelect(axis, index);
        return Var.result("indexSelect", out,
                g -> new Tensor[] {Tensor.zeros(a.shape().dims()).indexAdd(axis, index, g)}, a);
    }

    /** torch.gather; the gradient scatters g back (scatterAdd), summing repeated indices. */
    public static Var gather(Var a, int axis, Tensor index) {
        Tensor out = a.value().gather(axis, index);
        return Var.result("gather", out,
                g -> new Tensor[] {Tensor.zeros(a.shape().dims()).scatterAdd(axis, index, g)}, a);
    }
}

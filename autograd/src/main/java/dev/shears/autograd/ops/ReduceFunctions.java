package dev.shears.autograd.ops;

import dev.shears.autograd.Var;
import dev.shears.tensor.Shape;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;
import java.util.Arrays;

/** Differentiable reductions: the gradient is broadcast back over the reduced axes. */
public final class ReduceFunctions {
    private ReduceFunctions() {}

    /** Σ all elements → rank 0; d = g broadcast to the input shape. */
    public static Var sum(Var a) {
        return Var.result("sum", a.value().sum(), g -> new Tensor[] {g.broadcastTo(a.shape())}, a);
    }

    public static Var sum(Var a, int axis, boolean keepDim) {
        return sum(a, new int[] {axis}, keepDim);
    }

    public static Var sum(Var a, int[] axes, boolean keepDim) {
        Tensor out = a.value().sum(axes, keepDim);
        int[] norm = normalize(a.shape(), axes, "sum");
        return Var.result("sum", out, g -> new Tensor[] {spread(g, a.shape(), norm)}, a);
    }

    /** Mean of all elements → rank 0; d = g / n. */
    public static Var mean(Var a) {
        int n = a.numel();
        return Var.result("mean", a.value().mean(), g -> new Tensor[] {g.div((float) n).broadcastTo(a.shape())}, a);
    }

    public static Var mean(Var a, int axis, boolean keepDim) {
        return mean(a, new int[] {axis}, keepDim);
    }

    public static Var mean(Var a, int[] axes, boolean keepDim) {
        Tensor out = a.value().mean(axes, keepDim);
        int[] norm = normalize(a.shape(), axes, "mean");
        int count = 1;
        for (int ax : norm) {
            count *= a.shape().dim(ax);
        }
        float inv = 1f / count;
        return Var.result("mean", out, g -> new Tensor[] {spread(g.mul(inv), a.shape(), norm)}, a);
    }

    /** Maximum of all elements → rank 0; the gradient goes to the first maximum in flat order. */
    public static Var max(Var a) {
        return max(a.flatten(), 0, false);
    }

    /** Minimum of all elements → rank 0; the gradient goes to the first minimum in flat order. */
    public static Var min(Var a) {
        return min(a.flatten(), 0, false);
    }

    /** Unbiased variance (correction 1) over {@code axis}. */
    public static Var var(Var a, int axis, boolean keepDim) {
        return var(a, new int[] {axis}, keepDim, 1);
    }

    /**
     * Σ(x - mean)² / (n - correction) over {@code axes}, composed from mean, sub, square and sum
     * (so its gradient is theirs: 2(x - mean)/(n - correction)·g).
     */
    public static Var var(Var a, int[] axes, boolean keepDim, int correction) {
        a.value().var(axes, keepDim, correction); // validates axes and degrees of freedom
        int[] norm = normalize(a.shape(), axes, "var");
        int count = 1;
        for (int ax : norm) {
            count *= a.shape().dim(ax);
        }
        Var centered = a.sub(a.mean(norm, true));
        return centered.square().sum(norm, keepDim).div((float) (count - correction));
    }

    /** Max along {@code axis}; the whole gradient goes to the first maximum (Tensor.argmax). */
    public static Var max(Var a, int axis, boolean keepDim) {
        return extreme(a, axis, keepDim, true);
    }

    /** Min along {@code axis}; the whole gradient goes to the first minimum. */
    public static Var min(Var a, int axis, boolean keepDim) {
        return extreme(a, axis, keepDim, false);
    }

    private static Var extreme(Var a, int axis, boolean keepDim, boolean max) {
        Tensor x = a.value();
        Tensor out = max ? x.max(axis, keepDim) : x.min(axis, keepDim);
        int ax = a.shape().axis(axis, max ? "max" : "min");
        return Var.result(max ? "max" : "min", out, g -> {
            Tensor idx = max ? x.argmax(ax, true) : x.argmin(ax, true);
            Tensor gKeep = g.reshape(idx.shape().dims());
            return new Tensor[] {Tensor.zeros(x.shape().dims()).scatterAdd(ax, idx, gKeep)};
        }, a);
    }

    /** g (reduced over the sorted axes {@code norm}, with or without keepDim) broadcast back to {@code shape}. */
    static Tensor spread(Tensor g, Shape shape, int[] norm) {
        int[] keep = shape.dims().clone();
        for (int ax : norm) {
            keep[ax] = 1;
        }
        return g.reshape(keep).broadcastTo(shape);
    }

    static int[] normalize(Shape shape, int[] axes, String op) {
        int[] norm = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            norm[i] = shape.axis(axes[i], op);
        }
        Arrays.sort(norm);
        for (int i = 1; i < norm.length; i++) {
            if (norm[i] == norm[i - 1]) {
                throw new ShapeException(op + ": axis " + norm[i] + " is listed twice in " + Arrays.toString(axes));
            }
        }
        return norm;
    }
}

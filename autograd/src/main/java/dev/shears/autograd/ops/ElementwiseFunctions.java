package dev.shears.autograd.ops;

import static dev.shears.autograd.Autograd.unbroadcast;

import dev.shears.autograd.Autograd;
import dev.shears.autograd.Var;
import dev.shears.tensor.DType;
import dev.shears.tensor.Tensor;

/**
 * Element-wise differentiable ops: forward and backward side by side. Binary ops broadcast as
 * {@link Tensor} does and reduce their gradients with {@link dev.shears.autograd.Autograd#unbroadcast}.
 */
public final class ElementwiseFunctions {
    private static final Tensor ZERO = Tensor.scalar(0f);

    private ElementwiseFunctions() {}

    // ---- binary, broadcasting -----------------------------------------------------------------

    /** a + b (broadcast): da = Σ g, db = Σ g over broadcast axes. */
    public static Var add(Var a, Var b) {
        Tensor out = a.value().add(b.value());
        return Var.result("add", out, g -> new Tensor[] {unbroadcast(g, a.shape()), unbroadcast(g, b.shape())}, a, b);
    }

    /** a - b (broadcast): da = g, db = -g. */
    public static Var sub(Var a, Var b) {
        Tensor out = a.value().sub(b.value());
        return Var.result("sub", out, g -> new Tensor[] {
                unbroadcast(g, a.shape()),
                b.requiresGrad() ? unbroadcast(g.neg(), b.shape()) : null}, a, b);
    }

    /** a · b (broadcast): da = g·b, db = g·a. */
    public static Var mul(Var a, Var b) {
        Tensor out = a.value().mul(b.value());
        return Var.result("mul", out, g -> new Tensor[] {
                a.requiresGrad() ? unbroadcast(g.mul(b.value()), a.shape()) : null,
                b.requiresGrad() ? unbroadcast(g.mul(a.value()), b.shape()) : null}, a, b);
    }

    /** a / b (broadcast): da = g / b, db = -g · a / b². */
    public static Var div(Var a, Var b) {
        Tensor out = a.value().div(b.value());
        return Var.result("div", out, g -> new Tensor[] {
                a.requiresGrad() ? unbroadcast(g.div(b.value()), a.shape()) : null,
                b.requiresGrad() ? unbroadcast(g.mul(out).div(b.value()).neg(), b.shape()) : null}, a, b);
    }

    // ---- with a scalar ------------------------------------------------------------------------

    public static Var add(Var a, float s) {
        return Var.result("add", a.value().add(s), g -> new Tensor[] {g}, a);
    }

    public static Var sub(Var a, float s) {
        return Var.result("sub", a.value().sub(s), g -> new Tensor[] {g}, a);
    }

    public static Var mul(Var a, float s) {
        return Var.result("mul", a.value().mul(s), g -> new Tensor[] {g.mul(s)}, a);
    }

    public static Var div(Var a, float s) {
        return Var.result("div", a.value().div(s), g -> new Tensor[] {g.div(s)}, a);
    }

    // ---- unary --------------------------------------------------------------------------------

    public static Var neg(Var a) {
        return Var.result("neg", a.value().neg(), g -> new Tensor[] {g.neg()}, a);
    }

    /** d exp(x) = exp(x). */
    public static Var exp(Var a) {
        Tensor out = a.value().exp();
        return Var.result("exp", out, g -> new Tensor[] {g.mul(out)}, a);
    }

    /** d log(x) = 1 / x. */
    public static Var log(Var a) {
        return Var.result("log", a.value().log(), g -> new Tensor[] {g.div(a.value())}, a);
    }

    /** d √x = 1 / (2√x). */
    public static Var sqrt(Var a) {
        Tensor out = a.value().sqrt();
        return Var.result("sqrt", out, g -> new Tensor[] {g.div(out).mul(0.5f)}, a);
    }

    /** d x⁻¹ᐟ² = -½·x⁻³ᐟ² = -½·out³. */
    public static Var rsqrt(Var a) {
        Tensor out = a.value().rsqrt();
        return Var.result("rsqrt", out, g -> new Tensor[] {g.mul(out.square().mul(out)).mul(-0.5f)}, a);
    }

    /** d (1/x) = -1/x² = -out². */
    public static Var reciprocal(Var a) {
        Tensor out = a.value().reciprocal();
        return Var.result("reciprocal", out, g -> new Tensor[] {g.mul(out.square()).neg()}, a);
    }

    /** d tanh(x) = 1 - tanh²(x). */
    public static Var tanh(Var a) {
        Tensor out = a.value().tanh();
        return Var.result("tanh", out, g -> new Tensor[] {g.mul(out.square().neg().add(1f))}, a);
    }

    /** d σ(x) = σ(x)(1 - σ(x)). */
    public static Var sigmoid(Var a) {
        Tensor out = a.value().sigmoid();
        return Var.result("sigmoid", out, g -> new Tensor[] {g.mul(out).mul(out.neg().add(1f))}, a);
    }

    /** d relu(x) = [x > 0] (0 at the kink, as PyTorch). */
    public static Var relu(Var a) {
        return Var.result("relu", a.value().relu(), g -> new Tensor[] {Tensor.where(a.value().gt(0f), g, ZERO)}, a);
    }

    /**
     * d gelu(x) = Φ(x) + x·φ(x), in one fused pass. When a graph is recorded the forward pass keeps
     * Φ(x) ({@link Tensor#geluWithCdf}), so the backward pass needs no erf.
     */
    public static Var gelu(Var a) {
        Tensor x = a.value();
        if (!a.requiresGrad() || !Autograd.isGradEnabled()) {
            return Var.result("gelu", x.gelu(), g -> new Tensor[] {x.geluBackward(g)}, a);
        }
        Tensor[] yc = x.geluWithCdf();
        Tensor cdf = yc[1];
        return Var.result("gelu", yc[0], g -> new Tensor[] {x.geluBackward(g, cdf)}, a);
    }

    /**
     * geluTanh(x) = ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³):
     * d = ½(1 + tanh u) + ½x(1 - tanh²u)·√(2/π)(1 + 3·0.044715x²), in one fused pass.
     */
    public static Var geluTanh(Var a) {
        Tensor x = a.value();
        return Var.result("geluTanh", x.geluTanh(), g -> new Tensor[] {x.geluTanhBackward(g)}, a);
    }

    /** silu(x) = x·σ(x): d = σ(x)(1 + x(1 - σ(x))), in one fused pass. */
    public static Var silu(Var a) {
        Tensor x = a.value();
        return Var.result("silu", x.silu(), g -> new Tensor[] {x.siluBackward(g)}, a);
    }

    /** d x² = 2x. */
    public static Var square(Var a) {
        return Var.result("square", a.value().square(), g -> new Tensor[] {g.mul(a.value()).mul(2f)}, a);
    }

    /** d xᵖ = p·xᵖ⁻¹ (zero for p = 0). */
    public static Var pow(Var a, float p) {
        return Var.result("pow", a.value().pow(p), g -> new Tensor[] {
                p == 0f ? g.mul(0f) : g.mul(a.value().pow(p - 1f)).mul(p)}, a);
    }

    /** d |x| = sign(x) (0 at 0, as PyTorch). */
    public static Var abs(Var a) {
        Tensor x = a.value();
        return Var.result("abs", x.abs(), g -> {
            Tensor sign = x.gt(0f).to(DType.F32).sub(x.lt(0f).to(DType.F32));
            return new Tensor[] {g.mul(sign)};
        }, a);
    }

    /** d clamp(x) = [min ≤ x ≤ max] (the bounds pass gradient, as PyTorch). */
    public static Var clamp(Var a, float min, float max) {
        Tensor x = a.value();
        return Var.result("clamp", x.clamp(min, max), g -> {
            Tensor inside = x.ge(min).to(DType.F32).mul(x.le(max).to(DType.F32));
            return new Tensor[] {g.mul(inside)};
        }, a);
    }
}

package dev.shears.tensor;

import dev.shears.tensor.spi.Backend;
import dev.shears.tensor.spi.Storage;

/**
 * Layer normalisation as one kernel call per pass, run by the tensors' backend:
 * {@code y = (x - μ)/√(σ² + ε) ⊙ weight + bias} over the last {@code n} elements (σ² biased, as
 * torch.nn.LayerNorm), instead of the nine element-wise and reduction ops of the composed form
 * and their gradients. The forward pass returns each row's μ and 1/√(σ² + ε) for the backward pass.
 */
public final class FusedLayerNorm {
    private FusedLayerNorm() {}

    /** The output (x's shape, contiguous) and per-row mean and 1/√(σ² + ε) ([rows]). */
    public record Result(Tensor y, Tensor mean, Tensor rstd) {}

    /**
     * Normalises {@code x} over its last {@code n} elements (n ≥ 1 must divide numel and be the
     * product of x's trailing axes); {@code weight} and {@code bias} are [n]-element tensors or null.
     */
    public static Result forward(Tensor x, int n, Tensor weight, Tensor bias, float eps) {
        String op = "FusedLayerNorm.forward";
        int rows = rowsOf(op, x, n);
        Tensor w = param(op, "weight", weight, x, n);
        Tensor b = param(op, "bias", bias, x, n);
        Backend be = Backends.get(x.device());
        Storage y = be.allocate(DType.F32, x.numel());
        Storage mean = be.allocate(DType.F32, rows);
        Storage rstd = be.allocate(DType.F32, rows);
        be.layerNorm(x.storage(), x.layout(), n, w == null ? null : w.storage(), b == null ? null : b.storage(), eps, y,
                mean, rstd);
        return new Result(Tensor.wrap(y, Layout.contiguous(x.shape())), Tensor.wrap(mean, Layout.contiguous(Shape.of(rows))),
                Tensor.wrap(rstd, Layout.contiguous(Shape.of(rows))));
    }

    /**
     * The gradients {dx, dWeight, dBias} for the output gradient {@code g} of {@link #forward}
     * (its {@code mean} and {@code rstd}); dWeight is computed when {@code wantWeight}, dBias when
     * {@code wantBias} (null otherwise), each with {@code n} elements shaped like {@code paramShape}.
     */
    public static Tensor[] backward(Tensor g, Tensor x, int n, Tensor weight, Tensor mean, Tensor rstd,
                                    boolean wantWeight, boolean wantBias, Shape paramShape) {
        String op = "FusedLayerNorm.backward";
        int rows = rowsOf(op, x, n);
        if (!g.shape().equals(x.shape()) || g.dtype() != DType.F32 || !g.device().equals(x.device())) {
            throw new ShapeException(op + ": gradient " + g.shape() + " must be F32 of the input's shape " + x.shape());
        }
        for (Tensor t : new Tensor[] {mean, rstd}) {
            if (t.numel() != rows || t.dtype() != DType.F32 || !t.device().equals(x.device())) {
                throw new ShapeException(op + ": mean and rstd must have " + rows + " F32 elements, got " + t.shape());
            }
        }
        if (paramShape.numel() != n) {
            throw new ShapeException(op + ": parameter shape " + paramShape + " does not have " + n + " elements");
        }
        Tensor w = param(op, "weight", weight, x, n);
        Tensor m = flat(mean);
        Tensor r = flat(rstd);
        Backend be = Backends.get(x.device());
        Storage dx = be.allocate(DType.F32, x.numel());
        Storage dw = wantWeight ? be.allocate(DType.F32, n) : null;
        Storage db = wantBias ? be.allocate(DType.F32, n) : null;
        be.layerNormBackward(g.storage(), g.layout(), x.storage(), x.layout(), n, w == null ? null : w.storage(),
                m.storage(), r.storage(), dx, dw, db);
        Layout pl = Layout.contiguous(paramShape);
        return new Tensor[] {Tensor.wrap(dx, Layout.contiguous(x.shape())), dw == null ? null : Tensor.wrap(dw, pl),
            db == null ? null : Tensor.wrap(db, pl)};
    }

    private static int rowsOf(String op, Tensor x, int n) {
        if (x.dtype() != DType.F32) {
            throw new DTypeException(op + ": input is " + x.dtype() + ", needs F32");
        }
        int trailing = 1;
        boolean ok = n >= 1;
        for (int i = x.rank() - 1; ok && i >= 0 && trailing < n; i--) {
            trailing *= x.dim(i);
        }
        if (!ok || trailing != n) {
            throw new ShapeException(op + ": " + n + " is not the size of trailing axes of " + x.shape());
        }
        return x.numel() / n;
    }

    /** A parameter as a contiguous tensor from element 0 of its storage, or null. */
    private static Tensor param(String op, String name, Tensor p, Tensor x, int n) {
        if (p == null) {
            return null;
        }
        if (p.numel() != n || p.dtype() != DType.F32) {
            throw new ShapeException(op + ": " + name + " " + p.shape() + " (" + p.dtype() + ") must have " + n
                    + " F32 elements");
        }
        if (!p.device().equals(x.device())) {
            throw new DeviceMismatchException(op + " (" + name + ")", x.device(), p.device());
        }
        return flat(p);
    }

    private static Tensor flat(Tensor t) {
        return t.isContiguous() && t.layout().offset() == 0 ? t : t.copy();
    }
}

package dev.shears.autograd;

import dev.shears.tensor.DType;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;

/**
 * Checks analytic gradients against central differences, in F32.
 *
 * <p>The output y = fn(x₀, x₁, ...) is projected onto a random direction r (standard normal,
 * drawn from {@code seed}), giving the scalar L = Σ r⊙y, so non-scalar outputs work. For every
 * element j of every input, the analytic ∂L/∂xⱼ (one {@link Var#backward()}) is compared with
 * (L(xⱼ+ε) - L(xⱼ-ε)) / 2ε, the forward passes run under {@link Autograd#noGrad()} and L summed
 * in double.
 *
 * <p><b>Tolerances.</b> An element passes when |analytic - numeric| ≤ atol + rtol·max(|analytic|,
 * |numeric|). F32 forward passes carry relative rounding of about 6e-8·|L|·(ops), which central
 * differences divide by 2ε; with the defaults ε = 1e-2, rtol = 1e-2, atol = 1e-3 this rounding
 * (≈1e-5 for |L| ~ 10) and the O(ε²) truncation error (≈1e-4·|f'''|) stay well inside the bound
 * (the module's own checks, conv2d and pow(-1.5) included, use under 4% of it), while a wrong
 * rule (a missing factor, a dropped term) misses it by far. A smaller ε makes F32 rounding
 * dominate; raise atol if the outputs are large (|L| ≫ 100). Inputs
 * must stay ε away from kinks (relu, abs, clamp, max ties) and singularities (log, sqrt, div near 0).
 * The inputs given are used as they are (non-contiguous views stay non-contiguous) for the
 * analytic pass; the numeric passes perturb contiguous copies.
 */
public final class GradCheck {
    private GradCheck() {}

    /** Step and tolerances; {@link #DEFAULT} suits F32 ops on values of order 1. */
    public record Options(double eps, double rtol, double atol, long seed) {
        public static final Options DEFAULT = new Options(1e-2, 1e-2, 1e-3, 20261123L);

        public Options {
            if (!(eps > 0) || !(rtol >= 0) || !(atol >= 0)) {
                throw new IllegalArgumentException("GradCheck.Options: eps " + eps + " must be > 0, rtol " + rtol
                        + " and atol " + atol + " >= 0");
            }
        }

        public Options withEps(double e) { return new Options(e, rtol, atol, seed); }

        public Options withTolerance(double r, double a) { return new Options(eps, r, a, seed); }

        public Options withSeed(long s) { return new Options(eps, rtol, atol, s); }
    }

    /**
     * The outcome: the worst element (largest error relative to its allowance), both derivative
     * values there, and the seed of the projection.
     *
     * @param worstRatio |analytic - numeric| / (atol + rtol·max(|a|, |n|)); passes when ≤ 1
     */
    public record Report(boolean passed, int input, int element, double analytic, double numeric, double worstRatio,
                         int checked, Options options) {
        @Override
        public String toString() {
            return (passed ? "gradient check passed" : "gradient check FAILED") + ": worst is input " + input + " element "
                    + element + " (flat): analytic " + analytic + " vs numeric " + numeric + " (|diff| = "
                    + Math.abs(analytic - numeric) + ", " + String.format("%.3g", worstRatio)
                    + "x the allowance); " + checked + " elements checked, eps " + options.eps() + ", rtol "
                    + options.rtol() + ", atol " + options.atol() + ", seed " + options.seed();
        }
    }

    /** Thrown by {@link #check} when some element is off; carries the {@link Report}. */
    public static final class GradCheckFailure extends AssertionError {
        private final transient Report report;

        GradCheckFailure(Report report) {
            super(report.toString());
            this.report = report;
        }

        public Report report() {
            return report;
        }
    }

    /** Checks with {@link Options#DEFAULT}; returns the report or throws {@link GradCheckFailure}. */
    public static Report check(java.util.function.Function<Var[], Var> fn, Tensor... inputs) {
        return check(Options.DEFAULT, fn, inputs);
    }

    /** Checks with the given options; returns the report or throws {@link GradCheckFailure}. */
    public static Report check(Options options, java.util.function.Function<Var[], Var> fn, Tensor... inputs) {
        Report r = run(options, fn, inputs);
        if (!r.passed()) {
            throw new GradCheckFailure(r);
        }
        return r;
    }

    /** Runs the check and returns its report without throwing. */
    public static Report run(Options options, java.util.function.Function<Var[], Var> fn, Tensor... inputs) {
        if (inputs.length == 0) {
            throw new IllegalArgumentException("GradCheck: no inputs given");
        }
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i].dtype() != DType.F32) {
                throw new IllegalArgumentException("GradCheck: input " + i + " is " + inputs[i].dtype() + ", not F32");
            }
        }
        // Analytic pass on the inputs as given.
        Var[] params = new Var[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            params[i] = Var.param(inputs[i]);
        }
        Var y = fn.apply(params);
        Tensor r = Tensor.randn(Rng.seeded(options.seed()), y.shape().dims());
        float[] proj = r.toFloatArray();
        Var loss = y.mul(Var.constant(r)).sum();
        if (!loss.requiresGrad()) {
            throw new IllegalArgumentException("GradCheck: the output does not depend on any input through recorded ops");
        }
        loss.backward();

        // Numeric passes on contiguous copies, one element at a time.
        Tensor[] copies = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            copies[i] = inputs[i].copy();
        }
        double worst = -1;
        int worstIn = -1;
        int worstEl = -1;
        double worstA = 0;
        double worstN = 0;
        int checked = 0;
        float eps = (float) options.eps();
        try (var scope = Autograd.noGrad()) {
            for (int i = 0; i < inputs.length; i++) {
                Tensor grad = params[i].grad();
                float[] analytic = grad == null ? new float[inputs[i].numel()] : grad.contiguous().toFloatArray();
                Tensor flat = copies[i].view(-1);
                float[] x0 = copies[i].toFloatArray();
                for (int j = 0; j < x0.length; j++) {
                    Tensor cell = flat.narrow(0, j, 1);
                    float plus = x0[j] + eps;
                    float minus = x0[j] - eps;
                    cell.fill(plus);
                    double lp = project(fn, copies, proj);
                    cell.fill(minus);
                    double lm = project(fn, copies, proj);
                    cell.fill(x0[j]);
                    double numeric = (lp - lm) / ((double) plus - (double) minus);
                    double a = analytic[j];
                    double ratio = Math.abs(a - numeric)
                            / (options.atol() + options.rtol() * Math.max(Math.abs(a), Math.abs(numeric)));
                    if (Double.isNaN(ratio)) {
                        ratio = Double.POSITIVE_INFINITY;
                    }
                    checked++;
                    if (ratio > worst) {
                        worst = ratio;
                        worstIn = i;
                        worstEl = j;
                        worstA = a;
                        worstN = numeric;
                    }
                }
            }
        }
        return new Report(worst <= 1.0, worstIn, worstEl, worstA, worstN, Math.max(worst, 0), checked, options);
    }

    private static double project(java.util.function.Function<Var[], Var> fn, Tensor[] xs, float[] proj) {
        Var[] vs = new Var[xs.length];
        for (int i = 0; i < xs.length; i++) {
            vs[i] = Var.constant(xs[i]);
        }
        float[] y = fn.apply(vs).value().contiguous().toFloatArray();
        double s = 0;
        for (int k = 0; k < y.length; k++) {
            s += (double) proj[k] * y[k];
        }
        return s;
    }
}

package dev.shears.autograd;

import java.util.function.Function;
import dev.shears.tensor.Tensor;

/** Test assertion: analytic gradients of {@code fn} match central differences (fails with GradCheck's report). */
public final class GradAssert {
    private GradAssert() {}

    public static void assertGradientsMatch(Function<Var[], Var> fn, Tensor... inputs) {
        GradCheck.check(fn, inputs);
    }
}

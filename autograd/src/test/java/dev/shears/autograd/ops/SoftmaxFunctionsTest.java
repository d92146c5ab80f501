package dev.shears.autograd.ops;

import static dev.shears.autograd.GradAssert.assertGradientsMatch;
import static dev.shears.autograd.Inputs.randn;

import org.junit.jupiter.api.Test;

class SoftmaxFunctionsTest {

    @Test
    void softmaxAlongEachAxis() {
        assertGradientsMatch(v -> v[0].softmax(1), randn(1, 3, 5));
        assertGradientsMatch(v -> v[0].softmax(0), randn(2, 3, 5));
        assertGradientsMatch(v -> v[0].softmax(-1), randn(3, 2, 3, 4).transpose(0, 2));
    }

    @Test
    void logSoftmaxAlongEachAxis() {
        assertGradientsMatch(v -> v[0].logSoftmax(1), randn(4, 3, 5));
        assertGradientsMatch(v -> v[0].logSoftmax(0), randn(5, 4, 3).t());
        assertGradientsMatch(v -> v[0].logSoftmax(1), randn(6, 2, 3, 4).mul(3f));
    }
}

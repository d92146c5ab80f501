package dev.shears.autograd.ops;

import static dev.shears.autograd.GradAssert.assertGradientsMatch;
import static dev.shears.autograd.Inputs.randn;

import dev.shears.autograd.Var;
import dev.shears.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShapeFunctionsTest {

    @Test
    void reshapeAndFlatten() {
        assertGradientsMatch(v -> v[0].reshape(4, -1), randn(1, 2, 3, 4));
        assertGradientsMatch(v -> v[0].reshape(12), randn(2, 4, 3).t());
        assertGradientsMatch(v -> v[0].flatten(), randn(3, 2, 3));
    }

    @Test
    void transposeTAndPermute() {
        assertGradientsMatch(v -> v[0].transpose(0, 2).mul(v[1]), randn(4, 2, 3, 4), randn(5, 4, 3, 2));
        assertGradientsMatch(v -> v[0].t(), randn(6, 3, 5));
        assertGradientsMatch(v -> v[0].permute(1, 2, 0).mul(v[1]), randn(7, 2, 3, 4), randn(8, 3, 4, 2));
        assertGradientsMatch(v -> v[0].permute(2, 0, 1), randn(9, 2, 3, 4).narrow(2, 1, 2));
    }

    @Test
    void narrowAndSlice() {
        assertGradientsMatch(v -> v[0].narrow(1, 1, 2), randn(10, 3, 4));
        assertGradientsMatch(v -> v[0].narrow(0, 2, 3).mul(2f), randn(11, 4, 6).t());
        assertGradientsMatch(v -> v[0].slice(-1, -3, -1), randn(12, 2, 5));
    }

    @Test
    void expand() {
        assertGradientsMatch(v -> v[0].expand(2, 3, 4), randn(13, 3, 1));
        assertGradientsMatch(v -> v[0].expand(-1, 4), randn(14, 3, 1));
        assertGradientsMatch(v -> v[0].expand(3, 2, 4).mul(v[1]), randn(15, 4), randn(16, 3, 2, 4));
    }

    @Test
    void squeezeAndUnsqueeze() {
        assertGradientsMatch(v -> v[0].squeeze(), randn(17, 1, 3, 1, 4));
        assertGradientsMatch(v -> v[0].squeeze(2), randn(18, 2, 3, 1));
        assertGradientsMatch(v -> v[0].unsqueeze(1).mul(v[1]), randn(19, 3, 4), randn(20, 3, 2, 4));
    }

    @Test
    void concatAndStack() {
        assertGradientsMatch(v -> Var.concat(List.of(v[0], v[1], v[2]), 1), randn(21, 2, 3), randn(22, 2, 1), randn(23, 3, 2).t());
        assertGradientsMatch(v -> Var.concat(List.of(v[0], v[0].exp()), 0), randn(24, 2, 3));
        assertGradientsMatch(v -> Var.stack(List.of(v[0], v[1]), 1), randn(25, 2, 3), randn(26, 2, 3));
    }

    @Test
    void indexSelectWithRepeats() {
        Tensor idx = Tensor.ofInts(new int[] {2, 0, 2, 3}, 4);
        assertGradientsMatch(v -> v[0].indexSelect(0, idx), randn(27, 4, 3));
        assertGradientsMatch(v -> v[0].indexSelect(1, idx), randn(28, 5, 2).t());
    }

    @Test
    void gatherWithRepeats() {
        Tensor idx = Tensor.ofInts(new int[] {0, 2, 2, 1, 1, 1}, 2, 3);
        assertGradientsMatch(v -> v[0].gather(1, idx), randn(29, 2, 4).narrow(1, 0, 3));
        Tensor idx0 = Tensor.ofInts(new int[] {1, 0, 1, 1}, 2, 2);
        assertGradientsMatch(v -> v[0].gather(0, idx0), randn(30, 3, 2));
    }
}

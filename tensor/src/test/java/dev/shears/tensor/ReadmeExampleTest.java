package dev.shears.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The README's tensor example, verbatim, plus checks that it does what the README says. */
class ReadmeExampleTest {
    @Test
    void readmeExampleRunsAndMeansWhatItSays() {
        Rng rng = Rng.seeded(42);
        Tensor x = Tensor.randn(rng.split(), 32, 784);                 // [batch, in]
        Tensor w = Tensor.uniform(rng.split(), -0.05f, 0.05f, 300, 784); // [out, in]
        Tensor b = Tensor.zeros(300);
        Tensor h = x.matmul(w.t()).add(b).relu();                     // [32, 300]; w.t() is a view, no copy
        Tensor p = h.softmax(-1);                                     // stable softmax over the last axis
        Tensor top = p.topk(5, -1, true, true).indices();             // I32 [32, 5]
        float threshold = w.abs().kthValue(w.numel() / 2);            // O(n) median magnitude, no sort
        Tensor mask = w.abs().ge(threshold);                          // U8 mask
        Tensor pruned = Tensor.where(mask, w, Tensor.scalar(0f));

        assertEquals(Shape.of(32, 300), h.shape());
        assertEquals(w.storage(), w.t().storage(), "t() is a view over the same storage");
        float[] rowSums = p.sum(-1, false).toFloatArray();
        for (float s : rowSums) {
            assertEquals(1f, s, 1e-5f);
        }
        assertEquals(DType.I32, top.dtype());
        assertArrayEquals(new int[] {32, 5}, top.shape().dims());
        int kept = (int) mask.to(DType.F32).sum().item();
        assertEquals(w.numel() - w.numel() / 2 + 1, kept, "ties aside, everything at or above the median is kept");
        assertEquals(w.numel() - kept, (int) pruned.eq(0f).to(DType.F32).sum().item());

        ShapeException e = assertThrows(ShapeException.class, () -> Tensor.zeros(32, 784).matmul(Tensor.zeros(128, 10)));
        assertEquals("matmul: inner dimensions differ: lhs [32, 784] vs rhs [128, 10] (784 != 128)", e.getMessage());
    }
}

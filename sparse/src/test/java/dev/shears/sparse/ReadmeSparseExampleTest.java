package dev.shears.sparse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.sparse.select.GlobalThreshold;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Shape;
import dev.shears.tensor.Tensor;
import dev.shears.testing.ArrayAssert;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's sparse example, verbatim, plus checks that it does what the README says. */
class ReadmeSparseExampleTest {
    @Test
    void readmeExampleRunsAndMeansWhatItSays() {
        Rng rng = Rng.seeded(7);
        Tensor w1 = Tensor.randn(rng.split(), 512, 256);
        Tensor w2 = Tensor.randn(rng.split(), 256, 512);
        Tensor x = Tensor.randn(rng.split(), 8, 256);

        SemiStructured24 s = SemiStructured24.fromDense(w1);              // keeps the 2 largest |w| of every 4
        Tensor y = SparseOps.linear(x, s, null);                            // [8, 512] = x·Sᵀ, no dense weight built

        GlobalThreshold.Result r = GlobalThreshold.atDensity(List.of(w1.abs(), w2.abs()), 0.1);
        CsrMatrix c = CsrMatrix.fromDenseAndMask(w2, r.masks().get(1));   // one threshold across both layers

        assertEquals(Shape.of(8, 512), y.shape());
        ArrayAssert.assertClose(x.matmul(s.toDense().t()).toFloatArray(), y.toFloatArray(), 1e-5, 1e-5, "2:4 product");
        assertEquals(0.5, s.density(), 0.0);
        long kept = r.masks().get(0).keptCount() + r.masks().get(1).keptCount();
        assertEquals(Math.round(0.1 * 2 * 512 * 256), kept, "exactly 10% of all weights kept");
        assertEquals(r.masks().get(1).keptCount(), c.nnz());
        assertTrue(r.threshold() > 0);
    }
}

package dev.shears.pruning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.autograd.Autograd;
import dev.shears.autograd.Var;
import dev.shears.models.LeNet;
import dev.shears.nn.Layer;
import dev.shears.nn.Linear;
import dev.shears.nn.Sequential;
import dev.shears.nn.SparseFormat;
import dev.shears.nn.SparseLinear;
import dev.shears.sparse.SparseMatrix;
import dev.shears.sparse.SparseTensors;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import dev.shears.tensor.io.SafeTensors;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparseExportTest {

    private static float[] logits(Layer model, Tensor x) {
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            return model.forward(Var.constant(x)).value().toFloatArray();
        }
    }

    @Test
    void convertedLeNet5ComputesWhatTheMaskedModelComputesAndSharesItsConvolutions() {
        Sequential model = LeNet.lenet5(Rng.seeded(1));
        GlobalMagnitude.global(model, 0.9, Set.of());
        Tensor x = Tensor.randn(Rng.seeded(2), 3, 1, 28, 28);
        for (SparseFormat f : new SparseFormat[] {SparseFormat.CSR, SparseFormat.BITMAP}) {
            Sequential sparse = (Sequential) SparseExport.convert(model, f);
            assertInstanceOf(SparseLinear.class, sparse.get(7));
            assertSame(model.get(0), sparse.get(0), "the convolution is shared");
            float[] want = logits(model, x);
            float[] got = logits(sparse, x);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-5 * (1 + Math.abs(want[i])), f + " logit " + i);
            }
            long stored = ((SparseLinear) sparse.get(7)).weight().nnz();
            assertEquals(((Linear) model.get(7)).weight().kept(), stored, "only kept weights are stored");
        }
    }

    @Test
    void writtenFileHoldsTheSparseWeightsAndTheDenseRest(@TempDir Path dir) {
        Sequential model = LeNet.lenet300100(Rng.seeded(3));
        GlobalMagnitude.uniform(model, 0.8, Set.of());
        Layer sparse = SparseExport.convert(model, SparseFormat.CSR);
        Path file = dir.resolve("ticket.safetensors");
        SparseExport.write(file, sparse);

        Map<String, SparseMatrix> matrices = SparseTensors.read(file);
        assertEquals(Set.of("0.weight", "2.weight", "4.weight"), matrices.keySet());
        for (String name : matrices.keySet()) {
            Linear l = (Linear) model.get(Integer.parseInt(name.substring(0, 1)));
            assertArrayEquals(l.weight().value().toFloatArray(), matrices.get(name).toDense().toFloatArray(), name);
        }
        Map<String, Tensor> tensors = SafeTensors.read(file);
        for (String bias : new String[] {"0.bias", "2.bias", "4.bias"}) {
            Linear l = (Linear) model.get(Integer.parseInt(bias.substring(0, 1)));
            assertArrayEquals(l.bias().value().toFloatArray(), tensors.get(bias).toFloatArray(), bias);
        }
        assertTrue(tensors.keySet().stream().noneMatch(k -> k.endsWith(".values") && !k.contains("weight")),
                "no stray parameter copies: " + tensors.keySet());
    }
}

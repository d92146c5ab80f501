package dev.shears.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.autograd.Inputs;
import dev.shears.autograd.Var;
import dev.shears.nn.ArmorLinear;
import dev.shears.nn.Functional;
import dev.shears.nn.Layer;
import dev.shears.nn.Linear;
import dev.shears.nn.Parameter;
import dev.shears.nn.SemiStructuredLinear;
import dev.shears.nn.Sequential;
import dev.shears.nn.SparseLinear;
import dev.shears.nn.Tanh;
import dev.shears.sparse.BitmapMatrix;
import dev.shears.sparse.BlockDiagonal;
import dev.shears.sparse.CsrMatrix;
import dev.shears.sparse.Mask;
import dev.shears.sparse.SemiStructured24;
import dev.shears.sparse.SparseMatrix;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sparse layers train their values and keep their structure: after many steps of SGD (momentum,
 * weight decay) or AdamW the pattern is identical, the values moved, and values masked on the
 * values parameter are still exactly zero. (Masked dense Linear weights: {@link MaskedUpdateTest}.)
 */
class SparseTrainingTest {
    private static final int STEPS = 40;

    static Stream<Arguments> cases() {
        List<Function<List<Parameter>, Optimizer>> optimizers = List.of(
                ps -> new Sgd(ps, Sgd.Config.defaults().lr(0.1).momentum(0.9).weightDecay(0.05)),
                ps -> new AdamW(ps, AdamW.Config.defaults().lr(0.01).weightDecay(0.1)));
        List<Arguments> out = new ArrayList<>();
        for (String layer : List.of("csr", "bitmap", "semi24", "armor")) {
            out.add(Arguments.of(layer, "sgd", optimizers.get(0)));
            out.add(Arguments.of(layer, "adamw", optimizers.get(1)));
        }
        return out.stream();
    }

    /** An 8 -> 8 layer of the named kind. */
    private static Layer layer(String kind) {
        Tensor w = Inputs.randn(1, 8, 8);
        Tensor bias = Inputs.randn(2, 8);
        Tensor mask = Tensor.uniform(Rng.seeded(3), 0f, 1f, 8, 8).lt(0.4f);
        return switch (kind) {
            case "csr" -> new SparseLinear(CsrMatrix.fromDenseAndMask(w, mask), bias);
            case "bitmap" -> new SparseLinear(BitmapMatrix.fromDenseAndMask(w, mask), bias);
            case "semi24" -> new SemiStructuredLinear(SemiStructured24.fromDense(w), bias);
            default -> ArmorLinear.from(new Linear(8, 8, Rng.seeded(4)), 4);
        };
    }

    /** The structure tensors of a weight, as int arrays (values excluded). */
    private static List<int[]> structure(SparseMatrix w) {
        return switch (w) {
            case CsrMatrix c -> List.of(c.rowPtr().toIntArray(), c.colIdx().toIntArray());
            case BitmapMatrix b -> List.of(b.bitmap().toIntArray(), b.rowOffsets().toIntArray());
            case SemiStructured24 s -> List.of(s.meta().toIntArray());
            case BlockDiagonal d -> List.of(new int[] {d.blockCount(), d.blockSize()});
        };
    }

    private static SparseMatrix weight(Layer l) {
        return l instanceof ArmorLinear a ? a.core() : ((SparseLinear) l).weight();
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("cases")
    void valuesTrainAndTheStructureStays(String kind, String optimizerName, Function<List<Parameter>, Optimizer> make) {
        Layer sparse = layer(kind);
        Parameter prunable = sparse.prunable().get(0);
        int n = prunable.numel();
        prunable.pruneTo(Mask.fromKeptIndices(prunable.shape(), keptAllBut(n, 0, n / 2)));
        Sequential net = new Sequential(sparse, new Tanh(), new Linear(8, 3, Rng.seeded(5)));
        Optimizer opt = make.apply(net.parameters());

        List<int[]> structureBefore = structure(weight(sparse));
        List<float[]> before = new ArrayList<>();
        for (Parameter p : sparse.parameters()) {
            before.add(p.value().toFloatArray());
        }
        Tensor x = Inputs.randn(6, 16, 8);
        Tensor y = Tensor.ofInts(new int[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0}, 16);
        float first = 0;
        float last = 0;
        for (int step = 0; step < STEPS; step++) {
            opt.zeroGrad();
            Var loss = Functional.crossEntropy(net.forward(Var.constant(x)), y);
            loss.backward();
            opt.step();
            first = step == 0 ? loss.item() : first;
            last = loss.item();
        }
        String context = kind + " with " + optimizerName;
        assertTrue(last < first, context + ": loss " + first + " -> " + last);

        List<int[]> structureAfter = structure(weight(sparse));
        assertEquals(structureBefore.size(), structureAfter.size(), context);
        for (int i = 0; i < structureBefore.size(); i++) {
            assertArrayEquals(structureBefore.get(i), structureAfter.get(i), context + ": structure tensor " + i);
        }
        List<Parameter> params = sparse.parameters();
        for (int i = 0; i < params.size(); i++) {
            assertFalse(java.util.Arrays.equals(before.get(i), params.get(i).value().toFloatArray()),
                    context + ": " + params.get(i).name() + " trains");
        }
        float[] values = prunable.value().toFloatArray();
        for (int i : new int[] {0, n / 2}) {
            assertEquals(0f, values[i], context + ": masked value " + i); // +0.0 exactly
        }
    }

    /** Every index in [0, n) except {@code pruned}. */
    private static int[] keptAllBut(int n, int... pruned) {
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            kept.add(i);
        }
        for (int p : pruned) {
            kept.remove(Integer.valueOf(p));
        }
        return kept.stream().mapToInt(Integer::intValue).toArray();
    }
}

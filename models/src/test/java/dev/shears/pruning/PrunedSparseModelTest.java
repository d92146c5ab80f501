package dev.shears.pruning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.autograd.Autograd;
import dev.shears.lm.BlockStack;
import dev.shears.lm.CausalLm;
import dev.shears.lm.Gpt;
import dev.shears.lm.GptConfig;
import dev.shears.lm.Llama;
import dev.shears.lm.LlamaConfig;
import dev.shears.nn.ArmorLinear;
import dev.shears.nn.KvCache;
import dev.shears.nn.Linear;
import dev.shears.nn.Module;
import dev.shears.nn.Projection;
import dev.shears.nn.SemiStructuredLinear;
import dev.shears.nn.SparseFormat;
import dev.shears.nn.SparseLinear;
import dev.shears.sparse.BitmapMatrix;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import dev.shears.testing.ArrayAssert;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A pruned transformer with its pruned projections swapped for the real sparse layers computes the
 * logits of the masked dense model it came from (issue 6's equivalence check), for GPT and Llama
 * blocks, with and without the KV cache.
 */
class PrunedSparseModelTest {
    private static final int VOCAB = 13;
    private static final List<String> LLAMA_PROJECTIONS = List.of("self_attn.q_proj", "self_attn.k_proj",
            "self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj");

    private static Gpt gpt() {
        Gpt g = new Gpt(new GptConfig(VOCAB, 12, 2, 2, 16, 0f), Rng.seeded(4));
        g.parameters().forEach(p -> p.value().muli(10f)); // nanoGPT's 0.02 init makes logits nearly flat
        return g;
    }

    private static Llama llama() {
        return new Llama(new LlamaConfig(16, 24, 2, 4, 2, 1e-5, 10000, VOCAB, false, 32), Rng.seeded(6));
    }

    private static Tensor tokens(int sequences, int t, long seed) {
        Rng rng = Rng.seeded(seed);
        int[] ids = new int[sequences * t];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rng.nextInt(VOCAB);
        }
        return Tensor.ofInts(ids, sequences, t);
    }

    private static float[] logits(CausalLm model, Tensor ids) {
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            return model.logits(ids, null).value().toFloatArray();
        }
    }

    /** The logits [batch, T, vocab] of {@code ids} fed one token at a time through a KV cache. */
    private static float[] cachedLogits(CausalLm model, Tensor ids, int layers) {
        int batch = ids.dim(0);
        int t = ids.dim(1);
        KvCache cache = new KvCache(layers, t);
        float[] out = new float[batch * t * VOCAB];
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            for (int i = 0; i < t; i++) {
                float[] step = model.logits(ids.narrow(1, i, 1).contiguous(), cache).value().toFloatArray(); // [batch, 1, V]
                for (int s = 0; s < batch; s++) {
                    System.arraycopy(step, s * VOCAB, out, (s * t + i) * VOCAB, VOCAB);
                }
            }
        }
        return out;
    }

    private static <M extends Module & BlockStack & CausalLm> void assertSparseEqualsMasked(Supplier<M> fresh,
            SequentialPruner.Method method, PruningPattern pattern, SparseFormat format,
            Class<? extends SparseLinear> layerType, int projectionsPerBlock) {
        M model = fresh.get();
        Tensor ids = tokens(2, 9, 11);
        SequentialPruner.prune(model, tokens(4, 9, 5), method, pattern, 2);
        float[] masked = logits(model, ids);
        List<SparseLinear> swapped = new ArrayList<>();
        for (int b = 0; b < model.blockCount(); b++) {
            for (String path : SparseExport.sparsify(model.blockModule(b), format)) {
                swapped.add(assertInstanceOf(layerType, model.blockModule(b).module(path), path));
            }
        }
        assertEquals(model.blockCount() * projectionsPerBlock, swapped.size(), "every projection in the blocks");
        assertTrue(model.modules(Linear.class).values().stream().noneMatch(l -> l.weight().isMasked()),
                "no masked dense projection is left");
        int[] calls = new int[1];
        swapped.forEach(l -> l.onInput(x -> calls[0]++));
        String what = method.label() + " " + pattern + " as " + format;
        // the sparse kernels sum in another order; a wrong weight would be off by O(1)
        ArrayAssert.assertClose(masked, logits(model, ids), 5e-4, 5e-4, what);
        assertEquals(swapped.size(), calls[0], "the forward pass runs through the sparse layers");
        ArrayAssert.assertClose(masked, cachedLogits(model, ids, model.blockCount()), 5e-4, 5e-4,
                what + ", decoded with the KV cache");
    }

    @Test
    void gptTwoFourBecomesSemiStructuredLayersWithTheSameLogits() {
        assertSparseEqualsMasked(PrunedSparseModelTest::gpt, SequentialPruner.Method.SPARSEGPT, PruningPattern.twoFour(),
                SparseFormat.SEMI_STRUCTURED_24, SemiStructuredLinear.class, 6);
    }

    @Test
    void gptUnstructuredBecomesBitmapLayersWithTheSameLogits() {
        assertSparseEqualsMasked(PrunedSparseModelTest::gpt, SequentialPruner.Method.WANDA, PruningPattern.unstructured(0.5),
                SparseFormat.BITMAP, SparseLinear.class, 6);
    }

    @Test
    void llamaTwoFourAndUnstructuredSparseLayersKeepTheLogits() {
        assertSparseEqualsMasked(PrunedSparseModelTest::llama, SequentialPruner.Method.MAGNITUDE, PruningPattern.twoFour(),
                SparseFormat.SEMI_STRUCTURED_24, SemiStructuredLinear.class, 7);
        assertSparseEqualsMasked(PrunedSparseModelTest::llama, SequentialPruner.Method.SPARSEGPT,
                PruningPattern.unstructured(0.5), SparseFormat.CSR, SparseLinear.class, 7);
    }

    @Test
    void armorLayersComputeTheirDenseEquivalent() {
        Llama model = llama();
        Tensor ids = tokens(2, 9, 11);
        SequentialPruner.prune(model, tokens(4, 9, 5), SequentialPruner.Method.ARMOR, PruningPattern.twoFour(), 2,
                SequentialPruner.Options.armor(new SequentialPruner.ArmorOptions(4, Armor.Settings.of(40, 1e-3), 3)));
        int[] calls = new int[2];
        List<ArmorLinear> armored = new ArrayList<>();
        for (int b = 0; b < model.blockCount(); b++) {
            for (String path : LLAMA_PROJECTIONS) {
                ArmorLinear a = assertInstanceOf(ArmorLinear.class, model.blockModule(b).module(path), path);
                assertEquals(4, a.blockSize());
                a.onInput(x -> calls[0]++);
                armored.add(a);
            }
        }
        float[] factorised = logits(model, ids);
        assertEquals(14, calls[0], "the forward pass runs through the ARMOR layers");
        int i = 0;
        for (int b = 0; b < model.blockCount(); b++) {
            for (String path : LLAMA_PROJECTIONS) {
                ArmorLinear a = armored.get(i++);
                Linear dense = Linear.of(a.toDense(), a.bias() == null ? null : a.bias().value());
                dense.onInput(x -> calls[1]++);
                model.blockModule(b).replace(path, dense);
            }
        }
        ArrayAssert.assertClose(factorised, logits(model, ids), 1e-4, 1e-4, "ARMOR layers vs their dense A·S·B");
        assertEquals(14, calls[1], "then through the dense equivalents");
    }

    @Test
    void replacementMustBeAProjectionOfTheSameShape() {
        Gpt g = gpt();
        Module block = g.blockModule(0);
        Projection fc = (Projection) block.module("c_fc");
        var e = assertThrows(UnsupportedOperationException.class,
                () -> block.replace("c_fc", new Linear(fc.inFeatures(), fc.outFeatures() + 4, Rng.seeded(1))));
        assertTrue(e.getMessage().contains("c_fc") && e.getMessage().contains("same shape"), e.getMessage());
        var missing = assertThrows(IllegalArgumentException.class, () -> block.replace("attn.nope", fc));
        assertTrue(missing.getMessage().contains("attn.nope") && missing.getMessage().contains("q_proj"),
                missing.getMessage());
        assertThrows(UnsupportedOperationException.class,
                () -> block.replace("ln_1", new Linear(16, 16, Rng.seeded(1))), "a LayerNorm slot takes no projection");
        Map<String, Tensor> state = g.stateDict();
        assertTrue(state.containsKey("blocks.0.c_fc.weight"), "nothing changed after the refusals");
        SparseLinear bitmap = new SparseLinear(BitmapMatrix.fromDense(fc.toDense()), fc.bias().value());
        block.replace("c_fc", bitmap);
        assertTrue(g.stateDict().containsKey("blocks.0.c_fc.values"), "the new layer's parameters are the model's");
    }
}

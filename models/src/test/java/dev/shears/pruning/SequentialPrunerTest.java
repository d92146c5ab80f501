package dev.shears.pruning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.autograd.Autograd;
import dev.shears.autograd.Var;
import dev.shears.lm.Gpt;
import dev.shears.lm.GptConfig;
import dev.shears.nn.InputHooks;
import dev.shears.nn.Linear;
import dev.shears.sparse.Mask;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import dev.shears.train.StepTrainer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SequentialPrunerTest {
    private static final GptConfig CONFIG = new GptConfig(13, 8, 2, 2, 16, 0f);

    private static Gpt gpt() {
        Gpt g = new Gpt(CONFIG, Rng.seeded(4));
        g.parameters().forEach(p -> p.value().muli(10f)); // nanoGPT's 0.02 init makes every score nearly equal
        return g;
    }

    private static Tensor calibration() {
        Rng rng = Rng.seeded(5);
        int[] ids = new int[6 * 8];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rng.nextInt(13);
        }
        return Tensor.ofInts(ids, 6, 8);
    }

    @Test
    void everyBlockLinearGetsThePatternAndTheRestStaysDense() {
        Gpt g = gpt();
        Map<String, Tensor> before = StepTrainer.copyOf(g.stateDict());
        List<SequentialPruner.LayerReport> r = SequentialPruner.prune(g, calibration(), SequentialPruner.Method.SPARSEGPT,
                PruningPattern.twoFour(), 4);
        assertEquals(2 * 6, r.size(), "q, k, v, o, c_fc and c_proj of both blocks");
        assertEquals("0.attn.q_proj", r.getFirst().name());
        r.forEach(l -> assertEquals(0.5, l.sparsity(), 1e-12, l.name()));
        for (String dense : new String[] {"wte.weight", "wpe.weight", "ln_f.weight", "blocks.0.ln_1.weight",
                "blocks.1.attn.q_proj.bias"}) {
            assertArrayEquals(before.get(dense).toFloatArray(), g.stateDict().get(dense).toFloatArray(), 0f, dense);
        }
    }

    @Test
    void magnitudeIgnoresTheCalibrationAndMatchesTheLayerRule() {
        Gpt g = gpt();
        Map<String, Linear> original = gpt().blockModule(1).modules(Linear.class);
        SequentialPruner.prune(g, calibration(), SequentialPruner.Method.MAGNITUDE, PruningPattern.unstructured(0.5), 6);
        g.blockModule(1).modules(Linear.class).forEach((name, l) -> assertEquals(
                LayerPruning.magnitude(original.get(name).weight().value(), PruningPattern.unstructured(0.5)),
                l.weight().maskPattern(), name));
    }

    /** Column norms of every Linear in block {@code b} of {@code model} on the calibration states. */
    private static Map<String, double[]> norms(Gpt model, int b, Tensor ids) {
        Map<String, ActivationStats> stats = new LinkedHashMap<>();
        List<InputHooks.Registration> hooks = new ArrayList<>();
        model.blockModule(b).modules(Linear.class).forEach((name, l) -> {
            ActivationStats s = ActivationStats.of(l.inFeatures());
            stats.put(name, s);
            hooks.add(s.attach(l));
        });
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            Var x = model.embed(ids);
            for (int i = 0; i < b; i++) {
                x = model.block(i, x);
            }
            model.block(b, x);
        }
        hooks.forEach(InputHooks.Registration::close);
        Map<String, double[]> out = new LinkedHashMap<>();
        stats.forEach((k, v) -> out.put(k, v.columnNorms()));
        return out;
    }

    @Test
    void wandaCalibratesEachBlockOnTheOutputsOfTheAlreadyPrunedBlocks() {
        Tensor ids = calibration();
        Gpt pruned = gpt();
        SequentialPruner.prune(pruned, ids, SequentialPruner.Method.WANDA, PruningPattern.twoFour(), 4);

        // block 1's statistics must come from a dense block 1 fed by the pruned block 0
        Gpt hybrid = gpt();
        Map<String, Tensor> state = hybrid.stateDict();
        pruned.stateDict().forEach((k, v) -> {
            if (k.startsWith("blocks.0.")) {
                state.get(k).copyFrom(v);
            }
        });
        Map<String, double[]> expectedNorms = norms(hybrid, 1, ids);
        Map<String, Linear> dense = gpt().blockModule(1).modules(Linear.class);
        boolean differsFromDenseCalibration = false;
        Map<String, double[]> denseNorms = norms(gpt(), 1, ids);
        for (var e : pruned.blockModule(1).modules(Linear.class).entrySet()) {
            Tensor w = dense.get(e.getKey()).weight().value();
            Mask expected = LayerPruning.wanda(w, expectedNorms.get(e.getKey()), PruningPattern.twoFour());
            assertEquals(expected, e.getValue().weight().maskPattern(), e.getKey());
            differsFromDenseCalibration |= !expected.equals(
                    LayerPruning.wanda(w, denseNorms.get(e.getKey()), PruningPattern.twoFour()));
        }
        assertTrue(differsFromDenseCalibration, "the test must be able to tell sequential from one dense pass");
    }

    @Test
    void noWagAndArmorCalibrateOnOneDensePass() {
        Tensor ids = calibration();
        Gpt pruned = gpt();
        SequentialPruner.prune(pruned, ids, SequentialPruner.Method.NOWAG, PruningPattern.twoFour(), 4);
        Map<String, double[]> denseNorms = norms(gpt(), 1, ids); // the dense model's block-1 inputs
        Map<String, Linear> dense = gpt().blockModule(1).modules(Linear.class);
        for (var e : pruned.blockModule(1).modules(Linear.class).entrySet()) {
            double[] sumSq = java.util.Arrays.stream(denseNorms.get(e.getKey())).map(x -> x * x).toArray();
            NoWag.Normalized w = NoWag.normalize(dense.get(e.getKey()).weight().value(), sumSq, 6 * 8);
            assertEquals(NoWag.mask(w, PruningPattern.twoFour()), e.getValue().weight().maskPattern(), e.getKey());
        }

        Gpt armored = gpt();
        List<SequentialPruner.LayerReport> r = SequentialPruner.prune(armored, ids, SequentialPruner.Method.ARMOR,
                PruningPattern.twoFour(), 4, SequentialPruner.Options.armor(
                        new SequentialPruner.ArmorOptions(4, Armor.Settings.of(60, 1e-3), 9)));
        for (SequentialPruner.LayerReport l : r) {
            assertTrue(l.proxyAfter() < l.proxyBefore(), l.name() + ": " + l.proxyBefore() + " -> " + l.proxyAfter());
            assertEquals((long) (l.rows() + l.cols()) * 4, l.extraParameters());
            assertEquals(0.5, l.sparsity(), 1e-12, "the core is 2:4");
        }
        Gpt again = gpt();
        List<SequentialPruner.LayerReport> r2 = SequentialPruner.prune(again, ids, SequentialPruner.Method.ARMOR,
                PruningPattern.twoFour(), 4, SequentialPruner.Options.armor(
                        new SequentialPruner.ArmorOptions(4, Armor.Settings.of(60, 1e-3), 9)));
        for (String factor : new String[] {"a", "coreValues", "b"}) {
            String name = "blocks.1.c_fc." + factor;
            assertArrayEquals(armored.stateDict().get(name).toFloatArray(), again.stateDict().get(name).toFloatArray(), 0f,
                    name + " reproducible for a seed");
        }
        assertEquals(r.getLast().proxyAfter(), r2.getLast().proxyAfter());
    }

    @Test
    void gblmWithAlphaZeroIsWandaAndItsGradientTermIsThePerSequenceNorm() {
        Tensor ids = calibration();
        Gpt wanda = gpt();
        SequentialPruner.prune(wanda, ids, SequentialPruner.Method.WANDA, PruningPattern.unstructured(0.5), 4);
        Gpt gblm0 = gpt();
        SequentialPruner.prune(gblm0, ids, SequentialPruner.Method.GBLM, PruningPattern.unstructured(0.5), 4,
                SequentialPruner.Options.gblm(0));
        for (int b = 0; b < 2; b++) {
            var w = wanda.blockModule(b).modules(Linear.class);
            gblm0.blockModule(b).modules(Linear.class).forEach((name, l) ->
                    assertEquals(w.get(name).weight().maskPattern(), l.weight().maskPattern(), name));
        }

        // G = sqrt(Σ_sequences (α·g)²), each g from its own backward pass
        Gpt g = gpt();
        Tensor two = ids.narrow(0, 0, 2).contiguous();
        Map<Linear, float[]> norms = Gblm.gradientNorms(g, two, 10);
        Linear fc = g.blockModule(1).modules(Linear.class).get("c_fc");
        double[] sum = new double[fc.weight().numel()];
        for (int s = 0; s < 2; s++) {
            int[] seq = two.narrow(0, s, 1).contiguous().toIntArray();
            Var logits = g.forwardAll(Tensor.ofInts(java.util.Arrays.copyOf(seq, 7), 1, 7));
            Var loss = dev.shears.nn.Functional.crossEntropy(logits.reshape(7, 13),
                    Tensor.ofInts(java.util.Arrays.copyOfRange(seq, 1, 8), 7));
            fc.weight().zeroGrad();
            loss.backward();
            float[] grad = fc.weight().grad().toFloatArray();
            for (int i = 0; i < grad.length; i++) {
                sum[i] += 100.0 * grad[i] * grad[i];
            }
        }
        float[] got = norms.get(fc);
        for (int i = 0; i < got.length; i++) {
            assertEquals(Math.sqrt(sum[i]), got[i], 1e-5 * (1 + Math.sqrt(sum[i])), "c_fc[" + i + "]");
        }
    }
}

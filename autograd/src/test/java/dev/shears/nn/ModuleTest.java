package dev.shears.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.autograd.Inputs;
import dev.shears.autograd.Var;
import dev.shears.sparse.Mask;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Shape;
import dev.shears.tensor.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Registration, naming, state dicts, modes and layer details. */
class ModuleTest {

    /** A two-level model: an embedding and blocks of (Linear, LayerNorm, Dropout). */
    static final class Block extends Layer {
        final Linear fc;
        final LayerNorm norm;

        Block(Rng rng) {
            fc = child("fc", new Linear(4, 4, rng));
            norm = child("norm", new LayerNorm(4));
            child("drop", new Dropout(0.5f, rng.split()));
        }

        @Override
        public Var forward(Var x) {
            return norm.forward(fc.forward(x));
        }
    }

    static final class Net extends Module {
        Net(Rng rng) {
            child("emb", new Embedding(10, 4, rng));
            child("blocks", new Sequential(new Block(rng), new Block(rng)));
            child("bn", new BatchNorm1d(4));
        }
    }

    @Test
    void dottedNamesInInsertionOrder() {
        Net net = new Net(Rng.seeded(1));
        assertEquals(List.of("emb.weight", "blocks.0.fc.weight", "blocks.0.fc.bias", "blocks.0.norm.weight",
                        "blocks.0.norm.bias", "blocks.1.fc.weight", "blocks.1.fc.bias", "blocks.1.norm.weight",
                        "blocks.1.norm.bias", "bn.weight", "bn.bias"),
                List.copyOf(net.namedParameters().keySet()));
        assertEquals(List.of("bn.running_mean", "bn.running_var"), List.copyOf(net.namedBuffers().keySet()));
        assertEquals(13, net.stateDict().size());
        assertEquals(11, net.parameters().size());
        Map<String, Parameter> named = net.namedParameters();
        assertEquals(List.of(named.get("emb.weight"), named.get("blocks.0.fc.weight"), named.get("blocks.1.fc.weight")),
                net.prunable());
        assertEquals(40 + 2 * (16 + 4 + 4 + 4) + 8, net.numParameters());
    }

    @Test
    void trainEvalPropagates() {
        Net net = new Net(Rng.seeded(2));
        assertTrue(net.isTraining());
        net.eval();
        Sequential blocks = (Sequential) net.children().get("blocks");
        assertFalse(blocks.get(1).children().get("drop").isTraining());
        net.train();
        assertTrue(blocks.get(1).children().get("drop").isTraining());
    }

    @Test
    void stateDictRoundTrip() {
        Net a = new Net(Rng.seeded(3));
        Net b = new Net(Rng.seeded(4));
        Map<String, Tensor> sa = a.stateDict();
        assertNotEquals(sa.get("emb.weight").toFloatArray()[0], b.stateDict().get("emb.weight").toFloatArray()[0]);
        a.namedBuffers().get("bn.running_mean").fill(0.25f);
        Map<String, Tensor> snapshot = new HashMap<>();
        sa.forEach((k, v) -> snapshot.put(k, v.copy()));
        b.loadStateDict(snapshot);
        b.stateDict().forEach((k, v) -> assertArrayEquals(snapshot.get(k).toFloatArray(), v.toFloatArray(), k));
        // The parameters stay the same objects (optimizers keep working).
        assertSame(b.parameters().get(0), b.namedParameters().get("emb.weight"));
    }

    @Test
    void loadStateDictErrorsNameKeysAndShapes() {
        Net net = new Net(Rng.seeded(5));
        Map<String, Tensor> state = new HashMap<>(net.stateDict());
        state.remove("bn.bias");
        state.put("head.weight", Tensor.zeros(2));
        state.put("blocks.1.fc.weight", Tensor.zeros(4, 5));
        var e = assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(state));
        String m = e.getMessage();
        assertTrue(m.contains("missing keys [bn.bias]"), m);
        assertTrue(m.contains("unexpected keys [head.weight]"), m);
        assertTrue(m.contains("blocks.1.fc.weight") && m.contains("[4, 5]"), m);
        // Non-strict still rejects shape mismatches; with shapes fixed it loads the rest.
        assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(state, false));
        state.put("blocks.1.fc.weight", Tensor.full(0.5f, 4, 4));
        net.loadStateDict(state, false);
        assertEquals(0.5f, net.namedParameters().get("blocks.1.fc.weight").value().toFloatArray()[7]);
    }

    @Test
    void modulesOfATypeByPathWithoutDescendingIntoMatches() {
        Net net = new Net(Rng.seeded(9));
        assertEquals(List.of("blocks.0.fc", "blocks.1.fc"), List.copyOf(net.modules(Linear.class).keySet()));
        assertEquals(List.of("blocks"), List.copyOf(net.modules(Sequential.class).keySet()));
        assertEquals(List.of("blocks.0", "blocks.1"), List.copyOf(net.modules(Block.class).keySet()),
                "the Linears inside a Block are not listed again");
        assertSame(net.module("blocks.1.fc"), net.modules(Projection.class).get("blocks.1.fc"));
    }

    @Test
    void replaceSwapsAModuleInPlaceWhereTheParentTakesIt() {
        Net net = new Net(Rng.seeded(6));
        Linear fc = new Linear(4, 4, Rng.seeded(7));
        Block fresh = new Block(Rng.seeded(8));
        net.replace("blocks.1", fresh);
        assertSame(fresh, net.module("blocks.1"));
        assertSame(fresh, ((Sequential) net.module("blocks")).get(1), "the Sequential runs the new layer");
        assertSame(fresh.fc.weight(), net.namedParameters().get("blocks.1.fc.weight"));
        UnsupportedOperationException refused = assertThrows(UnsupportedOperationException.class,
                () -> net.replace("blocks.0.fc", fc));
        assertTrue(refused.getMessage().contains("Block") && refused.getMessage().contains("'fc'"),
                refused.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> net.replace("blocks.7.fc", fc));
        assertTrue(missing.getMessage().contains("blocks.7.fc") && missing.getMessage().contains("[0, 1]"),
                missing.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> net.replace("blocks.0", new Module() {}),
                "a Sequential takes layers only");
    }

    @Test
    void registrationRejectsBadNames() {
        assertThrows(IllegalArgumentException.class, () -> new Module() {
            {
                param("w", Tensor.zeros(2));
                param("w", Tensor.zeros(2));
            }
        });
        assertThrows(IllegalArgumentException.class, () -> new Module() {
            {
                buffer("a.b", Tensor.zeros(2));
            }
        });
    }

    @Test
    void linearInitMatchesTorchBounds() {
        Linear fc = new Linear(16, 8, Rng.seeded(6));
        float bound = 0.25f;
        for (float v : fc.weight().value().toFloatArray()) {
            assertTrue(Math.abs(v) <= bound);
        }
        for (float v : fc.bias().value().toFloatArray()) {
            assertTrue(Math.abs(v) <= bound);
        }
        assertArrayEquals(new int[] {8, 16}, fc.weight().shape().dims());
        float[] a = new Linear(16, 8, Rng.seeded(6)).weight().value().toFloatArray();
        assertArrayEquals(a, fc.weight().value().toFloatArray());
        Tensor k = Init.kaimingUniform(Rng.seeded(7), 0, 64, 32);
        float kb = (float) Math.sqrt(6.0 / 32);
        assertTrue(k.abs().max().item() <= kb && k.abs().max().item() > 0.9f * kb);
        Tensor xv = Init.xavierUniform(Rng.seeded(8), 1, 20, 30);
        assertTrue(xv.abs().max().item() <= (float) Math.sqrt(6.0 / 50));
    }

    @Test
    void conv2dShapesAndEquivalence() {
        Conv2d conv = new Conv2d(3, 4, 3, 2, 1, true, Rng.seeded(9));
        Var y = conv.forward(Var.constant(Inputs.randn(10, 2, 3, 7, 7)));
        assertArrayEquals(new int[] {2, 4, 4, 4}, y.shape().dims());
        // A 1x1 convolution equals a Linear over channels.
        Conv2d one = new Conv2d(3, 2, 1, Rng.seeded(11));
        Tensor x = Inputs.randn(12, 1, 3, 2, 2);
        float[] conv1 = one.forward(Var.constant(x)).value().permute(0, 2, 3, 1).contiguous().toFloatArray();
        Tensor w = one.weight().value().reshape(2, 3);
        float[] lin = x.permute(0, 2, 3, 1).matmul(w.t()).add(one.bias().value()).contiguous().toFloatArray();
        assertArrayEquals(lin, conv1, 1e-5f);
    }

    @Test
    void poolingValues() {
        Tensor x = Tensor.arange(16).reshape(1, 1, 4, 4);
        assertArrayEquals(new float[] {5, 7, 13, 15}, new MaxPool2d(2).forward(Var.constant(x)).value().toFloatArray());
        assertArrayEquals(new float[] {2.5f, 4.5f, 10.5f, 12.5f},
                new AvgPool2d(2).forward(Var.constant(x)).value().toFloatArray());
    }

    @Test
    void dropoutTrainAndEval() {
        Dropout d = new Dropout(0.25f, Rng.seeded(13));
        Tensor x = Tensor.ones(1000);
        float[] y = d.forward(Var.constant(x)).value().toFloatArray();
        int zeros = 0;
        for (float v : y) {
            if (v == 0f) {
                zeros++;
            } else {
                assertEquals(1f / 0.75f, v, 1e-6f);
            }
        }
        assertTrue(zeros > 200 && zeros < 300, "zeros " + zeros);
        d.eval();
        assertArrayEquals(x.toFloatArray(), d.forward(Var.constant(x)).value().toFloatArray());
    }

    @Test
    void embeddingLooksUpRows() {
        Embedding emb = new Embedding(5, 3, Rng.seeded(14));
        Var y = emb.forward(new int[][] {{4, 0}, {2, 2}});
        assertArrayEquals(new int[] {2, 2, 3}, y.shape().dims());
        float[] w = emb.weight().value().toFloatArray();
        float[] v = y.value().toFloatArray();
        for (int j = 0; j < 3; j++) {
            assertEquals(w[12 + j], v[j]);
            assertEquals(w[6 + j], v[9 + j]);
        }
        assertThrows(IllegalArgumentException.class, () -> emb.forward(new int[][] {{5}}));
    }

    @Test
    void normsNormalise() {
        Tensor x = Inputs.randn(15, 4, 6).mul(3f).add(2f);
        float[] y = new LayerNorm(6).forward(Var.constant(x)).value().toFloatArray();
        for (int i = 0; i < 4; i++) {
            double m = 0;
            double s = 0;
            for (int j = 0; j < 6; j++) {
                m += y[i * 6 + j];
                s += y[i * 6 + j] * y[i * 6 + j];
            }
            assertEquals(0, m / 6, 1e-5);
            assertEquals(1, s / 6, 1e-3);
        }
        float[] r = new RMSNorm(6).forward(Var.constant(x)).value().toFloatArray();
        for (int i = 0; i < 4; i++) {
            double s = 0;
            for (int j = 0; j < 6; j++) {
                s += r[i * 6 + j] * r[i * 6 + j];
            }
            assertEquals(1, s / 6, 1e-4);
        }
    }

    @Test
    void batchNormRunningStatsAndEval() {
        BatchNorm2d bn = new BatchNorm2d(2);
        Tensor x = Inputs.randn(16, 4, 2, 3, 3).mul(2f).add(1f);
        float[] y = bn.forward(Var.constant(x)).value().toFloatArray();
        // Batch statistics of channel 0 in double.
        float[] xs = x.toFloatArray();
        double m = 0;
        double s = 0;
        int cnt = 0;
        for (int n = 0; n < 4; n++) {
            for (int k = 0; k < 9; k++) {
                double v = xs[n * 18 + k];
                m += v;
                s += v * v;
                cnt++;
            }
        }
        m /= cnt;
        double biased = s / cnt - m * m;
        double unbiased = biased * cnt / (cnt - 1);
        assertEquals((xs[0] - m) / Math.sqrt(biased + 1e-5), y[0], 1e-4);
        assertEquals(0.1 * m, bn.runningMean().toFloatArray()[0], 1e-5);
        assertEquals(0.9 + 0.1 * unbiased, bn.runningVar().toFloatArray()[0], 1e-4);
        bn.eval();
        float[] e = bn.forward(Var.constant(x)).value().toFloatArray();
        double rm = bn.runningMean().toFloatArray()[0];
        double rv = bn.runningVar().toFloatArray()[0];
        assertEquals((xs[0] - rm) / Math.sqrt(rv + 1e-5), e[0], 1e-4);
        assertEquals(0.1 * m, bn.runningMean().toFloatArray()[0], 1e-5, "eval does not update");
        BatchNorm1d bn1 = new BatchNorm1d(3);
        assertArrayEquals(new int[] {5, 3, 2}, bn1.forward(Var.constant(Inputs.randn(17, 5, 3, 2))).shape().dims());
        assertThrows(RuntimeException.class, () -> bn1.forward(Var.constant(Inputs.randn(18, 5, 4))));
    }

    @Test
    void parameterMask() {
        Parameter p = new Parameter("w", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
        assertEquals(4, p.kept());
        p.setMask(Tensor.ofBytes(new byte[] {1, 0, 0, 1}, 2, 2));
        assertTrue(p.isMasked());
        assertEquals(2, p.kept());
        assertArrayEquals(new float[] {1, 0, 0, 4}, p.effective().value().toFloatArray());
        assertArrayEquals(new float[] {1, 2, 3, 4}, p.value().toFloatArray());
        p.applyMask();
        assertArrayEquals(new float[] {1, 0, 0, 4}, p.value().toFloatArray());
        assertThrows(RuntimeException.class, () -> p.setMask(Tensor.ones(4)));
        p.clearMask();
        assertSame(p, p.effective());
    }

    @Test
    void pruningIntersectsMasksAndCanBeMadePermanent() {
        Parameter p = new Parameter("w", Tensor.of(new float[] {1, -2, 3, -4, 5, -6}, 2, 3));
        p.pruneTo(Mask.fromKeptIndices(Shape.of(2, 3), new int[] {0, 1, 2, 3}));
        p.pruneTo(Mask.fromKeptIndices(Shape.of(2, 3), new int[] {1, 2, 3, 4, 5})); // 4 and 5 were already pruned
        assertEquals(Mask.fromKeptIndices(Shape.of(2, 3), new int[] {1, 2, 3}), p.maskPattern());
        assertArrayEquals(new float[] {0, -2, 3, -4, 0, 0}, p.value().toFloatArray());
        p.makePermanent();
        assertFalse(p.isMasked());
        assertArrayEquals(new float[] {0, -2, 3, -4, 0, 0}, p.value().toFloatArray());
    }
}

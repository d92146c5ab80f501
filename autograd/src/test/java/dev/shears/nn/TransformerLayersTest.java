package dev.shears.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.autograd.Autograd;
import dev.shears.autograd.GradCheck;
import dev.shears.autograd.Inputs;
import dev.shears.autograd.Var;
import dev.shears.tensor.Rng;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rotary embeddings, grouped-query attention, its KV cache, SwiGLU and input hooks: references and gradients. */
class TransformerLayersTest {

    private static void pass(GradCheck.Report r) {
        assertTrue(r.passed(), r.toString());
    }

    /** Scalar RoPE: pair (a, b) at position p, pair index i of d/2, rotated by p·θ^(-2i/d). */
    private static float[] ropeReference(float[] x, int t, int d, int start, double theta, boolean splitHalves) {
        float[] out = new float[x.length];
        int rows = x.length / d;
        for (int r = 0; r < rows; r++) {
            int pos = start + r % t;
            for (int i = 0; i < d / 2; i++) {
                int a = splitHalves ? i : 2 * i;
                int b = splitHalves ? i + d / 2 : 2 * i + 1;
                double angle = pos * Math.pow(theta, -2.0 * i / d);
                double xa = x[r * d + a];
                double xb = x[r * d + b];
                out[r * d + a] = (float) (xa * Math.cos(angle) - xb * Math.sin(angle));
                out[r * d + b] = (float) (xb * Math.cos(angle) + xa * Math.sin(angle));
            }
        }
        return out;
    }

    @Test
    void rotaryEmbeddingMatchesTheScalarRotationInBothConventions() {
        for (RotaryEmbedding.Convention c : RotaryEmbedding.Convention.values()) {
            RotaryEmbedding rope = new RotaryEmbedding(6, 500.0, 20, c);
            Tensor x = Inputs.randn(3, 2, 3, 5, 6); // [batch, heads, T, d]
            float[] got = rope.apply(Var.constant(x), 7).value().toFloatArray();
            float[] want = ropeReference(x.toFloatArray(), 5, 6, 7, 500.0, c == RotaryEmbedding.Convention.SPLIT_HALVES);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-5, c + " element " + i);
            }
            pass(GradCheck.check(v -> rope.apply(v[0], 3), Inputs.randn(4, 1, 2, 3, 6)));
        }
        IllegalArgumentException odd = assertThrows(IllegalArgumentException.class,
                () -> new RotaryEmbedding(5, 10000, 8, RotaryEmbedding.Convention.INTERLEAVED));
        assertTrue(odd.getMessage().contains("5"), odd.getMessage());
        ShapeException past = assertThrows(ShapeException.class, () -> new RotaryEmbedding(4, 10000, 8,
                RotaryEmbedding.Convention.SPLIT_HALVES).apply(Var.constant(Inputs.randn(1, 1, 3, 4)), 6));
        assertTrue(past.getMessage().contains("6..8"), past.getMessage());
    }

    /** Attention computed head by head with plain loops: query head h reads key/value head h / (H / KV). */
    private static float[] attentionReference(CausalSelfAttention a, Tensor x, RotaryEmbedding rope) {
        int b = x.dim(0);
        int t = x.dim(1);
        int h = a.heads();
        int kv = a.kvHeads();
        int d = a.headDim();
        float[] q;
        float[] k;
        float[] v;
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            Var xv = Var.constant(x);
            q = headsFirst(a.qProj().forward(xv), b, t, h, d, rope);
            k = headsFirst(a.kProj().forward(xv), b, t, kv, d, rope);
            v = headsFirst(a.vProj().forward(xv), b, t, kv, d, null);
        }
        float[] y = new float[b * t * h * d];
        for (int n = 0; n < b; n++) {
            for (int head = 0; head < h; head++) {
                int g = head / (h / kv);
                for (int i = 0; i < t; i++) {
                    double[] w = new double[i + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= i; j++) {
                        double s = 0;
                        for (int c = 0; c < d; c++) {
                            s += q[(((n * h + head) * t) + i) * d + c] * k[(((n * kv + g) * t) + j) * d + c];
                        }
                        w[j] = s / Math.sqrt(d);
                        max = Math.max(max, w[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= i; j++) {
                        w[j] = Math.exp(w[j] - max);
                        sum += w[j];
                    }
                    for (int c = 0; c < d; c++) {
                        double acc = 0;
                        for (int j = 0; j <= i; j++) {
                            acc += w[j] / sum * v[(((n * kv + g) * t) + j) * d + c];
                        }
                        y[((n * t + i) * h + head) * d + c] = (float) acc;
                    }
                }
            }
        }
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            return a.oProj().forward(Var.constant(Tensor.of(y, b, t, h * d))).value().toFloatArray();
        }
    }

    /** [b, t, heads·d] → [b, heads, t, d] as floats, rotated when {@code rope} is given. */
    private static float[] headsFirst(Var p, int b, int t, int heads, int d, RotaryEmbedding rope) {
        Var r = p.reshape(b, t, heads, d).permute(0, 2, 1, 3);
        return (rope == null ? r : rope.apply(r, 0)).value().contiguous().toFloatArray();
    }

    @Test
    void groupedQueryAttentionMatchesAHeadByHeadReference() {
        RotaryEmbedding rope = new RotaryEmbedding(4, 10000, 16, RotaryEmbedding.Convention.SPLIT_HALVES);
        for (int[] heads : new int[][] {{6, 2}, {6, 6}, {6, 1}}) {
            CausalSelfAttention a = new CausalSelfAttention(24, heads[0], heads[1], true, rope, 0f, Rng.seeded(heads[1]));
            Tensor x = Inputs.randn(5, 2, 7, 24);
            float[] want = attentionReference(a, x, rope);
            float[] got;
            try (Autograd.NoGrad ignored = Autograd.noGrad()) {
                got = a.forward(Var.constant(x)).value().toFloatArray();
            }
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-4, heads[0] + "/" + heads[1] + " heads, element " + i);
            }
        }
    }

    @Test
    void withoutRotaryEmbeddingsTheStackedProjectionsMatchTheReferenceAndCheckOut() {
        // No rope and no cache: q, k and v come from one product with the weights stacked.
        for (int[] heads : new int[][] {{6, 2}, {6, 6}, {6, 1}}) {
            for (boolean bias : new boolean[] {true, false}) {
                CausalSelfAttention a = new CausalSelfAttention(24, heads[0], heads[1], bias, null, 0f,
                        Rng.seeded(20 + heads[1]));
                Tensor x = Inputs.randn(21, 2, 7, 24);
                float[] want = attentionReference(a, x, null);
                int[] seen = new int[3];
                List<InputHooks.Registration> regs = List.of(a.qProj().onInput(t -> seen[0]++),
                        a.kProj().onInput(t -> seen[1]++), a.vProj().onInput(t -> seen[2]++));
                float[] got;
                try (Autograd.NoGrad ignored = Autograd.noGrad()) {
                    got = a.forward(Var.constant(x)).value().toFloatArray();
                }
                regs.forEach(InputHooks.Registration::close);
                assertEquals(List.of(1, 1, 1), List.of(seen[0], seen[1], seen[2]), "each projection's hooks fire once");
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got[i], 1e-4, heads[0] + "/" + heads[1] + " heads, bias " + bias + ", element " + i);
                }
            }
        }
        CausalSelfAttention small = new CausalSelfAttention(8, 2, 1, true, null, 0f, Rng.seeded(22));
        pass(LayerCheck.check(small.parameters(), Inputs.randn(23, 2, 3, 8), small::forward));
        CausalSelfAttention mha = new CausalSelfAttention(6, 3, 3, false, null, 0f, Rng.seeded(24));
        pass(LayerCheck.check(mha.parameters(), Inputs.randn(25, 1, 4, 6), mha::forward));
    }

    @Test
    void attentionGradientsCheckOut() {
        RotaryEmbedding rope = new RotaryEmbedding(4, 10000, 8, RotaryEmbedding.Convention.INTERLEAVED);
        CausalSelfAttention a = new CausalSelfAttention(8, 2, 1, true, rope, 0f, Rng.seeded(9));
        pass(LayerCheck.check(a.parameters(), Inputs.randn(10, 2, 3, 8), a::forward));
    }

    @Test
    void cachedDecodingEqualsTheFullSequenceAndTheCacheChecksItsUse() {
        RotaryEmbedding rope = new RotaryEmbedding(4, 10000, 12, RotaryEmbedding.Convention.SPLIT_HALVES);
        CausalSelfAttention a = new CausalSelfAttention(16, 4, 2, false, rope, 0f, Rng.seeded(11));
        Tensor x = Inputs.randn(12, 2, 9, 16);
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            float[] full = a.forward(Var.constant(x)).value().toFloatArray();
            KvCache cache = new KvCache(1, 12);
            List<Tensor> pieces = new ArrayList<>();
            int[][] chunks = {{0, 4}, {4, 1}, {5, 1}, {6, 3}}; // a prompt, then single tokens, then a block
            for (int[] c : chunks) {
                pieces.add(a.forward(Var.constant(x.narrow(1, c[0], c[1]).contiguous()), cache.layer(0)).value());
                cache.advance(c[1]);
            }
            float[] stepwise = Tensor.concat(pieces, 1).toFloatArray();
            for (int i = 0; i < full.length; i++) {
                assertEquals(full[i], stepwise[i], 1e-5, "element " + i);
            }
            assertEquals(9, cache.length());
            ShapeException full12 = assertThrows(ShapeException.class,
                    () -> a.forward(Var.constant(Inputs.randn(13, 2, 4, 16)), cache.layer(0)));
            assertTrue(full12.getMessage().contains("positions 9..12"), full12.getMessage());
            KvCache small = new KvCache(1, 2);
            ShapeException capacity = assertThrows(ShapeException.class,
                    () -> small.layer(0).append(Inputs.randn(1, 1, 2, 3, 4), Inputs.randn(2, 1, 2, 3, 4)));
            assertTrue(capacity.getMessage().contains("capacity of 2"), capacity.getMessage());
        }
        KvCache two = new KvCache(2, 8);
        two.layer(0).append(Inputs.randn(1, 1, 2, 3, 4), Inputs.randn(2, 1, 2, 3, 4));
        IllegalStateException uneven = assertThrows(IllegalStateException.class, () -> two.advance(3));
        assertTrue(uneven.getMessage().contains("layer 1 holds 0"), uneven.getMessage());
    }

    @Test
    void swiGluIsDownOfSiluGateTimesUpAndChecksOut() {
        SwiGlu mlp = new SwiGlu(5, 7, false, Rng.seeded(14));
        Tensor x = Inputs.randn(15, 3, 5);
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            Var xv = Var.constant(x);
            float[] want = mlp.downProj().forward(mlp.gateProj().forward(xv).silu().mul(mlp.upProj().forward(xv)))
                    .value().toFloatArray();
            float[] got = mlp.forward(xv).value().toFloatArray();
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 0f);
            }
        }
        pass(LayerCheck.check(mlp.parameters(), x, mlp::forward));
    }

    @Test
    void inputHooksSeeEveryForwardUntilClosed() {
        Linear fc = new Linear(3, 2, Rng.seeded(16));
        double[] sumSq = new double[3];
        int[] rows = {0};
        InputHooks.Registration reg = fc.onInput(t -> {
            float[] v = t.contiguous().toFloatArray();
            for (int i = 0; i < v.length; i++) {
                sumSq[i % 3] += v[i] * v[i];
            }
            rows[0] += v.length / 3;
        });
        Tensor x = Inputs.randn(17, 2, 4, 3);
        fc.forward(Var.constant(x));
        assertEquals(8, rows[0], "a [2, 4, 3] input is 8 rows");
        float[] v = x.toFloatArray();
        double want0 = 0;
        for (int i = 0; i < v.length; i += 3) {
            want0 += v[i] * v[i];
        }
        assertEquals(want0, sumSq[0], 1e-9);
        reg.close();
        fc.forward(Var.constant(x));
        assertEquals(8, rows[0], "closed: not called again");
        SparseLinear sparse = fc.toSparse(SparseFormat.CSR);
        int[] calls = {0};
        sparse.onInput(t -> calls[0]++);
        sparse.forward(Var.constant(x));
        assertEquals(1, calls[0]);
    }
}

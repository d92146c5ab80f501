package dev.shears.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.testing.ArrayAssert;
import java.util.List;
import org.junit.jupiter.api.Test;

/** FusedAttention against the composed tensor ops it replaces, its output layout, and its argument checks. */
class FusedAttentionTest {

    /** softmax(scale·q·kᵀ + causal mask)·v with key/value heads repeated over their query groups. */
    private static Tensor composed(Tensor q, Tensor k, Tensor v, float scale) {
        int group = q.dim(1) / k.dim(1);
        int t = q.dim(2);
        int s = k.dim(2);
        Tensor kr = repeatHeads(k, group);
        Tensor vr = repeatHeads(v, group);
        float[] mask = new float[t * s];
        for (int i = 0; i < t; i++) {
            for (int j = s - t + i + 1; j < s; j++) {
                mask[i * s + j] = Float.NEGATIVE_INFINITY;
            }
        }
        return q.matmul(kr.transpose(2, 3)).mul(scale).add(Tensor.of(mask, t, s)).softmax(-1).matmul(vr);
    }

    private static Tensor repeatHeads(Tensor x, int group) {
        int b = x.dim(0);
        int h = x.dim(1);
        return x.unsqueeze(2).expand(b, h, group, x.dim(2), x.dim(3)).reshape(b, h * group, x.dim(2), x.dim(3));
    }

    @Test
    void equalsTheComposedOpsWithGroupedHeadsAndAPrefix() {
        Rng rng = Rng.seeded(3);
        for (int[] c : new int[][] {{2, 4, 4, 7, 7, 8}, {1, 6, 2, 3, 10, 5}, {3, 2, 1, 1, 1, 33}, {2, 3, 3, 17, 20, 16}}) {
            // q, k, v in a projection's [b, t, h, d] layout, viewed [b, h, t, d]
            Tensor q = Tensor.randn(rng, c[0], c[3], c[1], c[5]).permute(0, 2, 1, 3);
            Tensor k = Tensor.randn(rng, c[0], c[4], c[2], c[5]).permute(0, 2, 1, 3);
            Tensor v = Tensor.randn(rng, c[0], c[4], c[2], c[5]).permute(0, 2, 1, 3);
            float scale = (float) (1 / Math.sqrt(c[5]));
            FusedAttention.Result r = FusedAttention.causal(q, k, v, scale);
            ArrayAssert.assertClose(composed(q, k, v, scale).toFloatArray(), r.out().toFloatArray(), 1e-4, 1e-5,
                    java.util.Arrays.toString(c));
            assertArrayEquals(q.shape().dims(), r.out().shape().dims());
            // stored [b, t, h, d]: back in the projection layout for free
            assertTrue(r.out().permute(0, 2, 1, 3).isContiguous());
            assertArrayEquals(new int[] {c[0], c[1], c[3], c[4]}, r.probs().shape().dims());
        }
    }

    @Test
    void gradientsHaveTheInputShapesAndTheProjectionLayout() {
        Rng rng = Rng.seeded(4);
        Tensor q = Tensor.randn(rng, 2, 4, 5, 8);
        Tensor k = Tensor.randn(rng, 2, 2, 5, 8);
        Tensor v = Tensor.randn(rng, 2, 2, 5, 8);
        FusedAttention.Result r = FusedAttention.causal(q, k, v, 0.5f);
        Tensor[] g = FusedAttention.causalBackward(Tensor.randn(rng, 2, 4, 5, 8).transpose(2, 3).contiguous()
                .transpose(2, 3), q, k, v, r.probs(), 0.5f);
        assertArrayEquals(q.shape().dims(), g[0].shape().dims());
        assertArrayEquals(k.shape().dims(), g[1].shape().dims());
        assertArrayEquals(v.shape().dims(), g[2].shape().dims());
        for (Tensor x : g) {
            assertTrue(x.permute(0, 2, 1, 3).isContiguous());
        }
    }

    @Test
    void rejectsShapesThatDoNotFit() {
        Tensor q = Tensor.zeros(1, 4, 3, 8);
        for (List<Tensor> bad : List.of(
                List.of(q, Tensor.zeros(1, 3, 3, 8), Tensor.zeros(1, 3, 3, 8)),   // 3 kv heads for 4 query heads
                List.of(q, Tensor.zeros(1, 2, 2, 8), Tensor.zeros(1, 2, 2, 8)),   // fewer keys than queries
                List.of(q, Tensor.zeros(1, 2, 3, 4), Tensor.zeros(1, 2, 3, 4)),   // head dims differ
                List.of(q, Tensor.zeros(1, 2, 3, 8), Tensor.zeros(1, 2, 4, 8)),   // k and v differ
                List.of(q, Tensor.zeros(2, 2, 3, 8), Tensor.zeros(2, 2, 3, 8)),   // batches differ
                List.of(Tensor.zeros(4, 3, 8), Tensor.zeros(1, 3, 8), Tensor.zeros(1, 3, 8)))) {
            ShapeException e = assertThrows(ShapeException.class, () -> FusedAttention.causal(bad.get(0), bad.get(1),
                    bad.get(2), 1f));
            assertTrue(e.getMessage().contains("FusedAttention.causal"), e.getMessage());
        }
        Tensor k = Tensor.zeros(1, 2, 3, 8);
        FusedAttention.Result r = FusedAttention.causal(q, k, k, 1f);
        assertThrows(ShapeException.class, () -> FusedAttention.causalBackward(Tensor.zeros(1, 4, 3, 7), q, k, k,
                r.probs(), 1f));
        assertThrows(ShapeException.class, () -> FusedAttention.causalBackward(Tensor.zeros(1, 4, 3, 8), q, k, k,
                Tensor.zeros(1, 4, 3, 4), 1f));
    }
}

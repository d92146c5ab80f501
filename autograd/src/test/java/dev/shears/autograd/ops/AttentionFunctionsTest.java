package dev.shears.autograd.ops;

import static dev.shears.autograd.GradAssert.assertGradientsMatch;
import static dev.shears.autograd.Inputs.randn;

import dev.shears.autograd.Var;
import dev.shears.tensor.Tensor;
import dev.shears.testing.ArrayAssert;
import org.junit.jupiter.api.Test;

class AttentionFunctionsTest {

    /** The composed graph the fused op replaces (one key/value head per query head). */
    private static Var composed(Var q, Var k, Var v, float scale) {
        int t = q.dim(2);
        int s = k.dim(2);
        float[] mask = new float[t * s];
        for (int i = 0; i < t; i++) {
            for (int j = s - t + i + 1; j < s; j++) {
                mask[i * s + j] = Float.NEGATIVE_INFINITY;
            }
        }
        return q.matmul(k.transpose(2, 3)).mul(scale).add(Var.constant(Tensor.of(mask, t, s))).softmax(-1).matmul(v);
    }

    @Test
    void gradientsCheckOut() {
        // grouped heads (4 query heads over 2 key/value heads), odd sizes
        assertGradientsMatch(v -> AttentionFunctions.causalAttention(v[0], v[1], v[2], 0.6f),
                randn(1, 2, 4, 3, 5), randn(2, 2, 2, 3, 5), randn(3, 2, 2, 3, 5));
        // a key prefix (T < S) and inputs in the projection layout [b, t, h, d] viewed [b, h, t, d]
        assertGradientsMatch(v -> AttentionFunctions.causalAttention(v[0], v[1], v[2], 0.4f),
                randn(4, 1, 2, 3, 3).permute(0, 2, 1, 3), randn(5, 1, 6, 3, 3).permute(0, 2, 1, 3),
                randn(6, 1, 6, 3, 3).permute(0, 2, 1, 3));
        // a single query over a single key
        assertGradientsMatch(v -> AttentionFunctions.causalAttention(v[0], v[1], v[2], 1f),
                randn(7, 2, 1, 1, 2), randn(8, 2, 1, 1, 2), randn(9, 2, 1, 1, 2));
    }

    @Test
    void matchesTheComposedGraphInValueAndGradient() {
        Tensor q = randn(10, 3, 2, 9, 8);
        Tensor k = randn(11, 3, 2, 12, 8);
        Tensor v = randn(12, 3, 2, 12, 8);
        Tensor g = randn(13, 3, 2, 9, 8);
        Var[] fused = {Var.param(q), Var.param(k), Var.param(v)};
        Var[] plain = {Var.param(q), Var.param(k), Var.param(v)};
        Var a = AttentionFunctions.causalAttention(fused[0], fused[1], fused[2], 0.35f);
        Var b = composed(plain[0], plain[1], plain[2], 0.35f);
        ArrayAssert.assertClose(b.value().toFloatArray(), a.value().toFloatArray(), 1e-4, 1e-5, "value");
        a.mul(Var.constant(g)).sum().backward();
        b.mul(Var.constant(g)).sum().backward();
        for (int i = 0; i < 3; i++) {
            ArrayAssert.assertClose(plain[i].grad().toFloatArray(), fused[i].grad().toFloatArray(), 1e-3, 1e-5,
                    "gradient " + i);
        }
    }

    @Test
    void packedSelfAttentionEqualsItsUnpackedViewsAndChecksOut() {
        // qkv [b, t, (4 + 2·2)·3]: four query heads over two key/value heads of 3 channels
        assertGradientsMatch(v -> AttentionFunctions.causalSelfAttentionPacked(v[0], 4, 2, 3, 0.5f),
                randn(17, 2, 5, 24));
        Tensor qkv = randn(18, 3, 6, 40);
        Var packed = AttentionFunctions.causalSelfAttentionPacked(Var.constant(qkv), 2, 1, 10, 0.3f);
        Var q = Var.constant(qkv.narrow(2, 0, 20).reshape(3, 6, 2, 10).permute(0, 2, 1, 3).contiguous());
        Var k = Var.constant(qkv.narrow(2, 20, 10).reshape(3, 6, 1, 10).permute(0, 2, 1, 3).contiguous());
        Var v = Var.constant(qkv.narrow(2, 30, 10).reshape(3, 6, 1, 10).permute(0, 2, 1, 3).contiguous());
        org.junit.jupiter.api.Assertions.assertArrayEquals(
                AttentionFunctions.causalAttention(q, k, v, 0.3f).value().toFloatArray(), packed.value().toFloatArray());
    }

    @Test
    void constantKeysAndValuesGetNoGradient() {
        Var q = Var.param(randn(14, 1, 2, 2, 4));
        Var k = Var.constant(randn(15, 1, 2, 5, 4));
        Var v = Var.constant(randn(16, 1, 2, 5, 4));
        AttentionFunctions.causalAttention(q, k, v, 0.5f).sum().backward();
        org.junit.jupiter.api.Assertions.assertNotNull(q.grad());
        org.junit.jupiter.api.Assertions.assertNull(k.grad());
    }
}

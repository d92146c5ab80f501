package dev.shears.nn;

import dev.shears.autograd.Var;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;
import java.util.List;

/**
 * Rotary position embeddings (RoPE): each pair of a head's channels is rotated by an angle
 * proportional to the token's position, {@code p · θ^(-2i/d)} for pair {@code i} of {@code d/2},
 * so that query-key dot products depend on relative positions. Two pairings are in use:
 * {@link Convention#SPLIT_HALVES} (Hugging Face Llama: channel {@code i} with {@code i + d/2}) and
 * {@link Convention#INTERLEAVED} (Meta's original and llama2.c: {@code 2i} with {@code 2i + 1}); a
 * checkpoint only works with the one it was trained with. The cos/sin tables are computed once, in
 * double precision, for {@code maxPositions} positions. Differentiable (the tables are constants).
 */
public final class RotaryEmbedding {

    /** Which channels form a rotated pair. */
    public enum Convention {
        /** Channel {@code i} with channel {@code i + d/2} (Hugging Face {@code rotate_half}). */
        SPLIT_HALVES,
        /** Channel {@code 2i} with channel {@code 2i + 1}. */
        INTERLEAVED
    }

    private final int headDim;
    private final int maxPositions;
    private final Convention convention;
    private final Tensor cos;
    private final Tensor sin;

    /**
     * @param headDim      channels per head (even)
     * @param theta        the frequency base (10000 for Llama)
     * @param maxPositions how many positions the tables cover
     */
    public RotaryEmbedding(int headDim, double theta, int maxPositions, Convention convention) {
        if (headDim < 2 || headDim % 2 != 0) {
            throw new IllegalArgumentException("RotaryEmbedding: head dimension " + headDim + " must be even and >= 2");
        }
        if (!(theta > 1) || maxPositions < 1) {
            throw new IllegalArgumentException("RotaryEmbedding: theta " + theta + " must be > 1 and max positions "
                    + maxPositions + " >= 1");
        }
        this.headDim = headDim;
        this.maxPositions = maxPositions;
        this.convention = java.util.Objects.requireNonNull(convention, "convention");
        float[] c = new float[maxPositions * headDim];
        float[] s = new float[maxPositions * headDim];
        int half = headDim / 2;
        for (int p = 0; p < maxPositions; p++) {
            for (int i = 0; i < half; i++) {
                double angle = p * Math.pow(theta, -2.0 * i / headDim);
                float ci = (float) Math.cos(angle);
                float si = (float) Math.sin(angle);
                int a = convention == Convention.SPLIT_HALVES ? i : 2 * i;
                int b = convention == Convention.SPLIT_HALVES ? i + half : 2 * i + 1;
                c[p * headDim + a] = ci;
                c[p * headDim + b] = ci;
                s[p * headDim + a] = si;
                s[p * headDim + b] = si;
            }
        }
        this.cos = Tensor.of(c, maxPositions, headDim);
        this.sin = Tensor.of(s, maxPositions, headDim);
    }

    public int headDim() {
        return headDim;
    }

    public int maxPositions() {
        return maxPositions;
    }

    public Convention convention() {
        return convention;
    }

    /**
     * Rotates {@code x} [..., T, headDim] whose rows are positions {@code start .. start + T - 1}:
     * {@code x·cos + rotate(x)·sin}, where rotate maps each pair (a, b) to (-b, a).
     *
     * @throws ShapeException if the last axis is not the head dimension or positions run past the tables
     */
    public Var apply(Var x, int start) {
        if (x.rank() < 2 || x.dim(-1) != headDim) {
            throw new ShapeException("RotaryEmbedding: input " + x.shape() + " must be [..., T, " + headDim + "]");
        }
        int t = x.dim(-2);
        if (start < 0 || start + t > maxPositions) {
            throw new ShapeException("RotaryEmbedding: positions " + start + ".." + (start + t - 1)
                    + " are outside the " + maxPositions + " the tables cover (max_position_embeddings)");
        }
        Var c = Var.constant(cos.narrow(0, start, t).contiguous());
        Var s = Var.constant(sin.narrow(0, start, t).contiguous());
        return x.mul(c).add(rotatePairs(x).mul(s));
    }

    /** Each pair (a, b) becomes (-b, a). */
    private Var rotatePairs(Var x) {
        int half = headDim / 2;
        if (convention == Convention.SPLIT_HALVES) {
            return Var.concat(List.of(x.narrow(-1, half, half).neg(), x.narrow(-1, 0, half)), -1);
        }
        int[] pairs = x.shape().dims();
        int[] split = java.util.Arrays.copyOf(pairs, pairs.length + 1);
        split[pairs.length - 1] = half;
        split[pairs.length] = 2;
        Var p = x.reshape(split);
        return Var.concat(List.of(p.narrow(-1, 1, 1).neg(), p.narrow(-1, 0, 1)), -1).reshape(pairs);
    }
}

package dev.shears.sparse.cpu;

import dev.shears.tensor.simd.Simd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Small vector helpers shared by the sparse kernels: an order-fixed lane sum and the
 * decode step of the mask-word layouts (load packed values, expand them to their lanes).
 */
final class Lanes {
    static final VectorSpecies<Float> F = Simd.F;
    /** Float lanes per vector: 4, 8 or 16, so a chunk of L columns never straddles a 16-bit mask word. */
    static final int L = Simd.LANES;
    /** The bits of one L-column chunk within a mask word. */
    static final int CHUNK_BITS = (1 << L) - 1;

    // Lane i swapped with lane i ^ h, the steps of a pairwise tree sum; null where the width lacks them.
    private static final VectorShuffle<Float> SWAP_8 = L >= 16 ? VectorShuffle.fromOp(F, i -> i ^ 8) : null;
    private static final VectorShuffle<Float> SWAP_4 = L >= 8 ? VectorShuffle.fromOp(F, i -> i ^ 4) : null;
    private static final VectorShuffle<Float> SWAP_2 = VectorShuffle.fromOp(F, i -> i ^ 2);
    private static final VectorShuffle<Float> SWAP_1 = VectorShuffle.fromOp(F, i -> i ^ 1);

    private Lanes() {}

    /**
     * The sum of the L floats at {@code buf[off]} (a vector stored with {@code intoArray}), in lane
     * order. For the large register-blocked kernels: the JIT may not inline a helper into them (node
     * budget), and a vector argument to a call that is not inlined is boxed.
     */
    static float sum(float[] buf, int off) {
        float s = 0f;
        for (int i = off; i < off + L; i++) {
            s += buf[i];
        }
        return s;
    }

    /**
     * The sum of v's lanes as a fixed pairwise tree of lane-wise adds, for small hot loops where it
     * inlines (a few shuffles instead of L dependent scalar adds). {@code reduceLanes} would leave
     * the order to the JIT, so compiled and interpreted calls could differ in the last bit.
     */
    static float sumTree(FloatVector v) {
        if (L >= 16) {
            v = v.add(v.rearrange(SWAP_8));
        }
        if (L >= 8) {
            v = v.add(v.rearrange(SWAP_4));
        }
        v = v.add(v.rearrange(SWAP_2));
        v = v.add(v.rearrange(SWAP_1));
        return v.lane(0);
    }

    /**
     * The bits of the L-column chunk starting at column {@code col} (a multiple of L) of the row whose
     * mask words start at {@code maskRow}: bit j set when column {@code col + j} is kept.
     */
    static int chunkBits(char[] masks, int maskRow, int col) {
        // At 16 lanes a chunk is a whole word; C2 cannot tell that col & 15 is 0 (measured 25% slower).
        return L == 16 ? masks[maskRow + (col >>> 4)] : (masks[maskRow + (col >>> 4)] >>> (col & 15)) & CHUNK_BITS;
    }

    /**
     * The chunk's packed values (they start at {@code vp}, one per set bit) expanded to the lanes of
     * their columns, zeros elsewhere. The load reads L floats, past the chunk's own values: callers
     * keep {@code vp <= values.length - L} and finish the last few values of the array in scalar code
     * (a masked load here would bloat every inlined caller past the JIT's node budget).
     */
    static FloatVector expand(float[] values, int vp, int bits) {
        return FloatVector.fromArray(F, values, vp).expand(VectorMask.fromLong(F, bits));
    }
}

package dev.shears.tensor.cpu;

import static dev.shears.tensor.simd.Simd.F;

import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import dev.shears.tensor.spi.ReduceOp;
import jdk.incubator.vector.FloatVector;

/**
 * Numerically stable softmax and log-softmax of a contiguous {@code [outer, n, inner]} block along
 * its middle axis: the maximum is subtracted before exponentiating, so logits of ±1e4 are fine.
 */
public final class SoftmaxKernel {
    private static final int GRAIN = 1 << 14;

    private SoftmaxKernel() {}

    /** Reference in double: {@code exp(x - max) / Σ exp(x - max)}, or {@code x - max - log Σ exp(x - max)}. */
    public static void reference(float[] src, int off, int outer, int n, int inner, boolean log, float[] dst, int dstOff) {
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * n * inner + i;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    max = Math.max(max, src[off + base + j * inner]);
                }
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    sum += Math.exp(src[off + base + j * inner] - max);
                }
                for (int j = 0; j < n; j++) {
                    double x = src[off + base + j * inner] - max;
                    dst[dstOff + base + j * inner] = (float) (log ? x - Math.log(sum) : Math.exp(x) / sum);
                }
            }
        }
    }

    /** Softmax (or log-softmax) of {@code src} viewed as {@code [outer, n, inner]} into {@code dst}, same layout. */
    public static void run(float[] src, int off, int outer, int n, int inner, boolean log, float[] dst, int dstOff) {
        if (inner != 1 || !Simd.ENABLED) {
            int grain = Math.max(1, GRAIN / Math.max(1, n * inner));
            Parallel.forRange(outer, grain, (lo, hi) ->
                    reference(src, off + lo * n * inner, hi - lo, n, inner, log, dst, dstOff + lo * n * inner));
            return;
        }
        Parallel.forRange(outer, Math.max(1, GRAIN / Math.max(1, n)), (lo, hi) -> {
            for (int o = lo; o < hi; o++) {
                row(src, off + o * n, n, log, dst, dstOff + o * n);
            }
        });
    }

    private static void row(float[] src, int off, int n, boolean log, float[] dst, int dstOff) {
        float max = ReduceKernel.reduceRun(ReduceOp.MAX, src, off, n);
        if (Float.isInfinite(max) || Float.isNaN(max)) {
            // All -inf (fully masked), +inf or NaN: the exact definition gives NaN, as PyTorch does.
            reference(src, off, 1, n, 1, log, dst, dstOff);
            return;
        }
        int lanes = F.length();
        int bound = F.loopBound(n);
        FloatVector vmax = FloatVector.broadcast(F, max);
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i < bound; i += lanes) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(F, src, off + i).sub(vmax));
            acc = acc.add(e);
            if (!log) {
                e.intoArray(dst, dstOff + i);
            }
        }
        double sum = ReduceKernel.sumLanes(acc); // fixed lane order: reproducible before and after JIT
        for (int j = i; j < n; j++) { // VectorMath's scalar twin: the same bits as in a vector lane
            float e = VectorMath.exp(src[off + j] - max);
            sum += e;
            if (!log) {
                dst[dstOff + j] = e;
            }
        }
        if (log) {
            // StrictMath: the fdlibm result, the same in every JIT state and on every platform, and
            // taken of the double sum (VectorMath.log would first round it to float).
            float logSum = (float) StrictMath.log(sum);
            // (x - max) first: exact for nearby values, so large logits keep their precision.
            FloatVector vlogSum = FloatVector.broadcast(F, logSum);
            i = 0;
            for (; i < bound; i += lanes) {
                FloatVector.fromArray(F, src, off + i).sub(vmax).sub(vlogSum).intoArray(dst, dstOff + i);
            }
            for (; i < n; i++) {
                dst[dstOff + i] = (src[off + i] - max) - logSum;
            }
        } else {
            float scale = (float) (1.0 / sum);
            i = 0;
            for (; i < bound; i += lanes) {
                FloatVector.fromArray(F, dst, dstOff + i).mul(scale).intoArray(dst, dstOff + i);
            }
            for (; i < n; i++) {
                dst[dstOff + i] *= scale;
            }
        }
    }
}

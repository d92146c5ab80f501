package dev.shears.sparse.select;

import dev.shears.sparse.Mask;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Global selection: one ranking over the scores of many tensors (every prunable layer of a model),
 * keeping the highest overall, so layers end up with different densities.
 *
 * <p>Runs in linear expected time (one selection over the concatenated scores, no sort). Exactly
 * the requested number is kept; among equal scores the earlier tensor, then the lower flat index,
 * is kept first.
 *
 * <pre>{@code
 * List<Tensor> scores = weights.stream().map(Tensor::abs).toList();   // global magnitude
 * GlobalThreshold.Result r = GlobalThreshold.atDensity(scores, 0.2);   // keep 20% overall
 * }</pre>
 */
public final class GlobalThreshold {
    private GlobalThreshold() {}

    /**
     * The outcome of a global selection.
     *
     * @param masks     one mask per input tensor, in input order
     * @param threshold the lowest kept score: every kept score is {@code >= threshold} and every
     *                  pruned (eligible) score is {@code <= threshold}; {@code +Infinity} when
     *                  nothing is kept
     */
    public record Result(List<Mask> masks, float threshold) {
        public Result {
            masks = List.copyOf(masks);
        }
    }

    /**
     * Keeps the {@code Math.round(density * total)} highest scores over all tensors, where total
     * is the summed element count.
     *
     * @throws IllegalArgumentException if {@code density} is outside [0, 1] or a score is NaN
     */
    public static Result atDensity(List<Tensor> scores, double density) {
        String op = "GlobalThreshold.atDensity";
        return select(op, scores, null, Selection.keepCount(op, density, totalNumel(op, scores)));
    }

    /**
     * Keeps the {@code k} highest scores over all tensors.
     *
     * @throws IllegalArgumentException if {@code k} is outside [0, total] or a score is NaN
     */
    public static Result keep(List<Tensor> scores, int k) {
        return select("GlobalThreshold.keep", scores, null, k);
    }

    /**
     * Keeps the {@code k} highest scores among the elements kept by {@code among} (one mask per
     * tensor, same shapes); everything else is pruned. Iterative pruning that removes a fraction
     * {@code p} of the remaining weights passes the current masks and
     * {@code k = round((1 - p) * remaining)}.
     *
     * @throws ShapeException if the lists differ in length or a mask's shape differs from its tensor's
     * @throws IllegalArgumentException if {@code k} is outside [0, eligible] or a score is NaN
     */
    public static Result keep(List<Tensor> scores, List<Mask> among, int k) {
        return select("GlobalThreshold.keep", scores, among, k);
    }

    /**
     * The shared implementation: concatenate the eligible scores (tensor by tensor, flat index
     * ascending), select the top {@code k}, and split the picks back into one mask per tensor.
     * {@code among} may be null (every element eligible). {@code op} names the public entry point.
     */
    static Result select(String op, List<Tensor> scores, List<Mask> among, int k) {
        int total = totalNumel(op, scores);
        if (among != null && among.size() != scores.size()) {
            throw new ShapeException(op + ": " + scores.size() + " score tensors but " + among.size() + " masks");
        }
        int t = scores.size();
        int[] start = new int[t + 1]; // tensor i owns pool[start[i], start[i+1])
        int[][] eligible = new int[t][]; // flat indices of tensor i's eligible elements; null = all
        for (int i = 0; i < t; i++) {
            int n = scores.get(i).numel();
            if (among != null) {
                Mask m = among.get(i);
                if (!m.shape().equals(scores.get(i).shape())) {
                    throw new ShapeException(op + ": " + name(scores, i) + " " + scores.get(i).shape() + " and its mask "
                            + m.shape() + " must have the same shape");
                }
                eligible[i] = m.keptIndices();
                n = eligible[i].length;
            }
            start[i + 1] = start[i] + n;
        }
        Selection.checkCount(op, "eligible scores: " + start[t] + " of " + total, k, start[t]);

        float[] pool = new float[start[t]];
        for (int i = 0; i < t; i++) {
            float[] v = Selection.read(op, name(scores, i), scores.get(i));
            if (eligible[i] == null) {
                System.arraycopy(v, 0, pool, start[i], v.length);
            } else {
                for (int j = 0; j < eligible[i].length; j++) {
                    pool[start[i] + j] = v[eligible[i][j]];
                }
            }
        }
        int[] picked = Selection.top(pool, 1, pool.length, k);

        // picked is ascending, so each tensor's picks form one consecutive run.
        List<Mask> masks = new ArrayList<>(t);
        float threshold = Float.POSITIVE_INFINITY;
        int p = 0;
        for (int i = 0; i < t; i++) {
            int from = p;
            while (p < picked.length && picked[p] < start[i + 1]) {
                p++;
            }
            int[] kept = Arrays.copyOfRange(picked, from, p);
            for (int q = 0; q < kept.length; q++) {
                threshold = Math.min(threshold, pool[kept[q]]);
                int local = kept[q] - start[i];
                kept[q] = eligible[i] == null ? local : eligible[i][local];
            }
            masks.add(Mask.fromKeptIndices(scores.get(i).shape(), kept));
        }
        return new Result(masks, threshold);
    }

    private static int totalNumel(String op, List<Tensor> scores) {
        long total = 0;
        for (Tensor s : scores) {
            total += s.numel();
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": " + scores.size() + " tensors hold " + total
                    + " scores, more than one selection handles (" + Integer.MAX_VALUE + ")");
        }
        return (int) total;
    }

    /** {@code scores} for a single tensor, {@code scores[i]} in a list of several. */
    private static String name(List<Tensor> scores, int i) {
        return scores.size() == 1 ? "scores" : "scores[" + i + "]";
    }
}

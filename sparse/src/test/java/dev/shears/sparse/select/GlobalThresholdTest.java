package dev.shears.sparse.select;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.sparse.Mask;
import dev.shears.tensor.DType;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Shape;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GlobalThresholdTest {
    private static final int[][] LAYERS = {{3, 2}, {20, 17}, {1}, {7, 3, 3, 3}, {4, 31}};

    /** Random score tensors of {@code LAYERS}, with their concatenation in {@code all}. */
    private record Case(List<Tensor> scores, float[] all) {
        static Case of(Rng rng, boolean ties, int[]... layers) {
            List<Tensor> scores = new ArrayList<>();
            int total = 0;
            for (int[] d : layers) {
                total += Shape.of(d).numel();
            }
            float[] all = ties ? SelectReference.tied(rng, total) : SelectReference.gaussian(rng, total);
            int off = 0;
            for (int[] d : layers) {
                int n = Shape.of(d).numel();
                float[] part = new float[n];
                System.arraycopy(all, off, part, 0, n);
                scores.add(Tensor.of(part, d));
                off += n;
            }
            return new Case(scores, all);
        }
    }

    /** Asserts the masks keep exactly the reference's top k of the concatenated scores. */
    private static void assertMatchesReference(float[] all, List<Mask> masks, int k, String ctx) {
        boolean[] expected = SelectReference.topK(all, 0, all.length, k);
        int off = 0;
        for (int t = 0; t < masks.size(); t++) {
            Mask m = masks.get(t);
            for (int i = 0; i < m.numel(); i++) {
                if (expected[off + i] != m.isKept(i)) {
                    throw new AssertionError(ctx + ": tensor " + t + " flat index " + i + " (score " + all[off + i]
                            + ") expected " + (expected[off + i] ? "kept" : "pruned"));
                }
            }
            off += m.numel();
        }
    }

    private static int kept(List<Mask> masks) {
        return masks.stream().mapToInt(Mask::keptCount).sum();
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {100, 101, 102, 103})
    void matchesTheSortBasedReferenceWithAndWithoutTies(long seed) {
        Rng rng = Rng.seeded(seed);
        Case c = Case.of(rng, seed % 2 == 0, LAYERS);
        int total = c.all().length;
        for (double density : new double[] {0, 0.013, 0.1, 0.5, 0.9, 1}) {
            GlobalThreshold.Result r = GlobalThreshold.atDensity(c.scores(), density);
            int k = (int) Math.round(density * total);
            String ctx = "seed " + seed + " density " + density;
            assertEquals(k, kept(r.masks()), ctx + ": exactly round(density * total) kept");
            assertMatchesReference(c.all(), r.masks(), k, ctx);
            for (int t = 0; t < LAYERS.length; t++) {
                assertEquals(Shape.of(LAYERS[t]), r.masks().get(t).shape(), ctx);
            }
        }
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {110, 111})
    void everyKeptScoreIsAtLeastEveryPrunedScore(long seed) {
        Case c = Case.of(Rng.seeded(seed), seed == 110, LAYERS);
        for (int k : new int[] {1, 37, 200, c.all().length - 1}) {
            GlobalThreshold.Result r = GlobalThreshold.keep(c.scores(), k);
            float minKept = Float.POSITIVE_INFINITY;
            float maxPruned = Float.NEGATIVE_INFINITY;
            for (int t = 0; t < c.scores().size(); t++) {
                float[] v = c.scores().get(t).toFloatArray();
                for (int i = 0; i < v.length; i++) {
                    if (r.masks().get(t).isKept(i)) {
                        minKept = Math.min(minKept, v[i]);
                    } else {
                        maxPruned = Math.max(maxPruned, v[i]);
                    }
                }
            }
            String ctx = "seed " + seed + " k " + k;
            assertTrue(minKept >= maxPruned, ctx + ": min kept " + minKept + " < max pruned " + maxPruned);
            assertEquals(minKept, r.threshold(), ctx + ": the threshold is the lowest kept score");
        }
    }

    @Test
    void tiesGoToTheEarlierTensorThenTheLowerIndex() {
        List<Tensor> scores = List.of(Tensor.full(1f, 2, 2), Tensor.of(new float[] {1, 5, 1}, 3), Tensor.full(1f, 3));
        GlobalThreshold.Result r = GlobalThreshold.keep(scores, 6);
        assertEquals(Mask.ones(Shape.of(2, 2)), r.masks().get(0));
        assertEquals(Mask.fromKeptIndices(Shape.of(3), new int[] {0, 1}), r.masks().get(1), "5 beats the ties, then index 0");
        assertEquals(Mask.zeros(Shape.of(3)), r.masks().get(2));
        assertEquals(1f, r.threshold());
    }

    @Test
    void keepingNothingOrEverything() {
        List<Tensor> scores = List.of(Tensor.randn(Rng.seeded(7), 3, 3), Tensor.randn(Rng.seeded(8), 4));
        GlobalThreshold.Result none = GlobalThreshold.keep(scores, 0);
        assertEquals(0, kept(none.masks()));
        assertEquals(Float.POSITIVE_INFINITY, none.threshold());
        GlobalThreshold.Result all = GlobalThreshold.atDensity(scores, 1);
        assertEquals(13, kept(all.masks()));
        float min = Math.min(scores.get(0).min().item(), scores.get(1).min().item());
        assertEquals(min, all.threshold());
        GlobalThreshold.Result empty = GlobalThreshold.atDensity(List.of(), 0.5);
        assertTrue(empty.masks().isEmpty());
    }

    @Test
    void iterativePruningRemovesAFractionOfTheRemainingWeights() {
        // Lottery-ticket rounds: prune 20% of what remains, by a fresh global magnitude each round.
        Rng rng = Rng.seeded(121);
        List<Tensor> weights = List.of(Tensor.randn(rng.split(), 30, 20), Tensor.randn(rng.split(), 10, 30));
        List<Mask> masks = List.of(Mask.ones(Shape.of(30, 20)), Mask.ones(Shape.of(10, 30)));
        int remaining = 900;
        for (int round = 0; round < 4; round++) {
            int k = (int) Math.round(0.8 * remaining);
            List<Tensor> scores = weights.stream().map(Tensor::abs).toList();
            List<Mask> next = GlobalThreshold.keep(scores, masks, k).masks();
            for (int t = 0; t < 2; t++) {
                assertEquals(next.get(t), next.get(t).and(masks.get(t)), "round " + round + ": pruned stays pruned");
            }
            assertEquals(k, kept(next), "round " + round);
            masks = next;
            remaining = k;
            weights = List.of(masks.get(0).apply(weights.get(0)), masks.get(1).apply(weights.get(1)));
        }
        assertEquals(369, remaining, "900 → 720 → 576 → 461 → 369");
    }

    @Test
    void keepAmongMatchesTheReferenceOnTheEligibleScores() {
        Rng rng = Rng.seeded(130);
        Case c = Case.of(rng, true, LAYERS);
        List<Mask> among = new ArrayList<>();
        List<Float> eligibleScores = new ArrayList<>();
        int off = 0;
        for (int[] d : LAYERS) {
            Mask m = RandomSelector.atDensity(Shape.of(d), 0.6, rng.split());
            among.add(m);
            for (int i : m.keptIndices()) {
                eligibleScores.add(c.all()[off + i]);
            }
            off += m.numel();
        }
        float[] sub = new float[eligibleScores.size()];
        for (int j = 0; j < sub.length; j++) {
            sub[j] = eligibleScores.get(j);
        }
        int k = sub.length / 4;
        List<Mask> masks = GlobalThreshold.keep(c.scores(), among, k).masks();
        boolean[] expected = SelectReference.topK(sub, 0, sub.length, k);
        int j = 0;
        for (int t = 0; t < LAYERS.length; t++) {
            for (int i : among.get(t).keptIndices()) {
                assertEquals(expected[j++], masks.get(t).isKept(i), "tensor " + t + " index " + i);
            }
            assertEquals(masks.get(t), masks.get(t).and(among.get(t)));
        }
        assertEquals(k, kept(masks));
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {140})
    void twoMillionScoresMatchTheReference(long seed) {
        // Scaled and truncated to integers so that many of the 2M scores tie, within and across tensors.
        Rng rng = Rng.seeded(seed);
        int[][] layers = {{1000, 784}, {1000, 1000}, {10, 1000}, {300, 1000}, {3, 3, 64, 64}};
        Case c = Case.of(rng, false, layers);
        List<Tensor> scores = new ArrayList<>();
        for (Tensor s : c.scores()) {
            scores.add(s.mul(64f).clamp(-256f, 256f).to(DType.I32).to(DType.F32));
        }
        float[] all = new float[c.all().length];
        int off = 0;
        for (Tensor s : scores) {
            float[] v = s.toFloatArray();
            System.arraycopy(v, 0, all, off, v.length);
            off += v.length;
        }
        assertTrue(all.length > 2_000_000, "total " + all.length);
        long t0 = System.nanoTime();
        GlobalThreshold.Result r = GlobalThreshold.atDensity(scores, 0.2);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        int k = (int) Math.round(0.2 * all.length);
        assertEquals(k, kept(r.masks()));
        assertMatchesReference(all, r.masks(), k, "2M scores, seed " + seed + " (" + ms + " ms)");
    }

    @Test
    void errorsNameTheTensorAndTheValue() {
        List<Tensor> scores = List.of(Tensor.zeros(2, 2), Tensor.of(new float[] {0, 1, 2, 3, 4, Float.NaN}, 2, 3));
        var e = assertThrows(IllegalArgumentException.class, () -> GlobalThreshold.atDensity(scores, 0.5));
        assertEquals("GlobalThreshold.atDensity: scores[1] has NaN at flat index 5 (shape [2, 3]); scores must be numbers",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GlobalThreshold.atDensity(scores, -0.1));
        assertEquals("GlobalThreshold.atDensity: density -0.1 is outside [0, 1]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GlobalThreshold.keep(scores, 11));
        assertEquals("GlobalThreshold.keep: k = 11 is outside [0, 10] (eligible scores: 10 of 10)", e.getMessage());
        List<Mask> masks = List.of(Mask.zeros(Shape.of(2, 2)), Mask.fromKeptIndices(Shape.of(2, 3), new int[] {1, 2}));
        e = assertThrows(IllegalArgumentException.class, () -> GlobalThreshold.keep(scores, masks, 3));
        assertEquals("GlobalThreshold.keep: k = 3 is outside [0, 2] (eligible scores: 2 of 10)", e.getMessage());
        var s = assertThrows(ShapeException.class, () -> GlobalThreshold.keep(scores, List.of(Mask.ones(Shape.of(4))), 1));
        assertEquals("GlobalThreshold.keep: 2 score tensors but 1 masks", s.getMessage());
        s = assertThrows(ShapeException.class,
                () -> GlobalThreshold.keep(scores, List.of(Mask.ones(Shape.of(2, 2)), Mask.ones(Shape.of(3, 2))), 1));
        assertEquals("GlobalThreshold.keep: scores[1] [2, 3] and its mask [3, 2] must have the same shape", s.getMessage());
    }
}

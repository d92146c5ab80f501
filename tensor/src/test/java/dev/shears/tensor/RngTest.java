package dev.shears.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RngTest {

    private static double[] stream(Rng rng, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (i % 5) {
                case 0 -> rng.nextFloat();
                case 1 -> rng.nextDouble();
                case 2 -> rng.nextInt(1000);
                case 3 -> rng.nextLong();
                default -> rng.nextGaussian();
            };
        }
        return out;
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {0, 1, 42, -7, Long.MAX_VALUE})
    void sameSeedGivesSameStream(long seed) {
        assertArrayEquals(stream(Rng.seeded(seed), 1000), stream(Rng.seeded(seed), 1000), "seed " + seed);
        assertEquals(seed, Rng.seeded(seed).seed());
    }

    @Test
    void differentSeedsGiveDifferentStreams() {
        assertFalse(Arrays.equals(stream(Rng.seeded(1), 100), stream(Rng.seeded(2), 100)));
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {3, 99})
    void splitIsReproducibleAndIndependent(long seed) {
        Rng a = Rng.seeded(seed);
        Rng b = Rng.seeded(seed);
        Rng childA = a.split();
        Rng childB = b.split();
        assertEquals(seed, childA.seed(), "a split keeps the root seed for logs");
        double[] ca = stream(childA, 500);
        assertArrayEquals(ca, stream(childB, 500), "children of equal parents are equal (seed " + seed + ")");
        double[] pa = stream(a, 500);
        assertArrayEquals(pa, stream(b, 500), "parents stay in step after splitting (seed " + seed + ")");
        assertFalse(Arrays.equals(ca, pa), "a child is not its parent's continuation");
        assertFalse(Arrays.equals(stream(a.split(), 100), stream(a.split(), 100)), "successive splits differ");
        // Drawing from the child must not disturb the parent.
        Rng c = Rng.seeded(seed);
        Rng d = Rng.seeded(seed);
        Rng cChild = c.split();
        d.split();
        stream(cChild, 1000);
        assertArrayEquals(stream(c, 100), stream(d, 100));
    }

    @Test
    void uniformRangesAndMoments() {
        Rng rng = Rng.seeded(5);
        int n = 100_000;
        double sum = 0;
        double sumSq = 0;
        int[] buckets = new int[10];
        for (int i = 0; i < n; i++) {
            float f = rng.nextFloat();
            assertTrue(f >= 0f && f < 1f, "nextFloat " + f);
            double d = rng.nextDouble();
            assertTrue(d >= 0 && d < 1, "nextDouble " + d);
            int k = rng.nextInt(10);
            assertTrue(k >= 0 && k < 10);
            buckets[k]++;
            sum += f;
            sumSq += (double) f * f;
        }
        double mean = sum / n;
        double var = sumSq / n - mean * mean;
        // Standard errors: 0.29/sqrt(n) = 0.0009 for the mean; use 5 sigma.
        assertEquals(0.5, mean, 0.0046, "seed 5: uniform mean");
        assertEquals(1.0 / 12, var, 0.002, "seed 5: uniform variance");
        for (int k = 0; k < 10; k++) {
            assertEquals(n / 10.0, buckets[k], 5 * Math.sqrt(n * 0.09), "seed 5: nextInt bucket " + k);
        }
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {7, 8})
    void gaussianMoments(long seed) {
        Rng rng = Rng.seeded(seed);
        int n = 100_000;
        double sum = 0;
        double sumSq = 0;
        double sum4 = 0;
        int within1 = 0;
        for (int i = 0; i < n; i++) {
            double g = rng.nextGaussian();
            assertTrue(Double.isFinite(g));
            sum += g;
            sumSq += g * g;
            sum4 += g * g * g * g;
            if (Math.abs(g) < 1) {
                within1++;
            }
        }
        double mean = sum / n;
        double var = sumSq / n - mean * mean;
        // Standard errors over 100k draws: mean 0.0032, variance sqrt(2/n) = 0.0045; 5 sigma bounds.
        assertEquals(0, mean, 0.016, "seed " + seed + ": gaussian mean");
        assertEquals(1, var, 0.023, "seed " + seed + ": gaussian variance");
        assertEquals(3, sum4 / n, 0.15, "seed " + seed + ": gaussian fourth moment");
        assertEquals(0.682689, within1 / (double) n, 0.0075, "seed " + seed + ": P(|g| < 1)");
    }

    @Test
    void nextIntRejectsNonPositiveBound() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Rng.seeded(1).nextInt(0));
        assertEquals("Rng.nextInt: bound = 0 must be positive", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Rng.seeded(1).nextInt(-3));
    }

    @Test
    void shuffleIsAReproduciblePermutation() {
        int[] a = new int[100];
        for (int i = 0; i < a.length; i++) {
            a[i] = i;
        }
        int[] b = a.clone();
        Rng.seeded(11).shuffle(a);
        Rng.seeded(11).shuffle(b);
        assertArrayEquals(a, b, "seed 11");
        int[] sorted = a.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            assertEquals(i, sorted[i]);
        }
        int moved = 0;
        for (int i = 0; i < a.length; i++) {
            moved += a[i] != i ? 1 : 0;
        }
        assertTrue(moved > 80, "a shuffle of 100 moves most elements, moved " + moved);
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {0, 5, -123456789})
    void streamsEqualSplittableRandomsForTheSameSeed(long seed) {
        Rng rng = Rng.seeded(seed);
        java.util.SplittableRandom ref = new java.util.SplittableRandom(seed);
        for (int i = 0; i < 300; i++) {
            assertEquals(ref.nextLong(), rng.nextLong(), "nextLong #" + i);
            assertEquals(ref.nextDouble(), rng.nextDouble(), "nextDouble #" + i);
            int bound = 1 + (i * 7919) % 1000;
            assertEquals(ref.nextInt(bound), rng.nextInt(bound), "nextInt(" + bound + ") #" + i);
            assertEquals(ref.nextInt(64), rng.nextInt(64), "nextInt(64) #" + i);
        }
        Rng child = rng.split();
        java.util.SplittableRandom refChild = ref.split();
        for (int i = 0; i < 50; i++) {
            assertEquals(refChild.nextLong(), child.nextLong(), "split child nextLong #" + i);
        }
    }

    @Test
    void aRestoredSnapshotReplaysTheStream() {
        Rng rng = Rng.seeded(17).split();
        stream(rng, 37);
        long[] at = rng.snapshot();
        double[] first = stream(rng, 200);
        rng.restore(at);
        assertArrayEquals(first, stream(rng, 200));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> rng.restore(Rng.seeded(18).snapshot()));
        assertTrue(e.getMessage().contains("not a position of this stream"), e.getMessage());
    }
}

package dev.shears.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shears.tensor.parallel.Parallel;
import dev.shears.testing.AwkwardSizes;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("kernel")
class SelectKernelTest {

    /** Value distributions: 0 uniform, 1 few distinct values, 2 specials (±0, ±inf, NaN) mixed in, 3 all equal. */
    private static float[] values(int n, int kind, SplittableRandom rng) {
        float[] v = new float[n];
        for (int j = 0; j < n; j++) {
            v[j] = switch (kind) {
                case 0 -> (float) (rng.nextDouble() * 2 - 1);
                case 1 -> rng.nextInt(5) - 2;
                case 2 -> switch (rng.nextInt(8)) {
                    case 0 -> -0.0f;
                    case 1 -> 0.0f;
                    case 2 -> Float.NaN;
                    case 3 -> Float.POSITIVE_INFINITY;
                    case 4 -> Float.NEGATIVE_INFINITY;
                    case 5 -> Float.intBitsToFloat(0x7fc00001 + rng.nextInt(100)); // other NaN payloads
                    default -> (float) rng.nextGaussian();
                };
                default -> 3.5f;
            };
        }
        return v;
    }

    /** Naive expectation: v is the k-th smallest iff #(x < v) <= k < #(x <= v) in Float.compare order. */
    private static void assertIsKth(float[] src, int off, int n, int k, float v, String ctx) {
        int less = 0;
        int lessEq = 0;
        for (int j = 0; j < n; j++) {
            int c = Float.compare(src[off + j], v);
            less += c < 0 ? 1 : 0;
            lessEq += c <= 0 ? 1 : 0;
        }
        if (!(less <= k && k < lessEq)) {
            throw new AssertionError(ctx + ": " + v + " is not the k-th smallest (less " + less + ", lessEq " + lessEq + ")");
        }
    }

    private static int[] ksFor(int n, SplittableRandom rng) {
        return Arrays.stream(new int[] {0, n - 1, n / 2, rng.nextInt(n), (n - 1) / 3}).distinct().toArray();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13})
    void kthSmallestMatchesReferenceOnAwkwardSizes(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (int n : AwkwardSizes.all()) {
            for (int kind = 0; kind < 4; kind++) {
                int off = rng.nextInt(3);
                float[] src = values(n + off + 2, kind, rng);
                float[] before = src.clone();
                for (int k : ksFor(n, rng)) {
                    String ctx = "seed " + seed + " n " + n + " kind " + kind + " k " + k;
                    float ref = SelectKernel.referenceKthSmallest(src, off, n, k);
                    assertIsKth(src, off, n, k, ref, ctx + " (reference)");
                    float got = SelectKernel.kthSmallest(src, off, n, k);
                    assertEquals(0, Float.compare(ref, got), ctx + ": expected " + ref + " but was " + got);
                }
                assertArrayEquals(before, src, "source modified, seed " + seed);
            }
        }
    }

    @Test
    void signedZerosAndNaNFollowTotalOrder() {
        float[] src = {0.0f, Float.NaN, -0.0f, 1f, Float.NEGATIVE_INFINITY};
        assertEquals(Float.NEGATIVE_INFINITY, SelectKernel.kthSmallest(src, 0, 5, 0));
        assertEquals(0, Float.compare(-0.0f, SelectKernel.kthSmallest(src, 0, 5, 1)));
        assertEquals(0, Float.compare(0.0f, SelectKernel.kthSmallest(src, 0, 5, 2)));
        assertEquals(1f, SelectKernel.kthSmallest(src, 0, 5, 3));
        assertEquals(0, Float.compare(Float.NaN, SelectKernel.kthSmallest(src, 0, 5, 4)));
    }

    @Test
    void fiveMillionMatchesSort() {
        long seed = 21;
        SplittableRandom rng = new SplittableRandom(seed);
        int n = 5_000_000;
        float[] src = new float[n];
        for (int j = 0; j < n; j++) {
            src[j] = (float) rng.nextGaussian();
        }
        float[] sorted = src.clone();
        Arrays.sort(sorted);
        for (int k : new int[] {0, n / 10, n / 2, n - 1 - n / 100, n - 1}) {
            assertEquals(sorted[k], SelectKernel.kthSmallest(src, 0, n, k), "seed " + seed + " k " + k);
        }
    }

    @Test
    void adversarialMillionInputsMatchSort() {
        int n = 1_000_000;
        float[][] inputs = new float[6][n];
        String[] names = {"all equal", "sorted", "reverse sorted", "organ pipe", "sawtooth of 7", "sorted with 2 values"};
        for (int j = 0; j < n; j++) {
            inputs[0][j] = 1.25f;
            inputs[1][j] = j;
            inputs[2][j] = n - j;
            inputs[3][j] = Math.min(j, n - j);
            inputs[4][j] = j % 7;
            inputs[5][j] = j < n / 3 ? -1f : 2f;
        }
        for (int t = 0; t < inputs.length; t++) {
            float[] sorted = inputs[t].clone();
            Arrays.sort(sorted);
            for (int k : new int[] {0, 1, n / 3, n / 2, n - 2, n - 1}) {
                assertEquals(sorted[k], SelectKernel.kthSmallest(inputs[t], 0, n, k), names[t] + " k " + k);
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {23, 24})
    void radixPathMatchesSortOnSpecialsAndLowBitDifferences(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int n = SelectKernel.RADIX_MIN * 3 + 7;
        float[][] inputs = new float[4][];
        inputs[0] = values(n, 2, rng); // ±0, ±inf, NaN payloads
        inputs[1] = values(n, 1, rng); // five values
        inputs[2] = new float[n]; // identical top 22 bits: the third radix level decides
        inputs[3] = new float[n]; // level-2 buckets of ~n/2 (above RADIX_MIN): all three levels run
        for (int j = 0; j < n; j++) {
            inputs[2][j] = Float.intBitsToFloat(0x3f800000 + rng.nextInt(1024));
            inputs[3][j] = Float.intBitsToFloat(0xbf800000 + (rng.nextInt(2) << 10) + rng.nextInt(1024));
        }
        for (int t = 0; t < inputs.length; t++) {
            float[] sorted = inputs[t].clone();
            Arrays.sort(sorted);
            for (int k : ksFor(n, rng)) {
                float got = SelectKernel.kthSmallest(inputs[t], 0, n, k);
                assertEquals(0, Float.compare(sorted[k], got),
                        "seed " + seed + " input " + t + " k " + k + ": expected " + sorted[k] + " but was " + got);
            }
        }
    }

    @Test
    void introselectAloneHandlesAdversarialMillion() {
        // The introselect also finishes the radix path; run it alone on the classic bad cases.
        int n = 1_000_000;
        int[][] inputs = new int[5][n];
        for (int j = 0; j < n; j++) {
            inputs[0][j] = 7;
            inputs[1][j] = j;
            inputs[2][j] = n - j;
            inputs[3][j] = Math.min(j, n - j);
            inputs[4][j] = j % 2 == 0 ? j : n - j; // interleaved ramps
        }
        for (int t = 0; t < inputs.length; t++) {
            int[] sorted = inputs[t].clone();
            Arrays.sort(sorted);
            for (int k : new int[] {0, n / 3, n / 2, n - 1}) {
                assertEquals(sorted[k], SelectKernel.select(inputs[t].clone(), 0, n - 1, k, false),
                        "input " + t + " k " + k);
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {31, 32})
    void medianOfMediansPathSelectsCorrectly(long seed) {
        // The worst-case guard is rarely reached from random data; drive it directly.
        SplittableRandom rng = new SplittableRandom(seed);
        for (int n : new int[] {1, 5, 16, 17, 100, 1031, 65_537}) {
            for (int kind = 0; kind < 4; kind++) {
                float[] v = values(n, kind, rng);
                int[] keys = new int[n];
                for (int j = 0; j < n; j++) {
                    keys[j] = SelectKernel.key(v[j]);
                }
                float[] sorted = v.clone();
                Arrays.sort(sorted);
                for (int k : ksFor(n, rng)) {
                    int got = SelectKernel.select(keys.clone(), 0, n - 1, k, true);
                    assertEquals(0, Float.compare(sorted[k], SelectKernel.fromKey(got)),
                            "seed " + seed + " n " + n + " kind " + kind + " k " + k);
                }
            }
        }
    }

    @Test
    void keyOrderIsFloatCompareOrder() {
        long seed = 41;
        SplittableRandom rng = new SplittableRandom(seed);
        float[] v = values(2000, 2, rng);
        for (int t = 0; t < 20_000; t++) {
            float a = v[rng.nextInt(v.length)];
            float b = rng.nextBoolean() ? v[rng.nextInt(v.length)] : Float.intBitsToFloat(rng.nextInt());
            assertEquals(Integer.signum(Float.compare(a, b)),
                    Integer.signum(Integer.compare(SelectKernel.key(a), SelectKernel.key(b))), a + " vs " + b);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Along an axis

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {51, 52})
    void kthSmallestAlongMatchesReference(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] sizes = AwkwardSizes.small();
        for (int outer : new int[] {1, 3}) {
            for (int n : sizes) {
                for (int inner : new int[] {1, 2, 7}) {
                    int kind = rng.nextInt(3);
                    int off = rng.nextInt(4);
                    float[] src = values(off + outer * n * inner, kind, rng);
                    for (int k : ksFor(n, rng)) {
                        String ctx = "seed " + seed + " [" + outer + ", " + n + ", " + inner + "] kind " + kind + " k " + k;
                        float[] refV = new float[outer * inner];
                        int[] refI = new int[outer * inner];
                        SelectKernel.referenceKthSmallestAlong(src, off, outer, n, inner, k, refV, refI);
                        naiveKthAlongCheck(src, off, outer, n, inner, k, refV, refI, ctx);
                        float[] gotV = new float[outer * inner];
                        int[] gotI = new int[outer * inner];
                        SelectKernel.kthSmallestAlong(src, off, outer, n, inner, k, gotV, gotI);
                        assertBitsEqual(refV, gotV, ctx);
                        assertArrayEquals(refI, gotI, ctx);
                    }
                }
            }
        }
    }

    /** The reported index holds a k-th smallest value and no lower index holds an equal one. */
    private static void naiveKthAlongCheck(float[] src, int off, int outer, int n, int inner, int k,
            float[] vals, int[] idx, String ctx) {
        float[] row = new float[n];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                for (int j = 0; j < n; j++) {
                    row[j] = src[off + o * n * inner + j * inner + i];
                }
                int at = idx[o * inner + i];
                assertEquals(Float.floatToRawIntBits(row[at]), Float.floatToRawIntBits(vals[o * inner + i]), ctx);
                assertIsKth(row, 0, n, k, row[at], ctx);
                for (int j = 0; j < at; j++) {
                    assertEquals(true, Float.compare(row[j], row[at]) != 0, ctx + ": lower index " + j + " ties");
                }
            }
        }
    }

    @Test
    void manyRowsAreThreadCountIndependent() {
        long seed = 61;
        SplittableRandom rng = new SplittableRandom(seed);
        int outer = 37;
        int n = 301;
        int inner = 53;
        float[] src = values(outer * n * inner, 1, rng);
        float[] v1 = new float[outer * inner];
        int[] i1 = new int[outer * inner];
        float[] vN = new float[outer * inner];
        int[] iN = new int[outer * inner];
        Parallel.withThreads(1, () -> SelectKernel.kthSmallestAlong(src, 0, outer, n, inner, 150, v1, i1));
        SelectKernel.kthSmallestAlong(src, 0, outer, n, inner, 150, vN, iN);
        assertBitsEqual(v1, vN, "seed " + seed);
        assertArrayEquals(i1, iN, "seed " + seed);
        float[] tv1 = new float[outer * 20 * inner];
        int[] ti1 = new int[outer * 20 * inner];
        float[] tvN = new float[outer * 20 * inner];
        int[] tiN = new int[outer * 20 * inner];
        Parallel.withThreads(1, () -> SelectKernel.topk(src, 0, outer, n, inner, 20, true, true, tv1, ti1));
        SelectKernel.topk(src, 0, outer, n, inner, 20, true, true, tvN, tiN);
        assertBitsEqual(tv1, tvN, "seed " + seed);
        assertArrayEquals(ti1, tiN, "seed " + seed);
    }

    // ---------------------------------------------------------------------------------------------
    // top-k

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {71, 72})
    void topkMatchesReference(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (int outer : new int[] {1, 2}) {
            for (int n : AwkwardSizes.small()) {
                for (int inner : new int[] {1, 3}) {
                    int kind = rng.nextInt(3);
                    int off = rng.nextInt(4);
                    float[] src = values(off + outer * n * inner, kind, rng);
                    int[] ks = Arrays.stream(new int[] {0, 1, n, n / 2, rng.nextInt(n + 1)}).distinct().toArray();
                    for (int k : ks) {
                        for (int flags = 0; flags < 4; flags++) {
                            boolean largest = (flags & 1) != 0;
                            boolean sorted = (flags & 2) != 0;
                            String ctx = "seed " + seed + " [" + outer + ", " + n + ", " + inner + "] kind " + kind
                                    + " k " + k + " largest " + largest + " sorted " + sorted;
                            float[] refV = new float[outer * k * inner];
                            int[] refI = new int[outer * k * inner];
                            SelectKernel.referenceTopk(src, off, outer, n, inner, k, largest, sorted, refV, refI);
                            naiveTopkCheck(src, off, outer, n, inner, k, largest, sorted, refV, refI, ctx);
                            float[] gotV = new float[outer * k * inner];
                            int[] gotI = new int[outer * k * inner];
                            SelectKernel.topk(src, off, outer, n, inner, k, largest, sorted, gotV, gotI);
                            assertBitsEqual(refV, gotV, ctx);
                            assertArrayEquals(refI, gotI, ctx);
                        }
                    }
                }
            }
        }
    }

    /**
     * Naive expectation by ranks: element j's rank is the number of elements that beat it (better
     * value, or equal value and lower index); the top k are ranks 0..k-1, placed at their rank
     * when sorted, else in index order.
     */
    private static void naiveTopkCheck(float[] src, int off, int outer, int n, int inner, int k, boolean largest,
            boolean sorted, float[] vals, int[] idx, String ctx) {
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int[] expected = new int[k];
                int[] chosen = new int[k];
                int nChosen = 0;
                for (int j = 0; j < n; j++) {
                    float vj = src[off + (o * n + j) * inner + i];
                    int rank = 0;
                    for (int q = 0; q < n; q++) {
                        float vq = src[off + (o * n + q) * inner + i];
                        int c = largest ? Float.compare(vq, vj) : Float.compare(vj, vq);
                        if (c > 0 || (c == 0 && q < j)) {
                            rank++;
                        }
                    }
                    if (rank < k) {
                        expected[rank] = j;
                        chosen[nChosen++] = j; // ascending index order
                    }
                }
                assertEquals(k, nChosen, ctx);
                int[] want = sorted ? expected : chosen;
                for (int q = 0; q < k; q++) {
                    int at = (o * k + q) * inner + i;
                    assertEquals(want[q], idx[at], ctx + " row (" + o + ", " + i + ") position " + q);
                    assertEquals(Float.floatToRawIntBits(src[off + (o * n + want[q]) * inner + i]),
                            Float.floatToRawIntBits(vals[at]), ctx);
                }
            }
        }
    }

    @Test
    void topkOfLongRowWithTiesKeepsLowestIndices() {
        long seed = 81;
        SplittableRandom rng = new SplittableRandom(seed);
        int n = 200_003;
        float[] src = values(n, 1, rng); // values in {-2..2}: huge tie groups at the threshold
        int k = 1000;
        float[] gotV = new float[k];
        int[] gotI = new int[k];
        SelectKernel.topk(src, 0, 1, n, 1, k, true, false, gotV, gotI);
        int expectedCount = 0;
        for (int j = 0; j < n && expectedCount < k; j++) {
            if (src[j] == 2f) {
                assertEquals(j, gotI[expectedCount++], "seed " + seed);
            }
        }
        assertEquals(k, expectedCount, "seed " + seed);
    }

    private static void assertBitsEqual(float[] expected, float[] actual, String ctx) {
        assertEquals(expected.length, actual.length, ctx);
        for (int j = 0; j < expected.length; j++) {
            if (Float.floatToRawIntBits(expected[j]) != Float.floatToRawIntBits(actual[j])) {
                throw new AssertionError(ctx + ": at " + j + " expected " + expected[j] + " but was " + actual[j]);
            }
        }
    }
}

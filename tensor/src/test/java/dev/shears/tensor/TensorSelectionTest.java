package dev.shears.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.shears.tensor.simd.Simd;
import dev.shears.testing.Operands;
import dev.shears.testing.Operands.Kind;
import dev.shears.testing.Operands.Operand;
import dev.shears.testing.Reference;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TensorSelectionTest {
    private static final int L = Simd.LANES;

    /** Values with many ties, both zeros and the odd NaN or infinity. */
    private static float[] tiedValues(SplittableRandom rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            int r = rnd.nextInt(40);
            v[i] = switch (r) {
                case 0 -> Float.NaN;
                case 1 -> -0f;
                case 2 -> 0f;
                case 3 -> Float.POSITIVE_INFINITY;
                case 4 -> Float.NEGATIVE_INFINITY;
                default -> rnd.nextInt(7) - 3;
            };
        }
        return v;
    }

    private static void assertSameFloat(float expected, float actual, String ctx) {
        assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(actual),
                ctx + ": expected " + expected + " but was " + actual);
    }

    /** The elements of one row along {@code axis} at the other coordinates of {@code outIdx}. */
    private static float[] row(float[] v, Shape s, int axis, int[] outIdx) {
        float[] r = new float[s.dim(axis)];
        int[] idx = outIdx.clone();
        for (int j = 0; j < r.length; j++) {
            idx[axis] = j;
            r[j] = v[Reference.flat(idx, s)];
        }
        return r;
    }

    /** Row indices sorted by value (Float.compare order, descending when largest), ties by lower index. */
    private static Integer[] order(float[] row, boolean largest) {
        Comparator<Integer> byValue = (a, b) -> largest ? Float.compare(row[b], row[a]) : Float.compare(row[a], row[b]);
        Integer[] idx = IntStream.range(0, row.length).boxed().toArray(Integer[]::new);
        Arrays.sort(idx, byValue.thenComparing(Comparator.naturalOrder()));
        return idx;
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {1500, 1501, 1502})
    void kthValueOfAllElementsMatchesSorting(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int n : new int[] {1, 2, L + 1, 100, 4099}) {
            float[] v = tiedValues(rnd, n);
            if (seed == 1502) {
                v = Operands.gaussian(rnd, n);
            }
            float[] sorted = v.clone();
            Arrays.sort(sorted);
            Operand x = Operands.of(n > 2 ? Kind.NARROWED : Kind.CONTIGUOUS, v, rnd, n);
            for (int k : new int[] {1, 2, (n + 1) / 2, n - 1, n}) {
                if (k < 1 || k > n) {
                    continue;
                }
                assertSameFloat(sorted[k - 1], x.tensor().kthValue(k), "seed " + seed + " n " + n + " k " + k);
            }
        }
    }

    @Test
    void kthValueOfALongStridedTensor() {
        SplittableRandom rnd = new SplittableRandom(1510);
        int rows = 317;
        int cols = 331; // 104927 elements, past the radix threshold
        Operand x = Operands.random(Kind.TRANSPOSED, rnd, rows, cols);
        float[] sorted = x.values().clone();
        Arrays.sort(sorted);
        for (int k : new int[] {1, 1000, sorted.length / 2, sorted.length - 7, sorted.length}) {
            assertSameFloat(sorted[k - 1], x.tensor().kthValue(k), "seed 1510 k " + k);
        }
        float[] ties = new float[rows * cols];
        for (int i = 0; i < ties.length; i++) {
            ties[i] = rnd.nextInt(3);
        }
        float[] st = ties.clone();
        Arrays.sort(st);
        Tensor t = Tensor.of(ties, rows, cols);
        for (int k : new int[] {1, ties.length / 3, ties.length / 3 + 1, ties.length}) {
            assertSameFloat(st[k - 1], t.kthValue(k), "seed 1510 three values, k " + k);
        }
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {1520, 1521})
    void kthValueAlongAnAxis(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] dims = {3, L + 1, 5};
        Shape s = Shape.of(dims);
        for (Kind kind : new Kind[] {Kind.CONTIGUOUS, Kind.PERMUTED_NARROWED}) {
            float[] v = tiedValues(rnd, s.numel());
            Operand x = Operands.of(kind, v, rnd, dims);
            for (int axis = 0; axis < 3; axis++) {
                int n = s.dim(axis);
                for (int k : new int[] {1, (n + 1) / 2, n}) {
                    IndexedValues r = x.tensor().kthValue(k, axis, false);
                    Shape out = s.remove(axis);
                    assertEquals(out, r.values().shape());
                    assertEquals(DType.I32, r.indices().dtype());
                    float[] values = r.values().toFloatArray();
                    int[] indices = r.indices().toIntArray();
                    for (int o = 0; o < out.numel(); o++) {
                        int[] oi = Reference.unflatten(o, s.with(axis, 1));
                        float[] row = row(v, s, axis, oi);
                        float[] sorted = row.clone();
                        Arrays.sort(sorted);
                        float expected = sorted[k - 1];
                        int first = 0;
                        while (Float.compare(row[first], expected) != 0) {
                            first++;
                        }
                        String ctx = "seed " + seed + " " + x + " axis " + axis + " k " + k + " row " + Arrays.toString(row);
                        assertSameFloat(expected, values[o], ctx);
                        assertEquals(first, indices[o], ctx + ": the lowest index among equal values");
                    }
                    IndexedValues kept = x.tensor().kthValue(k, axis - 3, true);
                    assertEquals(s.with(axis, 1), kept.values().shape());
                    assertArrayEquals(values, kept.values().toFloatArray());
                    assertArrayEquals(indices, kept.indices().toIntArray());
                }
            }
        }
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {1530, 1531})
    void topkAlongAnAxis(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] dims = {4, 2 * L + 1, 3};
        Shape s = Shape.of(dims);
        for (Kind kind : new Kind[] {Kind.CONTIGUOUS, Kind.PERMUTED}) {
            float[] v = seed == 1530 ? tiedValues(rnd, s.numel()) : Operands.gaussian(rnd, s.numel());
            Operand x = Operands.of(kind, v, rnd, dims);
            for (int axis = 0; axis < 3; axis++) {
                int n = s.dim(axis);
                for (int k : new int[] {0, 1, 3, n}) {
                    if (k > n) {
                        continue;
                    }
                    for (boolean largest : new boolean[] {true, false}) {
                        for (boolean sorted : new boolean[] {true, false}) {
                            checkTopk(x, v, s, axis, k, largest, sorted, seed);
                        }
                    }
                }
            }
        }
    }

    private static void checkTopk(Operand x, float[] v, Shape s, int axis, int k, boolean largest, boolean sorted, long seed) {
        IndexedValues r = x.tensor().topk(k, axis, largest, sorted);
        Shape out = s.with(axis, k);
        assertEquals(out, r.values().shape());
        assertEquals(out, r.indices().shape());
        float[] values = r.values().toFloatArray();
        int[] indices = r.indices().toIntArray();
        Shape rows = s.with(axis, 1);
        for (int o = 0; o < rows.numel(); o++) {
            int[] oi = Reference.unflatten(o, rows);
            float[] row = row(v, s, axis, oi);
            Integer[] ord = order(row, largest);
            int[] chosen = new int[k];
            for (int j = 0; j < k; j++) {
                chosen[j] = ord[j];
            }
            if (!sorted) {
                Arrays.sort(chosen);
            }
            String ctx = "seed " + seed + " " + x + " axis " + axis + " k " + k + (largest ? " largest" : " smallest")
                    + (sorted ? " sorted" : " unsorted") + " row " + Arrays.toString(row);
            int[] idx = oi.clone();
            for (int j = 0; j < k; j++) {
                idx[axis] = j;
                int at = Reference.flat(idx, out);
                assertEquals(chosen[j], indices[at], ctx + " position " + j);
                assertSameFloat(row[chosen[j]], values[at], ctx + " position " + j);
            }
        }
    }

    @Test
    void topkTies() {
        Tensor t = Tensor.of(new float[] {2, 5, 5, 1, 5, 2}, 6);
        IndexedValues top = t.topk(2, 0, true, true);
        assertArrayEquals(new float[] {5, 5}, top.values().toFloatArray());
        assertArrayEquals(new int[] {1, 2}, top.indices().toIntArray(), "ties keep the lower indices");
        IndexedValues low = t.topk(3, 0, false, true);
        assertArrayEquals(new float[] {1, 2, 2}, low.values().toFloatArray());
        assertArrayEquals(new int[] {3, 0, 5}, low.indices().toIntArray());
        IndexedValues unsorted = t.topk(4, 0, true, false);
        assertArrayEquals(new int[] {0, 1, 2, 4}, unsorted.indices().toIntArray(), "unsorted results are in index order");
        assertArrayEquals(new float[] {2, 5, 5, 5}, unsorted.values().toFloatArray());
        IndexedValues nan = Tensor.of(new float[] {1, Float.NaN, 3}, 3).topk(1, 0, true, true);
        assertEquals(1, nan.indices().toIntArray()[0], "NaN orders above every number");
    }

    @Test
    void errors() {
        Tensor t = Tensor.zeros(2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.kthValue(0));
        assertEquals("kthValue: k = 0 is outside [1, 6] (shape [2, 3])", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> t.kthValue(7));
        assertEquals("kthValue: k = 7 is outside [1, 6] (shape [2, 3])", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> t.kthValue(4, 1, false));
        assertEquals("kthValue: k = 4 is outside [1, 3] for axis 1 of shape [2, 3]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> t.topk(4, -1, true, true));
        assertEquals("topk: k = 4 is outside [0, 3] for axis -1 of shape [2, 3]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> t.topk(-1, 0, false, false));
        assertEquals("topk: k = -1 is outside [0, 2] for axis 0 of shape [2, 3]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(0).kthValue(1));
        assertEquals("kthValue: k = 1 is outside [1, 0] (shape [0])", e.getMessage());
        ShapeException s = assertThrows(ShapeException.class, () -> t.topk(1, 2, true, true));
        assertEquals("topk: axis 2 is out of range for shape [2, 3] (rank 2; valid axes -2..1)", s.getMessage());
        DTypeException d = assertThrows(DTypeException.class, () -> Tensor.ofInts(new int[] {1}, 1).kthValue(1));
        assertEquals("kthValue: expected F32, got I32 (shape [1])", d.getMessage());
        assertEquals(Shape.of(2, 0), t.topk(0, 1, true, true).values().shape());
    }
}

package dev.shears.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.tensor.simd.Simd;
import dev.shears.testing.ArrayAssert;
import dev.shears.testing.Operands;
import dev.shears.testing.Operands.Kind;
import dev.shears.testing.Operands.Operand;
import dev.shears.testing.Reference;
import dev.shears.testing.TensorAssert;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TensorIndexingTest {
    private static final int L = Simd.LANES;
    private static final int[] DIMS = {3, L + 1, 5};

    private static int[] randomIndex(SplittableRandom rnd, int n, int bound) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = rnd.nextInt(bound);
        }
        return idx;
    }

    /** An I32 tensor holding {@code values} (row-major for {@code dims}), stored transposed when asked. */
    private static Tensor ints(int[] values, boolean transposed, int... dims) {
        if (!transposed || dims.length < 2) {
            return Tensor.ofInts(values, dims);
        }
        Shape s = Shape.of(dims);
        int r = dims.length;
        int[] order = new int[r];
        for (int i = 0; i < r; i++) {
            order[i] = i;
        }
        order[r - 1] = r - 2;
        order[r - 2] = r - 1;
        int[] swappedDims = dims.clone();
        swappedDims[r - 1] = dims[r - 2];
        swappedDims[r - 2] = dims[r - 1];
        Shape swapped = Shape.of(swappedDims);
        int[] base = new int[values.length];
        for (int f = 0; f < values.length; f++) {
            int[] idx = Reference.unflatten(f, s);
            int t = idx[r - 1];
            idx[r - 1] = idx[r - 2];
            idx[r - 2] = t;
            base[Reference.flat(idx, swapped)] = values[f];
        }
        return Tensor.ofInts(base, swappedDims).transpose(-1, -2);
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {1400, 1401})
    void gatherAlongEveryAxis(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Shape s = Shape.of(DIMS);
        for (Kind kind : Kind.values()) {
            Operand x = Operands.random(kind, rnd, DIMS);
            for (int axis = 0; axis < s.rank(); axis++) {
                for (int len : new int[] {1, s.dim(axis), 2 * s.dim(axis) + 1}) {
                    Shape is = s.with(axis, len);
                    int[] idx = randomIndex(rnd, is.numel(), s.dim(axis));
                    boolean transposed = (len + axis) % 2 == 0;
                    Tensor index = ints(idx, transposed, is.dims());
                    String ctx = "seed " + seed + " " + x + " axis " + axis + " index " + is + (transposed ? " transposed" : "");
                    Tensor g = x.tensor().gather(axis, index);
                    TensorAssert.assertClose(Reference.gather(x.values(), s, axis, idx, is), is, g, 0, 0, "gather " + ctx);
                    Tensor neg = x.tensor().gather(axis - s.rank(), index);
                    assertArrayEquals(g.toFloatArray(), neg.toFloatArray(), "negative axis " + ctx);
                }
            }
        }
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {1410, 1411})
    void indexSelectAlongEveryAxis(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Shape s = Shape.of(DIMS);
        for (Kind kind : Kind.values()) {
            Operand x = Operands.random(kind, rnd, DIMS);
            for (int axis = 0; axis < s.rank(); axis++) {
                for (int len : new int[] {0, 1, 2 * s.dim(axis) + 3}) {
                    int[] idx = randomIndex(rnd, len, s.dim(axis));
                    // Long indices are a view at an offset into a larger storage whose first entry is out of range.
                    Tensor index = len > 2 ? Tensor.ofInts(concat(new int[] {99}, idx), len + 1).narrow(0, 1, len)
                            : Tensor.ofInts(idx, len);
                    String ctx = "seed " + seed + " " + x + " axis " + axis + " index " + java.util.Arrays.toString(idx);
                    TensorAssert.assertClose(Reference.indexSelect(x.values(), s, axis, idx), s.with(axis, len),
                            x.tensor().indexSelect(axis, index), 0, 0, "indexSelect " + ctx);
                }
            }
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {1420, 1421})
    void scatterAddAccumulatesDuplicates(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Shape s = Shape.of(DIMS);
        for (Kind kind : new Kind[] {Kind.CONTIGUOUS, Kind.PERMUTED_NARROWED}) {
            Operand target = Operands.random(kind, rnd, DIMS);
            for (int axis = 0; axis < s.rank(); axis++) {
                for (int len : new int[] {1, 3 * s.dim(axis)}) {
                    Shape is = s.with(axis, len);
                    int[] idx = randomIndex(rnd, is.numel(), s.dim(axis));
                    Operand src = Operands.random(kind == Kind.CONTIGUOUS ? Kind.TRANSPOSED : Kind.CONTIGUOUS, rnd, is.dims());
                    String ctx = "seed " + seed + " target " + target + " axis " + axis + " src " + src;
                    Tensor out = target.tensor().scatterAdd(axis, ints(idx, axis == 0, is.dims()), src.tensor());
                    double[] expected = Reference.scatterAdd(target.values(), s, axis, idx, is, src.values());
                    TensorAssert.assertClose(expected, s, out, 1e-6, 1e-6, "scatterAdd " + ctx);
                    assertArrayEquals(target.values(), target.tensor().toFloatArray(), "scatterAdd returns a copy: " + ctx);
                }
            }
        }
        // All into one slot: the sum of the column.
        Tensor one = Tensor.zeros(2, 3).scatterAdd(0, Tensor.ofInts(new int[12], 4, 3), Tensor.arange(12).reshape(4, 3));
        assertArrayEquals(new float[] {18, 22, 26, 0, 0, 0}, one.toFloatArray());
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {1430, 1431})
    void indexAddAccumulatesDuplicates(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Shape s = Shape.of(DIMS);
        for (Kind kind : new Kind[] {Kind.CONTIGUOUS, Kind.TRANSPOSED}) {
            Operand target = Operands.random(kind, rnd, DIMS);
            for (int axis = 0; axis < s.rank(); axis++) {
                for (int len : new int[] {0, 1, 3 * s.dim(axis) + 1}) {
                    int[] idx = randomIndex(rnd, len, s.dim(axis));
                    Operand src = Operands.random(Kind.PERMUTED, rnd, s.with(axis, len).dims());
                    String ctx = "seed " + seed + " target " + target + " axis " + axis + " index " + java.util.Arrays.toString(idx);
                    Tensor out = target.tensor().indexAdd(axis, Tensor.ofInts(idx, len), src.tensor());
                    TensorAssert.assertClose(Reference.indexAdd(target.values(), s, axis, idx, src.values()), s, out, 1e-6,
                            1e-6, "indexAdd " + ctx);
                    assertArrayEquals(target.values(), target.tensor().toFloatArray(), "indexAdd returns a copy: " + ctx);
                }
            }
        }
        Tensor rows = Tensor.zeros(3, 2).indexAdd(0, Tensor.ofInts(new int[] {2, 0, 2}, 3), Tensor.arange(6).reshape(3, 2));
        assertArrayEquals(new float[] {2, 3, 0, 0, 4, 6}, rows.toFloatArray());
    }

    @Test
    void outOfRangeIndicesNameValueAndPosition() {
        Tensor x = Tensor.arange(10).reshape(2, 5);
        float[] before = x.toFloatArray();
        ShapeException e = assertThrows(ShapeException.class,
                () -> x.gather(1, Tensor.ofInts(new int[] {0, 1, 2, 7, 0, 0}, 2, 3)));
        assertEquals("gather: index 7 at flat position 3 is out of range [0, 5)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> x.gather(0, Tensor.ofInts(new int[] {0, 0, 0, 0, -1, 0, 0, 0, 0, 0}, 2, 5)));
        assertEquals("gather: index -1 at flat position 4 is out of range [0, 2)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> x.indexSelect(1, Tensor.ofInts(new int[] {4, 5}, 2)));
        assertEquals("indexSelect: index 5 at flat position 1 is out of range [0, 5)", e.getMessage());
        e = assertThrows(ShapeException.class,
                () -> x.scatterAdd(0, Tensor.ofInts(new int[] {0, 1, 2, 0, 0}, 1, 5), Tensor.ones(1, 5)));
        assertEquals("scatterAdd: index 2 at flat position 2 is out of range [0, 2)", e.getMessage());
        e = assertThrows(ShapeException.class,
                () -> x.indexAdd(1, Tensor.ofInts(new int[] {0, -3}, 2), Tensor.ones(2, 2)));
        assertEquals("indexAdd: index -3 at flat position 1 is out of range [0, 5)", e.getMessage());
        assertArrayEquals(before, x.toFloatArray(), "failed calls leave the input unchanged");
        // Positions are those of the index in row-major order, also for a transposed index.
        Tensor tIdx = Tensor.ofInts(new int[] {0, 0, 0, 9, 0, 0}, 2, 3).t(); // [3, 2], the 9 at [0, 1]
        e = assertThrows(ShapeException.class, () -> Tensor.zeros(3, 4).gather(1, tIdx.contiguous().reshape(3, 2)));
        assertEquals("gather: index 9 at flat position 1 is out of range [0, 4)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Tensor.zeros(3, 4).gather(1, tIdx));
        assertEquals("gather: index 9 at flat position 1 is out of range [0, 4)", e.getMessage());
    }

    @Test
    void shapeAndDtypeErrors() {
        Tensor x = Tensor.zeros(2, 5);
        ShapeException e = assertThrows(ShapeException.class, () -> x.gather(1, Tensor.ofInts(new int[3], 3)));
        assertEquals("gather: index [3] must have the rank of the input [2, 5]", e.getMessage());
        e = assertThrows(ShapeException.class, () -> x.gather(1, Tensor.ofInts(new int[3], 3, 1)));
        assertEquals("gather: index [3, 1] and input [2, 5] differ at axis 0 (only axis 1 may differ)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> x.gather(2, Tensor.ofInts(new int[2], 2, 1)));
        assertEquals("gather: axis 2 is out of range for shape [2, 5] (rank 2; valid axes -2..1)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> x.indexSelect(0, Tensor.ofInts(new int[4], 2, 2)));
        assertEquals("indexSelect: expected an index of rank 1, got shape [2, 2]", e.getMessage());
        e = assertThrows(ShapeException.class,
                () -> x.scatterAdd(1, Tensor.ofInts(new int[2], 2, 1), Tensor.zeros(2, 2)));
        assertEquals("scatterAdd (index vs src): lhs [2, 1] and rhs [2, 2] must have the same shape", e.getMessage());
        e = assertThrows(ShapeException.class,
                () -> x.scatterAdd(1, Tensor.ofInts(new int[3], 3, 1), Tensor.zeros(3, 1)));
        assertEquals("scatterAdd: index [3, 1] and target [2, 5] differ at axis 0 (only axis 1 may differ)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> x.indexAdd(0, Tensor.ofInts(new int[3], 3), Tensor.zeros(3, 4)));
        assertEquals("indexAdd: src [3, 4] must be [3, 5] (the target [2, 5] with axis 0 of the index length 3)",
                e.getMessage());
        DTypeException d = assertThrows(DTypeException.class, () -> x.gather(0, Tensor.zeros(2, 5)));
        assertEquals("gather: expected I32, got F32 (shape [2, 5])", d.getMessage());
        d = assertThrows(DTypeException.class, () -> x.indexSelect(0, Tensor.zeros(1)));
        assertEquals("indexSelect: expected I32, got F32 (shape [1])", d.getMessage());
        d = assertThrows(DTypeException.class,
                () -> x.indexAdd(0, Tensor.ofInts(new int[1], 1), Tensor.ofInts(new int[5], 1, 5)));
        assertEquals("indexAdd: expected F32, got I32 (shape [1, 5])", d.getMessage());
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {1440})
    void concatAndStack(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] sizes = {1, L + 1, 0, 3};
        for (int axis = 0; axis < 3; axis++) {
            List<Tensor> parts = new ArrayList<>();
            List<float[]> values = new ArrayList<>();
            List<Shape> shapes = new ArrayList<>();
            Kind[] kinds = Kind.values();
            for (int p = 0; p < sizes.length; p++) {
                int[] dims = {2, 3, 5};
                dims[axis] = sizes[p];
                Operand o = Operands.random(kinds[p % kinds.length], rnd, dims);
                parts.add(o.tensor());
                values.add(o.values());
                shapes.add(o.shape());
            }
            int total = 0;
            for (int sz : sizes) {
                total += sz;
            }
            Shape out = Shape.of(2, 3, 5).with(axis, total);
            float[] expected = new float[out.numel()];
            for (int f = 0; f < expected.length; f++) {
                int[] idx = Reference.unflatten(f, out);
                int p = 0;
                while (idx[axis] >= shapes.get(p).dim(axis)) {
                    idx[axis] -= shapes.get(p).dim(axis);
                    p++;
                }
                expected[f] = values.get(p)[Reference.flat(idx, shapes.get(p))];
            }
            Tensor c = Tensor.concat(parts, axis);
            assertEquals(out, c.shape());
            assertArrayEquals(expected, c.toFloatArray(), "concat seed " + seed + " axis " + axis);
            assertArrayEquals(expected, Tensor.concat(parts, axis - 3).toFloatArray(), "negative axis " + axis);
        }
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = a.mul(10f);
        Tensor bt = Tensor.of(new float[] {10, 40, 20, 50, 30, 60}, 3, 2).t(); // equal to b, transposed storage
        assertArrayEquals(new float[] {1, 2, 3, 10, 20, 30, 4, 5, 6, 40, 50, 60},
                Tensor.stack(List.of(a, bt), 1).toFloatArray());
        assertEquals(Shape.of(2, 2, 3), Tensor.stack(List.of(a, b), 0).shape());
        assertEquals(Shape.of(2, 2, 3), Tensor.stack(List.of(a, b), 1).shape());
        assertEquals(Shape.of(2, 3, 2), Tensor.stack(List.of(a, b), -1).shape());
        assertArrayEquals(new float[] {1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60}, Tensor.stack(List.of(a, b), -1).toFloatArray());
        Tensor ints = Tensor.concat(List.of(Tensor.ofInts(new int[] {1, 2}, 2), Tensor.ofInts(new int[] {3}, 1)), 0);
        assertEquals(DType.I32, ints.dtype());
        assertArrayEquals(new int[] {1, 2, 3}, ints.toIntArray());
    }

    @Test
    void concatAndStackErrors() {
        IllegalArgumentException i = assertThrows(IllegalArgumentException.class, () -> Tensor.concat(List.of(), 0));
        assertEquals("concat: no tensors given", i.getMessage());
        i = assertThrows(IllegalArgumentException.class, () -> Tensor.stack(List.of(), 0));
        assertEquals("stack: no tensors given", i.getMessage());
        ShapeException e = assertThrows(ShapeException.class,
                () -> Tensor.concat(List.of(Tensor.zeros(2, 3), Tensor.zeros(2, 3), Tensor.zeros(3, 3)), 1));
        assertEquals("concat: tensor 2 has shape [3, 3] but tensor 0 has [2, 3] (axis 0 differs; only axis 1 may)",
                e.getMessage());
        e = assertThrows(ShapeException.class, () -> Tensor.concat(List.of(Tensor.zeros(2, 3), Tensor.zeros(6)), 0));
        assertEquals("concat: tensor 1 has shape [6] but tensor 0 has [2, 3] (ranks differ)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Tensor.concat(List.of(Tensor.zeros(2, 3)), 2));
        assertEquals("concat: axis 2 is out of range for shape [2, 3] (rank 2; valid axes -2..1)", e.getMessage());
        DTypeException d = assertThrows(DTypeException.class,
                () -> Tensor.concat(List.of(Tensor.zeros(2), Tensor.ofInts(new int[2], 2)), 0));
        assertEquals("concat (tensor 0 vs 1): dtypes differ: lhs F32 vs rhs I32", d.getMessage());
        e = assertThrows(ShapeException.class, () -> Tensor.stack(List.of(Tensor.zeros(2), Tensor.zeros(3)), 0));
        assertEquals("stack: tensor 1 has shape [3] but tensor 0 has [2]; all must match", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Tensor.stack(List.of(Tensor.zeros(2), Tensor.zeros(2)), 2));
        assertTrue(e.getMessage().startsWith("unsqueeze: axis 2 is out of range for shape [2]"), e.getMessage());
        assertEquals(Shape.of(2, 0), Tensor.concat(List.of(Tensor.zeros(2, 0), Tensor.zeros(2, 0)), 1).shape());
        ArrayAssert.assertClose(new double[] {1, 2}, Tensor.concat(List.of(Tensor.of(new float[] {1, 2}, 2)), 0).toFloatArray(),
                0, 0, "concat of one tensor");
    }
}

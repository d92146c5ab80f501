package dev.shears.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.tensor.spi.Storage;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TensorCreationTest {

    @Test
    void zerosOnesFullAndScalar() {
        Tensor z = Tensor.zeros(2, 3);
        assertEquals(Shape.of(2, 3), z.shape());
        assertEquals(DType.F32, z.dtype());
        assertEquals(Device.CPU, z.device());
        assertTrue(z.isContiguous());
        assertArrayEquals(new float[6], z.toFloatArray());
        assertArrayEquals(new float[] {1, 1, 1, 1}, Tensor.ones(4).toFloatArray());
        assertArrayEquals(new float[] {-2.5f, -2.5f, -2.5f}, Tensor.full(-2.5f, 3, 1).toFloatArray());
        assertEquals(Shape.of(3, 1), Tensor.full(-2.5f, 3, 1).shape());
        Tensor s = Tensor.scalar(7.25f);
        assertEquals(0, s.rank());
        assertEquals(1, s.numel());
        assertEquals(7.25f, s.item());
        assertEquals(0, Tensor.zeros(3, 0).numel());
        assertEquals(Shape.scalar(), Tensor.zeros().shape(), "zeros() is a scalar");
        assertTrue(Float.isNaN(Tensor.full(Float.NaN, 2).toFloatArray()[1]));
    }

    @Test
    void zerosOfOtherDtypes() {
        Tensor i = Tensor.zeros(DType.I32, 2, 2);
        assertEquals(DType.I32, i.dtype());
        assertArrayEquals(new int[4], i.toIntArray());
        Tensor u = Tensor.zeros(DType.U8, 3);
        assertEquals(DType.U8, u.dtype());
        assertArrayEquals(new byte[3], u.toByteArray());
        DTypeException e = assertThrows(DTypeException.class, () -> Tensor.zeros(DType.F16, 2));
        assertTrue(e.getMessage().contains("F16"), e.getMessage());
    }

    @Test
    void negativeShapeIsRejected() {
        ShapeException e = assertThrows(ShapeException.class, () -> Tensor.zeros(2, -1));
        assertEquals("Shape: size -1 at axis 1 is negative in [2, -1]", e.getMessage());
    }

    @Test
    void arange() {
        assertArrayEquals(new float[] {0, 1, 2, 3, 4}, Tensor.arange(5).toFloatArray());
        assertEquals(Shape.of(5), Tensor.arange(5).shape());
        assertArrayEquals(new float[] {1f, 1.25f, 1.5f, 1.75f}, Tensor.arange(1f, 2f, 0.25f).toFloatArray());
        assertArrayEquals(new float[] {5, 3, 1}, Tensor.arange(5f, 0f, -2f).toFloatArray());
        assertEquals(10, Tensor.arange(0f, 1f, 0.1f).numel(), "ten steps of 0.1 below 1");
        assertEquals(0, Tensor.arange(0).numel());
        assertEquals(0, Tensor.arange(3f, 1f, 1f).numel(), "a step away from the end gives an empty range");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.arange(0f, 1f, 0f));
        assertEquals("arange: start 0.0, end 1.0, step 0.0 must be finite with a non-zero step", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.arange(0f, Float.POSITIVE_INFINITY, 1f));
        assertThrows(IllegalArgumentException.class, () -> Tensor.arange(Float.NaN, 1f, 1f));
    }

    @Test
    void ofCopiesItsData() {
        float[] data = {1, 2, 3, 4, 5, 6};
        Tensor t = Tensor.of(data, 2, 3);
        data[0] = 100;
        assertEquals(1f, t.toFloatArray()[0], "Tensor.of copies the array");
        float[] out = t.toFloatArray();
        out[1] = 100;
        assertEquals(2f, t.toFloatArray()[1], "toFloatArray returns a copy");
        int[] ints = {3, -1, 7};
        Tensor i = Tensor.ofInts(ints, 3);
        ints[0] = 0;
        assertEquals(DType.I32, i.dtype());
        assertArrayEquals(new int[] {3, -1, 7}, i.toIntArray());
        assertArrayEquals(new float[] {3, -1, 7}, i.toFloatArray());
        Tensor b = Tensor.ofBytes(new byte[] {0, 1, (byte) 255}, 3);
        assertEquals(DType.U8, b.dtype());
        assertArrayEquals(new int[] {0, 1, 255}, b.toIntArray(), "U8 reads as 0..255");
        assertEquals(5f, Tensor.of(new float[] {5}).item(), "no dims means a scalar");
    }

    @Test
    void dataShapeMismatch() {
        ShapeException e = assertThrows(ShapeException.class, () -> Tensor.of(new float[5], 2, 3));
        assertEquals("Tensor.of: 5 values do not fill shape [2, 3] (6 elements)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Tensor.ofInts(new int[] {1, 2, 3, 4}, 3));
        assertEquals("Tensor.ofInts: 4 values do not fill shape [3] (3 elements)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Tensor.ofBytes(new byte[2]));
        assertEquals("Tensor.ofBytes: 2 values do not fill shape [] (1 elements)", e.getMessage());
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {0, 17, 123456789})
    void randomTensorsAreReproducibleFromTheSeed(long seed) {
        float[] a = Tensor.randn(Rng.seeded(seed), 7, 13).toFloatArray();
        float[] b = Tensor.randn(Rng.seeded(seed), 7, 13).toFloatArray();
        assertArrayEquals(a, b, "randn, seed " + seed);
        Rng rng = Rng.seeded(seed);
        for (int i = 0; i < a.length; i++) {
            assertEquals((float) rng.nextGaussian(), a[i], "randn draws Rng.nextGaussian in row-major order, seed " + seed);
        }
        float[] u = Tensor.rand(Rng.seeded(seed), 1000).toFloatArray();
        assertArrayEquals(u, Tensor.rand(Rng.seeded(seed), 1000).toFloatArray(), "rand, seed " + seed);
        for (float v : u) {
            assertTrue(v >= 0f && v < 1f, "rand value " + v);
        }
        assertFalse(Arrays.equals(u, Tensor.rand(Rng.seeded(seed + 1), 1000).toFloatArray()));
        Rng shared = Rng.seeded(seed);
        float[] first = Tensor.randn(shared, 10).toFloatArray();
        float[] second = Tensor.randn(shared, 10).toFloatArray();
        assertFalse(Arrays.equals(first, second), "successive draws from one Rng differ");
        float[] w = Tensor.uniform(Rng.seeded(seed), -3f, 2f, 500).toFloatArray();
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : w) {
            assertTrue(v >= -3f && v < 2f, "uniform value " + v);
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        assertTrue(lo < -2.5f && hi > 1.5f, "uniform spreads over the range: [" + lo + ", " + hi + "]");
    }

    @Test
    void uniformNeverReturnsTheUpperBound() {
        // Seed 2562159's first nextFloat() is the largest float below 1, 1 - 2^-24: 0.5 + 0.5·u rounds to 1.0.
        assertEquals(1f - 0x1p-24f, Rng.seeded(2562159).nextFloat());
        float v = Tensor.uniform(Rng.seeded(2562159), 0.5f, 1f, 1).item();
        assertTrue(v >= 0.5f && v < 1f, "uniform [0.5, 1) gave " + v);
        float r = Tensor.rand(Rng.seeded(2562159), 1).item();
        assertTrue(r < 1f, "rand gave " + r);
    }

    @Test
    void uniformRejectsBadRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.uniform(Rng.seeded(1), 1f, 1f, 3));
        assertEquals("uniform: range [1.0, 1.0) must be finite and non-empty", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.uniform(Rng.seeded(1), 0f, Float.NaN, 3));
    }

    @Test
    void itemAndConversions() {
        ShapeException e = assertThrows(ShapeException.class, () -> Tensor.zeros(2, 3).item());
        assertEquals("item: tensor has 6 elements (shape [2, 3]), not 1", e.getMessage());
        assertEquals(4f, Tensor.full(4f, 1, 1, 1).item());
        Tensor f = Tensor.of(new float[] {-1.7f, 2.9f, 0.5f, 300f}, 4);
        assertArrayEquals(new int[] {-1, 2, 0, 300}, f.to(DType.I32).toIntArray(), "F32 to I32 truncates toward zero");
        assertArrayEquals(new int[] {-1, 2, 0, 300}, f.toIntArray());
        assertArrayEquals(new int[] {255, 2, 0, 44}, f.to(DType.U8).toIntArray(), "U8 keeps the low 8 bits");
        assertSame(f, f.to(DType.F32));
        assertSame(f, f.to(Device.CPU));
        DTypeException d = assertThrows(DTypeException.class, () -> f.toByteArray());
        assertEquals("toByteArray: expected U8, got F32 (shape [4])", d.getMessage());
    }

    @Test
    void toStringShowsShapeDtypeDeviceAndPreview() {
        assertEquals("Tensor[2, 3] F32 cpu [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]", Tensor.arange(6).reshape(2, 3).toString());
        assertEquals("Tensor[10] F32 cpu [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, ...]", Tensor.arange(10).toString());
        assertEquals("Tensor[0, 2] F32 cpu []", Tensor.zeros(0, 2).toString());
        assertEquals("Tensor[2] I32 cpu [4, -5]", Tensor.ofInts(new int[] {4, -5}, 2).toString());
        assertEquals("Tensor[] F32 cpu [2.5]", Tensor.scalar(2.5f).toString());
        assertEquals("Tensor[3, 2] F32 cpu [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]",
                Tensor.arange(6).reshape(2, 3).t().toString(), "a transposed view prints in its own order");
    }

    @Test
    void unavailableDeviceIsAnError() {
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> Backends.get(Device.cuda(0)));
        assertTrue(e.getMessage().startsWith("no backend available for device cuda:0: "), e.getMessage());
        assertThrows(BackendUnavailableException.class, () -> Tensor.zeros(2).to(Device.cuda(0)));
        assertFalse(Backends.availability(Device.Kind.CUDA).ok());
        assertTrue(Backends.availability(Device.Kind.CPU).ok());
        assertEquals(Device.CPU, Device.parse(" CPU "));
        assertEquals(Device.cuda(2), Device.parse("cuda:2"));
        IllegalArgumentException p = assertThrows(IllegalArgumentException.class, () -> Device.parse("gpu"));
        assertEquals("Device.parse: 'gpu' is not a device; use cpu, cuda or cuda:N", p.getMessage());
    }

    @Test
    void wrapChecksTheStorageIsLargeEnough() {
        Tensor base = Tensor.arange(6);
        Storage st = base.storage();
        Tensor w = Tensor.wrap(st, Layout.of(Shape.of(2, 2), new int[] {1, 2}, 1));
        assertArrayEquals(new float[] {1, 3, 2, 4}, w.toFloatArray());
        ShapeException e = assertThrows(ShapeException.class,
                () -> Tensor.wrap(st, Layout.of(Shape.of(2, 3), new int[] {3, 1}, 1)));
        assertEquals("Tensor.wrap: Layout[2, 3] strides [3, 1] offset 1 reaches element 6 of a storage of 6", e.getMessage());
    }
}

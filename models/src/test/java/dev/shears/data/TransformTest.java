package dev.shears.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.tensor.Rng;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TransformTest {

    /** A [2, 3, 3] image whose value encodes channel, row and column: 100c + 10y + x + 1. */
    private static float[] image() {
        float[] v = new float[18];
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 3; x++) {
                    v[c * 9 + y * 3 + x] = 100 * c + 10 * y + x + 1;
                }
            }
        }
        return v;
    }

    private static final int[] SHAPE = {2, 3, 3};

    @Test
    void flipMirrorsEveryRowOfEveryChannel() {
        float[] v = image();
        Transform.flip(v, SHAPE);
        assertArrayEquals(new float[] {3, 2, 1, 13, 12, 11, 23, 22, 21, 103, 102, 101, 113, 112, 111, 123, 122, 121}, v);
    }

    @Test
    void flipWithProbabilityZeroAndOne() {
        float[] v = image();
        Transform.horizontalFlip(0).apply(v, SHAPE, Rng.seeded(1));
        assertArrayEquals(image(), v);
        Transform.horizontalFlip(1).apply(v, SHAPE, Rng.seeded(1));
        float[] flipped = image();
        Transform.flip(flipped, SHAPE);
        assertArrayEquals(flipped, v);
    }

    @Test
    void cropAtCentreIsIdentity() {
        float[] v = image();
        Transform.crop(v, SHAPE, 1, 1, 1);
        assertArrayEquals(image(), v);
    }

    @Test
    void cropAtTopLeftShiftsDownRightWithZeros() {
        float[] v = image();
        Transform.crop(v, SHAPE, 1, 0, 0);   // output (y, x) = input (y - 1, x - 1)
        assertArrayEquals(new float[] {0, 0, 0, 0, 1, 2, 0, 11, 12, 0, 0, 0, 0, 101, 102, 0, 111, 112}, v);
    }

    @Test
    void cropAtBottomRightShiftsUpLeft() {
        float[] v = image();
        Transform.crop(v, SHAPE, 2, 4, 3);   // output (y, x) = input (y + 2, x + 1)
        assertArrayEquals(new float[] {22, 23, 0, 0, 0, 0, 0, 0, 0, 122, 123, 0, 0, 0, 0, 0, 0, 0}, v);
    }

    @Test
    void randomCropIsSeededAndCoversAllOffsets() {
        Set<String> seen = new HashSet<>();
        Rng a = Rng.seeded(5);
        Rng b = Rng.seeded(5);
        for (int i = 0; i < 200; i++) {
            float[] va = image();
            float[] vb = image();
            Transform.randomCrop(1).apply(va, SHAPE, a);
            Transform.randomCrop(1).apply(vb, SHAPE, b);
            assertArrayEquals(va, vb);
            seen.add(java.util.Arrays.toString(va));
        }
        assertEquals(9, seen.size(), "3 x 3 offsets with padding 1");
        float[] v = image();
        Transform.randomCrop(0).apply(v, SHAPE, Rng.seeded(3));
        assertArrayEquals(image(), v);
    }

    @Test
    void normalizePerChannel() {
        float[] v = image();
        Transform.normalize(new float[] {1, 100}, new float[] {2, 4}).apply(v, SHAPE, Rng.seeded(0));
        assertEquals((1 - 1) / 2f, v[0], 0f);
        assertEquals((23 - 1) / 2f, v[8], 1e-6f);
        assertEquals((101 - 100) / 4f, v[9], 1e-6f);
        float[] w = image();
        Transform.normalize(0.5f, 0.25f).apply(w, SHAPE, Rng.seeded(0));
        assertEquals((123 - 0.5f) / 0.25f, w[17], 1e-4f);
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Transform.normalize(new float[] {0}, new float[] {0}));
        assertThrows(IllegalArgumentException.class, () -> Transform.normalize(new float[] {0, 1}, new float[] {1}));
        assertThrows(IllegalArgumentException.class, () -> Transform.randomCrop(-1));
        assertThrows(IllegalArgumentException.class, () -> Transform.horizontalFlip(1.5));
        Transform threeMeans = Transform.normalize(new float[] {0, 0, 0}, new float[] {1, 1, 1});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> threeMeans.apply(image(), SHAPE, Rng.seeded(0)));
        assertTrue(e.getMessage().contains("2 channels"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Transform.flip(new float[3], new int[] {3}));
    }
}

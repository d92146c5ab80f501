package dev.shears.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Real Fashion-MNIST (Debian package folder, cache, or {@code apt-get download} + {@code dpkg-deb -x},
 * 31 MB once). Skipped with the reason when unavailable (no apt, not Debian, no network).
 */
class FashionMnistTest {

    @Test
    void testSplitShapesAndFirstLabels() {
        ArrayDataset test;
        try {
            test = FashionMnist.test(DataLocator.defaults());
        } catch (DataUnavailableException e) {
            Assumptions.abort("Fashion-MNIST unavailable: " + e.getMessage());
            return;
        }
        assertEquals(10_000, test.size());
        assertArrayEquals(new int[] {1, 28, 28}, test.sampleShape());
        int[] first = new int[8];
        for (int i = 0; i < 8; i++) {
            first[i] = test.label(i);
        }
        assertArrayEquals(new int[] {9, 2, 1, 1, 6, 1, 4, 6}, first, "README: first test labels");
        float[] x = test.get(0).inputs().toFloatArray();
        for (float v : x) {
            org.junit.jupiter.api.Assertions.assertTrue(v >= 0f && v <= 1f);
        }
        assertEquals(10, FashionMnist.CLASSES.size());
    }
}

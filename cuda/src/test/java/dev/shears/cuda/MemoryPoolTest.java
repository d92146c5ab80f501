package dev.shears.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The size classes of the device memory pool (host arithmetic only). */
class MemoryPoolTest {
    @Test
    void smallRequestsShareTheMinimumClass() {
        assertEquals(256, MemoryPool.sizeClass(0));
        assertEquals(256, MemoryPool.sizeClass(1));
        assertEquals(256, MemoryPool.sizeClass(256));
    }

    @Test
    void classesAreFourPerPowerOfTwo() {
        assertEquals(320, MemoryPool.sizeClass(257));
        assertEquals(384, MemoryPool.sizeClass(321));
        assertEquals(448, MemoryPool.sizeClass(400));
        assertEquals(512, MemoryPool.sizeClass(449));
        assertEquals(1L << 30, MemoryPool.sizeClass(1L << 30));
        assertEquals((1L << 30) + (1L << 28), MemoryPool.sizeClass((1L << 30) + 1));
    }

    @Test
    void everyClassHoldsItsRequestWithAtMostAQuarterWasted() {
        for (long b = 1; b < 1L << 40; b = b * 3 / 2 + 7) {
            long bytes = b;
            long cls = MemoryPool.sizeClass(bytes);
            assertTrue(cls >= bytes, () -> "class " + cls + " < request " + bytes);
            assertTrue(bytes <= 256 || cls <= bytes + bytes / 4 + 1, () -> "class " + cls + " wastes over 25% of "
                    + bytes);
            assertEquals(cls, MemoryPool.sizeClass(cls), "a class maps to itself");
        }
    }
}

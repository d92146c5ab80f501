package dev.shears.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.tensor.Rng;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class HoldOutTest {

    @Test
    void partsAreDisjointSortedCoverEverythingAndRepeatForASeed() {
        HoldOut h = HoldOut.random(101, 17, Rng.seeded(5));
        assertEquals(17, h.validation().length);
        assertEquals(84, h.train().length);
        int[] all = IntStream.concat(Arrays.stream(h.train()), Arrays.stream(h.validation())).sorted().toArray();
        assertArrayEquals(IntStream.range(0, 101).toArray(), all);
        assertTrue(IntStream.range(1, 17).allMatch(i -> h.validation()[i - 1] < h.validation()[i]));
        assertArrayEquals(h.validation(), HoldOut.random(101, 17, Rng.seeded(5)).validation());
        assertTrue(!Arrays.equals(h.validation(), HoldOut.random(101, 17, Rng.seeded(6)).validation()));
        assertArrayEquals(Arrays.copyOf(h.train(), 10), h.trainPrefix(10));
        assertArrayEquals(h.validation(), h.validationPrefix(null));
    }

    @Test
    void rejectsSizesThatLeaveAnEmptyPart() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HoldOut.random(10, 10, Rng.seeded(1)));
        assertTrue(e.getMessage().contains("validation size 10"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HoldOut.random(10, 0, Rng.seeded(1)));
    }
}

package dev.shears.pruning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class CubicSparsityScheduleTest {

    /** Prune steps at t = 10, 15, 20, 25, 30, from dense to 80% sparse. */
    private static final CubicSparsitySchedule SCHEDULE = new CubicSparsitySchedule(0, 0.8, 10, 5, 4);

    @Test
    void startsAtTheInitialAndEndsExactlyAtTheTargetSparsity() {
        assertEquals(30, SCHEDULE.end());
        assertEquals(0.0, SCHEDULE.sparsityAt(0));
        assertEquals(0.0, SCHEDULE.sparsityAt(10));
        assertEquals(0.8, SCHEDULE.sparsityAt(30));
        assertEquals(0.8, SCHEDULE.sparsityAt(1_000_000));
        CubicSparsitySchedule fromSparse = new CubicSparsitySchedule(0.5, 0.9, 0, 1, 3);
        assertEquals(0.5, fromSparse.sparsityAt(0));
        assertEquals(0.9, fromSparse.sparsityAt(3));
    }

    @Test
    void followsTheCubicAtEveryPruneStepAndHoldsBetweenThem() {
        // s_f + (s_i - s_f)(1 - k/n)^3 at k = 1, 2, 3 of n = 4: 0.8 * (1 - 27/64), 0.8 * (1 - 1/8), 0.8 * (1 - 1/64)
        assertEquals(0.4625, SCHEDULE.sparsityAt(15), 1e-15);
        assertEquals(0.7, SCHEDULE.sparsityAt(20), 1e-15);
        assertEquals(0.7875, SCHEDULE.sparsityAt(25), 1e-15);
        assertEquals(0.4625, SCHEDULE.sparsityAt(19), 1e-15, "held until the next prune step");
        // From a sparse start, halfway: 0.9 + (0.5 - 0.9) * (1/2)^3
        assertEquals(0.85, new CubicSparsitySchedule(0.5, 0.9, 0, 1, 2).sparsityAt(1), 1e-15);
    }

    @Test
    void risesAtEveryPruneStepByLessEachTime() {
        double previous = -1;
        double previousRise = Double.POSITIVE_INFINITY;
        for (long t = 0; t <= 40; t++) {
            double s = SCHEDULE.sparsityAt(t);
            assertTrue(s >= previous, "not monotone at t = " + t);
            if (t > 10 && t <= 30 && SCHEDULE.isPruneStep(t)) {
                double rise = s - previous;
                assertTrue(rise > 0 && rise < previousRise, "rise " + rise + " at t = " + t + " after " + previousRise);
                previousRise = rise;
            }
            previous = s;
        }
    }

    @Test
    void pruneStepsAreEveryIntervalFromStartToEnd() {
        List<Long> steps = java.util.stream.LongStream.rangeClosed(0, 40).filter(SCHEDULE::isPruneStep).boxed().toList();
        assertEquals(List.of(10L, 15L, 20L, 25L, 30L), steps);
        assertFalse(SCHEDULE.isPruneStep(-5));
    }

    @Test
    void badArgumentsAreNamed() {
        assertNamed("initial sparsity 1.0", () -> new CubicSparsitySchedule(1.0, 1.0, 0, 1, 1));
        assertNamed("initial sparsity NaN", () -> new CubicSparsitySchedule(Double.NaN, 0.5, 0, 1, 1));
        assertNamed("target sparsity 0.3", () -> new CubicSparsitySchedule(0.5, 0.3, 0, 1, 1));
        assertNamed("target sparsity 1.0", () -> new CubicSparsitySchedule(0, 1.0, 0, 1, 1));
        assertNamed("start -1", () -> new CubicSparsitySchedule(0, 0.5, -1, 1, 1));
        assertNamed("interval 0", () -> new CubicSparsitySchedule(0, 0.5, 0, 0, 1));
        assertNamed("steps 0", () -> new CubicSparsitySchedule(0, 0.5, 0, 1, 0));
        assertNamed("overflows", () -> new CubicSparsitySchedule(0, 0.5, 2, Long.MAX_VALUE / 2, 2));
    }

    private static void assertNamed(String fragment, Supplier<CubicSparsitySchedule> make) {
        var e = assertThrows(IllegalArgumentException.class, make::get);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}

package dev.shears.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.nn.Parameter;
import dev.shears.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Schedules at their key steps. */
class LrScheduleTest {

    @Test
    void constantAndStep() {
        assertEquals(0.3, LrSchedule.constant(0.3).lr(12345));
        LrSchedule s = LrSchedule.step(1.0, 10, 0.5);
        assertEquals(1.0, s.lr(0));
        assertEquals(1.0, s.lr(9));
        assertEquals(0.5, s.lr(10));
        assertEquals(0.25, s.lr(25));
    }

    @Test
    void multiStepMultipliesAtEachMilestone() {
        LrSchedule s = LrSchedule.multiStep(0.1, 0.1, 50, 75);
        assertEquals(0.1, s.lr(0), 1e-15);
        assertEquals(0.1, s.lr(49), 1e-15);
        assertEquals(0.01, s.lr(50), 1e-15);
        assertEquals(0.01, s.lr(74), 1e-15);
        assertEquals(0.001, s.lr(75), 1e-15);
        assertEquals(0.001, s.lr(10_000), 1e-15);
        assertEquals(0.5, LrSchedule.multiStep(0.5, 0.1).lr(99), "no milestones: constant");
        assertEquals(0.05, LrSchedule.multiStep(0.5, 0.1, 0).lr(0), 1e-15, "a milestone at 0 applies from the start");
        var e = assertThrows(IllegalArgumentException.class, () -> LrSchedule.multiStep(0.1, 0.1, 75, 50));
        assertTrue(e.getMessage().contains("milestone 50"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.multiStep(0.1, 0.1, -1));
        LrSchedule twice = LrSchedule.multiStep(1.0, 0.1, 5, 5);
        assertEquals(1.0, twice.lr(4), 1e-15);
        assertEquals(0.01, twice.lr(5), 1e-15, "a milestone listed twice applies twice");
    }

    @Test
    void cosine() {
        LrSchedule s = LrSchedule.cosine(1.0, 100, 0.1);
        assertEquals(1.0, s.lr(0), 1e-12);
        assertEquals(0.55, s.lr(50), 1e-12);
        assertEquals(0.1 + 0.45 * (1 + Math.cos(Math.PI / 4)), s.lr(25), 1e-12);
        assertEquals(0.1, s.lr(100), 1e-12);
        assertEquals(0.1, s.lr(1000), 1e-12);
    }

    @Test
    void warmupCosine() {
        LrSchedule s = LrSchedule.warmupCosine(1e-3, 10, 110, 1e-5);
        assertEquals(1e-4, s.lr(0), 1e-15);
        assertEquals(5e-4, s.lr(4), 1e-15);
        assertEquals(1e-3, s.lr(9), 1e-15);
        assertEquals(1e-3, s.lr(10), 1e-15);
        assertEquals(1e-5 + 0.5 * (1e-3 - 1e-5), s.lr(60), 1e-15);
        assertEquals(1e-5, s.lr(110), 1e-15);
        assertEquals(1e-5, s.lr(500), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.warmupCosine(1, 10, 10, 0));
    }

    @Test
    void optimizerFollowsSchedule() {
        Parameter w = new Parameter("w", Tensor.zeros(1));
        Sgd sgd = new Sgd(List.of(w), Sgd.Config.defaults());
        LrSchedule s = LrSchedule.step(1.0, 1, 0.5);
        for (int i = 0; i < 3; i++) {
            Grads.set(w, 1f);
            sgd.step(s);
        }
        assertEquals(0.25, sgd.learningRate());
        assertEquals(-1.75f, w.value().item(), 1e-6f);
    }
}

package dev.shears.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunPlotsTest {

    @Test
    void trailingMeanAveragesTheWindowAndSkipsNaN() {
        assertArrayEquals(new double[] {1, 1.5, 2.5, 3.5}, RunPlots.trailingMean(new double[] {1, 2, 3, 4}, 2));
        assertArrayEquals(new double[] {2, 2, 6, 6.5}, RunPlots.trailingMean(new double[] {2, Double.NaN, 6, 7}, 2));
    }

    @Test
    void writesLossAndAccuracyPlotsFromTheLog(@TempDir Path out) {
        try (RunDir run = RunDir.create(out, "plots", 1)) {
            for (int step = 1; step <= 8; step++) {
                run.logRow(Trainer.LOG_HEADER, step <= 4 ? 1 : 2, (step - 1) % 4 + 1, step, 2.0 / step, 0.01, "1.0");
            }
            RunPlots.write(run, List.of(new Trainer.EpochResult(1, 1.0, 0.9, 0.7, 1, 100),
                    new Trainer.EpochResult(2, 0.5, 0.6, 0.8, 1, 100)));
            assertTrue(Files.isRegularFile(run.path().resolve("loss.png")), "loss.png");
            assertTrue(Files.isRegularFile(run.path().resolve("accuracy.png")), "accuracy.png");
        }
    }

    @Test
    void withoutEvaluationThereIsNoAccuracyPlot(@TempDir Path out) {
        try (RunDir run = RunDir.create(out, "plots", 2)) {
            run.writeConfig(Map.of());
            RunPlots.write(run, List.of(new Trainer.EpochResult(1, 1.0, Double.NaN, Double.NaN, 1, 100)));
            assertTrue(Files.isRegularFile(run.path().resolve("loss.png")), "loss.png from the epoch means");
            assertFalse(Files.exists(run.path().resolve("accuracy.png")), "no accuracy without a test set");
        }
    }
}

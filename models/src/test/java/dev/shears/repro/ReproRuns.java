package dev.shears.repro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Shared checks of the reproduction smoke tests. */
final class ReproRuns {
    static final List<String> RUN_FILES = List.of("config.json", "log.csv", "results.md", "results.json", "loss.png",
            "accuracy.png", "checkpoint/model.safetensors", "checkpoint/optimizer.safetensors", "checkpoint/progress.json");

    private ReproRuns() {}

    /**
     * Runs {@code args} (which must write under {@code out}) and checks the one run folder it made:
     * its name, every run file, {@code steps} log rows and a loss that fell from the first to the
     * last three steps. Returns the folder.
     */
    static Path runAndCheck(Path out, String name, long seed, int steps, String... args) throws IOException {
        assertEquals(0, Repro.execute(args), "exit code of " + String.join(" ", args));
        Path run;
        try (Stream<Path> s = Files.list(out)) {
            List<Path> dirs = s.toList();
            assertEquals(1, dirs.size(), "one run folder: " + dirs);
            run = dirs.getFirst();
        }
        assertTrue(run.getFileName().toString().matches(name + "-\\d{8}-\\d{6}-s" + seed), run.toString());
        for (String f : RUN_FILES) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f + " missing in " + run);
        }
        List<String> log = Files.readAllLines(run.resolve("log.csv"));
        assertEquals("epoch,step,global_step,loss,lr,ms", log.getFirst());
        assertEquals(1 + steps, log.size(), "one log row per step");
        double first = meanLoss(log.subList(1, 4));
        double last = meanLoss(log.subList(log.size() - 3, log.size()));
        assertTrue(last < first, "loss should fall: first steps " + first + ", last steps " + last);
        return run;
    }

    private static double meanLoss(List<String> rows) {
        return rows.stream().mapToDouble(r -> Double.parseDouble(r.split(",")[3])).average().orElseThrow();
    }
}

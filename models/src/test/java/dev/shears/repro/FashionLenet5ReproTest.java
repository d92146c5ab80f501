package dev.shears.repro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.data.DataLocator;
import dev.shears.data.DataUnavailableException;
import dev.shears.data.FashionMnist;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionLenet5ReproTest {

    @Test
    void tinyRunWritesRunFilesAndLossFalls(@TempDir Path out) throws IOException {
        try {
            FashionMnist.test(DataLocator.defaults());
        } catch (DataUnavailableException e) {
            Assumptions.abort("Fashion-MNIST unavailable: " + e.getMessage());
        }
        int code = Repro.execute("fashion-lenet5", "--epochs", "2", "--batch-size", "32", "--train-limit", "320",
                "--test-limit", "200", "--seed", "3", "--threads", "2", "--log-every", "5", "--out", out.toString());
        assertEquals(0, code, "exit code");
        Path run;
        try (Stream<Path> s = Files.list(out)) {
            run = s.findFirst().orElseThrow();
        }
        assertTrue(run.getFileName().toString().matches("fashion-lenet5-\\d{8}-\\d{6}-s3"), run.toString());
        for (String f : List.of("config.json", "log.csv", "results.md", "results.json", "loss.png", "accuracy.png")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f + " missing in " + run);
        }
        List<String> log = Files.readAllLines(run.resolve("log.csv"));
        assertEquals(1 + 2 * 10, log.size(), "one row per step (2 epochs of 320 / 32)");
        double first = log.subList(1, 4).stream().mapToDouble(r -> Double.parseDouble(r.split(",")[3])).average().orElseThrow();
        double last = log.subList(log.size() - 3, log.size()).stream()
                .mapToDouble(r -> Double.parseDouble(r.split(",")[3])).average().orElseThrow();
        assertTrue(last < first, "loss should fall: first steps " + first + ", last steps " + last);
        assertTrue(Files.readString(run.resolve("config.json")).contains("LeNet-5"), "config names the model");
    }
}

package dev.shears.repro;

import dev.shears.data.DataLocator;
import dev.shears.data.DataUnavailableException;
import dev.shears.data.Mnist;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MnistMlpReproTest {

    @Test
    void tinyRunWritesRunFilesAndLossFalls(@TempDir Path out) throws IOException {
        try {
            Mnist.test(DataLocator.defaults());
        } catch (DataUnavailableException e) {
            Assumptions.abort("MNIST unavailable: " + e.getMessage());
        }
        int code = Repro.execute("mnist-mlp", "--epochs", "1", "--batch-size", "32", "--train-limit", "640",
                "--test-limit", "500", "--seed", "7", "--threads", "2", "--log-every", "5", "--out", out.toString());
        assertEquals(0, code, "exit code");

        Path run;
        try (Stream<Path> s = Files.list(out)) {
            List<Path> dirs = s.toList();
            assertEquals(1, dirs.size(), "one run folder: " + dirs);
            run = dirs.getFirst();
        }
        assertTrue(run.getFileName().toString().matches("mnist-mlp-\\d{8}-\\d{6}-s7"), run.toString());
        for (String f : List.of("config.json", "log.csv", "results.md", "results.json", "loss.png", "accuracy.png",
                "checkpoint/model.safetensors", "checkpoint/optimizer.safetensors", "checkpoint/progress.json")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f + " missing in " + run);
        }
        List<String> log = Files.readAllLines(run.resolve("log.csv"));
        assertEquals("epoch,step,global_step,loss,lr,ms", log.getFirst());
        assertEquals(1 + 20, log.size(), "one row per step (640 / 32)");
        double first = meanLoss(log.subList(1, 4));
        double last = meanLoss(log.subList(log.size() - 3, log.size()));
        assertTrue(last < first, "loss should fall: first steps " + first + ", last steps " + last);
        String json = Files.readString(run.resolve("results.json"));
        assertTrue(json.contains("finalTestAccuracy"), json);

        // Resuming a finished run restores its last checkpoint, trains nothing and reports the same accuracy.
        String accuracyLine = json.lines().filter(l -> l.contains("finalTestAccuracy")).findFirst().orElseThrow();
        assertEquals(0, Repro.execute("mnist-mlp", "--resume", run.toString()), "resume exit code");
        assertTrue(Files.readString(run.resolve("results.json")).contains(accuracyLine), "same final accuracy after resume");
        assertEquals(1 + 20, Files.readAllLines(run.resolve("log.csv")).size(), "no steps added by the resume");
        assertEquals(2, Repro.execute("mnist-mlp", "--resume", out.resolve("no-such-run").toString()),
                "a missing run folder is a usage error");
    }

    @Test
    void listAndUnknownName() {
        assertEquals(0, Repro.execute("--list"));
        assertEquals(0, Repro.execute());
        assertEquals(2, Repro.execute("no-such-repro"));
    }

    private static double meanLoss(List<String> rows) {
        return rows.stream().mapToDouble(r -> Double.parseDouble(r.split(",")[3])).average().orElseThrow();
    }
}

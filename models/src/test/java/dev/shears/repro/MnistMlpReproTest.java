package dev.shears.repro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.data.DataLocator;
import dev.shears.data.DataUnavailableException;
import dev.shears.data.Mnist;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistMlpReproTest {

    @Test
    void tinyRunWritesRunFilesAndLossFallsAndResumeKeepsTheResult(@TempDir Path out) throws IOException {
        try {
            Mnist.test(DataLocator.defaults());
        } catch (DataUnavailableException e) {
            Assumptions.abort("MNIST unavailable: " + e.getMessage());
        }
        Path run = ReproRuns.runAndCheck(out, "mnist-mlp", 7, 20, "mnist-mlp", "--epochs", "1", "--batch-size", "32",
                "--train-limit", "640", "--test-limit", "500", "--seed", "7", "--threads", "2", "--log-every", "5",
                "--out", out.toString());
        String json = Files.readString(run.resolve("results.json"));
        String accuracyLine = json.lines().filter(l -> l.contains("finalTestAccuracy")).findFirst().orElseThrow();

        // Resuming a finished run restores its last checkpoint, trains nothing and reports the same accuracy.
        assertEquals(0, Repro.execute("mnist-mlp", "--resume", run.toString()), "resume exit code");
        assertTrue(Files.readString(run.resolve("results.json")).contains(accuracyLine), "same final accuracy after resume");
        assertEquals(1 + 20, Files.readAllLines(run.resolve("log.csv")).size(), "no steps added by the resume");
        assertEquals(2, Repro.execute("mnist-mlp", "--resume", out.resolve("no-such-run").toString()),
                "a missing run folder is a usage error");
        assertEquals(2, Repro.execute("mnist-mlp", "--resume", run.toString(), "--epochs", "3"),
                "settings cannot change on resume");
    }

    @Test
    void listAndUnknownName() {
        assertEquals(0, Repro.execute("--list"));
        assertEquals(0, Repro.execute());
        assertEquals(2, Repro.execute("no-such-repro"));
        assertEquals(2, Repro.execute("mnist-mlp", "--epochs", "0"), "epochs must be >= 1");
        assertEquals(2, Repro.execute("fashion-lenet5", "--lr", "-1"), "the learning rate must be positive");
    }
}

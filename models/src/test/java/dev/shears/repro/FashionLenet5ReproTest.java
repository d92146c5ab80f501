package dev.shears.repro;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.data.DataLocator;
import dev.shears.data.DataUnavailableException;
import dev.shears.data.FashionMnist;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        Path run = ReproRuns.runAndCheck(out, "fashion-lenet5", 3, 2 * 10, "fashion-lenet5", "--epochs", "2",
                "--batch-size", "32", "--train-limit", "320", "--test-limit", "200", "--seed", "3", "--threads", "2",
                "--log-every", "5", "--out", out.toString());
        assertTrue(Files.readString(run.resolve("config.json")).contains("LeNet-5"), "config names the model");
    }
}

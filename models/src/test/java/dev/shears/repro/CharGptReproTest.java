package dev.shears.repro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.data.DataLocator;
import dev.shears.data.DataUnavailableException;
import dev.shears.data.TinyShakespeare;
import dev.shears.lm.GptCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CharGptReproTest {

    @Test
    void aTinyGptTrainsItsLossFallsAndTheRunFolderIsComplete(@TempDir Path out) throws IOException {
        try {
            TinyShakespeare.text(DataLocator.defaults());
        } catch (DataUnavailableException e) {
            Assumptions.abort("tiny-shakespeare unavailable: " + e.getMessage());
        }
        assertEquals(0, Repro.execute("char-gpt", "--layers", "1", "--heads", "2", "--dim", "16", "--context", "16",
                "--batch-size", "4", "--iters", "40", "--warmup", "5", "--lr", "1e-2", "--eval-every", "20",
                "--eval-iters", "2", "--sample-tokens", "20", "--threads", "2", "--out", out.toString()));
        Path run;
        try (Stream<Path> s = Files.list(out)) {
            run = s.findFirst().orElseThrow();
        }
        for (String f : List.of("config.json", "log.csv", "results.md", "results.json", "results.csv", "loss.png",
                "sample.txt", GptCheckpoint.FILE)) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f + " missing in " + run);
        }
        List<String> log = Files.readAllLines(run.resolve("log.csv"));
        assertEquals(41, log.size(), "a row per step");
        List<String> estimates = Files.readAllLines(run.resolve("results.csv"));
        double first = Double.parseDouble(estimates.get(1).split(",")[2]);
        double last = Double.parseDouble(estimates.getLast().split(",")[2]);
        assertTrue(last < first - 0.3, "validation loss should fall: " + first + " -> " + last);
        assertEquals(40 + 1, Files.readAllLines(run.resolve("log.csv")).size());
        assertTrue(Files.readString(run.resolve("results.md")).contains("CHECK char_gpt val_loss="));
        assertEquals(16, GptCheckpoint.load(run).model().config().dim());
        assertEquals(2, Repro.execute("char-gpt", "--heads", "3"), "128 is not a multiple of 3 heads");
    }
}

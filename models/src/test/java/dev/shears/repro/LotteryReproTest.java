package dev.shears.repro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.data.DataLocator;
import dev.shears.data.DataUnavailableException;
import dev.shears.data.Mnist;
import dev.shears.sparse.SparseMatrix;
import dev.shears.sparse.SparseTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LotteryReproTest {

    @Test
    void tinyRunWritesTheRunFolderChecksAndASparseTicket(@TempDir Path out) throws IOException {
        try {
            Mnist.test(DataLocator.defaults());
        } catch (DataUnavailableException e) {
            Assumptions.abort("MNIST unavailable: " + e.getMessage());
        }
        assertEquals(0, Repro.execute("lottery", "--levels", "2", "--iters-per-level", "40", "--eval-every", "10",
                "--seeds", "3", "--train-limit", "1200", "--test-limit", "300", "--threads", "2",
                "--out", out.toString()));
        Path run;
        try (Stream<Path> s = Files.list(out)) {
            run = s.findFirst().orElseThrow();
        }
        for (String f : List.of("config.json", "log.csv", "levels.csv", "results.csv", "results.md", "results.json",
                "accuracy.png", "early_stop.png", "validation_loss.png", "ticket-s3-csr.safetensors")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f + " missing in " + run);
        }
        // dense, then ticket + reinit + random mask at 2 levels, each validated 4 times
        assertEquals(1 + (1 + 2 * 3) * 4, Files.readAllLines(run.resolve("log.csv")).size());
        assertEquals(1 + 1 + 2 * 3, Files.readAllLines(run.resolve("levels.csv")).size());

        String md = Files.readString(run.resolve("results.md"));
        for (String check : List.of("CHECK lth level=2 remaining=", "CHECK lth_matching ", "CHECK lth_reinit ",
                "CHECK lth_early_stop ", "CHECK lth_summary ", "CHECK lth_export seed=3 format=csr")) {
            assertTrue(md.contains(check), check + " missing in results.md");
        }
        assertTrue(md.lines().filter(l -> l.startsWith("CHECK lth_")).allMatch(l -> l.matches(".* verdict=(PASS|FAIL|INCONCLUSIVE)")));
        assertTrue(md.contains("CHECK lth_export seed=3 format=csr file=ticket-s3-csr.safetensors")
                && md.lines().filter(l -> l.startsWith("CHECK lth_export")).allMatch(l -> l.endsWith("verdict=PASS")),
                "the exported ticket scores what the masked one scores");

        // level 2 keeps 0.8^2 of the hidden layers and 0.9^2 of the output layer
        Map<String, SparseMatrix> ticket = SparseTensors.read(run.resolve("ticket-s3-csr.safetensors"));
        assertEquals(Math.round(0.64 * 784 * 300), ticket.get("0.weight").nnz());
        assertEquals(Math.round(0.64 * 300 * 100), ticket.get("2.weight").nnz());
        assertEquals(Math.round(0.81 * 100 * 10), ticket.get("4.weight").nnz());
    }

    @Test
    void badOptionsAreUsageErrors() {
        assertEquals(2, Repro.execute("lottery", "--rate", "1.2"));
        assertEquals(2, Repro.execute("lottery", "--rewind", "6000"));
        assertEquals(2, Repro.execute("lottery", "--controls", "reinit,shuffle"));
        assertEquals(2, Repro.execute("lottery", "--seeds", "1,1"));
        assertEquals(2, Repro.execute("lottery", "--net", "resnet"));
    }
}

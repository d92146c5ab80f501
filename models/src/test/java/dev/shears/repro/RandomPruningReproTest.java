package dev.shears.repro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shears.data.DataLocator;
import dev.shears.data.DataUnavailableException;
import dev.shears.data.FashionMnist;
import dev.shears.models.Mlp;
import dev.shears.pruning.RandomPruning;
import dev.shears.pruning.RandomPruning.Distribution;
import dev.shears.tensor.Rng;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RandomPruningReproTest {
    private static final List<String> RUN_FILES = List.of("config.json", "log.csv", "results.md", "results.json",
            "results.csv", "accuracy.png", "gap.png");

    @Test
    void tinyRunWritesACompleteRunFolderWithMasksAtTheSolvedDensities(@TempDir Path out) throws IOException {
        try {
            FashionMnist.test(DataLocator.defaults());
        } catch (DataUnavailableException e) {
            Assumptions.abort("Fashion-MNIST unavailable: " + e.getMessage());
        }
        assertEquals(0, Repro.execute("random-pruning", "--widths", "16,32", "--densities", "0.1,0.05", "--epochs", "1",
                "--seeds", "3", "--batch-size", "64", "--train-limit", "512", "--test-limit", "200", "--threads", "2",
                "--out", out.toString()));

        Path run;
        try (Stream<Path> s = Files.list(out)) {
            List<Path> dirs = s.toList();
            assertEquals(1, dirs.size(), "one run folder for every training: " + dirs);
            run = dirs.getFirst();
        }
        assertTrue(run.getFileName().toString().matches("random-pruning-\\d{8}-\\d{6}-s3"), run.toString());
        for (String f : RUN_FILES) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f + " missing in " + run);
        }
        List<String> log = Files.readAllLines(run.resolve("log.csv"));
        assertEquals(RandomPruningRepro.LOG_HEADER, log.getFirst());
        assertEquals(1 + 2 * (1 + 2 * 2), log.size(), "a row per epoch of each width's dense, uniform and ERK trainings");

        String md = Files.readString(run.resolve("results.md"));
        assertTrue(md.contains("| width | D | dense % | uniform % | ERK % | gap (dense - ERK) |"), md);
        for (String w : List.of("16", "32")) {
            for (String d : List.of("0.1", "0.05")) {
                assertTrue(md.contains("CHECK random_prune width=" + w + " D=" + d + " acc_dense="), "line for w=" + w
                        + " D=" + d + " in\n" + md);
            }
        }
        assertTrue(md.contains("claim=gap_erk_decreases_with_width D=0.1 "), md);
        assertTrue(md.contains("claim=gap_erk_decreases_with_width D=0.05 "), md);
        assertTrue(md.lines().anyMatch(l -> l.startsWith("CHECK random_prune claim=erk_ge_uniform D=0.05 ")
                && l.matches(".* verdict=(PASS|FAIL)$")), md);

        JsonNode runs = new ObjectMapper().readTree(run.resolve("results.json").toFile()).get("runs");
        assertEquals(2 * (1 + 2 * 2), runs.size());
        for (JsonNode r : runs) {
            assertMasksAtSolvedDensities(r);
        }
    }

    /** Each layer keeps round(d_l · n_l) weights for the d_l RandomPruning solves, and training left exactly those nonzero. */
    private static void assertMasksAtSolvedDensities(JsonNode r) {
        int width = r.get("width").asInt();
        String condition = r.get("condition").asText();
        double density = r.get("density").asDouble();
        Map<String, Double> solved = condition.equals("DENSE") ? null : RandomPruning.densities(
                Mlp.of(Rng.seeded(0), 784, width, width, 10), Distribution.valueOf(condition), density, Set.of());
        long size = 0;
        long nonzero = 0;
        for (JsonNode l : r.get("layers")) {
            String where = condition + " w=" + width + " D=" + density + " " + l.get("name").asText();
            int n = l.get("size").asInt();
            double d = solved == null ? 1 : solved.get(l.get("name").asText());
            assertEquals(d, l.get("solvedDensity").asDouble(), 1e-12, where);
            assertEquals(Math.round(d * n), l.get("kept").asInt(), where);
            assertEquals(l.get("kept").asInt(), l.get("nonzero").asInt(), where + ": nonzeros after training");
            size += n;
            nonzero += l.get("nonzero").asInt();
        }
        assertEquals(condition.equals("DENSE") ? 1 : density, (double) nonzero / size, 1e-3,
                condition + " w=" + width + ": measured global density");
    }

    @Test
    void badValuesAreUsageErrorsNamingTheOptionAndValue() {
        assertUsageError("--widths 0 must be >= 1", "--widths", "100,0");
        assertUsageError("--densities 1.5 must be in (0, 1)", "--densities", "1.5");
        assertUsageError("--densities lists 0.1 twice", "--densities", "0.1,0.05,0.1");
        assertUsageError("--seeds lists 17 twice", "--seeds", "17,17");
        assertUsageError("--epochs 0 must be >= 1", "--epochs", "0");
        assertUsageError("--lr -1.0 must be a positive number", "--lr", "-1");
        assertUsageError("--threads 0 must be >= 1", "--threads", "0");
        assertUsageError("'x'", "--widths", "100,x");
    }

    private static void assertUsageError(String message, String... args) {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Repro()).setErr(new PrintWriter(err, true));
        String[] full = Stream.concat(Stream.of("random-pruning"), Stream.of(args)).toArray(String[]::new);
        assertEquals(2, cl.execute(full), String.join(" ", full));
        assertTrue(err.toString().contains(message), "expected '" + message + "' in: " + err);
    }
}

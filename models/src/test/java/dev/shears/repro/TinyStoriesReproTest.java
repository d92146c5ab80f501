package dev.shears.repro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.data.DataLocator;
import dev.shears.lm.PretrainedLm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TinyStoriesReproTest {

    @BeforeAll
    static void needsTheModel() {
        Assumptions.assumeTrue(DataLocator.sharedDataDirs(PretrainedLm.TINYSTORIES).stream().anyMatch(Files::isDirectory),
                "shared/data/tinystories-656k not found");
    }

    private static String captured(Runnable r) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void greedyStoryFromTheDefaultPromptAndClearErrors() {
        String out = captured(() -> assertEquals(0, Repro.execute("tinystories", "--greedy", "--max-tokens", "12")));
        assertTrue(out.contains("Once upon a time"), out);
        assertTrue(out.contains("12 tokens") && out.contains("tokens/s"), out);
        assertEquals(2, Repro.execute("tinystories", "--prompt", "“Hi”"), "characters outside the vocabulary");
        assertEquals(2, Repro.execute("tinystories", "--top-p", "0"));
        assertEquals(2, Repro.execute("tinystories", "--model-dir", "/no/such/model"));
    }

    @Test
    void evaluationWritesTheTableAndAFinitePerplexity(@TempDir Path out) throws IOException {
        assertEquals(0, Repro.execute("tinystories-eval", "--out", out.toString()));
        Path run;
        try (Stream<Path> s = Files.list(out)) {
            run = s.findFirst().orElseThrow();
        }
        for (String f : List.of("config.json", "results.md", "results.json", "results.csv", "nll.png")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f + " missing");
        }
        List<String> rows = Files.readAllLines(run.resolve("results.csv"));
        assertEquals(1 + 5 + 1, rows.size(), "five stories and the total");
        double perplexity = Double.parseDouble(rows.getLast().split(",")[4]);
        assertTrue(perplexity > 1 && perplexity < 100, "perplexity " + perplexity);
    }
}

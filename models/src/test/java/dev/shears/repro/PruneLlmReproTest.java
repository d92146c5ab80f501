package dev.shears.repro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.data.DataLocator;
import dev.shears.lm.PretrainedLm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PruneLlmReproTest {

    @Test
    void smallRunPrunesTinyStoriesAndWritesTheTable(@TempDir Path out) throws IOException {
        Assumptions.assumeTrue(DataLocator.sharedDataDirs(PretrainedLm.TINYSTORIES).stream().anyMatch(Files::isDirectory),
                "shared/data/tinystories-656k not found");
        assertEquals(0, Repro.execute("prune-llm", "--methods", "magnitude,wanda,nowag,armor", "--patterns",
                "2:4,unstructured-50", "--armor-blocks", "4,8", "--armor-iters", "10", "--armor-lr", "3e-4,1e-3", "--calibration", "3",
                "--calib-length", "16", "--calibration-seeds", "2", "--decode-tokens", "8", "--decode-reps", "1",
                "--out", out.toString()));
        Path run;
        try (Stream<Path> s = Files.list(out)) {
            run = s.findFirst().orElseThrow();
        }
        for (String f : List.of("config.json", "calibration.json", "log.csv", "results.md", "results.json",
                "results.csv", "decode-speed.csv", "perplexity.png", "armor-loss-b4.png", "armor-loss-b8.png")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f + " missing");
        }
        // magnitude, wanda, nowag at two patterns and ARMOR at two block sizes (2:4 only), 14 layers each, two seeds
        assertEquals(1 + 2 * (3 * 2 + 2) * 14, Files.readAllLines(run.resolve("log.csv")).size(),
                "a row per pruned layer");
        String md = Files.readString(run.resolve("results.md"));
        assertTrue(md.contains("CHECK ptq_baselines ppl_dense=20.787"), md);
        assertTrue(md.contains("CHECK ptq_24_worse_than_unstructured method=wanda"), md);
        assertTrue(md.contains("CHECK armor ppl_dense=20.787") && md.contains("CHECK armor_proxy block=8")
                && md.contains("CHECK armor_blocks blocks=4,8"), md);
        assertTrue(md.contains("| 14 SemiStructuredLinear |") && md.contains("| 14 SparseLinear(BitmapMatrix) |")
                && md.contains("| 14 ArmorLinear |") && md.contains("| 14 Linear |"), "the pruned layers are sparse: " + md);
        assertTrue(md.contains("lr=3.0E-4,0.001"), "the ARMOR check names the rates tried: " + md);
        List<String> armorRates = Files.readAllLines(run.resolve("log.csv")).stream().filter(l -> l.contains(",armor-"))
                .map(l -> l.split(",")[11]).distinct().toList();
        assertTrue(armorRates.stream().allMatch(r -> r.equals("3.0E-4") || r.equals("0.001")), armorRates.toString());
        List<String> speed = Files.readAllLines(run.resolve("decode-speed.csv"));
        assertEquals(List.of("dense", "2:4 (magnitude)", "armor-b4", "armor-b8", "unstructured-50 (magnitude)"),
                speed.stream().skip(1).map(l -> l.substring(0, l.indexOf(','))).toList(), "one model per kind of layer");
        assertTrue(Files.readString(run.resolve("log.csv")).lines().skip(1).allMatch(l -> l.contains(",0.5000,")),
                "every layer at 50%");
    }

    @Test
    void badOptionsAreUsageErrors() {
        assertEquals(2, Repro.execute("prune-llm", "--methods", "armor2"));
        assertEquals(2, Repro.execute("prune-llm", "--patterns", "3:2"));
        assertEquals(2, Repro.execute("prune-llm", "--calibration-seeds", "0"));
        assertEquals(2, Repro.execute("prune-llm", "--model", "gpt5"));
        assertEquals(2, Repro.execute("prune-llm", "--model", "char-gpt:/no/such/run"));
    }
}

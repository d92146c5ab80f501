package dev.shears.repro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.data.DataLocator;
import dev.shears.data.DataUnavailableException;
import dev.shears.data.Mnist;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class GlobalMagnitudeReproTest {

    private static final int LENET300_WEIGHTS = 784 * 300 + 300 * 100 + 100 * 10;
    private static final Pattern CHECK = Pattern.compile("CHECK gmp net=lenet300 data=mnist s=(0\\.9|0\\.99)"
            + " acc_global=\\d+\\.\\d\\d acc_global_mt=\\d+\\.\\d\\d acc_uniform=\\d+\\.\\d\\d"
            + " min_layer_density_global=\\d\\.\\d{4} min_layer_density_mt=\\d\\.\\d{4} collapsed_layers=\\d+ seed=7"
            + " minutes=\\d+\\.\\d sparsity=(\\d\\.\\d{4}) verdict=(PASS|FAIL|INCONCLUSIVE)");

    @Test
    void tinyRunWritesACompleteRunFolderAtTheTargetSparsities(@TempDir Path out) throws IOException {
        try {
            Mnist.test(DataLocator.defaults());
        } catch (DataUnavailableException e) {
            Assumptions.abort("MNIST unavailable: " + e.getMessage());
        }
        assertEquals(0, Repro.execute("global-magnitude", "--nets", "lenet300", "--datasets", "mnist",
                "--sparsities", "0.9,0.99", "--pretrain-epochs", "1", "--finetune-epochs", "2", "--train-limit", "1000",
                "--test-limit", "500", "--seed", "7", "--threads", "2", "--out", out.toString()));
        Path run = onlyFolder(out);
        assertTrue(run.getFileName().toString().matches("global-magnitude-\\d{8}-\\d{6}-s7"), run.toString());
        for (String f : List.of("config.json", "log.csv", "results.md", "results.json", "results.csv",
                "accuracy-lenet300-mnist.png")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f + " missing in " + run);
        }

        // One row per epoch: 1 of pretraining, 2 sparsities x 4 conditions x 2 of fine-tuning.
        List<String> log = Files.readAllLines(run.resolve("log.csv"));
        assertEquals(GmpExperiment.LOG_HEADER, log.getFirst());
        assertEquals(1 + 1 + 2 * 4 * 2, log.size());
        assertTrue(log.get(1).startsWith("lenet300,mnist,0.0,dense,1,"), log.get(1));

        // Every pruned model is at its target, counted from the zeros (results.csv column 7).
        List<String> rows = Files.readAllLines(run.resolve("results.csv"));
        assertEquals(1 + 2 * 4, rows.size());
        for (String row : rows.subList(1, rows.size())) {
            String[] cells = row.split(",");
            double target = Double.parseDouble(cells[2]);
            double measured = Double.parseDouble(cells[6]);
            assertEquals(Math.round(target * LENET300_WEIGHTS) / (double) LENET300_WEIGHTS, measured, 1e-6, row);
        }
        // The gradual condition is below the target after its first step and at it after the last.
        List<String> gradual = log.stream().filter(l -> l.startsWith("lenet300,mnist,0.99,gradual,")).toList();
        assertEquals(2, gradual.size());
        assertTrue(measuredSparsity(gradual.get(0)) < 0.98, gradual.get(0));
        assertEquals(0.99, measuredSparsity(gradual.get(1)), 1e-6, gradual.get(1));

        List<String> checks = Files.readString(run.resolve("results.md")).lines().filter(l -> l.startsWith("CHECK"))
                .toList();
        assertEquals(2, checks.size(), checks.toString());
        for (String line : checks) {
            var m = CHECK.matcher(line);
            assertTrue(m.matches(), line);
            assertEquals(Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)), 1e-4, line);
        }
        String json = Files.readString(run.resolve("results.json"));
        assertTrue(json.contains("\"condition\" : \"global_mt\"") && json.contains(checks.getFirst()), json);
    }

    private static double measuredSparsity(String logRow) {
        String[] cells = logRow.split(",");
        return Double.parseDouble(cells[cells.length - 1]);
    }

    private static Path onlyFolder(Path out) throws IOException {
        try (Stream<Path> s = Files.list(out)) {
            List<Path> dirs = s.toList();
            assertEquals(1, dirs.size(), "one run folder: " + dirs);
            return dirs.getFirst();
        }
    }

    @Test
    void badValuesAreUsageErrorsNamingOptionAndValue(@TempDir Path out) throws IOException {
        String[][] cases = {
            {"--sparsities", "0.9,1.5", "--sparsities 1.5"},
            {"--sparsities", "0.9,0.9", "--sparsities lists 0.9 twice"},
            {"--nets", "lenet5,vgg", "--nets 'vgg'"},
            {"--datasets", "cifar", "--datasets 'cifar'"},
            {"--finetune-epochs", "0", "--finetune-epochs 0"},
            {"--pretrain-lr", "-1", "--pretrain-lr -1.0"},
            {"--mt-percent", "101", "--mt-percent 101.0"},
            {"--threads", "0", "--threads 0"},
            {"--sparsities", "0.999", "--sparsities 0.999 with --mt-percent 0.2 on lenet5"},
        };
        for (String[] c : cases) {
            StringWriter err = new StringWriter();
            CommandLine cl = new CommandLine(new Repro());
            cl.setErr(new PrintWriter(err));
            assertEquals(2, cl.execute("global-magnitude", c[0], c[1], "--out", out.toString()), String.join(" ", c));
            assertTrue(err.toString().contains(c[2]), c[2] + " not in: " + err);
        }
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(0, s.count(), "a rejected run must not create a run folder");
        }
    }
}

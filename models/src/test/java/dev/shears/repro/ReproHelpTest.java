package dev.shears.repro;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every reproduction's --help renders cleanly: picocli formats descriptions, so a bare '%' breaks them. */
class ReproHelpTest {

    @Test
    void everyUsageMessageFormatsWithoutWarnings() {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            for (Map.Entry<String, CommandLine> e : new CommandLine(new Repro()).getSubcommands().entrySet()) {
                String usage = e.getValue().getUsageMessage();
                assertTrue(usage.contains("./shears run " + e.getKey()), usage);
            }
        } finally {
            System.setErr(err);
        }
        String warnings = captured.toString(StandardCharsets.UTF_8);
        assertFalse(warnings.contains("picocli WARN"), warnings);
    }
}

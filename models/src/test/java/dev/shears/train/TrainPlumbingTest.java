package dev.shears.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainPlumbingTest {

    @Test
    void progressLinePrintsEveryIntervalAndAtEpochEnd() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ProgressLog log = new ProgressLog(ProgressLog.Sink.lines(new PrintStream(buf, true, StandardCharsets.UTF_8)), 2, 5, 2, "img");
        assertNull(log.step(0, 0, 1.0, 1e-3, 2_000_000, 100));
        String line = log.step(0, 1, 0.5, 1e-3, 2_000_000, 100);
        assertEquals("epoch 1/2 | step 2/5 | loss 0.7500 | lr 1.0e-3 | 2.0 ms/step | 50k img/s | eta 0s", line);
        assertNull(log.step(0, 2, 0.5, 1e-3, 2_000_000, 100));
        assertTrue(log.step(0, 3, 0.5, 1e-3, 2_000_000, 100).contains("step 4/5"));
        assertTrue(log.step(0, 4, 0.5, 3e-4, 2_000_000, 100).contains("step 5/5 | loss 0.5000 | lr 3.0e-4"));
        assertEquals(3, buf.toString(StandardCharsets.UTF_8).lines().count());
    }

    @Test
    void formatting() {
        assertEquals("950", ProgressLog.compact(950));
        assertEquals("1.5k", ProgressLog.compact(1500));
        assertEquals("40k", ProgressLog.compact(40_200));
        assertEquals("1.2M", ProgressLog.compact(1_230_000));
        assertEquals("12s", ProgressLog.duration(12.2));
        assertEquals("4m10s", ProgressLog.duration(250));
        assertEquals("1h02m", ProgressLog.duration(3720));
        assertEquals("1.0e-3", ProgressLog.scientific(1e-3));
        assertEquals("2.5e1", ProgressLog.scientific(25));
    }

    @Test
    void runDirWritesFilesAndNeverReusesAFolder(@TempDir Path out) throws IOException {
        Path first;
        try (RunDir run = RunDir.create(out.resolve("runs"), "demo", 3)) {
            first = run.path();
            assertTrue(first.getFileName().toString().matches("demo-\\d{8}-\\d{6}-s3"), first.toString());
            run.writeConfig(Map.of("lr", 0.1));
            run.logRow("step,loss", 1, 0.5);
            run.logRow("step,loss", 2, 0.25);
            run.writeText("results.md", "# ok\n");
            run.writeJson("results.json", Map.of("acc", 0.9));
        }
        assertEquals(List.of("step,loss", "1,0.5", "2,0.25"), Files.readAllLines(first.resolve("log.csv")));
        assertTrue(Files.readString(first.resolve("config.json")).contains("\"lr\" : 0.1"));
        assertEquals("# ok\n", Files.readString(first.resolve("results.md")));
        try (var files = Files.list(first)) {
            assertEquals(4, files.count(), "no temp files left behind");
        }
        try (RunDir again = RunDir.create(out.resolve("runs"), "demo", 3)) {
            assertNotEquals(first, again.path());
        }
        assertThrows(IllegalArgumentException.class, () -> RunDir.create(out, "a/b", 1));
    }

    @Test
    void timerFreezesOnClose() throws InterruptedException {
        Timer t = Timer.start();
        try (t) {
            Thread.sleep(5);
        }
        double s = t.seconds();
        assertTrue(s > 0);
        Thread.sleep(5);
        assertEquals(s, t.seconds());
    }
}

package dev.shears.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bench command line: usage and exit codes, and a tiny gemm run end to end. */
class BenchTest {
    /** Exit code, stdout and stderr of one run. */
    record Run(int code, String out, String err) {}

    private static Run bench(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Bench.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpListsTheSuitesAndExitsZero() {
        Run r = bench("--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("gemm"), r.out());
        Run g = bench("gemm", "--help");
        assertEquals(0, g.code(), g.err());
        assertTrue(g.out().contains("--sizes") && g.out().contains("--warmup-ms"), g.out());
    }

    @Test
    void usageErrorsExitNonZero() {
        for (String[] args : List.of(new String[] {}, new String[] {"nosuchsuite"}, new String[] {"gemm", "--nosuchoption"},
                new String[] {"gemm", "--sizes", "abc"}, new String[] {"gemm", "--threads", "0"})) {
            Run r = bench(args);
            assertEquals(2, r.code(), String.join(" ", args) + " gave stdout " + r.out() + " stderr " + r.err());
            assertTrue(r.err().contains("Usage"), String.join(" ", args) + ": " + r.err());
        }
    }

    @Test
    void tinyGemmRunPrintsTableAndMachineLines() {
        Run r = bench("gemm", "--sizes", "40,64", "--threads", "1", "--reps", "2", "--warmup-ms", "0", "--peak-ms", "5");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("| kernel") && r.out().contains("% of peak (best)"), r.out());
        assertTrue(r.out().contains("PEAK,fma_f32,1,"), r.out());
        List<String> results = r.out().lines().filter(l -> l.startsWith("RESULT,")).toList();
        assertEquals(3, results.size(), r.out()); // reference at 40, then gemm_f32 at 40 and 64
        assertTrue(results.get(0).startsWith("RESULT,gemm_reference,1,40,40,40,"), results.get(0));
        for (String line : results) {
            String[] f = line.split(",");
            assertEquals(12, f.length, line);
            assertEquals(2, Integer.parseInt(f[10]), line);
            double err = Double.parseDouble(f[11]);
            assertTrue(err < 1e-5, "max rel err " + err + " in " + line);
        }
    }

    @Test
    void tinyTrainRunPrintsOneResultPerModelAndThreadCount() {
        Run r = bench("train", "--batch-size", "4", "--threads", "1", "--reps", "2", "--warmup-ms", "0");
        assertEquals(0, r.code(), r.err());
        List<String> results = r.out().lines().filter(l -> l.startsWith("RESULT,lenet")).toList();
        assertEquals(2, results.size(), r.out());
        for (String line : results) {
            String[] f = line.split(",");
            assertEquals(8, f.length, line);
            assertTrue(Double.parseDouble(f[4]) > 0, line);
            assertEquals(Double.parseDouble(f[5]) * 15_000 / 1e3, Double.parseDouble(f[6]), 0.01,
                    "projected epoch = median ms x 15,000 steps of 4: " + line);
        }
        assertEquals(2, bench("train", "--batch-size", "0").code());
    }

    @Test
    void tinyElementwiseRunPrintsOneResultPerKernelAndThreadCount() {
        Run r = bench("elementwise", "--elements", "4096", "--threads", "1", "--reps", "2", "--warmup-ms", "0");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("| kernel") && r.out().contains("best GB/s"), r.out());
        List<String> results = r.out().lines().filter(l -> l.startsWith("RESULT,")).toList();
        assertEquals(8, results.size(), r.out());
        for (String line : results) {
            String[] f = line.split(",");
            assertEquals(9, f.length, line);
            // A cold kernel on 4096 elements may print 0.00 GB/s; its time must still be measured.
            assertTrue(Double.parseDouble(f[4]) >= 0 && Double.parseDouble(f[6]) > 0, line);
        }
        assertEquals(2, bench("elementwise", "--elements", "0").code());
    }

    @Test
    void relativeErrorSeesAWrongEntry() {
        int n = 8;
        float[] a = GemmSuite.uniform(n * n, 1);
        float[] b = GemmSuite.uniform(n * n, 2);
        float[] c = new float[n * n];
        dev.shears.tensor.cpu.GemmKernel.reference(n, n, n, a, 0, n, 1, b, 0, n, 1, c, 0, n, false);
        assertTrue(GemmSuite.maxRelErr(n, a, b, c) < 1e-6);
        for (int i = 0; i < c.length; i++) {
            c[i] += 1f;
        }
        assertTrue(GemmSuite.maxRelErr(n, a, b, c) > 1e-3);
    }

    @Test
    void tablePadsColumns() {
        ResultTable t = new ResultTable("a", "long header");
        t.add("wide cell", 1);
        List<String> lines = t.toString().lines().toList();
        assertEquals(3, lines.size());
        assertEquals("| a         | long header |", lines.get(0));
        assertEquals("| --------- | ----------- |", lines.get(1));
        assertEquals("| wide cell | 1           |", lines.get(2));
    }
}

package dev.shears.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Param;

/** The bench command line: usage and exit codes, and tiny runs of the suites end to end. */
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
                new String[] {"gemm", "--sizes", "abc"}, new String[] {"gemm", "--threads", "0"},
                new String[] {"sparse", "--shapes", "100x4096"}, new String[] {"sparse", "--shapes", "4096"},
                new String[] {"sparse", "--batches", "0"}, new String[] {"sparse", "--reps", "0"})) {
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
    void tinySparseRunChecksEveryKernelAtEveryBatch() {
        // 17 rows take the tiled path of the mask kernels (from 16), 3 the register-blocked one.
        Run r = bench("sparse", "--shapes", "96x160", "--batches", "1,3,17", "--reps", "2", "--warmup-ms", "0",
                "--time-ms", "0", "--rotate-mb", "0", "--probe-mb", "1", "--probe-ms", "0", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("| M x K") && r.out().contains("% roofline") && r.out().contains("Targets met:"),
                r.out());
        assertTrue(r.out().contains("DRAM read bandwidth") && r.out().contains("BANDWIDTH,dram_sum,1,"), r.out());
        assertEquals(3, r.out().lines().filter(l -> l.contains("| (dram read) |")).count(), r.out()); // one per batch
        List<String> results = r.out().lines().filter(l -> l.startsWith("RESULT,")).toList();
        assertEquals(3 * SparseCases.KERNELS.size(), results.size(), r.out());
        for (String line : results) {
            String[] f = line.split(",");
            assertEquals(12, f.length, line); // the bench gemm format
            assertEquals(List.of("1", "96"), List.of(f[2], f[3]), line);
            assertEquals("160", f[5], line);
            assertTrue(Integer.parseInt(f[10]) >= 2, line);
            double err = Double.parseDouble(f[11]);
            assertTrue(err <= SparseCases.TOLERANCE, "max rel err " + err + " in " + line);
        }
        assertEquals(SparseCases.KERNELS.stream().map(SparseCases.Kernel::label).collect(Collectors.toSet()),
                results.stream().map(l -> l.split(",")[1]).collect(Collectors.toSet()));
    }

    @Test
    void sparseLabelsAndTargetsAreTheIssues() {
        assertEquals(List.of("dense", "24", "csr-s75", "csr-s90", "csr-s95", "csr-s90-mag", "bitmap-s50", "bitmap-s70",
                "bitmap-s75", "bitmap-s90", "armor-b32"), SparseCases.KERNELS.stream().map(SparseCases.Kernel::label).toList());
        Set<String> labels = SparseCases.KERNELS.stream().map(SparseCases.Kernel::label).collect(Collectors.toSet());
        for (SparseCases.Target t : SparseCases.TARGETS) {
            assertTrue(labels.contains(t.kernel()) && labels.contains(t.baseline()), t.toString());
            assertTrue(SparseCases.BATCHES.contains(t.batch()), t.toString());
        }
        assertEquals("≥0.90x 24", SparseCases.target(SparseCases.kernel("armor-b32"), 1).orElseThrow().toString());
        assertTrue(SparseCases.target(SparseCases.kernel("armor-b32"), 8).isEmpty());
        assertEquals(new SparseCases.WeightShape(11008, 4096), SparseCases.WeightShape.parse("11008x4096"));
    }

    @Test
    void sparseJmhParametersAreTheSharedCases() throws NoSuchFieldException {
        assertEquals(SparseCases.SHAPES.stream().map(Object::toString).toList(), params("shape"));
        assertEquals(SparseCases.BATCHES.stream().map(Object::toString).toList(), params("batch"));
        assertEquals(SparseCases.KERNELS.stream().map(SparseCases.Kernel::label).toList(), params("kernel"));
    }

    private static List<String> params(String field) throws NoSuchFieldException {
        return Arrays.asList(SparseBench.class.getDeclaredField(field).getAnnotation(Param.class).value());
    }

    @Test
    void relativeErrorSeesAWrongEntry() {
        int n = 8;
        float[] a = GemmSuite.uniform(n * n, 1);
        float[] b = GemmSuite.uniform(n * n, 2);
        float[] c = new float[n * n];
        dev.shears.tensor.cpu.GemmKernel.reference(n, n, n, a, 0, n, 1, b, 0, n, 1, c, 0, n, false);
        assertTrue(ProductRow.maxRelErr(n, n, n, a, b, n, 1, c) < 1e-6);
        // The same product as a linear layer: b read as W [n, n] with C = A · Wᵀ, so W = Bᵀ.
        float[] w = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                w[j * n + i] = b[i * n + j];
            }
        }
        assertTrue(ProductRow.maxRelErr(n, n, n, a, w, 1, n, c) < 1e-6);
        for (int i = 0; i < c.length; i++) {
            c[i] += 1f;
        }
        assertTrue(ProductRow.maxRelErr(n, n, n, a, b, n, 1, c) > 1e-3);
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

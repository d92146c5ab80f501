package dev.shears.bench.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.cuda.CudaProbe;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The GPU suite's command line and row format; its measurements need a GPU (the kit runs them). */
class GpuSuiteTest {
    @Test
    void withoutAGpuItSaysWhyAndExitsTwo() {
        Assumptions.assumeFalse(CudaProbe.available(), "a usable GPU is present");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(new GpuSuite()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("--quick");
        assertEquals(2, code, out.toString());
        assertTrue(err.toString().contains("no usable CUDA device: " + CudaProbe.reason()), err.toString());
        assertEquals("", out.toString(), "nothing goes to the table without a GPU");
    }

    @Test
    void rowsUseTheCpuProductSuitesResultColumns() {
        GpuRow row = new GpuRow("cuda_hgemm_f16_tc", "test", 4096, 4096, 4096,
                new GpuTimer.Result(new long[] {1_000_000, 2_000_000, 3_000_000}), 1e-4);
        String[] fields = row.resultLine().split(",");
        // RESULT,kernel,threads,M,N,K,best_gflops,median_gflops,best_ms,median_ms,reps,max_rel_err
        assertEquals(12, fields.length, row.resultLine());
        assertEquals("137438.95", fields[6], "2·4096³ FLOP in 1 ms");
        assertEquals("2.0000", fields[9]);
        assertTrue(row.tableLine().contains("| 137.4 | 68.7 |"), row.tableLine());
    }

    @Test
    void theDenseRowsAreRegisteredFirst() {
        List<GpuBenchPart> parts = new ArrayList<>();
        ServiceLoader.load(GpuBenchPart.class).forEach(parts::add);
        assertTrue(parts.stream().anyMatch(p -> p instanceof GpuDenseBench), parts.toString());
        assertEquals(0, new GpuDenseBench().order());
    }
}

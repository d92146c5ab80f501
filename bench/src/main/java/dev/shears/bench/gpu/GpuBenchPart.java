package dev.shears.bench.gpu;

import java.io.PrintWriter;
import java.util.List;

/**
 * One group of rows of {@code ./shears bench gpu}, found with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.shears.bench.gpu.GpuBenchPart}), so the dense and the sparse rows
 * live in separate classes and run in one JVM, one table.
 */
public interface GpuBenchPart {
    /** Parts run in ascending order (dense baselines first, so sparse rows can quote them). */
    int order();

    /** Times this part's cases; progress and notes go to {@code err}, never to the table. */
    List<GpuRow> run(GpuBenchContext context, PrintWriter err);
}

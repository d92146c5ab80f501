package dev.shears.bench;

import dev.shears.tensor.Rng;
import dev.shears.tensor.cpu.GemmKernel;
import dev.shears.tensor.parallel.Parallel;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Dense FP32 GEMM throughput, {@code C = A·B} for square N x N operands, against the FP32 FMA
 * peak measured in the same JVM. Prints a markdown table, then one {@code PEAK} line per thread
 * count and one {@code RESULT} line per measurement for scripts.
 */
@Command(name = "gemm", mixinStandardHelpOptions = true,
        description = "Dense FP32 GEMM (GemmKernel.run) vs the measured FP32 FMA peak.")
final class GemmSuite implements Callable<Integer> {
    static final String KERNEL = "gemm_f32";
    static final String REFERENCE = "gemm_reference";

    @Spec
    CommandSpec spec;

    @Option(names = "--sizes", split = ",", paramLabel = "N", description = "Square sizes N (default: ${DEFAULT-VALUE}).",
            defaultValue = "256,512,1024,2048")
    List<Integer> sizes;

    @Option(names = "--threads", split = ",", paramLabel = "T", description = "Thread counts (default: ${DEFAULT-VALUE}).",
            defaultValue = "1,2")
    List<Integer> threads;

    @Option(names = "--reps", description = "Timed repetitions per case (default: ${DEFAULT-VALUE}).", defaultValue = "10")
    int reps;

    @Option(names = "--warmup-ms", description = "Warm-up per case in ms (default: ${DEFAULT-VALUE}).", defaultValue = "1000")
    long warmupMillis;

    @Option(names = "--peak-ms", description = "FMA peak measurement per thread count in ms (default: ${DEFAULT-VALUE}).",
            defaultValue = "500")
    long peakMillis;

    @Override
    public Integer call() {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        out.println("# gemm: C = A·B, FP32, square N x N, A and B uniform [-1, 1) (seeds 42, 43)");
        out.println();
        out.print(BenchEnv.header());
        out.printf(Locale.ROOT, "- Reps: %d (after %d ms warm-up), FMA peak over %d ms per thread count%n%n",
                reps, warmupMillis, peakMillis);
        out.flush();

        List<Integer> threadCounts = BenchEnv.threadCounts(threads, spec.commandLine().getErr());
        Map<Integer, Double> peaks = new LinkedHashMap<>();
        for (int t : threadCounts) {
            peaks.put(t, FmaPeak.measure(t, peakMillis));
        }
        peaks.computeIfAbsent(1, t -> FmaPeak.measure(t, peakMillis)); // for the reference row
        List<ProductRow> rows = new ArrayList<>();
        int smallest = sizes.stream().mapToInt(Integer::intValue).min().orElseThrow();
        rows.add(measure(REFERENCE, 1, smallest, Math.min(reps, 3), 0));
        for (int t : threadCounts) {
            for (int size : sizes) {
                rows.add(measure(KERNEL, t, size, reps, warmupMillis));
            }
        }

        ResultTable table = new ResultTable("kernel", "threads", "M", "N", "K", "best GFLOP/s", "median GFLOP/s",
                "% of peak (best)", "best ms", "median ms", "max rel err");
        for (ProductRow r : rows) {
            Timing.Result tr = r.timing();
            table.add(r.kernel(), r.threads(), r.m(), r.n(), r.k(), fmt("%.1f", r.gflops(tr.best())),
                    fmt("%.1f", r.gflops(tr.median())), fmt("%.1f%%", 100 * r.gflops(tr.best()) / peaks.get(r.threads())),
                    fmt("%.3f", tr.best() * 1e-6), fmt("%.3f", tr.median() * 1e-6), fmt("%.2e", r.maxRelErr()));
        }
        out.println(table);
        for (Map.Entry<Integer, Double> p : peaks.entrySet()) {
            out.println(fmt("PEAK,fma_f32,%d,%.1f", p.getKey(), p.getValue()));
        }
        for (ProductRow r : rows) {
            out.println(r.resultLine());
        }
        out.flush();
        return 0;
    }

    private void validate() {
        if (sizes.isEmpty() || sizes.stream().anyMatch(s -> s < 1)) {
            throw new ParameterException(spec.commandLine(), "--sizes must be positive, got " + sizes);
        }
        if (threads.isEmpty() || threads.stream().anyMatch(t -> t < 1)) {
            throw new ParameterException(spec.commandLine(), "--threads must be at least 1, got " + threads);
        }
        if (reps < 1 || warmupMillis < 0 || peakMillis < 0) {
            throw new ParameterException(spec.commandLine(), "--reps must be >= 1 and --warmup-ms, --peak-ms >= 0");
        }
    }

    private ProductRow measure(String kernel, int threads, int size, int reps, long warmupMillis) {
        int n = size;
        float[] a = uniform(n * n, 42);
        float[] b = uniform(n * n, 43);
        float[] c = new float[n * n];
        Runnable product = REFERENCE.equals(kernel)
                ? () -> GemmKernel.reference(n, n, n, a, 0, n, 1, b, 0, n, 1, c, 0, n, false)
                : () -> GemmKernel.run(n, n, n, a, 0, n, 1, b, 0, n, 1, c, 0, n, false);
        Timing.Result[] timing = new Timing.Result[1];
        Parallel.withThreads(threads, () -> timing[0] = Timing.time(product, warmupMillis, reps));
        ProductRow row = new ProductRow(kernel, threads, n, n, n, timing[0], ProductRow.maxRelErr(n, n, n, a, b, n, 1, c));
        PrintWriter err = spec.commandLine().getErr();
        err.println(fmt("%s threads=%d N=%d: best %.1f GFLOP/s", kernel, threads, n, row.gflops(timing[0].best())));
        err.flush();
        return row;
    }

    /** Uniform [-1, 1) from the project's seeded generator. */
    static float[] uniform(int count, long seed) {
        Rng rng = Rng.seeded(seed);
        float[] x = new float[count];
        for (int i = 0; i < count; i++) {
            x[i] = 2f * rng.nextFloat() - 1f;
        }
        return x;
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}

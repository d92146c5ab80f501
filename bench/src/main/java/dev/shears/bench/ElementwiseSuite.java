package dev.shears.bench;

import dev.shears.tensor.Backends;
import dev.shears.tensor.DType;
import dev.shears.tensor.Device;
import dev.shears.tensor.Layout;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Shape;
import dev.shears.tensor.Tensor;
import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.spi.Backend;
import dev.shears.tensor.spi.BinaryOp;
import dev.shears.tensor.spi.ReduceOp;
import dev.shears.tensor.spi.Storage;
import dev.shears.tensor.spi.UnaryOp;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Memory-bound kernels on large contiguous tensors, reported as GB/s of compulsory traffic (bytes
 * read plus bytes written once). Outputs are preallocated, so the numbers are the kernels' own and
 * not the JVM's zeroing of fresh arrays. Calls go through the backend SPI, as {@code Tensor} does.
 */
@Command(name = "elementwise", mixinStandardHelpOptions = true,
        description = "Element-wise, reduction and softmax kernels on large tensors, in GB/s.")
final class ElementwiseSuite implements Callable<Integer> {
    @Option(names = "--elements", description = "Elements per tensor (default: ${DEFAULT-VALUE}, 64 MiB of F32, beyond L3).",
            defaultValue = "16777216")
    int elements;

    @Option(names = "--threads", split = ",", paramLabel = "T", description = "Thread counts (default: ${DEFAULT-VALUE}).",
            defaultValue = "1,2")
    List<Integer> threads;

    @Option(names = "--reps", description = "Timed repetitions per case (default: ${DEFAULT-VALUE}).", defaultValue = "10")
    int reps;

    @Option(names = "--warmup-ms", description = "Warm-up per case in ms (default: ${DEFAULT-VALUE}).", defaultValue = "500")
    long warmupMillis;

    /** One kernel to time: its name, bytes moved per call, and the call itself. */
    private record Case(String name, long bytes, Runnable call) {}

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (elements < 1024 || threads.isEmpty() || threads.stream().anyMatch(t -> t < 1) || reps < 1 || warmupMillis < 0) {
            throw new ParameterException(spec.commandLine(), "--elements must be >= 1024, --threads >= 1, --reps >= 1"
                    + " and --warmup-ms >= 0; got " + elements + ", " + threads + ", " + reps + ", " + warmupMillis);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("# elementwise: memory-bound kernels, F32, inputs uniform [-1, 1) (seed 42)");
        out.println();
        out.print(BenchEnv.header());
        out.printf(Locale.ROOT, "- Elements per tensor: %d (%d MiB F32)%n%n", elements, elements * 4L >> 20);
        out.flush();

        Backend cpu = Backends.get(Device.CPU);
        Rng rng = Rng.seeded(42);
        Tensor a = Tensor.uniform(rng.split(), -1f, 1f, elements);
        Tensor b = Tensor.uniform(rng.split(), -1f, 1f, elements);
        Storage dst = cpu.allocate(DType.F32, elements);
        Layout flat = Layout.contiguous(Shape.of(elements));
        int rowLength = 1024;
        int rows = elements / rowLength;
        Layout matrix = Layout.contiguous(Shape.of(rows, rowLength));
        long rowElements = (long) rows * rowLength;
        Storage rowSums = cpu.allocate(DType.F32, rows);
        Tensor half = Tensor.scalar(0.5f);
        Layout halfEverywhere = half.layout().expand(Shape.of(elements));
        Storage scalar = cpu.allocate(DType.F32, 1);
        long n = elements;
        List<Case> cases = List.of(
                new Case("copy", 8 * n, () -> cpu.copy(a.storage(), flat, dst, flat)),
                new Case("add", 12 * n, () -> cpu.binary(BinaryOp.ADD, a.storage(), flat, b.storage(), flat, dst, flat)),
                new Case("mul_scalar", 8 * n, () -> cpu.binary(BinaryOp.MUL, a.storage(), flat,
                        half.storage(), halfEverywhere, dst, flat)),
                new Case("relu", 8 * n, () -> cpu.unary(UnaryOp.RELU, 0f, 0f, a.storage(), flat, dst, flat)),
                new Case("exp", 8 * n, () -> cpu.unary(UnaryOp.EXP, 0f, 0f, a.storage(), flat, dst, flat)),
                new Case("sum_all", 4 * n, () -> cpu.reduce(ReduceOp.SUM, a.storage(), flat, new int[] {0}, scalar)),
                new Case("sum_rows_1024", 4 * rowElements, () -> cpu.reduce(ReduceOp.SUM, a.storage(), matrix, new int[] {1}, rowSums)),
                new Case("softmax_rows_1024", 8 * rowElements,
                        () -> cpu.softmax(a.storage(), matrix, 1, false, dst)));

        ResultTable table = new ResultTable("kernel", "threads", "elements", "best GB/s", "median GB/s", "best ms", "median ms");
        List<String> results = new ArrayList<>();
        for (int t : BenchEnv.threadCounts(threads, spec.commandLine().getErr())) {
            for (Case c : cases) {
                Timing.Result[] timing = new Timing.Result[1];
                Parallel.withThreads(t, () -> timing[0] = Timing.time(c.call(), warmupMillis, reps));
                double bestGbs = c.bytes() / (double) timing[0].best();
                double medianGbs = c.bytes() / (double) timing[0].median();
                table.add(c.name(), t, elements, fmt(bestGbs), fmt(medianGbs),
                        fmt(timing[0].best() / 1e6), fmt(timing[0].median() / 1e6));
                results.add(String.format(Locale.ROOT, "RESULT,%s,%d,%d,%.2f,%.2f,%.3f,%.3f,%d", c.name(), t, elements,
                        bestGbs, medianGbs, timing[0].best() / 1e6, timing[0].median() / 1e6, timing[0].reps()));
            }
        }
        out.println(table);
        out.println("GB/s counts compulsory traffic: bytes read plus bytes written, once each (softmax reads its row twice).");
        out.println();
        results.forEach(out::println);
        out.flush();
        return 0;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}

package dev.shears.bench;

import dev.shears.bench.SparseCases.Kernel;
import dev.shears.bench.SparseCases.Operand;
import dev.shears.bench.SparseCases.Target;
import dev.shears.bench.SparseCases.WeightShape;
import dev.shears.tensor.parallel.Parallel;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * Sparse linear-layer kernels against the dense GEMM/GEMV on the same weights, side by side in one
 * run: for each shape and batch, every kernel of {@link SparseCases#KERNELS} is timed in
 * interleaved rounds (one call each per round, weights rotated through more than twice the L3),
 * together with a pass of a DRAM bandwidth probe, and reported as median ms, speedup over dense,
 * dense-equivalent GFLOP/s, GB/s of its weight format and % of the probe's GB/s in the same rounds,
 * with the targets marked met or missed. The header gives the probe's best on 1 and all
 * threads, measured first. Every kernel's output is checked against the dense product before it is
 * timed.
 */
@Command(name = "sparse", mixinStandardHelpOptions = true,
        description = "Sparse kernels (2:4, CSR, bitmap, ARMOR) vs dense GEMM/GEMV, FP32, weights streamed from DRAM.")
final class SparseSuite implements Callable<Integer> {
    /** Timed passes of the header's bandwidth probe per thread count. */
    static final int PROBE_PASSES = 100;
    /** The largest probe a float[] can hold, in MiB. */
    static final int MAX_PROBE_MIB = 8191;

    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "A reduced run: 4096x4096 only, 500 ms of timed rounds per batch"
            + " (explicit options still win).")
    boolean quick;

    @Option(names = "--shapes", split = ",", paramLabel = "MxK", converter = ShapeConverter.class,
            description = "Weight shapes, output x input features (default: 4096x4096,11008x4096; --quick: 4096x4096).")
    List<WeightShape> shapes;

    @Option(names = "--batches", split = ",", paramLabel = "N", description = "Batch sizes (default: ${DEFAULT-VALUE}).",
            defaultValue = "1,8,64,512")
    List<Integer> batches;

    @Option(names = "--threads", paramLabel = "T", description = "Threads (default: the pool, -Dshears.threads).")
    Integer threads;

    @Option(names = "--reps", description = "Fewest timed rounds per shape and batch (default: ${DEFAULT-VALUE}).",
            defaultValue = "10")
    int reps;

    @Option(names = "--warmup-ms", description = "Warm-up per shape and batch in ms (default: ${DEFAULT-VALUE}).",
            defaultValue = "1000")
    long warmupMillis;

    @Option(names = "--time-ms", description = "Fewest ms of timed rounds per shape and batch; rounds go on past --reps"
            + " until then (default: 2000; --quick: 500).")
    Long timeMillis;

    @Option(names = "--rotate-mb", paramLabel = "MiB", description = "Each kernel's weight copies exceed this many MiB;"
            + " 0 = one copy (default: twice the L3, at least 64).")
    Long rotateMib;

    @Option(names = "--probe-mb", paramLabel = "MiB", description = "Size of the bandwidth probe's array in MiB"
            + " (default: ${DEFAULT-VALUE}).", defaultValue = "256")
    int probeMib;

    @Option(names = "--probe-ms", description = "Warm-up of the bandwidth probe per thread count in ms, before its "
            + PROBE_PASSES + " timed passes (default: ${DEFAULT-VALUE}).", defaultValue = "500")
    long probeMillis;

    /** {@code MxK} to a {@link WeightShape}; picocli reports the message with the usage. */
    static final class ShapeConverter implements ITypeConverter<WeightShape> {
        @Override
        public WeightShape convert(String value) {
            try {
                return WeightShape.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** One timed kernel of a group; {@code bytes} of its weight format per call. */
    private record Row(Kernel kernel, long bytes, ProductRow product) {}

    /** The kernels timed together at one shape and batch, and the bandwidth probe's passes interleaved with them. */
    private record Group(WeightShape shape, int batch, Timing.Result probe, List<Row> rows) {
        /** Median ns of the kernel with this label. */
        long median(String label) {
            return rows.stream().filter(r -> r.product().kernel().equals(label)).findFirst().orElseThrow()
                    .product().timing().median();
        }
    }

    @Override
    public Integer call() {
        validate();
        List<WeightShape> shapeList = shapes != null ? shapes.stream().distinct().toList()
                : quick ? SparseCases.SHAPES.subList(0, 1) : SparseCases.SHAPES;
        List<Integer> batchList = batches.stream().distinct().toList();
        for (WeightShape shape : shapeList) {
            if ((long) batchList.stream().max(Integer::compare).orElseThrow() * Math.max(shape.m(), shape.k())
                    > Integer.MAX_VALUE) {
                throw new ParameterException(spec.commandLine(), "--batches: X or Y of " + shape + " at N = "
                        + batchList + " would not fit a Java array");
            }
        }
        long time = timeMillis != null ? timeMillis : quick ? 500 : 2000;
        long rotateBytes = rotateMib != null ? rotateMib << 20 : SparseCases.rotationBytes();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int t = BenchEnv.threadCounts(List.of(threads != null ? threads : Parallel.poolSize()), err).getFirst();

        out.println("# sparse: Y[N, M] = X[N, K] · Wᵀ, FP32, dense vs 2:4, CSR, bitmap and ARMOR on the same weights");
        out.println();
        out.print(BenchEnv.header());
        long l3 = BenchEnv.l3Bytes();
        out.printf(Locale.ROOT, "- L3: %s; each kernel's weights rotate through copies of more than %d MiB%n",
                l3 > 0 ? (l3 >> 20) + " MiB" : "unknown", rotateBytes >> 20);
        out.printf(Locale.ROOT, "- Threads: %d; per shape and batch, %d ms warm-up, then rounds calling each kernel and"
                + " the bandwidth probe once (order rotating) until >= %d rounds and >= %d ms; medians%n",
                t, warmupMillis, reps, time);
        out.flush();
        float[] probe = new float[floats(probeMib)];
        Arrays.fill(probe, 1f);
        Map<Integer, Timing.Result> bandwidth = measureBandwidth(probe, t, out, err);

        List<Group> groups = new ArrayList<>();
        Map<WeightShape, String> spreads = new LinkedHashMap<>();
        try {
            Parallel.withThreads(t, () -> {
                for (WeightShape shape : shapeList) {
                    spreads.put(shape, measureShape(shape, batchList, t, rotateBytes, time, probe, groups, err));
                }
            });
        } catch (SparseCases.WrongResultException e) { // nothing wrong gets a figure
            err.println("sparse: " + e.getMessage());
            err.flush();
            return 1;
        }
        printTable(groups, out);
        printNotes(spreads, out);
        bandwidth.forEach((threadCount, passes) -> out.println(fmt("BANDWIDTH,dram_sum,%d,%.1f,%.1f", threadCount,
                gbs(passes.best()), gbs(passes.median()))));
        groups.forEach(g -> g.rows().forEach(r -> out.println(r.product().resultLine())));
        out.flush();
        return 0;
    }

    private void validate() {
        if (batches.isEmpty() || batches.stream().anyMatch(n -> n < 1)) {
            throw new ParameterException(spec.commandLine(), "--batches must be positive, got " + batches);
        }
        if (shapes != null && shapes.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--shapes needs at least one MxK");
        }
        if (threads != null && threads < 1 || reps < 1) {
            throw new ParameterException(spec.commandLine(), "--threads and --reps must be >= 1; got " + threads + ", " + reps);
        }
        if (probeMib < 1 || probeMib > MAX_PROBE_MIB) {
            throw new ParameterException(spec.commandLine(), "--probe-mb must be in [1, " + MAX_PROBE_MIB + "], got "
                    + probeMib);
        }
        if (warmupMillis < 0 || timeMillis != null && timeMillis < 0 || rotateMib != null && rotateMib < 0
                || probeMillis < 0) {
            throw new ParameterException(spec.commandLine(), "--warmup-ms, --time-ms, --rotate-mb and --probe-ms must be"
                    + " >= 0; got " + warmupMillis + ", " + timeMillis + ", " + rotateMib + ", " + probeMillis);
        }
    }

    /** DRAM read bandwidth on 1 and t threads, printed in the header: thread count to the probe's pass timings. */
    private Map<Integer, Timing.Result> measureBandwidth(float[] probe, int t, PrintWriter out, PrintWriter err) {
        err.printf(Locale.ROOT, "sparse: bandwidth probe over %d MiB ...%n", probeMib);
        err.flush();
        Map<Integer, Timing.Result> bandwidth = new LinkedHashMap<>();
        for (int threadCount : t == 1 ? List.of(1) : List.of(1, t)) {
            bandwidth.put(threadCount, DramBandwidth.time(probe, threadCount, probeMillis, PROBE_PASSES));
        }
        out.printf(Locale.ROOT, "- DRAM read bandwidth (sum of a %d MiB float[], %d vector accumulators per thread; best"
                + " (median) of %d passes after %d ms warm-up): %s%n%n", probeMib, DramBandwidth.ACCUMULATORS,
                PROBE_PASSES, probeMillis, bandwidth.entrySet().stream().map(b -> fmt("%.1f (%.1f) GB/s on %d thread%s",
                        gbs(b.getValue().best()), gbs(b.getValue().median()), b.getKey(), b.getKey() == 1 ? "" : "s"))
                        .collect(Collectors.joining(", ")));
        out.flush();
        return bandwidth;
    }

    /** GB/s of one pass of the bandwidth probe that took {@code nanos}. */
    private double gbs(long nanos) {
        return DramBandwidth.gbs(floats(probeMib), nanos);
    }

    /** Floats in this many MiB. */
    private static int floats(int mib) {
        return mib << 18;
    }

    /**
     * Builds and checks every kernel's weights for the shape, then times each batch with the probe's
     * passes interleaved, adding to {@code groups}; returns the unstructured kernels' row spreads
     * ("csr-s75 1.09, ...").
     */
    private String measureShape(WeightShape shape, List<Integer> batchList, int t, long rotateBytes, long time,
            float[] probe, List<Group> groups, PrintWriter err) {
        Map<Integer, float[]> inputs = new LinkedHashMap<>();
        for (int n : batchList) {
            inputs.put(n, SparseCases.input(n, shape.k()));
        }
        List<Operand> operands = prepareAll(shape, rotateBytes, inputs, err);
        for (int n : batchList) {
            float[] x = inputs.get(n);
            float[] y = new float[n * shape.m()];
            List<Runnable> calls = new ArrayList<>();
            operands.forEach(op -> calls.add(() -> op.run(n, x, y)));
            calls.add(() -> DramBandwidth.pass(probe));
            long t0 = System.nanoTime();
            Timing.Result[] timings = Timing.interleaved(calls, warmupMillis, reps, time);
            err.printf(Locale.ROOT, "sparse: %s N=%d: %d rounds (%.1f s)%n", shape, n, timings[0].reps(),
                    (System.nanoTime() - t0) * 1e-9);
            err.flush();
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < operands.size(); i++) {
                Operand op = operands.get(i);
                rows.add(new Row(op.kernel(), op.bytes(), new ProductRow(op.kernel().label(), t, shape.m(), n, shape.k(),
                        timings[i], op.maxRelErr(n))));
            }
            groups.add(new Group(shape, n, timings[operands.size()], rows));
        }
        return operands.stream().filter(op -> !Double.isNaN(op.rowSpread()))
                .map(op -> op.kernel().label() + fmt(" %.2f", op.rowSpread())).collect(Collectors.joining(", "));
    }

    /** Every kernel's rotated, checked weights for the shape (the shared random weights are dropped on return). */
    private List<Operand> prepareAll(WeightShape shape, long rotateBytes, Map<Integer, float[]> inputs, PrintWriter err) {
        SparseCases.Weights weights = new SparseCases.Weights(shape);
        List<Operand> operands = new ArrayList<>();
        for (Kernel kernel : SparseCases.KERNELS) {
            long t0 = System.nanoTime();
            Operand op = SparseCases.prepare(kernel, weights, rotateBytes, inputs);
            operands.add(op);
            err.printf(Locale.ROOT, "sparse: %s %-11s %d x %.1f MB, checked at N = %s (%.1f s)%n", shape, kernel.label(),
                    op.copies(), op.bytes() / 1e6, inputs.keySet().stream().map(String::valueOf)
                            .collect(Collectors.joining(",")), (System.nanoTime() - t0) * 1e-9);
            err.flush();
        }
        return operands;
    }

    /**
     * Per group, a row for the bandwidth probe, then one per kernel: a kernel's % roofline is its
     * GB/s over the probe's, both medians of the same rounds.
     */
    private void printTable(List<Group> groups, PrintWriter out) {
        ResultTable table = new ResultTable("M x K", "N", "kernel", "median ms", "vs dense", "GFLOP/s", "MB/call", "GB/s",
                "% roofline", "target");
        int met = 0;
        int targets = 0;
        for (Group g : groups) {
            double roofline = gbs(g.probe().median());
            table.add(g.shape(), g.batch(), "(dram read)", fmt("%.3f", g.probe().median() * 1e-6), "", "",
                    fmt("%.1f", 4e-6 * floats(probeMib)), fmt("%.1f", roofline), "100%", "");
            long dense = g.median("dense");
            for (Row r : g.rows()) {
                ProductRow p = r.product();
                long median = p.timing().median();
                double gbs = r.bytes() / (double) median;
                Optional<Target> target = SparseCases.target(r.kernel(), g.batch());
                String verdict = "";
                if (target.isPresent()) {
                    double ratio = g.median(target.get().baseline()) / (double) median;
                    boolean ok = ratio >= target.get().ratio();
                    verdict = target.get() + (target.get().baseline().equals("dense") ? "" : fmt(" (%.2fx)", ratio))
                            + (ok ? ": met" : ": MISSED");
                    met += ok ? 1 : 0;
                    targets++;
                }
                table.add(g.shape(), g.batch(), p.kernel(), fmt("%.3f", median * 1e-6), fmt("%.2fx", dense / (double) median),
                        fmt("%.1f", p.gflops(median)), fmt("%.1f", r.bytes() / 1e6), fmt("%.1f", gbs),
                        fmt("%.0f%%", 100 * gbs / roofline), verdict);
            }
        }
        out.println(table);
        out.printf(Locale.ROOT, "Targets met: %d of %d.%n%n", met, targets);
    }

    private static void printNotes(Map<WeightShape, String> spreads, PrintWriter out) {
        out.println("vs dense: the dense median over the kernel's, same shape and N (above 1x: faster than dense)."
                + " GFLOP/s counts the dense product, 2MNK / median. MB/call and GB/s count the weight format's bytes one"
                + " call reads (values, 16-bit CSR indices, masks, row offsets; ARMOR also its blocks), not X and Y."
                + " % roofline is GB/s over the median GB/s of the bandwidth probe's passes in the same rounds (the"
                + " (dram read) rows; on a shared machine it moves with the neighbours' load, so the header's figures,"
                + " taken once before the kernels, can differ): the bound while N is small; at large N the kernels are"
                + " compute-bound.");
        out.println("Patterns: uniform weights; CSR and bitmap masks uniformly random at the sparsity; 2:4 keeps a random"
                + " pair per group; csr-s90-mag prunes weights with log-normal row and column scales (sigma "
                + SparseCases.SCALE_SIGMA + ") to 10% by one global magnitude threshold. Most non-zeros in a row over the mean:");
        spreads.forEach((shape, spread) -> out.println("- " + shape + ": " + spread));
        out.println();
        out.println("Fields of the RESULT lines (as bench gemm): kernel, threads, M, N, K, best and median GFLOP/s"
                + " (dense-equivalent), best and median ms, reps, max rel err against the dense product of the same weights;"
                + " of the BANDWIDTH lines: threads, best and median GB/s.");
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}

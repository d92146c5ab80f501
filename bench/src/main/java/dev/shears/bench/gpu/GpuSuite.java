package dev.shears.bench.gpu;

import dev.shears.cuda.CudaDevice;
import dev.shears.cuda.CudaProbe;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./shears bench gpu}: every {@link GpuBenchPart} (dense GEMM here, the sparse kernels in
 * {@code GpuSparseBench}) in one JVM, one markdown table and one {@code RESULT} line per row.
 * Without a usable GPU it says why and exits with status 2.
 */
@Command(name = "gpu", mixinStandardHelpOptions = true,
        description = "CUDA kernels on cuda:0: dense GEMM (tensor-core F16/BF16 and F32) and the sparse rows.")
public final class GpuSuite implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--sizes", split = ",", paramLabel = "N",
            description = "Square GEMM sizes N (default: ${DEFAULT-VALUE}).", defaultValue = "4096,8192")
    List<Integer> sizes;

    @Option(names = "--reps", description = "Timed repetitions per case (default: ${DEFAULT-VALUE}).",
            defaultValue = "10")
    int reps;

    @Option(names = "--warmup-ms", description = "Warm-up per case in ms (default: ${DEFAULT-VALUE}).",
            defaultValue = "500")
    long warmupMillis;

    @Option(names = "--quick", description = "Tiny shapes, few reps: checks the plumbing, measures nothing.")
    boolean quick;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!CudaProbe.available()) {
            err.println("bench gpu: no usable CUDA device: " + CudaProbe.reason());
            return 2;
        }
        for (int n : sizes) {
            if (n <= 0 || n % 8 != 0) {
                err.println("bench gpu: --sizes " + n + " must be a positive multiple of 8 (tensor-core rows)");
                return 2;
            }
        }
        CudaDevice gpu = CudaDevice.get(0);
        GpuBenchContext ctx = quick ? new GpuBenchContext(gpu, List.of(256, 520), 3, 20, true)
                : new GpuBenchContext(gpu, sizes, reps, warmupMillis, false);
        List<GpuBenchPart> parts = new ArrayList<>();
        ServiceLoader.load(GpuBenchPart.class).forEach(parts::add);
        parts.sort(Comparator.comparingInt(GpuBenchPart::order));
        List<GpuRow> rows = new ArrayList<>();
        for (GpuBenchPart part : parts) {
            rows.addAll(part.run(ctx, err));
        }
        out.println("# gpu: our CUDA kernels" + (quick ? " (--quick: plumbing only, not a measurement)" : ""));
        out.println();
        out.println("- Device: " + gpu);
        out.println("- JDK: " + System.getProperty("java.vm.name") + " " + Runtime.version());
        out.println("- Timing: CUDA events, " + ctx.reps() + " reps after " + ctx.warmupMillis() + " ms warm-up; "
                + "TFLOP/s = 2MNK / time (dense-equivalent for sparse rows)");
        out.println("- Parts: " + parts.stream().map(p -> p.getClass().getSimpleName()).toList());
        out.println();
        out.println(GpuRow.tableHeader());
        rows.forEach(r -> out.println(r.tableLine()));
        out.println();
        out.println("RESULT,kernel,threads,M,N,K,best_gflops,median_gflops,best_ms,median_ms,reps,max_rel_err");
        rows.forEach(r -> out.println(r.resultLine()));
        out.flush();
        return 0;
    }
}

package dev.shears.bench.gpu;

import java.util.Locale;

/**
 * One timed product {@code C[m, n] = A[m, k] · B[k, n]} on the GPU, printed in the
 * {@code RESULT} format of the CPU product suites
 * ({@code RESULT,kernel,threads,M,N,K,best_gflops,median_gflops,best_ms,median_ms,reps,max_rel_err};
 * threads is 0 for a GPU row), plus TFLOP/s in the table. FLOPs are 2MNK of the dense product the
 * kernel stands for, so sparse rows compare directly.
 *
 * @param kernel    the row's name, e.g. {@code cuda_hgemm_f16_tc}
 * @param note      what the row is (dtype, layout, sparsity), for the table
 * @param maxRelErr worst |c - exact| / Σ|a·b| over sampled entries (exact in double from the kernel's inputs)
 */
public record GpuRow(String kernel, String note, int m, int n, int k, GpuTimer.Result timing, double maxRelErr) {
    public double tflops(long nanos) {
        return 2.0 * m * n * k / nanos / 1e3;
    }

    public String resultLine() {
        return String.format(Locale.ROOT, "RESULT,%s,%d,%d,%d,%d,%.2f,%.2f,%.4f,%.4f,%d,%.3e", kernel, 0, m, n, k,
                tflops(timing.best()) * 1e3, tflops(timing.median()) * 1e3, timing.best() * 1e-6,
                timing.median() * 1e-6, timing.reps(), maxRelErr);
    }

    public String tableLine() {
        return String.format(Locale.ROOT, "| %s | %s | %d×%d×%d | %.1f | %.1f | %.3f | %.1e |", kernel, note, m, n, k,
                tflops(timing.best()), tflops(timing.median()), timing.median() * 1e-6, maxRelErr);
    }

    public static String tableHeader() {
        return "| kernel | what | M×N×K | best TFLOP/s | median TFLOP/s | median ms | max rel err |\n"
                + "|---|---|---|---|---|---|---|";
    }
}

package dev.shears.bench.gpu;

import dev.shears.bench.SampledError;
import dev.shears.cuda.CudaDevice;
import dev.shears.cuda.DeviceMemory;
import dev.shears.cuda.sparse.GpuCsr;
import dev.shears.cuda.sparse.GpuDenseTwin;
import dev.shears.cuda.sparse.GpuHalf;
import dev.shears.cuda.sparse.GpuSemiStructured24;
import dev.shears.cuda.sparse.HalfRows;
import dev.shears.cuda.sparse.Layout24;
import dev.shears.sparse.CsrMatrix;
import dev.shears.sparse.SemiStructured24;
import dev.shears.tensor.Tensor;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * The sparse rows of {@code ./shears bench gpu} (kernels.md §4), each sparse kernel next to the
 * dense twin of the same design so the ratio isolates the sparsity:
 * <ul>
 *   <li>2:4 {@code mma.sp} GEMM vs {@code gemm_twin} (same tiling on {@code mma.sync}) at the
 *       context's square sizes; target G2 ≥ 1.5×;</li>
 *   <li>2:4 decode GEMV vs {@code gemv_twin} at batch 1, 2, 4, 8 on an 8192 × 8192 weight (dense
 *       fp16 128 MiB), copies rotated so more than 128 MiB streams per kernel; target G4 ≥ 1.4×;</li>
 *   <li>CSR (fp16, 16-bit indices) at 90% sparsity, batch 1, vs {@code gemv_twin}; target G5 ≥ 2.5×.</li>
 * </ul>
 * fp16 in, fp32 accumulate; uniform [-1, 1) data, seeded. The speedup and whether the target is
 * met are in each sparse row's note. TFLOP/s count the dense product's 2MNK.
 */
public final class GpuSparseBench implements GpuBenchPart {
    private static final GpuHalf HALF = GpuHalf.F16;
    private static final int GEMV_SIZE = 8192;
    private static final long ROTATE_BYTES = 128L << 20;

    @Override
    public int order() {
        return 1;
    }

    @Override
    public List<GpuRow> run(GpuBenchContext ctx, PrintWriter err) {
        List<GpuRow> rows = new ArrayList<>();
        for (int s : ctx.sizes()) {
            gemm(ctx, s, rows, err);
        }
        int size = ctx.quick() ? 512 : GEMV_SIZE;
        decode(ctx, size, rows, err);
        return rows;
    }

    /** 2:4 GEMM vs its dense twin, M = N = K = s. */
    private static void gemm(GpuBenchContext ctx, int s, List<GpuRow> rows, PrintWriter err) {
        CudaDevice gpu = ctx.device();
        float[] dense = GpuBenchData.uniform(s * s, 50);
        SemiStructured24 w24 = SemiStructured24.fromDense(Tensor.of(dense, s, s));
        float[] x = GpuBenchData.uniform(s * s, 51);
        err.printf("bench gpu: 2:4 GEMM vs dense twin, %d³%n", s);
        err.flush();
        try (GpuDenseTwin twin = GpuDenseTwin.upload(gpu, dense, s, s, HALF);
                GpuSemiStructured24 sparse = GpuSemiStructured24.upload(gpu, w24, HALF);
                DeviceMemory dx = HalfRows.upload(gpu, HALF, x, s, s, twin.inputStride());
                DeviceMemory y = gpu.allocate(4L * s * s)) {
            int ld = twin.inputStride();
            GpuRow denseRow = row("cuda_gemm_twin_f16", "dense twin: mma.sync m16n8k16, 128×128×64 tiles, 3 stages",
                    s, s, s, ctx.time(() -> twin.gemm(dx, s, ld, y)), err(y, x, dense, s, s, s));
            GpuRow sparseRow = row("cuda_spmm24_f16", "", s, s, s, ctx.time(() -> sparse.gemm(dx, s, ld, y)),
                    err(y, x, w24.toDense().toFloatArray(), s, s, s));
            rows.add(denseRow);
            rows.add(withRatio(sparseRow, "2:4 mma.sp, same tiling", denseRow, "gemm_twin", 1.5, "G2"));
        }
    }

    /** Decode at batch 1, 2, 4, 8: 2:4 GEMV vs dense twin; CSR 90% at batch 1. */
    private static void decode(GpuBenchContext ctx, int size, List<GpuRow> rows, PrintWriter err) {
        CudaDevice gpu = ctx.device();
        float[] dense = GpuBenchData.uniform(size * size, 60);
        SemiStructured24 w24 = SemiStructured24.fromDense(Tensor.of(dense, size, size));
        float[] pruned = dense.clone();
        SplittableRandom rnd = new SplittableRandom(61);
        for (int i = 0; i < pruned.length; i++) {
            if (rnd.nextDouble() < 0.9) {
                pruned[i] = 0f;
            }
        }
        CsrMatrix csr = CsrMatrix.fromDense(Tensor.of(pruned, size, size));
        float[] x = GpuBenchData.uniform(8 * size, 62);
        err.printf("bench gpu: decode GEMV %d×%d, batch 1..8, CSR 90%% at batch 1%n", size, size);
        err.flush();
        List<GpuDenseTwin> twins = copies(copiesFor(2L * size * size),
                i -> GpuDenseTwin.upload(gpu, dense, size, size, HALF));
        List<GpuSemiStructured24> sparse = copies(copiesFor(Layout24.of(w24, HALF).bytes()),
                i -> GpuSemiStructured24.upload(gpu, w24, HALF));
        List<GpuCsr> csrs = copies(copiesFor(4L * csr.nnz() + 4L * size), i -> GpuCsr.upload(gpu, csr, HALF));
        int ld = twins.getFirst().inputStride(); // also >= the 2:4 and CSR strides
        try (DeviceMemory dx = HalfRows.upload(gpu, HALF, x, 8, size, ld); DeviceMemory y = gpu.allocate(4L * 8 * size)) {
            for (int n : new int[] {1, 2, 4, 8}) {
                int[] next = {0};
                GpuRow denseRow = row("cuda_gemv_twin_f16", "dense twin: mma.sync, CTA per 16 rows, "
                        + twins.size() + " weight copies", size, n, size,
                        ctx.time(() -> twins.get(next[0]++ % twins.size()).gemv(dx, n, ld, y)),
                        err(y, x, dense, size, n, size));
                GpuRow sparseRow = row("cuda_gemv24_f16", "", size, n, size,
                        ctx.time(() -> sparse.get(next[0]++ % sparse.size()).gemv(dx, n, ld, y)),
                        err(y, x, w24.toDense().toFloatArray(), size, n, size));
                rows.add(denseRow);
                rows.add(withRatio(sparseRow, "2:4 decode, mma.sp, " + sparse.size() + " copies", denseRow,
                        "gemv_twin", 1.4, "G4"));
                if (n == 1) {
                    GpuRow csrRow = row("cuda_spmv_csr90_f16", "", size, 1, size,
                            ctx.time(() -> csrs.get(next[0]++ % csrs.size()).linear(dx, 1, ld, y)),
                            err(y, x, pruned, size, 1, size));
                    rows.add(withRatio(csrRow, "CSR 90%, 16-bit idx, warp/row, " + csrs.size() + " copies", denseRow,
                            "gemv_twin", 2.5, "G5"));
                }
            }
        } finally {
            twins.forEach(GpuDenseTwin::close);
            sparse.forEach(GpuSemiStructured24::close);
            csrs.forEach(GpuCsr::close);
        }
    }

    private static GpuRow row(String kernel, String note, int m, int n, int k, GpuTimer.Result t, double maxRelErr) {
        return new GpuRow(kernel, note, m, n, k, t, maxRelErr);
    }

    /** The sparse row with its speedup over {@code dense} (median times) and the target's verdict in the note. */
    private static GpuRow withRatio(GpuRow sparse, String what, GpuRow dense, String denseName, double target,
            String goal) {
        double ratio = (double) dense.timing().median() / sparse.timing().median();
        String note = String.format(Locale.ROOT, "%s; %.2fx %s (%s target >= %.1fx: %s)", what, ratio, denseName, goal,
                target, ratio >= target ? "met" : "MISSED");
        return new GpuRow(sparse.kernel(), note, sparse.m(), sparse.n(), sparse.k(), sparse.timing(), sparse.maxRelErr());
    }

    /** Enough copies that one pass over them streams more than {@value #ROTATE_BYTES} bytes (L2 is 50 MB). */
    private static int copiesFor(long bytes) {
        return (int) Math.max(1, Math.min(16, Math.ceilDiv(ROTATE_BYTES + 1, bytes)));
    }

    private static <T> List<T> copies(int count, IntFunction<T> make) {
        List<T> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(make.apply(i));
        }
        return list;
    }

    /**
     * Worst {@code |y - exact| / Σ|x·w|} over sampled entries of {@code Y[n, m] = X[n, k] · Wᵀ}
     * (Y downloaded from the device), exact in double from the fp16-rounded inputs.
     */
    private static double err(DeviceMemory y, float[] x, float[] w, int m, int n, int k) {
        float[] out = new float[n * m];
        y.download(out);
        return SampledError.maxRelErr(n, m, k, x, w, 1, k, out, v -> HALF.round((float) v));
    }
}

package dev.shears.bench.gpu;

import dev.shears.bench.SampledError;
import dev.shears.cuda.CudaDevice;
import dev.shears.cuda.CudaGemm;
import dev.shears.cuda.DeviceMemory;
import dev.shears.tensor.DType;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Dense GEMM rows: our tensor-core kernel ({@code C = A·Bᵀ}, F16 and BF16 inputs, F32
 * accumulation) and our F32 tiled kernel, square N×N×N, A and B uniform [-1, 1) (seeds 42, 43).
 */
public final class GpuDenseBench implements GpuBenchPart {
    @Override
    public int order() {
        return 0;
    }

    @Override
    public List<GpuRow> run(GpuBenchContext ctx, PrintWriter err) {
        List<GpuRow> rows = new ArrayList<>();
        CudaDevice gpu = ctx.device();
        for (int n : ctx.sizes()) {
            float[] a = GpuBenchData.uniform(n * n, 42);
            float[] b = GpuBenchData.uniform(n * n, 43);
            DeviceMemory c = gpu.allocate(4L * n * n);
            for (DType dtype : new DType[] {DType.F16, DType.BF16}) {
                short[] ah = toHalves(dtype, a);
                short[] bh = toHalves(dtype, b);
                DeviceMemory da = DeviceMemory.upload(gpu, ah);
                DeviceMemory db = DeviceMemory.upload(gpu, bh);
                err.printf("bench gpu: tensor-core %s GEMM N=%d%n", dtype, n);
                err.flush();
                GpuTimer.Result t = ctx.time(() -> CudaGemm.tensorCoreNt(gpu, dtype, da, db, c, n, n, n));
                float[] out = new float[n * n];
                c.download(out);
                rows.add(new GpuRow("cuda_hgemm_" + dtype.name().toLowerCase(java.util.Locale.ROOT) + "_tc",
                        dtype + " in, F32 acc, mma.sync m16n8k16, C = A·Bᵀ", n, n, n, t,
                        maxRelErr(n, toFloats(dtype, ah), toFloats(dtype, bh), true, out)));
                da.close();
                db.close();
            }
            DeviceMemory da = DeviceMemory.upload(gpu, a);
            DeviceMemory db = DeviceMemory.upload(gpu, b);
            err.printf("bench gpu: F32 GEMM N=%d%n", n);
            err.flush();
            GpuTimer.Result t = ctx.time(() -> CudaGemm.sgemm(gpu, da, db, c, n, n, n));
            float[] out = new float[n * n];
            c.download(out);
            rows.add(new GpuRow("cuda_sgemm_f32", "F32 CUDA cores, 64×64 tiles, C = A·B", n, n, n, t,
                    maxRelErr(n, a, b, false, out)));
            da.close();
            db.close();
            c.close();
        }
        return rows;
    }

    private static short[] toHalves(DType dtype, float[] v) {
        short[] h = new short[v.length];
        for (int i = 0; i < v.length; i++) {
            h[i] = dtype == DType.F16 ? Float.floatToFloat16(v[i]) : bf16(v[i]);
        }
        return h;
    }

    /** Round to nearest even BF16 (the inputs are finite). */
    private static short bf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    private static float[] toFloats(DType dtype, short[] h) {
        float[] f = new float[h.length];
        for (int i = 0; i < h.length; i++) {
            f[i] = dtype == DType.F16 ? Float.float16ToFloat(h[i]) : Float.intBitsToFloat((h[i] & 0xffff) << 16);
        }
        return f;
    }

    /** {@link SampledError#maxRelErr} of the square n³ product; B is [n, k] (transposed) or [k, n]. */
    private static double maxRelErr(int n, float[] a, float[] b, boolean bTransposed, float[] c) {
        return SampledError.maxRelErr(n, n, n, a, b, bTransposed ? 1 : n, bTransposed ? n : 1, c, v -> v);
    }
}

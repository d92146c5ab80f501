package dev.shears.bench.gpu;

import dev.shears.cuda.CudaDevice;
import java.util.List;

/**
 * What every {@link GpuBenchPart} gets: the device, the square GEMM sizes, and how long to time.
 *
 * @param device       the GPU (its context current on the calling thread)
 * @param sizes        square sizes N of the GEMM cases (M = N = K)
 * @param reps         timed repetitions per case
 * @param warmupMillis warm-up per case
 * @param quick        tiny shapes and few reps: a smoke test of the plumbing, not a measurement
 */
public record GpuBenchContext(CudaDevice device, List<Integer> sizes, int reps, long warmupMillis, boolean quick) {
    /** Times {@code launch} (asynchronous kernel launches) with this context's warm-up and reps. */
    public GpuTimer.Result time(Runnable launch) {
        return GpuTimer.time(device, launch, warmupMillis, reps);
    }
}

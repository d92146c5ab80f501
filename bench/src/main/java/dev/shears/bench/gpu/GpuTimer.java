package dev.shears.bench.gpu;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;

import dev.shears.cuda.CudaDevice;
import java.util.Arrays;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;

/**
 * GPU time of an asynchronous launch, measured with CUDA events around it on the default stream
 * (host launch overhead overlaps and is not counted, as for any stream of kernels), after a
 * warm-up that ends with a synchronise.
 */
public final class GpuTimer {
    private GpuTimer() {}

    /** Sorted timings in nanoseconds: best is {@code [0]}. */
    public record Result(long[] nanos) {
        public long best() {
            return nanos[0];
        }

        public long median() {
            int n = nanos.length;
            return n % 2 == 1 ? nanos[n / 2] : (nanos[n / 2 - 1] + nanos[n / 2]) / 2;
        }

        public int reps() {
            return nanos.length;
        }
    }

    public static Result time(CudaDevice device, Runnable launch, long warmupMillis, int reps) {
        device.makeCurrent();
        long end = System.nanoTime() + warmupMillis * 1_000_000L;
        do {
            launch.run();
            device.synchronize();
        } while (System.nanoTime() < end);
        CUevent start = new CUevent();
        CUevent stop = new CUevent();
        cuEventCreate(start, CUevent_flags.CU_EVENT_DEFAULT);
        cuEventCreate(stop, CUevent_flags.CU_EVENT_DEFAULT);
        try {
            long[] nanos = new long[reps];
            float[] ms = new float[1];
            for (int r = 0; r < reps; r++) {
                cuEventRecord(start, null);
                launch.run();
                cuEventRecord(stop, null);
                cuEventSynchronize(stop);
                cuEventElapsedTime(ms, start, stop);
                nanos[r] = Math.round(ms[0] * 1e6);
            }
            device.synchronize(); // surfaces an error of the last launch
            Arrays.sort(nanos);
            return new Result(nanos);
        } finally {
            cuEventDestroy(start);
            cuEventDestroy(stop);
        }
    }
}

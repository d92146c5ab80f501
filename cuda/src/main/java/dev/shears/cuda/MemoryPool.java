package dev.shears.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;

/**
 * Caches freed device blocks by size class (architecture.md 2.7): cuMemAlloc/cuMemFree synchronise
 * the device and cost tens of microseconds, while training allocates the same few sizes every
 * step. Classes are four per power of two (waste at most 25%), from 256 bytes (the driver's
 * alignment). Blocks come back from the {@link java.lang.ref.Cleaner} thread, so every method is
 * synchronised. Work is queued on the default stream only, so a block reused by a later launch
 * is ordered after the launches that used it before.
 */
final class MemoryPool {
    static final long MIN_CLASS = 256;

    private final CudaDevice device;
    private final Map<Long, ArrayDeque<CUdeviceptr>> free = new HashMap<>();

    MemoryPool(CudaDevice device) {
        this.device = device;
    }

    /** The size class holding {@code bytes}: the least of 2^k·{1, 1.25, 1.5, 1.75} not below it. */
    static long sizeClass(long bytes) {
        if (bytes <= MIN_CLASS) {
            return MIN_CLASS;
        }
        long pow = Long.highestOneBit(bytes - 1); // pow < bytes <= 2·pow
        long quarter = pow / 4;
        return pow + quarter * ((bytes - pow + quarter - 1) / quarter);
    }

    synchronized DeviceMemory acquire(long bytes) {
        long cls = sizeClass(bytes);
        ArrayDeque<CUdeviceptr> list = free.get(cls);
        CUdeviceptr ptr = list == null ? null : list.poll();
        if (ptr == null) {
            ptr = allocateFresh(cls);
        }
        return new DeviceMemory(device, ptr, bytes, cls, this);
    }

    synchronized void release(CUdeviceptr ptr, long cls) {
        free.computeIfAbsent(cls, k -> new ArrayDeque<>()).push(ptr);
    }

    synchronized void trim() {
        for (ArrayDeque<CUdeviceptr> list : free.values()) {
            for (CUdeviceptr p : list) {
                CudaException.check(cuMemFree(p), "cuMemFree on " + device);
            }
        }
        free.clear();
    }

    private CUdeviceptr allocateFresh(long cls) {
        CUdeviceptr ptr = new CUdeviceptr();
        int rc = cuMemAlloc(ptr, cls);
        if (rc == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
            // Cached blocks of other classes may be what is missing; drop them and try once more.
            trim();
            rc = cuMemAlloc(ptr, cls);
        }
        CudaException.check(rc, "cuMemAlloc(" + cls + " bytes) on " + device);
        return ptr;
    }
}

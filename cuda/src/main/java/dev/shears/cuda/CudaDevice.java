package dev.shears.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;

/**
 * One GPU and its primary context. The driver's current context is per thread, so every entry
 * point that talks to the device ({@link #allocate}, uploads, launches, {@link #synchronize})
 * first makes this context current on the calling thread ({@link #makeCurrent()}).
 */
public final class CudaDevice {
    private static final Map<Integer, CudaDevice> DEVICES = new ConcurrentHashMap<>();

    private final int index;
    private final String name;
    private final int computeCapability;
    private final CUcontext context;
    private final MemoryPool pool;

    private CudaDevice(int index, String name, int computeCapability, CUcontext context) {
        this.index = index;
        this.name = name;
        this.computeCapability = computeCapability;
        this.context = context;
        this.pool = new MemoryPool(this);
    }

    /**
     * The device with ordinal {@code index}, its primary context retained on first use.
     *
     * @throws CudaException if CUDA is unavailable (quoting the probe's reason) or the index is out of range
     */
    public static CudaDevice get(int index) {
        CudaDriver.requireAvailable();
        CudaDevice d = DEVICES.computeIfAbsent(index, CudaDevice::open);
        d.makeCurrent();
        return d;
    }

    private static CudaDevice open(int index) {
        int count = CudaDriver.deviceCount();
        if (index < 0 || index >= count) {
            throw new CudaException("cuda:" + index + " does not exist: the driver reports " + count + " GPU(s)");
        }
        CUdevice dev = new CUdevice();
        CudaException.check(cuDeviceGet(dev, index), "cuDeviceGet(" + index + ")");
        byte[] raw = new byte[256];
        CudaException.check(cuDeviceGetName(raw, raw.length, dev), "cuDeviceGetName(cuda:" + index + ")");
        int len = 0;
        while (len < raw.length && raw[len] != 0) {
            len++;
        }
        CUcontext ctx = new CUcontext();
        CudaException.check(cuDevicePrimaryCtxRetain(ctx, dev), "cuDevicePrimaryCtxRetain(cuda:" + index + ")");
        return new CudaDevice(index, new String(raw, 0, len, StandardCharsets.US_ASCII),
                CudaDriver.computeCapability(dev), ctx);
    }

    public int index() {
        return index;
    }

    /** The product name the driver reports, e.g. {@code NVIDIA H100 80GB HBM3}. */
    public String name() {
        return name;
    }

    /** Compute capability as major·10 + minor (90 for Hopper). */
    public int computeCapability() {
        return computeCapability;
    }

    /** Makes this device's context current on the calling thread (cheap; the driver ignores a no-op). */
    public void makeCurrent() {
        CudaException.check(cuCtxSetCurrent(context), "cuCtxSetCurrent(cuda:" + index + ")");
    }

    /** {@code bytes} of uninitialised device memory from the pool, returned there when unreachable or closed. */
    public DeviceMemory allocate(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("CudaDevice.allocate: bytes = " + bytes + " must be >= 0");
        }
        makeCurrent();
        return pool.acquire(bytes);
    }

    /** Waits for all work queued on this device (benchmarks time with it; errors of async launches surface here). */
    public void synchronize() {
        makeCurrent();
        CudaException.check(cuCtxSynchronize(), "cuCtxSynchronize(cuda:" + index + ")");
    }

    /** Frees every cached, unused block of the pool (memory still referenced stays allocated). */
    public void trimPool() {
        makeCurrent();
        pool.trim();
    }

    @Override
    public String toString() {
        return "cuda:" + index + " (" + name + ", sm_" + computeCapability + ")";
    }
}

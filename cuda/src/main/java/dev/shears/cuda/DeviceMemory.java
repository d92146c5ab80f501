package dev.shears.cuda;

import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;

import java.lang.ref.Cleaner;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * Raw device bytes from a {@link CudaDevice}'s pool. The block goes back to the pool when this
 * object becomes unreachable (a {@link Cleaner}) or on {@link #close()}, whichever comes first;
 * using it after close is a bug the device cannot detect.
 */
public final class DeviceMemory implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    private final CudaDevice device;
    private final CUdeviceptr pointer;
    private final long bytes;
    private final Cleaner.Cleanable cleanable;

    DeviceMemory(CudaDevice device, CUdeviceptr pointer, long bytes, long sizeClass, MemoryPool pool) {
        this.device = device;
        this.pointer = pointer;
        this.bytes = bytes;
        this.cleanable = CLEANER.register(this, new Release(pool, pointer, sizeClass));
    }

    /** Must not reference the DeviceMemory, or it would never become unreachable. */
    private record Release(MemoryPool pool, CUdeviceptr pointer, long sizeClass) implements Runnable {
        @Override
        public void run() {
            pool.release(pointer, sizeClass);
        }
    }

    public CudaDevice device() {
        return device;
    }

    /** The device address, for kernel parameters ({@link Launch} takes the DeviceMemory itself). */
    public CUdeviceptr pointer() {
        return pointer;
    }

    /** The requested size in bytes (the block behind it may be larger). */
    public long bytes() {
        return bytes;
    }

    /** A device copy of {@code data}. */
    public static DeviceMemory upload(CudaDevice device, float[] data) {
        return upload(device, Pointer.to(data), 4L * data.length);
    }

    public static DeviceMemory upload(CudaDevice device, short[] data) {
        return upload(device, Pointer.to(data), 2L * data.length);
    }

    public static DeviceMemory upload(CudaDevice device, int[] data) {
        return upload(device, Pointer.to(data), 4L * data.length);
    }

    public static DeviceMemory upload(CudaDevice device, byte[] data) {
        return upload(device, Pointer.to(data), data.length);
    }

    /** Copies the first {@code dst.length} elements' bytes of this memory into {@code dst} (synchronous). */
    public void download(float[] dst) {
        download(Pointer.to(dst), 4L * dst.length);
    }

    public void download(short[] dst) {
        download(Pointer.to(dst), 2L * dst.length);
    }

    public void download(int[] dst) {
        download(Pointer.to(dst), 4L * dst.length);
    }

    public void download(byte[] dst) {
        download(Pointer.to(dst), dst.length);
    }

    /** Returns the block to the pool now. */
    @Override
    public void close() {
        cleanable.clean();
    }

    private static DeviceMemory upload(CudaDevice device, Pointer host, long n) {
        DeviceMemory m = device.allocate(n);
        if (n > 0) {
            CudaException.check(cuMemcpyHtoD(m.pointer, host, n), "cuMemcpyHtoD(" + n + " bytes) to " + device);
        }
        return m;
    }

    private void download(Pointer host, long n) {
        if (n > bytes) {
            throw new IllegalArgumentException("DeviceMemory.download: " + n + " bytes requested but this block holds "
                    + bytes);
        }
        device.makeCurrent();
        if (n > 0) {
            CudaException.check(cuMemcpyDtoH(host, pointer, n), "cuMemcpyDtoH(" + n + " bytes) from " + device);
        }
    }

    @Override
    public String toString() {
        return "DeviceMemory[" + bytes + " bytes on cuda:" + device.index() + "]";
    }
}

package dev.shears.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;

import jcuda.Pointer;
import jcuda.driver.CUfunction;

/**
 * Launches a kernel on the default stream of the current device. Arguments map to kernel
 * parameters in order: {@link DeviceMemory} and {@link CudaStorage} pass their device address,
 * {@code Integer}/{@code Long}/{@code Float} pass by value, and an {@code int[]} passes a by-value
 * struct of ints (e.g. the shape/stride block of a strided view).
 * <p>
 * Launches are asynchronous, so a fault inside a kernel surfaces at the next synchronising call;
 * with {@code -Dshears.cuda.sync=true} every launch is followed by a synchronise and the error
 * names the kernel (the GPU test kit runs that way).
 */
public final class Launch {
    private static final boolean SYNC = Boolean.getBoolean("shears.cuda.sync");

    private Launch() {}

    public static void run(CUfunction f, int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ,
                           int sharedBytes, Object... args) {
        if (gridX <= 0 || gridY <= 0 || gridZ <= 0 || blockX <= 0 || blockY <= 0 || blockZ <= 0) {
            throw new IllegalArgumentException("launch of " + Kernels.nameOf(f) + ": grid (" + gridX + ", " + gridY
                    + ", " + gridZ + ") and block (" + blockX + ", " + blockY + ", " + blockZ + ") must be positive");
        }
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            params[i] = param(f, i, args[i]);
        }
        int rc = cuLaunchKernel(f, gridX, gridY, gridZ, blockX, blockY, blockZ, sharedBytes, null,
                Pointer.to(params), null);
        CudaException.check(rc, "launch of " + Kernels.nameOf(f) + " (grid " + gridX + "x" + gridY + "x" + gridZ
                + ", block " + blockX + "x" + blockY + "x" + blockZ + ", " + sharedBytes + " B shared)");
        if (SYNC) {
            CudaException.check(cuCtxSynchronize(), "kernel " + Kernels.nameOf(f));
        }
    }

    /** A 1-D launch covering {@code n} threads in blocks of {@code block} (grid at least 1). */
    public static void run1d(CUfunction f, long n, int block, Object... args) {
        long grid = Math.max(1, (n + block - 1) / block);
        if (grid > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("launch of " + Kernels.nameOf(f) + ": " + n + " threads need " + grid
                    + " blocks of " + block + ", more than a grid holds");
        }
        run(f, (int) grid, 1, 1, block, 1, 1, 0, args);
    }

    private static Pointer param(CUfunction f, int i, Object a) {
        return switch (a) {
            case DeviceMemory m -> Pointer.to(m.pointer());
            case CudaStorage s -> Pointer.to(s.memory().pointer());
            case Integer v -> Pointer.to(new int[] {v});
            case Long v -> Pointer.to(new long[] {v});
            case Float v -> Pointer.to(new float[] {v});
            case int[] v -> Pointer.to(v);
            case null -> throw new IllegalArgumentException("launch of " + Kernels.nameOf(f) + ": argument " + i
                    + " is null");
            default -> throw new IllegalArgumentException("launch of " + Kernels.nameOf(f) + ": argument " + i
                    + " has unsupported type " + a.getClass().getName()
                    + " (DeviceMemory, CudaStorage, Integer, Long, Float, int[])");
        };
    }
}

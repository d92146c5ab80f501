package dev.shears.cuda.sparse;

import dev.shears.cuda.CudaDevice;
import dev.shears.cuda.DeviceMemory;
import dev.shears.tensor.ShapeException;

/** Argument checks of the GPU sparse products, done before any launch; messages name op, operand and sizes. */
final class GpuArgs {
    private GpuArgs() {}

    /**
     * The checks of every {@code linear(x, n, ldx, y)}: the batch, the input row stride (at least
     * {@code minLdx}, a multiple of {@code ldxMultiple}), x [n, ldx] of {@code xBytes}-byte elements
     * and y [n, rows] fp32, both on {@code device}.
     */
    static void linear(String op, CudaDevice device, DeviceMemory x, int n, int ldx, int minLdx, int ldxMultiple,
            int xBytes, DeviceMemory y, int rows) {
        batch(op, n);
        stride(op, ldx, minLdx, ldxMultiple);
        holds(op, "x", x, device, n, ldx, xBytes);
        holds(op, "y", y, device, n, rows, 4);
    }

    /** {@code n <= max}: the kernels whose grid's y dimension runs over the batch (at most 65,535). */
    static void gridBatch(String op, int n, int max) {
        if (n > max) {
            throw new ShapeException(op + ": batch n = " + n + " exceeds " + max + " (split the batch)");
        }
    }

    /** {@code n >= 1}. */
    static void batch(String op, int n) {
        if (n < 1) {
            throw new ShapeException(op + ": batch n = " + n + " must be >= 1");
        }
    }

    /** The input's row stride: at least {@code min}, a multiple of {@code multiple} (elements). */
    static void stride(String op, int ldx, int min, int multiple) {
        if (ldx < min || ldx % multiple != 0) {
            throw new ShapeException(op + ": input row stride ldx = " + ldx + " must be >= " + min
                    + " and a multiple of " + multiple + " (pad the input rows with zeros)");
        }
    }

    /** {@code memory} lives on {@code device} and holds {@code rows × cols} elements of {@code elementBytes}. */
    static void holds(String op, String name, DeviceMemory memory, CudaDevice device, long rows, long cols,
            int elementBytes) {
        if (memory.device() != device) {
            throw new IllegalArgumentException(op + ": " + name + " is on cuda:" + memory.device().index()
                    + " but the weights are on cuda:" + device.index());
        }
        long need = rows * cols * elementBytes;
        if (memory.bytes() < need) {
            throw new ShapeException(op + ": " + name + " holds " + memory.bytes() + " bytes, but [" + rows + ", " + cols
                    + "] of " + elementBytes + "-byte elements need " + need);
        }
    }
}

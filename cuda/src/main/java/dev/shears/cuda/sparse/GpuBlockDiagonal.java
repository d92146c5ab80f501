package dev.shears.cuda.sparse;

import dev.shears.cuda.CudaDevice;
import dev.shears.cuda.DeviceMemory;
import dev.shears.sparse.BlockDiagonal;

/**
 * A block-diagonal D [size, size] on a GPU, blocks as 16-bit halves {@code [blockCount, b, b]},
 * with the product of a linear layer of weight D: {@code Y[n, size] = X[n, size] · Dᵀ}
 * ({@code blockdiag.cu}). X and Y are fp32 ({@code [n, ldx]}, {@code ldx >= size}, and {@code [n, size]}).
 */
public final class GpuBlockDiagonal implements AutoCloseable {
    /** The grid's y dimension runs over the batch. */
    static final int MAX_BATCH = 65_535;

    private final CudaDevice device;
    private final int size;
    private final int blockSize;
    private final GpuHalf half;
    private final DeviceMemory blocks;

    private GpuBlockDiagonal(CudaDevice device, BlockDiagonal d, GpuHalf half) {
        this.device = device;
        this.size = d.rows();
        this.blockSize = d.blockSize();
        this.half = half;
        this.blocks = DeviceMemory.upload(device, half.encode(d.blocksArray()));
    }

    /** {@code d} with its blocks rounded to {@code half}, uploaded to {@code device}. */
    public static GpuBlockDiagonal upload(CudaDevice device, BlockDiagonal d, GpuHalf half) {
        return new GpuBlockDiagonal(device, d, half);
    }

    public int size() {
        return size;
    }

    public int blockSize() {
        return blockSize;
    }

    /** {@code Y[n, size] = X[n, size] · Dᵀ}, one thread per output. */
    public void linear(DeviceMemory x, int n, int ldx, DeviceMemory y) {
        String op = "GpuBlockDiagonal.linear";
        GpuArgs.gridBatch(op, n, MAX_BATCH);
        GpuArgs.linear(op, device, x, n, ldx, size, 1, 4, y, size);
        SparseLaunch.perColumn(device, "blockdiag", "blockdiag", half, size, n, blocks, x, y, size, blockSize, ldx,
                size);
    }

    DeviceMemory blocks() {
        return blocks;
    }

    GpuHalf half() {
        return half;
    }

    @Override
    public void close() {
        blocks.close();
    }
}

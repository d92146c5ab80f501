package dev.shears.cuda.sparse;

import dev.shears.cuda.CudaDevice;
import dev.shears.cuda.DeviceMemory;
import dev.shears.sparse.BitmapMatrix;

/**
 * A bitmap weight W [rows, cols] on a GPU in the {@link BitmapLayout} form, with
 * {@code Y[n, rows] = X[n, cols] · Wᵀ} by {@code spmm_bitmap.cu}. X is halves {@code [n, ldx]},
 * {@code ldx >= cols}; Y fp32 {@code [n, rows]}.
 */
public final class GpuBitmap implements AutoCloseable {
    private final CudaDevice device;
    private final int rows;
    private final int cols;
    private final int tiles;
    private final GpuHalf half;
    private final DeviceMemory bitmaps;
    private final DeviceMemory offsets;
    private final DeviceMemory values;

    private GpuBitmap(CudaDevice device, BitmapLayout layout) {
        this.device = device;
        this.rows = layout.rows();
        this.cols = layout.cols();
        this.tiles = layout.tiles();
        this.half = layout.half();
        this.bitmaps = DeviceMemory.upload(device, nonEmpty(layout.bitmaps()));
        this.offsets = DeviceMemory.upload(device, nonEmpty(layout.offsets()));
        this.values = DeviceMemory.upload(device, layout.values());
    }

    /** {@code w} with values rounded to {@code half}, uploaded to {@code device}. */
    public static GpuBitmap upload(CudaDevice device, BitmapMatrix w, GpuHalf half) {
        return new GpuBitmap(device, BitmapLayout.of(w, half));
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** {@code Y[n, rows] = X[n, cols] · Wᵀ}; a warp per row, a lane per 64-column tile. */
    public void linear(DeviceMemory x, int n, int ldx, DeviceMemory y) {
        GpuArgs.linear("GpuBitmap.linear", device, x, n, ldx, cols, 1, 2, y, rows);
        if (rows == 0) {
            return;
        }
        SparseLaunch.warpPerRow(device, "spmm_bitmap", half, rows, n, bitmaps, offsets, values, x, y, rows, n, tiles,
                ldx, rows);
    }

    /** The driver cannot allocate zero bytes, so an empty matrix uploads a dummy array the kernel never reads. */
    private static int[] nonEmpty(int[] a) {
        return a.length > 0 ? a : new int[2];
    }

    @Override
    public void close() {
        bitmaps.close();
        offsets.close();
        values.close();
    }
}

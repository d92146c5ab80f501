package dev.shears.cuda.sparse;

import dev.shears.sparse.BitmapMatrix;

/**
 * The GPU upload form of a bitmap matrix W [rows, cols], read by {@code spmm_bitmap.cu}
 * (kernels.md §1.6, Mustafar's tiles laid along a row instead of down a column):
 * <ul>
 *   <li>each row is cut into {@link #tiles()} = ceil(cols / 64) tiles of 64 columns;</li>
 *   <li>{@link #bitmaps()}: one 64-bit word per tile, row-major {@code [rows, tiles]}, stored as two
 *       ints (low half first); bit i set when column 64j + i is stored;</li>
 *   <li>{@link #offsets()}: per tile, where its values start in {@link #values()} (in halves);</li>
 *   <li>{@link #values()}: each tile's stored values in ascending column order, followed by zeros
 *       up to a multiple of {@value #ALIGN} halves, so every tile starts 16-byte aligned and is read
 *       with 128-bit loads.</li>
 * </ul>
 */
public record BitmapLayout(int rows, int cols, GpuHalf half, int[] bitmaps, int[] offsets, short[] values) {
    /** Columns per tile: one 64-bit bitmap. */
    public static final int TILE = 64;
    /** Values of a tile are padded to a multiple of this many halves (16 bytes). */
    public static final int ALIGN = 8;

    /** The upload form of {@code w} with its values rounded to {@code half}. */
    public static BitmapLayout of(BitmapMatrix w, GpuHalf half) {
        int rows = w.rows();
        int cols = w.cols();
        int tiles = Math.ceilDiv(cols, TILE);
        char[] masks = w.laneMasks(); // 16 columns per word, 4 words per tile
        int perRow = w.masksPerRow();
        long[] bits = new long[Math.multiplyExact(rows, tiles)];
        int[] offsets = new int[bits.length];
        long total = 0;
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < tiles; j++) {
                long b = 0;
                for (int q = 0; q < 4 && 4 * j + q < perRow; q++) {
                    b |= (long) masks[r * perRow + 4 * j + q] << (16 * q);
                }
                bits[r * tiles + j] = b;
                offsets[r * tiles + j] = Math.toIntExact(total);
                total += Layout24.roundUp(Long.bitCount(b), ALIGN);
            }
        }
        short[] values = new short[Math.toIntExact(Math.max(ALIGN, total))];
        float[] packed = w.valuesArray();
        int[] rowStart = w.rowOffsetsArray();
        for (int r = 0; r < rows; r++) {
            int next = rowStart[r];
            for (int j = 0; j < tiles; j++) {
                int count = Long.bitCount(bits[r * tiles + j]);
                for (int i = 0; i < count; i++) {
                    values[offsets[r * tiles + j] + i] = half.encode(packed[next++]);
                }
            }
        }
        int[] words = new int[2 * bits.length];
        for (int i = 0; i < bits.length; i++) {
            words[2 * i] = (int) bits[i];
            words[2 * i + 1] = (int) (bits[i] >>> 32);
        }
        return new BitmapLayout(rows, cols, half, words, offsets, values);
    }

    /** Tiles per row. */
    public int tiles() {
        return Math.ceilDiv(cols, TILE);
    }

    /** The bitmap of tile {@code j} of row {@code r}. */
    public long bitmap(int r, int j) {
        int i = r * tiles() + j;
        return (bitmaps[2 * i] & 0xFFFFFFFFL) | (long) bitmaps[2 * i + 1] << 32;
    }

    /** Decodes the layout back to dense row-major {@code [rows, cols]}. */
    public float[] toDense() {
        float[] dense = new float[Math.multiplyExact(rows, cols)];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < tiles(); j++) {
                long b = bitmap(r, j);
                int v = offsets[r * tiles() + j];
                while (b != 0) {
                    dense[r * cols + TILE * j + Long.numberOfTrailingZeros(b)] = half.decode(values[v++]);
                    b &= b - 1;
                }
            }
        }
        return dense;
    }
}

package dev.shears.cuda.sparse;

import dev.shears.sparse.SemiStructured24;

/**
 * The GPU upload form of a 2:4 matrix W [rows, cols] (kernels.md §1.3), read by {@code spmm24.cu},
 * {@code gemv24.cu} and {@code armor.cu}:
 * <ul>
 *   <li>{@link #values()}: 16-bit halves {@code [paddedRows, paddedCols/2]} row-major; group g of a
 *       row keeps its two values at compressed columns 2g, 2g+1, lower column first. Rows are padded
 *       to a multiple of {@value #ROW_TILE} and columns to a multiple of {@value #COL_MULTIPLE} (rows
 *       16-byte aligned for the kernels' 128-bit copies) with zero values.</li>
 *   <li>{@link #meta()}: one 32-bit word per metadata-owning lane of each 16×32 tile, in the order
 *       the lanes of {@code mma.sp.m16n8k32} (sparsity selector 0) consume them: tile (R, kt) holds
 *       words {@code (R·paddedCols/32 + kt)·16 + 2g + t} for g = 0..7, t = 0..1. The word's lower
 *       half is row 16R+g, its upper half row 16R+g+8, both for dense columns 32kt+16t .. +15, four
 *       NVIDIA index-pair nibbles (bits 1:0 the lower kept position, 3:2 the higher), group j of the
 *       half at bits 4j..4j+3. Padding groups name positions (0, 1), a valid pair over zeros.</li>
 * </ul>
 * A warp thus reads each tile's metadata as 64 contiguous bytes, with no CUTLASS reorder.
 */
public record Layout24(int rows, int cols, int paddedRows, int paddedCols, GpuHalf half, short[] values, int[] meta) {
    /** Rows of an {@code mma.sp} tile; rows are padded to a multiple of it. */
    public static final int ROW_TILE = 16;
    /** Dense columns of an {@code mma.sp} tile. */
    public static final int TILE_K = 32;
    /** Columns are padded to a multiple of it, so compressed rows are 64-byte aligned. */
    public static final int COL_MULTIPLE = 64;
    /** Metadata words per 16×32 tile: lanes (g, t) with t in {0, 1}. */
    public static final int WORDS_PER_TILE = 16;
    /** The pair nibble of a padding group: positions (0, 1). */
    static final int PADDING_NIBBLE = 0x4;

    /** Lane-mask nibble (two of four bits set) to NVIDIA index-pair nibble; -1 where not exactly two bits. */
    private static final int[] PAIR = pairTable();

    /** The upload form of {@code w} with its values rounded to {@code half}. */
    public static Layout24 of(SemiStructured24 w, GpuHalf half) {
        int rows = w.rows();
        int cols = w.cols();
        int paddedRows = roundUp(rows, ROW_TILE);
        int paddedCols = roundUp(cols, COL_MULTIPLE);
        float[] packed = w.packedValues();
        short[] values = new short[Math.multiplyExact(paddedRows, paddedCols / 2)];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols / 2; c++) {
                values[r * (paddedCols / 2) + c] = half.encode(packed[r * (cols / 2) + c]);
            }
        }
        char[] masks = w.laneMasks();
        int masksPerRow = w.masksPerRow();
        int tilesK = paddedCols / TILE_K;
        int[] meta = new int[paddedRows / ROW_TILE * tilesK * WORDS_PER_TILE];
        for (int tr = 0; tr < paddedRows / ROW_TILE; tr++) {
            for (int kt = 0; kt < tilesK; kt++) {
                for (int g = 0; g < 8; g++) {
                    for (int t = 0; t < 2; t++) {
                        int lo = halfWord(masks, masksPerRow, rows, cols, tr * ROW_TILE + g, kt, t);
                        int hi = halfWord(masks, masksPerRow, rows, cols, tr * ROW_TILE + g + 8, kt, t);
                        meta[metaWord(tilesK, tr, kt, g, t)] = lo | hi << 16;
                    }
                }
            }
        }
        return new Layout24(rows, cols, paddedRows, paddedCols, half, values, meta);
    }

    /** Index of lane (g, t)'s metadata word of tile (tileRow, tileK), {@code tilesK = paddedCols / 32}. */
    public static int metaWord(int tilesK, int tileRow, int tileK, int g, int t) {
        return (tileRow * tilesK + tileK) * WORDS_PER_TILE + 2 * g + t;
    }

    /** The index-pair nibble of group {@code group} (columns 4·group .. +3) of padded row {@code row}. */
    public int nibble(int row, int group) {
        int kt = group / 8;
        int t = group / 4 % 2;
        int word = meta[metaWord(paddedCols / TILE_K, row / ROW_TILE, kt, row % 8, t)];
        int halfWord = row % ROW_TILE < 8 ? word & 0xFFFF : word >>> 16;
        return halfWord >>> (4 * (group % 4)) & 0xF;
    }

    /** Decodes the layout back to dense row-major {@code [rows, cols]} (padding dropped). */
    public float[] toDense() {
        float[] dense = new float[Math.multiplyExact(rows, cols)];
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < cols / 4; g++) {
                int nib = nibble(r, g);
                int v = r * (paddedCols / 2) + 2 * g;
                dense[r * cols + 4 * g + (nib & 3)] = half.decode(values[v]);
                dense[r * cols + 4 * g + (nib >> 2)] = half.decode(values[v + 1]);
            }
        }
        return dense;
    }

    /** Bytes of the upload: values plus metadata. */
    public long bytes() {
        return 2L * values.length + 4L * meta.length;
    }

    /** The 16-bit half of a metadata word: row {@code row}, dense columns 32·kt + 16·t .. +15. */
    private static int halfWord(char[] masks, int masksPerRow, int rows, int cols, int row, int kt, int t) {
        int bits = 0;
        for (int j = 0; j < 4; j++) {
            int group = 8 * kt + 4 * t + j;
            int nib = PADDING_NIBBLE;
            if (row < rows && group < cols / 4) {
                int laneMask = masks[row * masksPerRow + group / 4] >>> (4 * (group % 4)) & 0xF;
                nib = PAIR[laneMask];
                assert nib >= 0 : "row " + row + ", group " + group + " keeps mask " + laneMask;
            }
            bits |= nib << (4 * j);
        }
        return bits;
    }

    private static int[] pairTable() {
        int[] table = new int[16];
        for (int mask = 0; mask < 16; mask++) {
            table[mask] = -1;
            if (Integer.bitCount(mask) == 2) {
                int lo = Integer.numberOfTrailingZeros(mask);
                int hi = 31 - Integer.numberOfLeadingZeros(mask);
                table[mask] = lo | hi << 2;
            }
        }
        return table;
    }

    static int roundUp(int n, int multiple) {
        return Math.ceilDiv(n, multiple) * multiple;
    }
}

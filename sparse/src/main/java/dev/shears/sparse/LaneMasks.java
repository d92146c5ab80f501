package dev.shears.sparse;

/**
 * The lane-mask kernel layout shared by {@link SemiStructured24} and {@link BitmapMatrix}: per
 * row, one 16-bit word per 16 columns, word {@code w} covering columns {@code 16w .. 16w+15} with
 * bit {@code j} set when column {@code 16w + j} is kept. A row's last word may cover fewer than 16
 * columns; its unused high bits are zero. Kernels expand 16 packed values by the mask and advance
 * the value pointer by its bit count (kernels.md §1.4, §1.6).
 */
final class LaneMasks {
    private LaneMasks() {}

    /** Words per row: {@code ceil(cols / 16)}. */
    static int perRow(int cols) {
        return (int) ((cols + 15L) / 16);
    }

    /** Lane masks of a 2:4 pattern: {@code meta} U8 [rows, cols/4] holding one position pair per group. */
    static char[] fromMeta(byte[] meta, int rows, int cols) {
        int groups = cols / 4;
        int perRow = perRow(cols);
        char[] masks = new char[rows * perRow];
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < groups; g++) {
                int m = meta[r * groups + g];
                int nibble = (1 << (m & 3)) | (1 << ((m >> 2) & 3));
                masks[r * perRow + g / 4] |= (char) (nibble << (4 * (g % 4)));
            }
        }
        return masks;
    }

    /** Lane masks of a bitmap: {@code bitmap} U8 [rows, ceil(cols/8)], column c at bit c % 8 of byte c / 8. */
    static char[] fromBitmap(byte[] bitmap, int rows, int cols) {
        int bytesPerRow = BitmapMatrix.bytesPerRow(cols);
        int perRow = perRow(cols);
        char[] masks = new char[rows * perRow];
        for (int r = 0; r < rows; r++) {
            int row = r * bytesPerRow;
            for (int w = 0; w < perRow; w++) {
                int lo = bitmap[row + 2 * w] & 0xFF;
                int hi = 2 * w + 1 < bytesPerRow ? bitmap[row + 2 * w + 1] & 0xFF : 0;
                masks[r * perRow + w] = (char) (lo | hi << 8);
            }
        }
        return masks;
    }
}

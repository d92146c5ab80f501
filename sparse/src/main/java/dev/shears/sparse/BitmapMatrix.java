package dev.shears.sparse;

import dev.shears.tensor.DType;
import dev.shears.tensor.Device;
import dev.shears.tensor.Shape;
import dev.shears.tensor.Tensor;

/**
 * A bitmap-compressed matrix (Mustafar-style), for unstructured sparsity between about 50% and
 * 94%: one bit per entry says whether it is stored, and the stored values are packed.
 *
 * <p>Canonical content: {@link #bitmap()} U8 {@code [rows, ceil(cols/8)]}, bit {@code c % 8} of
 * byte {@code c / 8} set when column {@code c} is stored (little-endian bit order; bits past the
 * last column zero); {@link #values()} F32 {@code [nnz]}, row by row in ascending column order
 * (finite); {@link #rowOffsets()} I32 {@code [rows + 1]}, where row {@code r}'s values start
 * (0 first, then each row's bit count added, nnz last).
 *
 * <p>Kernel layout (kernels.md §1.6): {@link #laneMasks()}, in the same convention as
 * {@link SemiStructured24#laneMasks()} (one 16-bit word per 16 columns, built on first use and
 * shared by {@link #withValues} results), so one expand kernel serves both formats, advancing the
 * value pointer by each word's bit count; plus the values and row offsets as plain arrays.
 */
public final class BitmapMatrix implements SparseMatrix {
    private final int rows;
    private final int cols;
    private final byte[] bitmap;
    private final int[] rowOffsets;
    private final float[] values;
    private final Tensor bitmapTensor;
    private final Tensor rowOffsetsTensor;
    private final Tensor valuesTensor;
    private final Lazy<char[]> laneMasks;

    private BitmapMatrix(BitmapMatrix structure, float[] values) {
        this.rows = structure.rows;
        this.cols = structure.cols;
        this.bitmap = structure.bitmap;
        this.rowOffsets = structure.rowOffsets;
        this.bitmapTensor = structure.bitmapTensor;
        this.rowOffsetsTensor = structure.rowOffsetsTensor;
        this.laneMasks = structure.laneMasks;
        this.values = values;
        this.valuesTensor = Formats.f32(values, values.length);
    }

    private BitmapMatrix(int rows, int cols, byte[] bitmap, int[] rowOffsets, float[] values) {
        this.rows = rows;
        this.cols = cols;
        this.bitmap = bitmap;
        this.rowOffsets = rowOffsets;
        this.values = values;
        this.bitmapTensor = Formats.u8(bitmap, rows, bytesPerRow(cols));
        this.rowOffsetsTensor = Formats.i32(rowOffsets, rows + 1);
        this.valuesTensor = Formats.f32(values, values.length);
        this.laneMasks = new Lazy<>(() -> LaneMasks.fromBitmap(bitmap, rows, cols));
    }

    // ==== factories =============================================================================

    /**
     * Keeps the non-zeros of {@code w}.
     *
     * @param w F32 {@code [rows, cols]} on the CPU; its non-zeros must be finite
     * @throws SparseFormatException naming the first NaN or infinity
     */
    public static BitmapMatrix fromDense(Tensor w) {
        String op = "BitmapMatrix.fromDense";
        return build(op, Selection.nonZeros(op, w));
    }

    /** {@link #fromDenseAndMask(Tensor, Tensor)} with a {@link Mask} of w's shape. */
    public static BitmapMatrix fromDenseAndMask(Tensor w, Mask mask) {
        return fromDenseAndMask(w, mask.tensor());
    }

    /**
     * Keeps the positions where {@code mask} is 1, zeros included (so the pattern survives
     * {@link #withValues}).
     *
     * @param w    F32 {@code [rows, cols]} on the CPU; kept values must be finite
     * @param mask U8 or F32 of w's shape holding only 0 and 1
     */
    public static BitmapMatrix fromDenseAndMask(Tensor w, Tensor mask) {
        String op = "BitmapMatrix.fromDenseAndMask";
        return build(op, Selection.masked(op, w, mask));
    }

    /**
     * A matrix from its canonical content, fully validated.
     *
     * @param bitmap     U8 {@code [rows, ceil(cols/8)]}, bits past the last column zero
     * @param rowOffsets I32 {@code [rows + 1]}: 0 first, each row's bit count added, nnz last
     * @param values     F32 {@code [nnz]}, finite
     * @throws SparseFormatException naming the offending element and value
     */
    public static BitmapMatrix of(int rows, int cols, Tensor bitmap, Tensor rowOffsets, Tensor values) {
        return of("BitmapMatrix.of", rows, cols, new Part("bitmap", bitmap), new Part("rowOffsets", rowOffsets),
                new Part("values", values));
    }

    static BitmapMatrix of(String op, int rows, int cols, Part bitmap, Part rowOffsets, Part values) {
        Formats.requireSizes(op, rows, cols);
        int perRow = bytesPerRow(cols);
        byte[] bits = bitmap.bytes(op, "[rows, ceil(cols/8)]", rows, perRow);
        int[] offsets = rowOffsets.ints(op, "[rows + 1]", rows + 1);
        int nnz = values.shape(op, DType.F32, 1).dim(0);
        float[] v = values.floats(op, "[nnz]", nnz);
        String b = bitmap.name();
        String o = rowOffsets.name();
        if (offsets[0] != 0) {
            throw new SparseFormatException(op + ": " + o + "[0] = " + offsets[0] + " must be 0");
        }
        int unused = perRow * 8 - cols; // high bits of each row's last byte past the last column
        for (int r = 0; r < rows; r++) {
            int last = unused == 0 ? 0 : bits[r * perRow + perRow - 1] & 0xFF;
            if (last >>> (8 - unused) != 0) {
                throw new SparseFormatException(op + ": " + b + "[" + r + ", " + (perRow - 1) + "] = "
                        + Formats.hex(last) + " sets bits for columns " + cols + ".." + (perRow * 8 - 1)
                        + ", past cols = " + cols + "; bits beyond the last column must be zero");
            }
            int count = 0;
            for (int i = r * perRow; i < (r + 1) * perRow; i++) {
                count += Integer.bitCount(bits[i] & 0xFF);
            }
            if ((long) offsets[r + 1] - offsets[r] != count) {
                throw new SparseFormatException(op + ": row " + r + " has " + count + " bits set in " + b + " but " + o
                        + "[" + (r + 1) + "] - " + o + "[" + r + "] = " + offsets[r + 1] + " - " + offsets[r] + " = "
                        + ((long) offsets[r + 1] - offsets[r]) + "; each row's offsets must differ by its bit count");
            }
        }
        if (offsets[rows] != nnz) {
            throw new SparseFormatException(op + ": " + o + "[" + rows + "] = " + offsets[rows]
                    + " (the last entry, the bit count of " + b + ") must equal nnz = " + nnz + ", the length of "
                    + values.name());
        }
        Formats.requireFinite(op, values.name(), v, i -> position(bits, offsets, cols, i));
        return new BitmapMatrix(rows, cols, bits, offsets, v);
    }

    /**
     * The same pattern (and cached kernel layout) with new values.
     *
     * @param values F32 {@code [nnz]}, finite
     */
    public BitmapMatrix withValues(Tensor values) {
        String op = "BitmapMatrix.withValues";
        float[] v = new Part("values", values).floats(op, "[nnz]", nnz());
        Formats.requireFinite(op, "values", v, i -> position(bitmap, rowOffsets, cols, i));
        return new BitmapMatrix(this, v);
    }

    // ==== accessors =============================================================================

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public int nnz() {
        return values.length;
    }


    @Override
    public Device device() {
        return valuesTensor.device();
    }

    /** The bitmap, U8 {@code [rows, ceil(cols/8)]} (shared: do not write in place). */
    public Tensor bitmap() {
        return bitmapTensor;
    }

    /** Where each row's values start, I32 {@code [rows + 1]} (shared: do not write in place). */
    public Tensor rowOffsets() {
        return rowOffsetsTensor;
    }

    /** The packed values, F32 {@code [nnz]} (shared: do not write in place). */
    public Tensor values() {
        return valuesTensor;
    }

    /**
     * The lane masks for kernels: {@code rows * masksPerRow()} words; word {@code w} of row
     * {@code r} (index {@code r * masksPerRow() + w}) has bit {@code j} set when column
     * {@code 16w + j} is stored; the unused high bits of a row's last word are zero. Built on first
     * use, cached; read-only.
     */
    public char[] laneMasks() {
        return laneMasks.get();
    }

    /** Lane-mask words per row: {@code ceil(cols / 16)}. */
    public int masksPerRow() {
        return LaneMasks.perRow(cols);
    }

    /** Values for kernels, {@code nnz} floats (shared with {@link #values()}; read-only). */
    public float[] valuesArray() {
        return values;
    }

    /** Row offsets for kernels, {@code rows + 1} ints (shared with {@link #rowOffsets()}; read-only). */
    public int[] rowOffsetsArray() {
        return rowOffsets;
    }

    @Override
    public Tensor toDense() {
        float[] d = new float[Shape.of(rows, cols).numel()]; // throws if rows * cols exceeds an int
        int perRow = bytesPerRow(cols);
        int k = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                if ((bitmap[r * perRow + c / 8] >> (c % 8) & 1) != 0) {
                    d[r * cols + c] = values[k++];
                }
            }
        }
        return Formats.f32(d, rows, cols);
    }

    @Override
    public String toString() {
        return Formats.describe(this);
    }

    // ==== helpers ===============================================================================

    /** Bitmap bytes per row: {@code ceil(cols / 8)}. */
    static int bytesPerRow(int cols) {
        return (int) ((cols + 7L) / 8);
    }

    private static BitmapMatrix build(String op, Selection s) {
        s.requireFiniteKept(op);
        int rows = s.rows();
        int cols = s.cols();
        int perRow = bytesPerRow(cols);
        byte[] bitmap = new byte[rows * perRow];
        int[] rowOffsets = new int[rows + 1];
        float[] values = new float[s.count()];
        int k = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int i = r * cols + c;
                if (s.keep()[i]) {
                    bitmap[r * perRow + c / 8] |= (byte) (1 << (c % 8));
                    values[k++] = s.dense()[i];
                }
            }
            rowOffsets[r + 1] = k;
        }
        return new BitmapMatrix(rows, cols, bitmap, rowOffsets, values);
    }

    /** {@code row r, column c} of packed value {@code i}: the (i - rowOffsets[r])-th set bit of row r. */
    private static String position(byte[] bitmap, int[] rowOffsets, int cols, int i) {
        int r = Formats.rowOf(rowOffsets, i);
        int perRow = bytesPerRow(cols);
        int skip = i - rowOffsets[r];
        for (int c = 0; c < cols; c++) {
            if ((bitmap[r * perRow + c / 8] >> (c % 8) & 1) != 0 && skip-- == 0) {
                return "row " + r + ", column " + c;
            }
        }
        throw new AssertionError("value " + i + " lies past row " + r + "'s bits");
    }
}

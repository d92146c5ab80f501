package dev.shears.sparse;

import dev.shears.tensor.DType;
import dev.shears.tensor.Device;
import dev.shears.tensor.Shape;
import dev.shears.tensor.Tensor;

/**
 * A compressed-sparse-row matrix, for unstructured sparsity.
 *
 * <p>Canonical content: {@link #rowPtr()} I32 {@code [rows + 1]} (row {@code r} stores elements
 * {@code rowPtr[r] .. rowPtr[r+1]-1}; starts at 0, never decreases, ends at nnz),
 * {@link #colIdx()} I32 {@code [nnz]} (in {@code [0, cols)}, strictly ascending within a row) and
 * {@link #values()} F32 {@code [nnz]} (finite).
 *
 * <p>Kernel layout (kernels.md §1.5): the row pointers and values as plain arrays, and the column
 * indices as unsigned 16-bit {@code char}s when {@code cols <= 65536} ({@link #colIdx16()}, built
 * on first use and shared by {@link #withValues} results), else as {@code int}s
 * ({@link #colIdx32()}).
 */
public final class CsrMatrix implements SparseMatrix {
    /** The most columns {@link #colIdx16()} can address. */
    public static final int MAX_SHORT_INDEX_COLS = 1 << 16;

    private final int rows;
    private final int cols;
    private final int[] rowPtr;
    private final int[] colIdx;
    private final float[] values;
    private final Tensor rowPtrTensor;
    private final Tensor colIdxTensor;
    private final Tensor valuesTensor;
    private final Lazy<char[]> colIdx16;

    private CsrMatrix(CsrMatrix structure, float[] values) {
        this.rows = structure.rows;
        this.cols = structure.cols;
        this.rowPtr = structure.rowPtr;
        this.colIdx = structure.colIdx;
        this.rowPtrTensor = structure.rowPtrTensor;
        this.colIdxTensor = structure.colIdxTensor;
        this.colIdx16 = structure.colIdx16;
        this.values = values;
        this.valuesTensor = Formats.f32(values, values.length);
    }

    private CsrMatrix(int rows, int cols, int[] rowPtr, int[] colIdx, float[] values) {
        this.rows = rows;
        this.cols = cols;
        this.rowPtr = rowPtr;
        this.colIdx = colIdx;
        this.values = values;
        this.rowPtrTensor = Formats.i32(rowPtr, rows + 1);
        this.colIdxTensor = Formats.i32(colIdx, colIdx.length);
        this.valuesTensor = Formats.f32(values, values.length);
        this.colIdx16 = new Lazy<>(() -> {
            char[] c = new char[colIdx.length];
            for (int i = 0; i < c.length; i++) {
                c[i] = (char) colIdx[i];
            }
            return c;
        });
    }

    // ==== factories =============================================================================

    /**
     * Keeps the non-zeros of {@code w}.
     *
     * @param w F32 {@code [rows, cols]} on the CPU; its non-zeros must be finite
     * @throws SparseFormatException naming the first NaN or infinity
     */
    public static CsrMatrix fromDense(Tensor w) {
        String op = "CsrMatrix.fromDense";
        return build(op, Selection.nonZeros(op, w));
    }

    /** {@link #fromDenseAndMask(Tensor, Tensor)} with a {@link Mask} of w's shape. */
    public static CsrMatrix fromDenseAndMask(Tensor w, Mask mask) {
        return fromDenseAndMask(w, mask.tensor());
    }

    /**
     * Keeps the positions where {@code mask} is 1, zeros included (so the pattern survives
     * {@link #withValues}).
     *
     * @param w    F32 {@code [rows, cols]} on the CPU; kept values must be finite
     * @param mask U8 or F32 of w's shape holding only 0 and 1
     */
    public static CsrMatrix fromDenseAndMask(Tensor w, Tensor mask) {
        String op = "CsrMatrix.fromDenseAndMask";
        return build(op, Selection.masked(op, w, mask));
    }

    /**
     * A matrix from its canonical content, fully validated.
     *
     * @param rowPtr I32 {@code [rows + 1]}: 0 first, non-decreasing, nnz last
     * @param colIdx I32 {@code [nnz]}: in {@code [0, cols)}, strictly ascending within a row
     * @param values F32 {@code [nnz]}, finite
     * @throws SparseFormatException naming the offending element and value
     */
    public static CsrMatrix of(int rows, int cols, Tensor rowPtr, Tensor colIdx, Tensor values) {
        return of("CsrMatrix.of", rows, cols, new Part("rowPtr", rowPtr), new Part("colIdx", colIdx),
                new Part("values", values));
    }

    static CsrMatrix of(String op, int rows, int cols, Part rowPtr, Part colIdx, Part values) {
        Formats.requireSizes(op, rows, cols);
        int[] rp = rowPtr.ints(op, "[rows + 1]", rows + 1);
        int nnz = colIdx.shape(op, DType.I32, 1).dim(0);
        int[] ci = colIdx.ints(op, "[nnz]", nnz);
        float[] v = values.floats(op, "[nnz] (the length of " + colIdx.name() + ")", nnz);
        String p = rowPtr.name();
        if (rp[0] != 0) {
            throw new SparseFormatException(op + ": " + p + "[0] = " + rp[0] + " must be 0");
        }
        for (int r = 0; r < rows; r++) {
            if (rp[r + 1] < rp[r]) {
                throw new SparseFormatException(op + ": " + p + " decreases at row " + r + ": " + p + "[" + (r + 1)
                        + "] = " + rp[r + 1] + " < " + p + "[" + r + "] = " + rp[r] + "; it must be non-decreasing");
            }
        }
        if (rp[rows] != nnz) {
            throw new SparseFormatException(op + ": " + p + "[" + rows + "] = " + rp[rows]
                    + " (the last entry) must equal nnz = " + nnz + ", the length of " + colIdx.name() + " and "
                    + values.name());
        }
        String c = colIdx.name();
        for (int r = 0; r < rows; r++) {
            for (int i = rp[r]; i < rp[r + 1]; i++) {
                if (ci[i] < 0 || ci[i] >= cols) {
                    throw new SparseFormatException(op + ": " + c + "[" + i + "] = " + ci[i] + " (row " + r
                            + ") is out of range [0, " + cols + ")");
                }
                if (i > rp[r] && ci[i] <= ci[i - 1]) {
                    throw new SparseFormatException(op + ": " + c + "[" + i + "] = " + ci[i] + " (row " + r
                            + ") follows " + c + "[" + (i - 1) + "] = " + ci[i - 1]
                            + "; columns must be strictly ascending within a row");
                }
            }
        }
        Formats.requireFinite(op, values.name(), v, i -> position(rp, ci, i));
        return new CsrMatrix(rows, cols, rp, ci, v);
    }

    /**
     * The same pattern (and cached kernel layout) with new values.
     *
     * @param values F32 {@code [nnz]}, finite
     */
    public CsrMatrix withValues(Tensor values) {
        String op = "CsrMatrix.withValues";
        float[] v = new Part("values", values).floats(op, "[nnz]", nnz());
        Formats.requireFinite(op, "values", v, i -> position(rowPtr, colIdx, i));
        return new CsrMatrix(this, v);
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

    /** Row pointers, I32 {@code [rows + 1]} (shared: do not write in place). */
    public Tensor rowPtr() {
        return rowPtrTensor;
    }

    /** Column indices, I32 {@code [nnz]} (shared: do not write in place). */
    public Tensor colIdx() {
        return colIdxTensor;
    }

    /** Values, F32 {@code [nnz]} (shared: do not write in place). */
    public Tensor values() {
        return valuesTensor;
    }

    /** Row pointers for kernels, {@code rows + 1} ints (shared with {@link #rowPtr()}; read-only). */
    public int[] rowPtrArray() {
        return rowPtr;
    }

    /** Values for kernels, {@code nnz} floats (shared with {@link #values()}; read-only). */
    public float[] valuesArray() {
        return values;
    }

    /** Whether {@link #colIdx16()} is available: {@code cols <= 65536}. */
    public boolean hasShortIndices() {
        return cols <= MAX_SHORT_INDEX_COLS;
    }

    /**
     * Column indices for kernels as unsigned 16-bit values (half the index bytes of
     * {@link #colIdx32()}). Built on first use, cached; read-only.
     *
     * @throws IllegalStateException if {@code cols > 65536} (see {@link #hasShortIndices()})
     */
    public char[] colIdx16() {
        if (!hasShortIndices()) {
            throw new IllegalStateException("CsrMatrix.colIdx16: cols = " + cols + " exceeds " + MAX_SHORT_INDEX_COLS
                    + ", so column indices do not fit 16 bits; use colIdx32()");
        }
        return colIdx16.get();
    }

    /** Column indices for kernels as ints, {@code nnz} (shared with {@link #colIdx()}; read-only). */
    public int[] colIdx32() {
        return colIdx;
    }

    @Override
    public Tensor toDense() {
        float[] d = new float[Shape.of(rows, cols).numel()]; // throws if rows * cols exceeds an int
        for (int r = 0; r < rows; r++) {
            for (int i = rowPtr[r]; i < rowPtr[r + 1]; i++) {
                d[r * cols + colIdx[i]] = values[i];
            }
        }
        return Formats.f32(d, rows, cols);
    }

    @Override
    public String toString() {
        return Formats.describe(this);
    }

    // ==== helpers ===============================================================================

    private static CsrMatrix build(String op, Selection s) {
        s.requireFiniteKept(op);
        int rows = s.rows();
        int cols = s.cols();
        int nnz = s.count();
        int[] rowPtr = new int[rows + 1];
        int[] colIdx = new int[nnz];
        float[] values = new float[nnz];
        int k = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int i = r * cols + c;
                if (s.keep()[i]) {
                    colIdx[k] = c;
                    values[k++] = s.dense()[i];
                }
            }
            rowPtr[r + 1] = k;
        }
        return new CsrMatrix(rows, cols, rowPtr, colIdx, values);
    }

    private static String position(int[] rowPtr, int[] colIdx, int i) {
        return "row " + Formats.rowOf(rowPtr, i) + ", column " + colIdx[i];
    }
}

package dev.shears.sparse;

import dev.shears.tensor.DType;
import dev.shears.tensor.Device;
import dev.shears.tensor.Shape;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;

/**
 * A 2:4 semi-structured matrix: every row is cut into groups of 4 consecutive columns (along the
 * input dimension), and each group keeps exactly 2 of them. {@code cols} must be a multiple of 4.
 *
 * <p>Canonical content (what users, serialization and tests see; kernels.md §1.1):
 * <ul>
 *   <li>{@link #values()}: F32 {@code [rows, cols/2]}; group {@code g} of a row holds its two kept
 *       values at compressed columns {@code 2g} and {@code 2g+1}, the lower original column first.</li>
 *   <li>{@link #meta()}: U8 {@code [rows, cols/4]}, one byte per group: bits 1:0 hold the first
 *       kept position (0..3), bits 3:2 the second, first &lt; second, bits 7:4 zero. This is the
 *       NVIDIA nibble: 0x04 keeps positions (0, 1), 0x08 (0, 2), 0x0C (0, 3), 0x09 (1, 2),
 *       0x0D (1, 3), 0x0E (2, 3).</li>
 * </ul>
 * A group of the source with fewer than two kept weights still names two positions; the extra
 * ones hold explicit zeros, so {@link #nnz()} is always {@code rows * cols / 2}.
 *
 * <p>Kernel layout (kernels.md §1.4): {@link #packedValues()} (the values, row-major) and
 * {@link #laneMasks()}, one 16-bit word per 16 columns with one bit per kept column, built on first
 * use and shared by every matrix {@link #withValues} derives from this one.
 */
public final class SemiStructured24 implements SparseMatrix {
    private final int rows;
    private final int cols;
    private final float[] values;
    private final Tensor valuesTensor;
    private final byte[] meta;
    private final Tensor metaTensor;
    private final Lazy<char[]> laneMasks;

    private SemiStructured24(int rows, int cols, float[] values, byte[] meta, Tensor metaTensor,
            Lazy<char[]> laneMasks) {
        this.rows = rows;
        this.cols = cols;
        this.values = values;
        this.valuesTensor = Formats.f32(values, rows, cols / 2);
        this.meta = meta;
        this.metaTensor = metaTensor;
        this.laneMasks = laneMasks;
    }

    private SemiStructured24(int rows, int cols, float[] values, byte[] meta) {
        this(rows, cols, values, meta, Formats.u8(meta, rows, cols / 4),
                new Lazy<>(() -> LaneMasks.fromMeta(meta, rows, cols)));
    }

    // ==== factories =============================================================================

    /**
     * Keeps the 2 largest-magnitude weights of every group; among equal magnitudes the lower
     * column wins (so an all-zero group keeps positions 0 and 1).
     *
     * @param w F32 {@code [rows, cols]} on the CPU, cols a multiple of 4, every value finite
     * @throws SparseFormatException if cols is not a multiple of 4 or w holds NaN or an infinity
     */
    public static SemiStructured24 fromDense(Tensor w) {
        String op = "SemiStructured24.fromDense";
        Selection s = Selection.none(op, w);
        requireGroups(op, s.rows(), s.cols());
        float[] magnitudes = new float[s.dense().length];
        for (int i = 0; i < magnitudes.length; i++) {
            magnitudes[i] = Math.abs(s.dense()[i]);
        }
        // NaN magnitudes rank first, so a NaN weight is kept and reported rather than silently dropped.
        return build(op, keepTopTwo(s, magnitudes));
    }

    /**
     * Keeps the 2 highest-scoring weights of every group; among equal scores the lower column wins.
     * Scores are any importance measure (Wanda's |W|·‖X‖, a gradient saliency, ...).
     *
     * @param w      F32 {@code [rows, cols]} on the CPU, cols a multiple of 4; kept values must be finite
     * @param scores F32 of w's shape, no NaN
     * @throws SparseFormatException if cols is not a multiple of 4 or a kept weight is not finite
     */
    public static SemiStructured24 fromDense(Tensor w, Tensor scores) {
        String op = "SemiStructured24.fromDense";
        Selection s = Selection.none(op, w);
        requireGroups(op, s.rows(), s.cols());
        float[] sc = new Part("scores", scores).floats(op, "the weight's shape", s.rows(), s.cols());
        for (int i = 0; i < sc.length; i++) {
            if (Float.isNaN(sc[i])) {
                throw new IllegalArgumentException(op + ": scores[" + i / s.cols() + ", " + i % s.cols()
                        + "] is NaN; scores must be comparable numbers");
            }
        }
        return build(op, keepTopTwo(s, sc));
    }

    /** {@link #fromDenseAndMask(Tensor, Tensor)} with a {@link Mask} of w's shape. */
    public static SemiStructured24 fromDenseAndMask(Tensor w, Mask mask) {
        return fromDenseAndMask(w, mask.tensor());
    }

    /**
     * Keeps the positions where {@code mask} is 1, zeros included. A group may keep at most 2; one
     * keeping fewer is completed with its lowest unkept positions holding explicit zeros, so
     * {@code toDense()} equals {@code w * mask} exactly while the pattern stays 2:4 (a later
     * {@link #withValues} may make those positions non-zero).
     *
     * @param w    F32 {@code [rows, cols]} on the CPU, cols a multiple of 4; kept values must be finite
     * @param mask U8 or F32 of w's shape holding only 0 and 1
     * @throws SparseFormatException if cols is not a multiple of 4, a mask element is neither 0 nor
     *                               1, a group keeps more than 2, or a kept weight is not finite
     */
    public static SemiStructured24 fromDenseAndMask(Tensor w, Tensor mask) {
        String op = "SemiStructured24.fromDenseAndMask";
        Selection s = Selection.masked(op, w, mask);
        requireGroups(op, s.rows(), s.cols());
        boolean[] keep = s.keep();
        for (int base = 0; base < keep.length; base += 4) {
            int kept = 0;
            for (int p = 0; p < 4; p++) {
                kept += keep[base + p] ? 1 : 0;
            }
            if (kept > 2) {
                int c = base % s.cols();
                throw new SparseFormatException(op + ": mask keeps " + kept + " of 4 positions in row "
                        + base / s.cols() + ", group " + c / 4 + " (columns " + c + ".." + (c + 3)
                        + "); a 2:4 group keeps at most 2 (use CsrMatrix or BitmapMatrix for unstructured masks)");
            }
            for (int p = 0; kept < 2; p++) {
                if (!keep[base + p]) {
                    keep[base + p] = true;
                    s.dense()[base + p] = 0f;
                    kept++;
                }
            }
        }
        return build(op, s);
    }

    /**
     * A matrix from its canonical content, fully validated.
     *
     * @param values F32 {@code [rows, cols/2]}, finite
     * @param meta   U8 {@code [rows, cols/4]}, every byte a valid ascending position pair
     * @param cols   the logical column count, a multiple of 4
     * @throws SparseFormatException naming the offending byte or value
     */
    public static SemiStructured24 of(Tensor values, Tensor meta, int cols) {
        return of("SemiStructured24.of", new Part("values", values), new Part("meta", meta), cols);
    }

    static SemiStructured24 of(String op, Part values, Part meta, int cols) {
        int rows = values.shape(op, DType.F32, 2).dim(0);
        if (cols < 0) {
            throw new ShapeException(op + ": cols = " + cols + " must be >= 0");
        }
        requireGroups(op, rows, cols);
        float[] v = values.floats(op, "[rows, cols/2]", rows, cols / 2);
        byte[] m = meta.bytes(op, "[rows, cols/4]", rows, cols / 4);
        int groups = cols / 4;
        for (int i = 0; i < m.length; i++) {
            String problem = metaProblem(m[i] & 0xFF);
            if (problem != null) {
                throw new SparseFormatException(op + ": " + meta.name() + "[" + i / groups + ", " + i % groups + "] = "
                        + Formats.hex(m[i] & 0xFF) + " " + problem);
            }
        }
        Formats.requireFinite(op, values.name(), v, i -> position(m, cols, i));
        return new SemiStructured24(rows, cols, v, m);
    }

    /**
     * The same pattern (and cached kernel layout) with new values.
     *
     * @param values F32 {@code [rows, cols/2]}, finite
     */
    public SemiStructured24 withValues(Tensor values) {
        String op = "SemiStructured24.withValues";
        float[] v = new Part("values", values).floats(op, "[rows, cols/2]", rows, cols / 2);
        Formats.requireFinite(op, "values", v, i -> position(meta, cols, i));
        return new SemiStructured24(rows, cols, v, meta, metaTensor, laneMasks);
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

    /** The kept values, F32 {@code [rows, cols/2]} (shared: do not write in place). */
    public Tensor values() {
        return valuesTensor;
    }

    /** The position pairs, U8 {@code [rows, cols/4]} (shared: do not write in place). */
    public Tensor meta() {
        return metaTensor;
    }

    /** The values for kernels: row-major {@code rows * cols/2} floats (shared with {@link #values()}; read-only). */
    public float[] packedValues() {
        return values;
    }

    /**
     * The lane masks for kernels: {@code rows * masksPerRow()} words; word {@code w} of row
     * {@code r} (index {@code r * masksPerRow() + w}) has bit {@code j} set when column
     * {@code 16w + j} is kept, so each of its nibbles has exactly two bits set; the unused high
     * bits of a row's last word are zero. Built on first use, cached; read-only.
     */
    public char[] laneMasks() {
        return laneMasks.get();
    }

    /** Lane-mask words per row: {@code ceil(cols / 16)}. */
    public int masksPerRow() {
        return LaneMasks.perRow(cols);
    }

    @Override
    public Tensor toDense() {
        float[] d = new float[Shape.of(rows, cols).numel()]; // throws if rows * cols exceeds an int
        for (int i = 0; i < meta.length; i++) {
            int base = i * 4; // group i starts at dense element 4i: rows are whole groups
            d[base + (meta[i] & 3)] = values[2 * i];
            d[base + ((meta[i] >> 2) & 3)] = values[2 * i + 1];
        }
        return Formats.f32(d, rows, cols);
    }

    @Override
    public String toString() {
        return Formats.describe(this);
    }

    // ==== helpers ===============================================================================

    private static void requireGroups(String op, int rows, int cols) {
        if (cols % 4 != 0) {
            throw SparseFormatException.colsNotMultipleOf4(op, cols, Shape.of(rows, cols));
        }
    }

    /** Marks the two highest scores of every group in {@code s}; NaN ranks first, ties go to the lower column. */
    private static Selection keepTopTwo(Selection s, float[] scores) {
        for (int base = 0; base < scores.length; base += 4) {
            int first = 0;
            for (int p = 1; p < 4; p++) {
                if (ranksAbove(scores[base + p], scores[base + first])) {
                    first = p;
                }
            }
            int second = first == 0 ? 1 : 0;
            for (int p = second + 1; p < 4; p++) {
                if (p != first && ranksAbove(scores[base + p], scores[base + second])) {
                    second = p;
                }
            }
            s.keep()[base + first] = true;
            s.keep()[base + second] = true;
        }
        return s;
    }

    private static boolean ranksAbove(float a, float b) {
        return a > b || (Float.isNaN(a) && !Float.isNaN(b));
    }

    /** Packs a selection keeping exactly 2 per group. */
    private static SemiStructured24 build(String op, Selection s) {
        s.requireFiniteKept(op);
        boolean[] keep = s.keep();
        float[] dense = s.dense();
        float[] values = new float[dense.length / 2];
        byte[] meta = new byte[dense.length / 4];
        for (int g = 0; g < meta.length; g++) {
            int base = 4 * g;
            int first = -1;
            int second = -1;
            for (int p = 0; p < 4; p++) {
                if (keep[base + p]) {
                    if (first < 0) {
                        first = p;
                    } else {
                        second = p;
                    }
                }
            }
            assert first >= 0 && second > first : "group " + g + " does not keep exactly 2";
            meta[g] = (byte) (first | second << 2);
            values[2 * g] = dense[base + first];
            values[2 * g + 1] = dense[base + second];
        }
        return new SemiStructured24(s.rows(), s.cols(), values, meta);
    }

    /** Why a meta byte is invalid, or null if it names two ascending positions. */
    private static String metaProblem(int b) {
        if ((b & 0xF0) != 0) {
            return "has upper bits 7:4 set; only bits 3:0 (two 2-bit positions) may be used";
        }
        int first = b & 3;
        int second = b >> 2;
        if (first == second) {
            return "names position " + first + " twice; a group keeps two distinct positions";
        }
        if (first > second) {
            return "has positions (" + first + ", " + second + ") out of order; bits 1:0 hold the lower position and"
                    + " bits 3:2 the higher, so this pair is " + Formats.hex(second | first << 2);
        }
        return null;
    }

    /** {@code row r, column c} of compressed value {@code i}. */
    private static String position(byte[] meta, int cols, int i) {
        int half = cols / 2;
        int m = meta[i / 2];
        int p = i % 2 == 0 ? m & 3 : (m >> 2) & 3;
        return "row " + i / half + ", column " + (4 * (i % half / 2) + p);
    }
}

package dev.shears.sparse;

import dev.shears.tensor.Tensor;
import dev.shears.tensor.io.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stores sparse matrices in <a href="https://github.com/huggingface/safetensors">safetensors</a>
 * files (via {@link SafeTensors}), several per file, next to dense tensors if wanted. A matrix
 * named {@code <name>} is its canonical tensors plus two {@code __metadata__} entries:
 *
 * <table>
 *   <caption>Names</caption>
 *   <tr><th>{@code <name>.format}</th><th>tensors</th></tr>
 *   <tr><td>{@code semi24} ({@link SemiStructured24})</td>
 *       <td>{@code <name>.values} F32 [rows, cols/2], {@code <name>.meta} U8 [rows, cols/4]</td></tr>
 *   <tr><td>{@code csr} ({@link CsrMatrix})</td>
 *       <td>{@code <name>.row_ptr} I32 [rows+1], {@code <name>.col_idx} I32 [nnz],
 *           {@code <name>.values} F32 [nnz]</td></tr>
 *   <tr><td>{@code bitmap} ({@link BitmapMatrix})</td>
 *       <td>{@code <name>.bitmap} U8 [rows, ceil(cols/8)], {@code <name>.row_offsets} I32 [rows+1],
 *           {@code <name>.values} F32 [nnz]</td></tr>
 *   <tr><td>{@code block_diagonal} ({@link BlockDiagonal})</td>
 *       <td>{@code <name>.blocks} F32 [blockCount, blockSize, blockSize]</td></tr>
 * </table>
 * and {@code <name>.shape} = {@code "rows,cols"} (decimal, no spaces) for every format. Names may
 * contain dots ({@code blocks.3.mlp.fc.weight}); every metadata key ending in {@code .format}
 * announces a matrix. Values are stored as F32, so a round trip is exact, bit for bit.
 *
 * <p>Reading validates through the formats' own factories. A malformed file throws
 * {@link UncheckedIOException} (cause {@link IOException}) whose message names the file, the
 * matrix, the tensor and the problem, e.g. {@code SparseTensors.read(w.safetensors): matrix 'fc1'
 * (semi24): fc1.meta[2, 5] = 0x06 has positions (2, 1) out of order; ...}; the same problems in
 * in-memory maps ({@link #get}) throw {@link SparseFormatException}, {@code ShapeException} or
 * {@code DTypeException}.
 */
public final class SparseTensors {
    private static final String FORMAT = ".format";
    private static final String SHAPE = ".shape";
    private static final Pattern SHAPE_TEXT = Pattern.compile("(\\d{1,10}),(\\d{1,10})");

    private SparseTensors() {}

    // ==== files =================================================================================

    /** Writes one matrix to {@code file} (atomically, as {@link SafeTensors#write} does). */
    public static void write(Path file, String name, SparseMatrix matrix) {
        write(file, Collections.singletonMap(name, matrix)); // unlike Map.of, lets put() report a null name
    }

    /**
     * Writes {@code matrices} by name to {@code file} atomically: a failure leaves an existing file
     * untouched.
     *
     * @throws IllegalArgumentException if a name is null or empty, or two matrices' entries collide
     * @throws UncheckedIOException     if writing fails
     */
    public static void write(Path file, Map<String, ? extends SparseMatrix> matrices) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        matrices.forEach((name, matrix) -> put(name, matrix, tensors, metadata));
        SafeTensors.write(file, tensors, metadata);
    }

    /**
     * Reads every sparse matrix of {@code file} (every {@code <name>.format} in its metadata), by
     * name in the order of the file's metadata. Tensors that belong to no matrix are ignored; read them with
     * {@link SafeTensors#read}.
     *
     * @throws UncheckedIOException if the file cannot be read, is malformed, or holds an invalid matrix
     */
    public static Map<String, SparseMatrix> read(Path file) {
        String op = "SparseTensors.read(" + file + ")";
        Map<String, String> metadata = SafeTensors.readHeader(file).metadata();
        Map<String, Tensor> tensors = SafeTensors.read(file);
        Map<String, SparseMatrix> out = new LinkedHashMap<>();
        for (String name : names(metadata)) {
            out.put(name, decodeFromFile(op, name, tensors, metadata));
        }
        return out;
    }

    /**
     * Reads the matrix called {@code name} from {@code file}.
     *
     * @throws IllegalArgumentException if the file holds no matrix of that name (the message lists those it holds)
     * @throws UncheckedIOException     if the file cannot be read, is malformed, or the matrix is invalid
     */
    public static SparseMatrix read(Path file, String name) {
        String op = "SparseTensors.read(" + file + ")";
        Map<String, String> metadata = SafeTensors.readHeader(file).metadata();
        if (!metadata.containsKey(name + FORMAT)) {
            throw new IllegalArgumentException(op + ": no sparse matrix '" + name + "' (no '" + name + FORMAT
                    + "' in the metadata); the file holds " + names(metadata));
        }
        return decodeFromFile(op, name, SafeTensors.read(file), metadata);
    }

    // ==== maps ==================================================================================

    /**
     * Adds {@code matrix}'s tensors and metadata under {@code name} to the given maps, for a file
     * written later with {@link SafeTensors#write}. The tensors are the matrix's own (not copied).
     *
     * @throws IllegalArgumentException if {@code name} is null or empty, or one of the entries is
     *                                  already in a map (checked before anything is added)
     */
    public static void put(String name, SparseMatrix matrix, Map<String, Tensor> tensors,
            Map<String, String> metadata) {
        String op = "SparseTensors.put";
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException(op + ": matrix name " + (name == null ? "null" : "\"\"")
                    + " is not allowed; use a non-empty name such as \"fc1.weight\"");
        }
        Objects.requireNonNull(matrix, op + ": matrix '" + name + "' is null");
        Map<String, Tensor> parts = new LinkedHashMap<>();
        String format = switch (matrix) {
            case SemiStructured24 m -> {
                parts.put(name + ".values", m.values());
                parts.put(name + ".meta", m.meta());
                yield "semi24";
            }
            case CsrMatrix m -> {
                parts.put(name + ".row_ptr", m.rowPtr());
                parts.put(name + ".col_idx", m.colIdx());
                parts.put(name + ".values", m.values());
                yield "csr";
            }
            case BitmapMatrix m -> {
                parts.put(name + ".bitmap", m.bitmap());
                parts.put(name + ".row_offsets", m.rowOffsets());
                parts.put(name + ".values", m.values());
                yield "bitmap";
            }
            case BlockDiagonal m -> {
                parts.put(name + ".blocks", m.blocks());
                yield "block_diagonal";
            }
        };
        Map<String, String> meta = Map.of(name + FORMAT, format, name + SHAPE, matrix.rows() + "," + matrix.cols());
        for (String key : parts.keySet()) {
            if (tensors.containsKey(key)) {
                throw new IllegalArgumentException(op + ": tensor '" + key + "' of matrix '" + name
                        + "' is already in the tensor map");
            }
        }
        for (String key : meta.keySet()) {
            if (metadata.containsKey(key)) {
                throw new IllegalArgumentException(op + ": metadata key '" + key + "' of matrix '" + name
                        + "' is already in the metadata map");
            }
        }
        tensors.putAll(parts);
        metadata.putAll(meta);
    }

    /**
     * The matrix called {@code name} in maps as {@link SafeTensors} reads them (tensors by name,
     * {@code __metadata__}), validated by the format's factory.
     *
     * @throws SparseFormatException if the metadata or a tensor is missing or invalid (or
     *                               {@code ShapeException}/{@code DTypeException} for a tensor's shape or dtype)
     */
    public static SparseMatrix get(String name, Map<String, Tensor> tensors, Map<String, String> metadata) {
        return decode("SparseTensors.get", name, tensors, metadata);
    }

    /** The names of the matrices {@code metadata} announces (keys ending in {@code .format}), in its order. */
    public static List<String> names(Map<String, String> metadata) {
        List<String> names = new ArrayList<>();
        for (String key : metadata.keySet()) {
            if (key.endsWith(FORMAT) && key.length() > FORMAT.length()) {
                names.add(key.substring(0, key.length() - FORMAT.length()));
            }
        }
        return names;
    }

    // ==== decoding ==============================================================================

    /** {@link #decode} for a file: any invalid content becomes an {@link UncheckedIOException} naming the file. */
    private static SparseMatrix decodeFromFile(String op, String name, Map<String, Tensor> tensors,
            Map<String, String> metadata) {
        try {
            return decode(op, name, tensors, metadata);
        } catch (IllegalArgumentException e) {
            throw new UncheckedIOException(e.getMessage(), new IOException(e.getMessage(), e));
        }
    }

    private static SparseMatrix decode(String source, String name, Map<String, Tensor> tensors,
            Map<String, String> metadata) {
        String format = metadata.get(name + FORMAT);
        if (format == null) {
            throw new SparseFormatException(source + ": no sparse matrix '" + name + "': metadata key '" + name + FORMAT
                    + "' is missing");
        }
        String op = source + ": matrix '" + name + "' (" + format + ")";
        String shapeText = metadata.get(name + SHAPE);
        Matcher m = SHAPE_TEXT.matcher(shapeText == null ? "" : shapeText);
        if (!m.matches() || Long.parseLong(m.group(1)) > Integer.MAX_VALUE
                || Long.parseLong(m.group(2)) > Integer.MAX_VALUE) {
            throw new SparseFormatException(op + ": metadata '" + name + SHAPE + "' = "
                    + (shapeText == null ? "(missing)" : "'" + shapeText + "'")
                    + " must be \"rows,cols\" (two decimal ints)");
        }
        int rows = Integer.parseInt(m.group(1));
        int cols = Integer.parseInt(m.group(2));
        SparseMatrix matrix = switch (format) {
            case "semi24" -> SemiStructured24.of(op, part(op, name, "values", tensors),
                    part(op, name, "meta", tensors), cols);
            case "csr" -> CsrMatrix.of(op, rows, cols, part(op, name, "row_ptr", tensors),
                    part(op, name, "col_idx", tensors), part(op, name, "values", tensors));
            case "bitmap" -> BitmapMatrix.of(op, rows, cols, part(op, name, "bitmap", tensors),
                    part(op, name, "row_offsets", tensors), part(op, name, "values", tensors));
            case "block_diagonal" -> BlockDiagonal.of(op, part(op, name, "blocks", tensors));
            default -> throw new SparseFormatException(op + ": unknown format '" + format + "' in metadata '" + name
                    + FORMAT + "'; expected semi24, csr, bitmap or block_diagonal");
        };
        if (matrix.rows() != rows || matrix.cols() != cols) {
            throw new SparseFormatException(op + ": metadata '" + name + SHAPE + "' = '" + shapeText
                    + "' but the tensors hold a [" + matrix.rows() + ", " + matrix.cols() + "] matrix");
        }
        return matrix;
    }

    private static Part part(String op, String name, String suffix, Map<String, Tensor> tensors) {
        String key = name + "." + suffix;
        Tensor t = tensors.get(key);
        if (t == null) {
            throw new SparseFormatException(op + ": tensor '" + key + "' is missing");
        }
        return new Part(key, t);
    }
}

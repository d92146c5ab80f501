package dev.shears.sparse;

import dev.shears.tensor.DType;
import dev.shears.tensor.Device;
import dev.shears.tensor.Shape;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;

/**
 * A square block-diagonal matrix: {@code blockCount} dense {@code blockSize × blockSize} blocks on
 * the diagonal, zeros elsewhere, {@code n = blockCount · blockSize}. Block {@code i} covers rows
 * and columns {@code [i·b, (i+1)·b)}. ARMOR wraps a 2:4 core between two of these.
 *
 * <p>Canonical content and kernel layout: {@link #blocks()} F32 {@code [blockCount, blockSize,
 * blockSize]} (finite), the same floats as {@link #blocksArray()}. Every block entry counts as
 * stored, explicit zeros included.
 */
public final class BlockDiagonal implements SparseMatrix {
    private final int blockCount;
    private final int blockSize;
    private final float[] blocks;
    private final Tensor blocksTensor;

    private BlockDiagonal(int blockCount, int blockSize, float[] blocks) {
        this.blockCount = blockCount;
        this.blockSize = blockSize;
        this.blocks = blocks;
        this.blocksTensor = Formats.f32(blocks, blockCount, blockSize, blockSize);
    }

    // ==== factories =============================================================================

    /** The {@code n × n} identity, {@code n = blockCount · blockSize}, as {@code blockCount} identity blocks. */
    public static BlockDiagonal identity(int blockCount, int blockSize) {
        requireCounts("BlockDiagonal.identity", blockCount, blockSize);
        float[] blocks = new float[Shape.of(blockCount, blockSize, blockSize).numel()];
        for (int i = 0; i < blockCount; i++) {
            for (int d = 0; d < blockSize; d++) {
                blocks[(i * blockSize + d) * blockSize + d] = 1f;
            }
        }
        return new BlockDiagonal(blockCount, blockSize, blocks);
    }

    /**
     * A matrix from its blocks, validated.
     *
     * @param blocks F32 {@code [blockCount, blockSize, blockSize]}, both sizes at least 1, finite
     */
    public static BlockDiagonal of(Tensor blocks) {
        return of("BlockDiagonal.of", new Part("blocks", blocks));
    }

    static BlockDiagonal of(String op, Part blocks) {
        Shape s = blocks.shape(op, DType.F32, 3);
        if (s.dim(1) != s.dim(2)) {
            throw new ShapeException(op + ": " + blocks.name() + " has shape " + s
                    + ", expected [blockCount, blockSize, blockSize] (square blocks)");
        }
        requireCounts(op, s.dim(0), s.dim(1));
        float[] b = blocks.tensor().toFloatArray();
        Formats.requireFinite(op, blocks.name(), b, i -> position(s.dim(1), i));
        return new BlockDiagonal(s.dim(0), s.dim(1), b);
    }

    /**
     * The diagonal blocks of a dense square matrix whose entries outside them are all zero.
     *
     * @param square    F32 {@code [n, n]} on the CPU, n a positive multiple of {@code blockSize}
     * @param blockSize the side of each block, at least 1
     * @throws SparseFormatException naming the first non-zero entry outside the blocks, or the
     *                               first non-finite one inside
     */
    public static BlockDiagonal fromDense(Tensor square, int blockSize) {
        String op = "BlockDiagonal.fromDense";
        Shape s = new Part("square", square).shape(op, DType.F32, 2);
        int n = s.dim(0);
        if (s.dim(1) != n) {
            throw new ShapeException(op + ": square has shape " + s + "; a block-diagonal matrix is square");
        }
        if (blockSize < 1) {
            throw new ShapeException(op + ": blockSize = " + blockSize + " must be >= 1");
        }
        if (n % blockSize != 0) {
            throw new ShapeException(op + ": n = " + n + " (shape " + s + ") is not a multiple of blockSize = "
                    + blockSize);
        }
        requireCounts(op, n / blockSize, blockSize);
        float[] d = square.toFloatArray();
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                float v = d[r * n + c];
                if (r / blockSize != c / blockSize && v != 0f) {
                    throw new SparseFormatException(op + ": square[" + r + ", " + c + "] = " + v + " lies outside the "
                            + blockSize + "×" + blockSize + " diagonal blocks (row " + r + " is in block "
                            + r / blockSize + ", column " + c + " in block " + c / blockSize
                            + "); a block-diagonal matrix is zero there");
                }
                if (!Float.isFinite(v)) {
                    throw SparseFormatException.notFinite(op, "square[" + r + ", " + c + "]", v, "");
                }
            }
        }
        float[] blocks = new float[n * blockSize];
        for (int r = 0; r < n; r++) {
            int first = r / blockSize * blockSize; // the first column of row r's block
            System.arraycopy(d, r * n + first, blocks, r * blockSize, blockSize);
        }
        return new BlockDiagonal(n / blockSize, blockSize, blocks);
    }

    /**
     * The same block structure with new blocks.
     *
     * @param blocks F32 {@code [blockCount, blockSize, blockSize]}, finite
     */
    public BlockDiagonal withValues(Tensor blocks) {
        String op = "BlockDiagonal.withValues";
        float[] b = new Part("blocks", blocks).floats(op, "[blockCount, blockSize, blockSize]", blockCount, blockSize,
                blockSize);
        Formats.requireFinite(op, "blocks", b, i -> position(blockSize, i));
        return new BlockDiagonal(blockCount, blockSize, b);
    }

    // ==== accessors =============================================================================

    @Override
    public int rows() {
        return blockCount * blockSize;
    }

    @Override
    public int cols() {
        return blockCount * blockSize;
    }

    @Override
    public int nnz() {
        return blocks.length;
    }


    @Override
    public Device device() {
        return blocksTensor.device();
    }

    /** Number of diagonal blocks. */
    public int blockCount() {
        return blockCount;
    }

    /** The side of each block. */
    public int blockSize() {
        return blockSize;
    }

    /** The blocks, F32 {@code [blockCount, blockSize, blockSize]} (shared: do not write in place). */
    public Tensor blocks() {
        return blocksTensor;
    }

    /**
     * The blocks for kernels: entry (row {@code r}, column {@code c}) of block {@code i} at index
     * {@code (i·b + r)·b + c} (shared with {@link #blocks()}; read-only).
     */
    public float[] blocksArray() {
        return blocks;
    }

    @Override
    public Tensor toDense() {
        int n = rows();
        float[] d = new float[Shape.of(n, n).numel()]; // throws if n * n exceeds an int
        for (int r = 0; r < n; r++) {
            int first = r / blockSize * blockSize;
            System.arraycopy(blocks, r * blockSize, d, r * n + first, blockSize);
        }
        return Formats.f32(d, n, n);
    }

    @Override
    public String toString() {
        return Formats.describe(this) + " blocks " + blockCount + "×" + blockSize + "×" + blockSize;
    }

    // ==== helpers ===============================================================================

    private static void requireCounts(String op, int blockCount, int blockSize) {
        if (blockCount < 1 || blockSize < 1) {
            throw new ShapeException(op + ": blockCount = " + blockCount + " and blockSize = " + blockSize
                    + " must both be >= 1");
        }
        Shape.of(blockCount, blockSize, blockSize); // throws if the blocks exceed an int's worth of elements
    }

    /** {@code row R, column C} of block entry {@code i}. */
    private static String position(int b, int i) {
        int block = i / (b * b);
        int within = i % (b * b);
        return "block " + block + ", row " + (block * b + within / b) + ", column " + (block * b + within % b);
    }
}

package dev.shears.sparse;

import dev.shears.tensor.Device;
import dev.shears.tensor.Tensor;

/**
 * A sparse {@code [rows, cols]} matrix of F32 values; for a layer weight, row = output feature and
 * column = input feature. Each format stores its canonical arrays as tensors (so it lives on their
 * device; CPU for now) and is immutable: {@code withValues} returns a new matrix with the same
 * structure. Formats are not tensors: sparse operations are explicit calls.
 *
 * <p>Every stored value is finite; factories check this and the format's structural invariants
 * before building anything and throw {@link SparseFormatException} (content),
 * {@code ShapeException} or {@code DTypeException} (component shapes and dtypes) naming the
 * offending element.
 *
 * <p>Besides the canonical tensors, formats expose a kernel layout as plain arrays (built lazily,
 * cached, shared with the canonical tensors where possible). Those arrays are read-only by
 * contract: callers must not modify them, nor write in place into the returned tensors.
 */
public sealed interface SparseMatrix permits CsrMatrix, SemiStructured24, BitmapMatrix, BlockDiagonal {

    /** Number of rows (output features). */
    int rows();

    /** Number of columns (input features). */
    int cols();

    /** Number of stored values, explicit zeros included (a 2:4 matrix stores exactly half of its entries). */
    int nnz();

    /** {@code nnz / (rows * cols)}; 0 for an empty matrix. */
    default double density() {
        long n = (long) rows() * cols();
        return n == 0 ? 0 : (double) nnz() / n;
    }

    /** The device holding the canonical tensors. */
    Device device();

    /** The dense F32 {@code [rows, cols]} matrix, zeros where nothing is stored (a new tensor). */
    Tensor toDense();
}

package dev.shears.nn;

/** The sparse weight formats a {@link Linear} converts to with {@link Linear#toSparse}. */
public enum SparseFormat {
    /** {@link dev.shears.sparse.CsrMatrix}, for unstructured sparsity (a {@link SparseLinear}). */
    CSR,
    /** {@link dev.shears.sparse.BitmapMatrix}, for unstructured sparsity of about 50-94% (a {@link SparseLinear}). */
    BITMAP,
    /** {@link dev.shears.sparse.SemiStructured24}, 2 of every 4 along the input (a {@link SemiStructuredLinear}). */
    SEMI_STRUCTURED_24
}

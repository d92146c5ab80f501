/**
 * Sparse matrix formats (2:4 semi-structured, CSR, bitmap, block-diagonal), masks and the products
 * sparse layers need. Kernels live in {@code dev.shears.sparse.cpu}; selection in
 * {@code dev.shears.sparse.select}.
 */
package dev.shears.sparse;

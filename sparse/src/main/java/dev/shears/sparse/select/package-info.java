/**
 * Choosing which weights a mask keeps, from scores where higher means more important.
 *
 * <p>{@link dev.shears.sparse.select.TopK} keeps the highest scores of one tensor (layer-wise) or of
 * each row (per-output, Wanda's comparison group); {@link dev.shears.sparse.select.GlobalThreshold}
 * keeps the highest over many tensors at once; {@link dev.shears.sparse.select.NmSelector} keeps N of
 * every M along the last axis; {@link dev.shears.sparse.select.RandomSelector} draws uniform random
 * masks and the uniform / ER / ERK layer densities.
 *
 * <p>Shared rules:
 * <ul>
 *   <li>Counts are exact: "keep k" keeps exactly k elements, chosen by index selection rather than by
 *       comparing against a threshold, so ties cannot change the sparsity. A density {@code d} over
 *       {@code n} elements keeps {@code Math.round(d * n)} (half up).
 *   <li>Ties: among equal scores the lower flat (row-major) index is kept first; across tensors the
 *       earlier tensor comes first. {@code -0.0} and {@code 0.0} are equal.
 *   <li>Scores are F32; a NaN score is an error naming the tensor and the flat index.
 *   <li>Every random choice comes from an explicit {@link dev.shears.tensor.Rng}.
 * </ul>
 */
package dev.shears.sparse.select;

/**
 * Whole-model weight pruning on top of the selectors of {@code dev.shears.sparse.select}: global
 * magnitude pruning with the minimum-threshold rule ({@link dev.shears.pruning.GlobalMagnitude})
 * and random masks at uniform / ER / ERK densities ({@link dev.shears.pruning.RandomPruning}).
 */
package dev.shears.pruning;

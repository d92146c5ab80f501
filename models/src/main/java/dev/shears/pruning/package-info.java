/**
 * Whole-model weight pruning on top of the selectors of {@code dev.shears.sparse.select}: global
 * magnitude pruning with the minimum-threshold rule, one-shot or gradual on a cubic schedule
 * ({@link dev.shears.pruning.GlobalMagnitude}, {@link dev.shears.pruning.CubicSparsitySchedule}),
 * random masks at uniform / ER / ERK densities ({@link dev.shears.pruning.RandomPruning}),
 * iterative magnitude pruning with rewinding and its controls
 * ({@link dev.shears.pruning.LotteryTicket}), and the conversion of a pruned model to real sparse
 * layers ({@link dev.shears.pruning.SparseExport}).
 */
package dev.shears.pruning;

package dev.shears.tensor.spi;

/** Reductions over axes. MAX/MIN propagate NaN; ARGMAX/ARGMIN report the first extreme index. */
public enum ReduceOp {
    SUM, MAX, MIN, ARGMAX, ARGMIN
}

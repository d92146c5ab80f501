package dev.shears.tensor.spi;

/** Element-wise comparisons producing a U8 mask (1 where true). Comparisons with NaN are false except NE. */
public enum CompareOp {
    EQ, NE, LT, LE, GT, GE
}

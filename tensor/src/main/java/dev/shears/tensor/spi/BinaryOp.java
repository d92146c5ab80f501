package dev.shears.tensor.spi;

/** Element-wise arithmetic of two broadcast tensors. MAX and MIN propagate NaN. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, MAX, MIN, POW
}

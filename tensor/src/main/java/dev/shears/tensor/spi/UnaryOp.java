package dev.shears.tensor.spi;

/** Element-wise functions of one tensor. {@code POW} and {@code CLAMP} take scalar parameters. */
public enum UnaryOp {
    NEG, ABS, EXP, LOG, SQRT, RSQRT, TANH, SIGMOID, RELU,
    /** GELU with the tanh approximation (GPT-2, nanoGPT). */
    GELU_TANH,
    /** Exact GELU, x·Φ(x) (PyTorch's default). */
    GELU_ERF,
    SILU, SQUARE, RECIPROCAL,
    /** x^p0. */
    POW,
    /** min(max(x, p0), p1). */
    CLAMP
}

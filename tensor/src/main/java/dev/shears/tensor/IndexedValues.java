package dev.shears.tensor;

/**
 * Values with the positions they came from, as returned by {@code topk}, {@code kthValue} and {@code maxPool2d}.
 *
 * @param values  the selected values (F32)
 * @param indices their indices along the selected axis, or within the pooled plane (I32)
 */
public record IndexedValues(Tensor values, Tensor indices) {}

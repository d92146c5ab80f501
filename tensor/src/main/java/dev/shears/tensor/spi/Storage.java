package dev.shears.tensor.spi;

import dev.shears.tensor.DType;
import dev.shears.tensor.Device;

/** A flat buffer of elements owned by one backend. Tensors view it through a {@code Layout}. */
public interface Storage {
    Device device();

    DType dtype();

    /** Number of elements. */
    int size();
}

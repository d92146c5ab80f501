package dev.shears.tensor.spi;

import dev.shears.tensor.Device;

/**
 * Registers a backend with {@link java.util.ServiceLoader} ({@code META-INF/services/dev.shears.tensor.spi.BackendProvider}).
 * The CPU provider lives in {@code tensor}; a GPU provider in its own module plugs in the same way.
 */
public interface BackendProvider {
    /** The device kind this provider serves. */
    Device.Kind kind();

    /** Whether the backend can run here; must not throw (catch missing natives and keep the reason). */
    Availability probe();

    /** The backend for one device of this kind; called only after a successful probe. */
    Backend create(int index);
}

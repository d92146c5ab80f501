package dev.shears.tensor.cpu;

import dev.shears.tensor.Device;
import dev.shears.tensor.spi.Availability;
import dev.shears.tensor.spi.Backend;
import dev.shears.tensor.spi.BackendProvider;

/** Registers {@link CpuBackend}; always available. */
public final class CpuBackendProvider implements BackendProvider {
    @Override
    public Device.Kind kind() {
        return Device.Kind.CPU;
    }

    @Override
    public Availability probe() {
        return Availability.available();
    }

    @Override
    public Backend create(int index) {
        return CpuBackend.INSTANCE;
    }
}

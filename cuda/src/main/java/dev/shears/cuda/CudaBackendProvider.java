package dev.shears.cuda;

import dev.shears.tensor.Device;
import dev.shears.tensor.spi.Availability;
import dev.shears.tensor.spi.Backend;
import dev.shears.tensor.spi.BackendProvider;

/** Registers the CUDA backend; the probe runs once per JVM and never throws. */
public final class CudaBackendProvider implements BackendProvider {
    @Override
    public Device.Kind kind() {
        return Device.Kind.CUDA;
    }

    @Override
    public Availability probe() {
        return CudaDriver.availability();
    }

    @Override
    public Backend create(int index) {
        return new CudaBackend(CudaDevice.get(index));
    }
}

package dev.shears.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.tensor.Backends;
import dev.shears.tensor.Device;
import dev.shears.tensor.Tensor;
import dev.shears.testing.BackendContractTest;
import org.junit.jupiter.api.Test;

/**
 * The backend contract on the CPU. Comparing the CPU with itself checks the contract's own
 * plumbing, and that {@code to(Device.CPU)}, which returns the very same tensor, is safe for
 * every operation (in-place ones included); the CPU kernels themselves are checked against
 * {@code Reference} by the kernel and tensor tests. The CUDA module subclasses the same contract.
 */
class CpuBackendContractTest extends BackendContractTest {
    @Override
    protected Device device() {
        return Device.CPU;
    }

    @Test
    void theCpuIsAlwaysAvailable() {
        assertTrue(Backends.availability(Device.Kind.CPU).ok(), () -> Backends.availability(Device.Kind.CPU).reason());
        assertSame(CpuBackend.INSTANCE, Backends.get(Device.CPU));
    }

    @Test
    void toCpuOfACpuTensorIsTheTensorItself() {
        Tensor x = Tensor.arange(6).reshape(2, 3).t();
        assertSame(x, x.to(Device.CPU));
    }
}

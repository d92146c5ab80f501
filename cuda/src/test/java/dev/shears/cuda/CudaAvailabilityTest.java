package dev.shears.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.tensor.BackendUnavailableException;
import dev.shears.tensor.Backends;
import dev.shears.tensor.Device;
import dev.shears.tensor.Tensor;
import dev.shears.tensor.spi.Availability;
import dev.shears.tensor.spi.BackendProvider;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The provider's wiring, and on a machine without a usable GPU (CI) the clean refusal. */
class CudaAvailabilityTest {
    private static CudaBackendProvider provider() {
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (p instanceof CudaBackendProvider c) {
                return c;
            }
        }
        throw new AssertionError("CudaBackendProvider is not registered in META-INF/services");
    }

    @Test
    void theProviderIsRegisteredForCudaAndProbesOnce() {
        CudaBackendProvider p = provider();
        assertEquals(Device.Kind.CUDA, p.kind());
        Availability first = p.probe();
        assertSame(first, p.probe(), "the probe runs once per JVM and its result is kept");
        assertEquals(first.ok(), Backends.availability(Device.Kind.CUDA).ok());
        assertTrue(first.ok() || !first.reason().isBlank(), "an unavailable probe must say why");
    }

    @Test
    void withoutAGpuTheProbeGivesAReasonAndTensorsRefuseToMove() {
        Availability a = provider().probe();
        Assumptions.assumeFalse(a.ok(), "a usable GPU is present; the refusal path is not reachable here");
        assertFalse(a.reason().isBlank());
        System.out.println("CUDA probe: unavailable: " + a.reason());
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3);
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> x.to(Device.cuda(0)));
        assertTrue(e.getMessage().contains(a.reason()), () -> "message '" + e.getMessage() + "' should quote '"
                + a.reason() + "'");
        assertTrue(e.getMessage().contains("cuda:0"), e.getMessage());
        CudaException direct = assertThrows(CudaException.class, () -> CudaDevice.get(0));
        assertTrue(direct.getMessage().contains(a.reason()), direct.getMessage());
    }

    @Test
    void theCpuPathIsUntouched() {
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3);
        assertSame(x, x.to(Device.CPU));
        assertEquals(6f, x.sum().item());
    }
}

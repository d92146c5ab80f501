package dev.shears.tensor;

import dev.shears.tensor.spi.Availability;
import dev.shears.tensor.spi.Backend;
import dev.shears.tensor.spi.BackendProvider;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The registry of backends, discovered once with {@link ServiceLoader}. Asking for a device whose
 * backend is missing or failed its probe throws {@link BackendUnavailableException} with the reason;
 * nothing ever falls back to another device silently.
 */
public final class Backends {
    private static final System.Logger LOG = System.getLogger(Backends.class.getName());
    private static final Map<Device.Kind, BackendProvider> PROVIDERS = discover();
    private static final Map<Device, Backend> BACKENDS = new ConcurrentHashMap<>();
    private static final Map<Device.Kind, Availability> PROBES = new ConcurrentHashMap<>();
    private static volatile Backend cpuBackend;

    private Backends() {}

    /** The backend for {@code device}. */
    public static Backend get(Device device) {
        // Every tensor op asks; a field read for the CPU keeps the map lookup off that path.
        Backend cpu = cpuBackend;
        if (cpu != null && device.kind() == Device.Kind.CPU) {
            return cpu;
        }
        Backend cached = BACKENDS.get(device);
        if (cached != null) {
            return cached;
        }
        Availability a = availability(device.kind());
        if (!a.ok()) {
            throw new BackendUnavailableException(device, a.reason());
        }
        return BACKENDS.computeIfAbsent(device, d -> {
            Backend b = PROVIDERS.get(d.kind()).create(d.index());
            LOG.log(Level.INFO, "backend for {0}: {1}", d, b.getClass().getName());
            if (d.kind() == Device.Kind.CPU) {
                cpuBackend = b;
            }
            return b;
        });
    }

    /** Whether a backend of {@code kind} is registered and usable, with the reason if not. */
    public static Availability availability(Device.Kind kind) {
        return PROBES.computeIfAbsent(kind, k -> {
            BackendProvider p = PROVIDERS.get(k);
            if (p == null) {
                return Availability.unavailable("no provider for " + k
                        + " is on the classpath (for CUDA add the shears-cuda module)");
            }
            return p.probe();
        });
    }

    /**
     * The default device: {@code -Dshears.device} (e.g. {@code cuda:0}) or the CPU. Opting in to a
     * GPU that is not available fails here rather than silently running on the CPU.
     */
    public static Device defaultDevice() {
        String prop = System.getProperty("shears.device");
        return prop == null || prop.isBlank() ? Device.CPU : Device.parse(prop);
    }

    private static Map<Device.Kind, BackendProvider> discover() {
        Map<Device.Kind, BackendProvider> found = new ConcurrentHashMap<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader())) {
            found.putIfAbsent(p.kind(), p);
        }
        return found;
    }
}

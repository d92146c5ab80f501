package dev.shears.cuda;

import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuInit;

import dev.shears.tensor.spi.Availability;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;

/**
 * Loads the JCuda natives and initialises the driver once per JVM. Every failure (missing natives
 * on a CPU-only machine, no driver, no device, a GPU older than Hopper) becomes an
 * {@link Availability} with the reason instead of an exception.
 */
final class CudaDriver {
    /** The shipped cubins are sm_90a and the PTX targets compute_90: nothing older can run them. */
    static final int MIN_COMPUTE_CAPABILITY = 90;

    private CudaDriver() {}

    private static final class Probe {
        static final Availability RESULT = run();
    }

    /** The cached result of the one probe. */
    static Availability availability() {
        return Probe.RESULT;
    }

    /** Throws {@link CudaException} with the probe's reason unless the driver is usable. */
    static void requireAvailable() {
        Availability a = availability();
        if (!a.ok()) {
            throw new CudaException("CUDA is not available: " + a.reason());
        }
    }

    /** The number of devices (call only when available). */
    static int deviceCount() {
        int[] count = new int[1];
        CudaException.check(cuDeviceGetCount(count), "cuDeviceGetCount");
        return count[0];
    }

    /** Compute capability as major·10 + minor. */
    static int computeCapability(CUdevice device) {
        int[] major = new int[1];
        int[] minor = new int[1];
        CudaException.check(cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                device), "cuDeviceGetAttribute(compute capability major)");
        CudaException.check(cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                device), "cuDeviceGetAttribute(compute capability minor)");
        return major[0] * 10 + minor[0];
    }

    /**
     * JCuda's load error is a page of nested stack traces; its last {@code UnsatisfiedLinkError}
     * line names what is really missing (e.g. {@code libcuda.so.1: cannot open shared object file}).
     */
    static String rootLine(LinkageError e) {
        String message = String.valueOf(e.getMessage());
        String best = e.getClass().getSimpleName() + ": " + message.lines().findFirst().orElse("");
        for (String line : message.lines().toList()) {
            int at = line.indexOf("UnsatisfiedLinkError: ");
            if (at >= 0) {
                best = line.substring(at).strip();
            }
        }
        return best;
    }

    private static Availability run() {
        try {
            CudaException.check(cuInit(0), "cuInit");
            int count = deviceCount();
            if (count == 0) {
                return Availability.unavailable("the CUDA driver loaded but reports no GPU");
            }
            CUdevice first = new CUdevice();
            CudaException.check(cuDeviceGet(first, 0), "cuDeviceGet(0)");
            int cc = computeCapability(first);
            if (cc < MIN_COMPUTE_CAPABILITY) {
                return Availability.unavailable("cuda:0 has compute capability " + cc / 10 + "." + cc % 10
                        + "; the shipped kernels need 9.0 (Hopper) or newer");
            }
            return Availability.available();
        } catch (LinkageError e) {
            // UnsatisfiedLinkError on machines without libcuda.so.1, NoClassDefFoundError without JCuda.
            return Availability.unavailable("the JCuda natives did not load (" + rootLine(e)
                    + "); a GPU machine with the NVIDIA driver (libcuda.so.1) is needed");
        } catch (Throwable e) {
            return Availability.unavailable("CUDA initialisation failed: " + e);
        }
    }
}

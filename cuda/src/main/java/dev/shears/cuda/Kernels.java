package dev.shears.cuda;

import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;

/**
 * Kernel entry points from the shipped modules ({@link KernelSources}). A module is loaded once
 * per device, preferring the sm_90a cubin and falling back to JIT-compiling the compute_90 PTX
 * (a newer GPU); before loading, its source hash is checked against the one recorded at build
 * time so a kernel edited without rebuilding fails loudly instead of running old code.
 */
public final class Kernels {
    private static final Map<String, CUmodule> MODULES = new ConcurrentHashMap<>();
    private static final Map<String, CUfunction> FUNCTIONS = new ConcurrentHashMap<>();
    /** Names for error messages; CUfunction equality is by native address. */
    private static final Map<CUfunction, String> NAMES = new ConcurrentHashMap<>();

    private Kernels() {}

    /**
     * The entry {@code entry} (an {@code extern "C"} name) of module {@code module} (the .cu base
     * name, e.g. {@code "spmm24"}) on {@code device}.
     *
     * @throws IllegalStateException if the module is missing or stale
     * @throws CudaException         if the driver cannot load it or it has no such entry
     */
    public static CUfunction function(CudaDevice device, String module, String entry) {
        String key = device.index() + "/" + module + "/" + entry;
        CUfunction cached = FUNCTIONS.get(key);
        if (cached != null) {
            return cached;
        }
        return FUNCTIONS.computeIfAbsent(key, k -> {
            CUmodule m = MODULES.computeIfAbsent(device.index() + "/" + module, mk -> load(device, module));
            CUfunction f = new CUfunction();
            device.makeCurrent();
            CudaException.check(cuModuleGetFunction(f, m, entry),
                    "cuModuleGetFunction(" + module + "." + entry + ") on " + device);
            NAMES.put(f, module + "." + entry);
            return f;
        });
    }

    /** {@code module.entry} for a function from {@link #function}, or a placeholder. */
    static String nameOf(CUfunction f) {
        return NAMES.getOrDefault(f, "<kernel not from Kernels.function>");
    }

    /** Throws naming the module when its shipped binary was built from another source. */
    static void checkFresh(String module) {
        List<String> headers = KernelSources.headers(KernelSources::resource);
        String actual = KernelSources.hash(module, headers, KernelSources::resource);
        String recorded = KernelSources.recordedHash(module, KernelSources::resource);
        if (!actual.equals(recorded)) {
            throw new IllegalStateException("kernel module '" + module + "' is stale: its source (with headers "
                    + headers + ") hashes to " + actual + " but the shipped binary was built from " + recorded
                    + "; run cuda/build-kernels.sh");
        }
    }

    private static CUmodule load(CudaDevice device, String module) {
        checkFresh(module);
        device.makeCurrent();
        CUmodule m = new CUmodule();
        byte[] cubin = KernelSources.resource(module + ".cubin");
        if (cubin != null && cuModuleLoadData(m, cubin) == CUresult.CUDA_SUCCESS) {
            return m;
        }
        byte[] ptx = KernelSources.resource(module + ".ptx");
        if (ptx == null) {
            throw new IllegalStateException("kernel module '" + module + "' has neither a loadable cubin nor PTX; "
                    + "run cuda/build-kernels.sh");
        }
        // The driver wants PTX as a NUL-terminated string.
        CudaException.check(cuModuleLoadData(m, Arrays.copyOf(ptx, ptx.length + 1)),
                "cuModuleLoadData(" + module + ".ptx) on " + device);
        return m;
    }
}

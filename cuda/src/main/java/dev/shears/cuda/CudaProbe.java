package dev.shears.cuda;

/** Whether CUDA can be used here, and why not: the one probe's result, for tests and mains. */
public final class CudaProbe {
    private CudaProbe() {}

    public static boolean available() {
        return CudaDriver.availability().ok();
    }

    /** Why CUDA is unavailable (empty when it is available). */
    public static String reason() {
        return CudaDriver.availability().reason();
    }
}

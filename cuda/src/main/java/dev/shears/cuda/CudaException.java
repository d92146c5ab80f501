package dev.shears.cuda;

import jcuda.driver.CUresult;

/** A CUDA driver call failed; the message names the call, its subject and the driver's error. */
public final class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CudaException(String message) {
        super(message);
    }

    /** Throws unless {@code result} is {@code CUDA_SUCCESS}; {@code what} names the call and its subject. */
    static void check(int result, String what) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaException(what + " failed: " + CUresult.stringFor(result) + " (" + result + ")");
        }
    }
}

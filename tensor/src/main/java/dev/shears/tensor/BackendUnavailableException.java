package dev.shears.tensor;

/** A device was asked for whose backend is missing or failed its probe; the message quotes the reason. */
public class BackendUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BackendUnavailableException(Device device, String reason) {
        super("no backend available for device " + device + ": " + reason);
    }
}

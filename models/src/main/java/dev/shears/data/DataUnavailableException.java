package dev.shears.data;

/**
 * A data set is neither in any searched folder nor fetchable; the message lists the folders
 * searched, why the automatic fetch did not work, and the exact commands that would fetch it.
 */
public final class DataUnavailableException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public DataUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

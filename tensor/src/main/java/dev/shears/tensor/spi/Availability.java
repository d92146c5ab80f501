package dev.shears.tensor.spi;

/**
 * Result of probing a backend: usable or not, and why not.
 *
 * @param ok     whether the backend can be used
 * @param reason a human-readable reason when it cannot (empty when ok)
 */
public record Availability(boolean ok, String reason) {
    public static Availability available() {
        return new Availability(true, "");
    }

    public static Availability unavailable(String reason) {
        return new Availability(false, reason);
    }
}

package dev.shears.tensor;

import java.util.Locale;

/**
 * Where a tensor's storage lives: {@link #CPU} or {@code cuda(i)}.
 *
 * @param kind  the backend kind
 * @param index the device ordinal within the kind (0 for the CPU)
 */
public record Device(Kind kind, int index) {
    /** Backend kinds. */
    public enum Kind { CPU, CUDA }

    /** The host CPU. */
    public static final Device CPU = new Device(Kind.CPU, 0);

    public Device {
        if (kind == null) {
            throw new IllegalArgumentException("Device: kind must not be null");
        }
        if (index < 0) {
            throw new IllegalArgumentException("Device: index = " + index + " must be >= 0");
        }
        if (kind == Kind.CPU && index != 0) {
            throw new IllegalArgumentException("Device: the CPU has only index 0, got " + index);
        }
    }

    /** The CUDA GPU with the given ordinal. */
    public static Device cuda(int index) {
        return new Device(Kind.CUDA, index);
    }

    /** Parses {@code "cpu"}, {@code "cuda"} or {@code "cuda:N"} (as {@code -Dshears.device} and {@code --device} take). */
    public static Device parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("cpu")) {
            return CPU;
        }
        if (t.equals("cuda")) {
            return cuda(0);
        }
        if (t.startsWith("cuda:")) {
            try {
                return cuda(Integer.parseInt(t.substring(5)));
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("Device.parse: '" + text + "' is not a device; use cpu, cuda or cuda:N");
    }

    @Override
    public String toString() {
        return kind == Kind.CPU ? "cpu" : "cuda:" + index;
    }
}

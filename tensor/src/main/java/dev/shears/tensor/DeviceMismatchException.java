package dev.shears.tensor;

/** Operands on different devices. Shears never moves data implicitly: call {@code to(Device)}. */
public class DeviceMismatchException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public DeviceMismatchException(String op, Device lhs, Device rhs) {
        super(op + ": operands are on different devices: " + lhs + " vs " + rhs + "; move one with to(Device)");
    }
}

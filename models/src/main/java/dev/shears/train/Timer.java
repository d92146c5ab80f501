package dev.shears.train;

/**
 * Wall-clock timer for a phase, used with try-with-resources:
 * <pre>{@code
 * Timer t = Timer.start();
 * try (t) { trainEpoch(); }
 * double s = t.seconds();
 * }</pre>
 * {@link #seconds()} is the time so far while running and the frozen total after {@link #close()}.
 */
public final class Timer implements AutoCloseable {

    private final long startNanos;
    private long endNanos = -1;

    private Timer() {
        this.startNanos = System.nanoTime();
    }

    /** Starts a new timer now. */
    public static Timer start() {
        return new Timer();
    }

    /** Elapsed nanoseconds (frozen once closed). */
    public long nanos() {
        return (endNanos >= 0 ? endNanos : System.nanoTime()) - startNanos;
    }

    /** Elapsed seconds (frozen once closed). */
    public double seconds() {
        return nanos() / 1e9;
    }

    /** Elapsed milliseconds (frozen once closed). */
    public double millis() {
        return nanos() / 1e6;
    }

    /** Stops the timer; later calls keep the first stop time. */
    @Override
    public void close() {
        if (endNanos < 0) {
            endNanos = System.nanoTime();
        }
    }
}

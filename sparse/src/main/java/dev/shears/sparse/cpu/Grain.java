package dev.shears.sparse.cpu;

/** Task sizing for {@code Parallel.forRange}: small products stay on the calling thread. */
final class Grain {
    /** Multiply-adds per task: about 30 µs of work, well above the cost of waking a helper. */
    static final long WORK = 1L << 17;

    private Grain() {}

    /** Items per task when one item costs {@code workPerItem} multiply-adds. */
    static int of(long workPerItem) {
        return (int) Math.max(1, WORK / Math.max(1, workPerItem));
    }

    static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }
}

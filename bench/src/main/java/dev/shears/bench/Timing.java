package dev.shears.bench;

import java.util.Arrays;

/** Warm-up then repeated wall-clock timings of one action. */
final class Timing {
    private Timing() {}

    /** Sorted timings in nanoseconds: best is {@code [0]}. */
    record Result(long[] nanos) {
        long best() {
            return nanos[0];
        }

        long median() {
            int n = nanos.length;
            return n % 2 == 1 ? nanos[n / 2] : (nanos[n / 2 - 1] + nanos[n / 2]) / 2;
        }

        int reps() {
            return nanos.length;
        }
    }

    /** Runs {@code action} for at least {@code warmupMillis} ms (and at least once), then times it {@code reps} times. */
    static Result time(Runnable action, long warmupMillis, int reps) {
        long end = System.nanoTime() + warmupMillis * 1_000_000L;
        do {
            action.run();
        } while (System.nanoTime() < end);
        long[] nanos = new long[reps];
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            action.run();
            nanos[r] = System.nanoTime() - t0;
        }
        Arrays.sort(nanos);
        return new Result(nanos);
    }
}

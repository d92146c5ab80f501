package dev.shears.bench;

import java.util.Arrays;
import java.util.List;

/** Warm-up then repeated wall-clock timings of one action, or of several interleaved. */
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

    /**
     * Interleaved timings of several actions, so that drifting machine load affects all of them
     * alike. Warm-up rounds (each action once) run for at least {@code warmupMillis} ms and at least
     * one round; timed rounds then run until there have been at least {@code minReps} of them and
     * at least {@code minMillis} ms have passed. Each round starts one action further along, so no
     * action always runs right after the same one. Results are in the actions' order.
     */
    static Result[] interleaved(List<Runnable> actions, long warmupMillis, int minReps, long minMillis) {
        int count = actions.size();
        long end = System.nanoTime() + warmupMillis * 1_000_000L;
        do {
            actions.forEach(Runnable::run);
        } while (System.nanoTime() < end);
        long[][] nanos = new long[count][Math.max(minReps, 16)];
        int rounds = 0;
        end = System.nanoTime() + minMillis * 1_000_000L;
        for (; rounds < minReps || System.nanoTime() < end; rounds++) {
            if (rounds == nanos[0].length) {
                for (int a = 0; a < count; a++) {
                    nanos[a] = Arrays.copyOf(nanos[a], 2 * rounds);
                }
            }
            for (int i = 0; i < count; i++) {
                int a = (rounds + i) % count;
                long t0 = System.nanoTime();
                actions.get(a).run();
                nanos[a][rounds] = System.nanoTime() - t0;
            }
        }
        Result[] results = new Result[count];
        for (int a = 0; a < count; a++) {
            long[] sorted = Arrays.copyOf(nanos[a], rounds);
            Arrays.sort(sorted);
            results[a] = new Result(sorted);
        }
        return results;
    }
}

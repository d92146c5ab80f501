package dev.shears.tensor.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {
    private static final int[][] CASES = {
        {0, 1}, {1, 1}, {1, 100}, {7, 1}, {7, 3}, {64, 1}, {65, 1}, {100, 7}, {1000, 1}, {1000, 999},
        {1000, 1000}, {1001, 10}, {12345, 17}, {1 << 16, 1 << 10}, {100_003, 1},
    };

    @Test
    void forRangeCoversEveryIndexExactlyOnce() {
        for (int[] c : CASES) {
            int n = c[0];
            int grain = c[1];
            for (int threads : new int[] {1, Parallel.poolSize()}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(1, n));
                AtomicInteger calls = new AtomicInteger();
                Parallel.withThreads(threads, () -> Parallel.forRange(n, grain, (lo, hi) -> {
                    calls.incrementAndGet();
                    assertTrue(lo < hi, "empty chunk [" + lo + ", " + hi + ")");
                    for (int i = lo; i < hi; i++) {
                        hits.incrementAndGet(i);
                    }
                }));
                for (int i = 0; i < n; i++) {
                    if (hits.get(i) != 1) {
                        fail("n=" + n + " grain=" + grain + " threads=" + threads + ": index " + i + " visited "
                                + hits.get(i) + " times");
                    }
                }
                assertEquals(Parallel.chunkCount(n, grain), calls.get(), "n=" + n + " grain=" + grain);
            }
        }
    }

    @Test
    void nonPositiveRangeRunsNothing() {
        AtomicInteger calls = new AtomicInteger();
        Parallel.forRange(0, 1, (lo, hi) -> calls.incrementAndGet());
        Parallel.forRange(-5, 1, (lo, hi) -> calls.incrementAndGet());
        assertEquals(0, calls.get());
        assertEquals(0, Parallel.chunkCount(0, 4));
    }

    @Test
    void chunkSizesRespectGrainAndBoundTheChunkCount() {
        for (int[] c : CASES) {
            int n = c[0];
            int grain = c[1];
            if (n == 0) {
                continue;
            }
            int size = Parallel.chunkSize(n, grain);
            int count = Parallel.chunkCount(n, grain);
            assertTrue(size >= Math.min(n, grain), "n=" + n + " grain=" + grain + ": chunk " + size + " below grain");
            assertEquals((n + size - 1) / size, count);
            assertTrue(count <= 64, "n=" + n + " grain=" + grain + ": " + count + " chunks");
        }
        assertEquals(1, Parallel.chunkCount(1000, 1000), "a range at the grain is one chunk");
        assertEquals(5, Parallel.chunkCount(5, 0), "a grain below 1 counts as 1");
        assertEquals(Parallel.chunkSize(5, 1), Parallel.chunkSize(5, -3), "a negative grain counts as 1");
    }

    private static List<String> chunks(int n, int grain, int threads) {
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        Parallel.withThreads(threads, () -> Parallel.forChunks(n, grain, (c, lo, hi) -> out.add(c + ":" + lo + "-" + hi)));
        List<String> sorted = new ArrayList<>(out);
        Collections.sort(sorted);
        return sorted;
    }

    @Test
    void chunkBoundariesDoNotDependOnTheThreadCount() {
        for (int[] c : CASES) {
            List<String> one = chunks(c[0], c[1], 1);
            assertEquals(one, chunks(c[0], c[1], 2), "n=" + c[0] + " grain=" + c[1]);
            assertEquals(one, chunks(c[0], c[1], 64), "n=" + c[0] + " grain=" + c[1]);
        }
        // forChunks promises chunk c starts at c * chunkSize.
        int n = 12345;
        int grain = 17;
        int size = Parallel.chunkSize(n, grain);
        Parallel.forChunks(n, grain, (c, lo, hi) -> {
            if (lo != c * size || hi != Math.min(n, lo + size)) {
                throw new AssertionError("chunk " + c + " is [" + lo + ", " + hi + ")");
            }
        });
    }

    @Test
    void exceptionsPropagateToTheCaller() {
        for (int threads : new int[] {1, Parallel.poolSize()}) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Parallel.withThreads(threads, () -> Parallel.forRange(10_000, 10, (lo, hi) -> {
                        if (lo <= 5000 && 5000 < hi) {
                            throw new IllegalStateException("boom at 5000");
                        }
                    })), "threads=" + threads);
            String text = e.getMessage() + " / " + e.getCause();
            assertTrue(text.contains("boom at 5000"), "threads=" + threads + ": " + text);
        }
        // The pool is still usable afterwards.
        AtomicInteger sum = new AtomicInteger();
        Parallel.forRange(1000, 10, (lo, hi) -> sum.addAndGet(hi - lo));
        assertEquals(1000, sum.get());
    }

    @Test
    void aFailingChunkStillWaitsForTheOthers() {
        assumeTrue(Parallel.poolSize() >= 2, "needs a pool of at least 2 threads");
        for (RuntimeException boom : new RuntimeException[] {null, new IllegalStateException("chunk 0 failed")}) {
            AtomicInteger started = new AtomicInteger();
            AtomicInteger finished = new AtomicInteger();
            Throwable thrown = assertThrows(Throwable.class, () -> Parallel.forChunks(8, 1, (c, lo, hi) -> {
                if (c == 0) {
                    if (boom != null) {
                        throw boom;
                    }
                    throw new AssertionError("chunk 0 failed");
                }
                started.incrementAndGet();
                try {
                    Thread.sleep(30);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                finished.incrementAndGet();
            }));
            String text = thrown + " / " + thrown.getCause();
            assertTrue(text.contains("chunk 0 failed"), text);
            // After a failure no new chunk starts, but every started one has finished before the rethrow.
            assertEquals(started.get(), finished.get(), "forChunks returned while a chunk was still running ("
                    + thrown.getClass().getSimpleName() + ")");
            assertTrue(started.get() < 7, "chunks kept being started after chunk 0 failed: " + started.get());
        }
    }

    @Test
    void nestedCallsRunInline() {
        Map<Integer, Set<Thread>> innerThreads = new ConcurrentHashMap<>();
        Map<Integer, Thread> outerThreads = new ConcurrentHashMap<>();
        AtomicInteger innerCalls = new AtomicInteger();
        Parallel.forChunks(64, 1, (c, lo, hi) -> {
            outerThreads.put(c, Thread.currentThread());
            Parallel.forRange(10_000, 1, (ilo, ihi) -> {
                innerCalls.incrementAndGet();
                innerThreads.computeIfAbsent(c, k -> ConcurrentHashMap.newKeySet()).add(Thread.currentThread());
            });
        });
        assertEquals(64, outerThreads.size());
        assertEquals(64L * Parallel.chunkCount(10_000, 1), innerCalls.get(), "inner loops still cover their range");
        for (int c = 0; c < 64; c++) {
            Set<Thread> inner = innerThreads.get(c);
            assertEquals(1, inner.size(), "outer chunk " + c + ": inner chunks ran on " + inner);
            assertSame(outerThreads.get(c), inner.iterator().next(), "outer chunk " + c);
        }
    }

    @Test
    void workersAreNamedDaemons() {
        assumeTrue(Parallel.poolSize() >= 2, "needs a pool of at least 2 threads");
        assertWorkersTakePart();
    }

    /** Calls so short that the caller finishes first call their helpers off; the next call must still get them. */
    @Test
    void workersCalledOffServeTheNextCall() {
        assumeTrue(Parallel.poolSize() >= 2, "needs a pool of at least 2 threads");
        int[] sink = new int[2];
        for (int i = 0; i < 2000; i++) {
            Parallel.forRange(2, 1, (lo, hi) -> sink[lo]++);
        }
        assertEquals(4000, sink[0] + sink[1]);
        assertWorkersTakePart();
    }

    private static void assertWorkersTakePart() {
        Set<Thread> seen = ConcurrentHashMap.newKeySet();
        Parallel.forRange(64, 1, (lo, hi) -> {
            seen.add(Thread.currentThread());
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        boolean anyWorker = false;
        for (Thread t : seen) {
            if (t.getName().startsWith("shears-worker-")) {
                anyWorker = true;
                assertTrue(t.isDaemon(), t.getName() + " must be a daemon");
            }
        }
        assertTrue(anyWorker, "chunks ran on " + seen);
    }

    @Test
    void withThreadsCapsAndRestores() {
        int before = Parallel.threads();
        assertEquals(Math.min(Parallel.poolSize(), before), before);
        Parallel.withThreads(1, () -> {
            assertEquals(1, Parallel.threads());
            Set<Thread> seen = ConcurrentHashMap.newKeySet();
            Parallel.forRange(1000, 1, (lo, hi) -> seen.add(Thread.currentThread()));
            assertEquals(Set.of(Thread.currentThread()), seen, "one thread means the caller runs everything");
        });
        assertEquals(before, Parallel.threads());
        assertThrows(RuntimeException.class, () -> Parallel.withThreads(1, () -> {
            throw new RuntimeException("inside");
        }));
        assertEquals(before, Parallel.threads(), "restored after an exception");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parallel.withThreads(0, () -> { }));
        assertEquals("withThreads: threads = 0 must be at least 1", e.getMessage());
        Parallel.withThreads(1000, () -> assertEquals(Parallel.poolSize(), Parallel.threads(), "capped at the pool size"));
    }

    /** Ranges near 2^31: chunk counts and bounds must not wrap. */
    @Test
    void rangesNearIntMaxAreCoveredExactly() {
        for (int grain : new int[] {1, 32768, 1_000_000_000}) {
            int n = grain == 1_000_000_000 ? 1_200_000_000 : Integer.MAX_VALUE;
            java.util.concurrent.atomic.AtomicLong covered = new java.util.concurrent.atomic.AtomicLong();
            Parallel.forRange(n, grain, (lo, hi) -> {
                assertTrue(0 <= lo && lo < hi && hi <= n, "chunk [" + lo + ", " + hi + ")");
                covered.addAndGet(hi - lo);
            });
            assertEquals(n, covered.get(), "n " + n + " grain " + grain);
        }
    }
}

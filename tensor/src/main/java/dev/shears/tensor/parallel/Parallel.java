package dev.shears.tensor.parallel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The one shared thread pool every CPU kernel uses.
 *
 * <p>Work is split into chunks whose boundaries depend only on the range and the grain, never on
 * the thread count, so any reduction that combines per-chunk partials in chunk order gives
 * bit-identical results with 1 or 64 threads. Calls from inside a worker run inline (no nested
 * parallelism), as do ranges at or below the grain. Size the pool with {@code -Dshears.threads}
 * (default: available processors).
 */
public final class Parallel {
    /** Body of a parallel loop over the half-open range {@code [lo, hi)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int lo, int hi);
    }

    /** Body of a parallel loop over chunk indices, for reductions that keep one partial per chunk. */
    @FunctionalInterface
    public interface ChunkBody {
        void run(int chunk, int lo, int hi);
    }

    private static final int THREADS = configuredThreads();
    /**
     * How long an idle worker keeps polling for its next job before it parks. Waking a parked
     * thread costs tens of microseconds on a VM, as long as many whole kernels: a training step's
     * back-to-back ops then ran mostly on the calling thread alone.
     */
    private static final long SPIN_NANOS = 100_000;
    /** Helper threads; the calling thread works too, so a call uses at most threads() - 1 of them. */
    private static final Worker[] WORKERS = startWorkers(THREADS - 1);
    /** Set while the calling thread runs chunks of its own, so nested calls run serially. */
    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> Boolean.FALSE);
    /** A caller-scoped cap on parallelism (benchmarks compare 1 and N threads in one JVM). */
    private static final ThreadLocal<Integer> CAP = ThreadLocal.withInitial(() -> THREADS);

    private Parallel() {}

    /** Number of threads kernels called from this thread may use. */
    public static int threads() {
        return Math.min(THREADS, CAP.get());
    }

    /**
     * Runs {@code action} with kernels limited to {@code threads} threads (at most {@link #poolSize()}).
     * Results do not change, only speed: chunking never depends on the thread count.
     */
    public static void withThreads(int threads, Runnable action) {
        if (threads < 1) {
            throw new IllegalArgumentException("withThreads: threads = " + threads + " must be at least 1");
        }
        int saved = CAP.get();
        CAP.set(threads);
        try {
            action.run();
        } finally {
            CAP.set(saved);
        }
    }

    /** Size of the shared pool ({@code -Dshears.threads}, default: available processors). */
    public static int poolSize() {
        return THREADS;
    }

    /**
     * Runs {@code body} over {@code [0, n)} in chunks of at least {@code grain} elements.
     * Returns when every chunk is done; the first exception thrown by a chunk is rethrown.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        forChunks(n, grain, (chunk, lo, hi) -> body.run(lo, hi));
    }

    /**
     * Like {@link #forRange} but also passes the chunk index; chunk {@code c} covers
     * {@code [c * chunkSize(n, grain), ...)}. The chunking depends only on {@code n} and {@code grain}.
     */
    public static void forChunks(int n, int grain, ChunkBody body) {
        if (n <= 0) {
            return;
        }
        int size = chunkSize(n, grain);
        int chunks = chunkCount(n, grain);
        int threads = threads();
        if (chunks == 1 || threads == 1 || Thread.currentThread() instanceof Worker || INSIDE.get()) {
            for (int c = 0; c < chunks; c++) {
                runChunk(body, c, size, n);
            }
            return;
        }
        runShared(chunks, Math.min(threads, chunks), c -> runChunk(body, c, size, n));
    }

    /**
     * Runs chunks {@code 0..chunks-1} on {@code workers} threads, the caller being one of them: each
     * thread claims the next unclaimed chunk until none is left. One task per helper thread (not
     * per chunk) keeps the per-call cost of small ops low. Every helper is joined before a failure
     * is rethrown, so no chunk is still writing when the caller sees it.
     */
    private static void runShared(int chunks, int workers, IntConsumer chunk) {
        AtomicInteger next = new AtomicInteger();
        Runnable claimLoop = () -> {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                try {
                    chunk.accept(c);
                } catch (RuntimeException | Error e) {
                    next.set(chunks); // stop the others claiming more work
                    throw e;
                }
            }
        };
        // A worker busy with another caller's job is skipped; the threads that do run share the chunks.
        HelperJob[] helpers = new HelperJob[Math.min(workers - 1, WORKERS.length)];
        for (int h = 0; h < helpers.length; h++) {
            HelperJob job = new HelperJob(claimLoop);
            helpers[h] = WORKERS[h].offer(job) ? job : null;
        }
        Throwable failure = null;
        INSIDE.set(Boolean.TRUE);
        try {
            claimLoop.run();
        } catch (RuntimeException | Error e) {
            failure = e;
        } finally {
            INSIDE.set(Boolean.FALSE);
        }
        for (HelperJob job : helpers) {
            if (job == null || job.callOff()) {
                continue; // never started: it will return without touching any chunk
            }
            Throwable f = job.awaitDone();
            if (failure == null) {
                failure = f;
            }
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
    }

    /**
     * Chunk size for a range of {@code n} with the given grain: at least {@code grain}, and
     * small enough to give a few chunks per thread for load balance. Independent of the thread
     * count so chunked reductions are reproducible.
     */
    public static int chunkSize(int n, int grain) {
        int g = Math.max(1, grain);
        // Aim for up to 64 chunks: enough balance for any sensible core count.
        int target = (int) Math.max(g, (n + 63L) / 64);
        return Math.min(n, target);
    }

    /** Number of chunks {@link #forChunks} splits {@code [0, n)} into. */
    public static int chunkCount(int n, int grain) {
        if (n <= 0) {
            return 0;
        }
        int size = chunkSize(n, grain);
        return (int) ((n + (long) size - 1) / size); // long: n near 2^31 must not wrap
    }

    /** Chunk c of [0, n) in chunks of size (bounds in long: the last chunk may end near 2^31). */
    private static void runChunk(ChunkBody body, int c, int size, int n) {
        long lo = (long) c * size;
        body.run(c, (int) lo, (int) Math.min(n, lo + size));
    }

    private static int configuredThreads() {
        String prop = System.getProperty("shears.threads");
        if (prop == null || prop.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int t = Integer.parseInt(prop.trim());
            if (t < 1) {
                throw new IllegalArgumentException("shears.threads = " + t + " must be at least 1");
            }
            return t;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("shears.threads = '" + prop + "' is not a positive integer");
        }
    }

    private static Worker[] startWorkers(int count) {
        Worker[] workers = new Worker[Math.max(0, count)];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i);
            workers[i].start();
        }
        return workers;
    }

    /**
     * One helper's share of a call: runs the claim loop unless the caller called it off first
     * (a helper that has not started when the chunks run out is not waited for).
     */
    private static final class HelperJob implements Runnable {
        private static final int NOT_STARTED = 0;
        private static final int RUNNING = 1;
        private static final int CALLED_OFF = 2;
        private final AtomicInteger state = new AtomicInteger(NOT_STARTED);
        private final Runnable claimLoop;
        private volatile boolean done;
        private Throwable failure;

        HelperJob(Runnable claimLoop) {
            this.claimLoop = claimLoop;
        }

        @Override
        public void run() {
            if (!state.compareAndSet(NOT_STARTED, RUNNING)) {
                return;
            }
            try {
                claimLoop.run();
            } catch (Throwable t) {
                failure = t;
            } finally {
                done = true;
            }
        }

        /** True if the job had not started and now never will. */
        boolean callOff() {
            return state.compareAndSet(NOT_STARTED, CALLED_OFF);
        }

        /** Whether the job was called off or has finished (its slot may be reused). */
        boolean isOver() {
            return state.get() == CALLED_OFF || done;
        }

        /** Waits for a started job (it is running chunks, so not for long) and returns its failure, if any. */
        Throwable awaitDone() {
            while (!done) {
                Thread.onSpinWait();
            }
            return failure;
        }
    }

    /** A pool thread: runs the jobs handed to it, polling for {@link #SPIN_NANOS} before parking. */
    private static final class Worker extends Thread {
        private final AtomicReference<HelperJob> job = new AtomicReference<>();

        Worker(int id) {
            super("shears-worker-" + id);
            setDaemon(true);
        }

        /**
         * Hands this worker a job; false if it is running another caller's. A job still in the slot
         * that was called off or has finished is replaced: the worker may not have woken up to
         * clear it yet, and waiting for that would leave the new call on one thread.
         */
        boolean offer(HelperJob next) {
            HelperJob current = job.get();
            if (current != null && !current.isOver()) {
                return false;
            }
            if (!job.compareAndSet(current, next)) {
                return false;
            }
            LockSupport.unpark(this);
            return true;
        }

        @Override
        public void run() {
            while (true) {
                HelperJob r = awaitJob();
                r.run(); // never throws: failures are kept for the caller
                job.compareAndSet(r, null); // unless a new job already replaced it
            }
        }

        private HelperJob awaitJob() {
            long deadline = System.nanoTime() + SPIN_NANOS;
            HelperJob r;
            while ((r = job.get()) == null) {
                if (System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                    deadline = System.nanoTime() + SPIN_NANOS;
                }
            }
            return r;
        }
    }
}

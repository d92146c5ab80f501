package dev.shears.bench;

import dev.shears.tensor.cpu.GemmKernel;
import dev.shears.tensor.parallel.Parallel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/** JMH: square FP32 GEMM through {@link GemmKernel#run}, on 1 thread and on the whole pool. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
public class GemmBench {
    @Param({"256", "512", "1024"})
    int size;

    /** Threads the kernel may use; 0 = the whole pool. */
    @Param({"1", "0"})
    int threads;

    float[] a;
    float[] b;
    float[] c;

    @Setup
    public void setup() {
        a = GemmSuite.uniform(size * size, 42);
        b = GemmSuite.uniform(size * size, 43);
        c = new float[size * size];
    }

    @Benchmark
    public void gemm(Blackhole bh) {
        int n = size;
        Parallel.withThreads(threads == 0 ? Parallel.poolSize() : threads,
                () -> GemmKernel.run(n, n, n, a, 0, n, 1, b, 0, n, 1, c, 0, n, false));
        bh.consume(c);
    }
}

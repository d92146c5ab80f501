package dev.shears.bench;

import java.util.Map;
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

/**
 * JMH: the cases of {@code bench sparse} ({@link SparseCases}), one kernel per trial on the whole
 * pool, weights rotated through more than twice the L3 and checked against the dense product in
 * setup. The parameter lists are {@link SparseCases#SHAPES}, {@link SparseCases#BATCHES} and the
 * labels of {@link SparseCases#KERNELS} (annotations need literals; a test keeps them equal). Pick
 * cases with {@code -p}, e.g.
 * {@code java -jar bench/target/benchmarks.jar SparseBench -p shape=4096x4096 -p batch=1 -p kernel=dense,24}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
public class SparseBench {
    @Param({"4096x4096", "11008x4096"})
    String shape;

    @Param({"1", "8", "64", "512"})
    int batch;

    @Param({"dense", "24", "csr-s75", "csr-s90", "csr-s95", "csr-s90-mag", "bitmap-s50", "bitmap-s70", "bitmap-s75",
            "bitmap-s90", "armor-b32"})
    String kernel;

    SparseCases.Operand operand;
    float[] x;
    float[] y;

    @Setup
    public void setup() {
        SparseCases.WeightShape s = SparseCases.WeightShape.parse(shape);
        x = SparseCases.input(batch, s.k());
        y = new float[batch * s.m()];
        operand = SparseCases.prepare(SparseCases.kernel(kernel), new SparseCases.Weights(s), SparseCases.rotationBytes(),
                Map.of(batch, x));
    }

    @Benchmark
    public void product(Blackhole bh) {
        operand.run(batch, x, y);
        bh.consume(y);
    }
}

package dev.shears.bench;

import dev.shears.tensor.Backends;
import dev.shears.tensor.DType;
import dev.shears.tensor.Device;
import dev.shears.tensor.Layout;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Shape;
import dev.shears.tensor.Tensor;
import dev.shears.tensor.spi.Backend;
import dev.shears.tensor.spi.BinaryOp;
import dev.shears.tensor.spi.ReduceOp;
import dev.shears.tensor.spi.Storage;
import dev.shears.tensor.spi.UnaryOp;
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

/** JMH: memory-bound CPU kernels through the backend SPI into preallocated outputs (see ElementwiseSuite). */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
public class ElementwiseBench {
    @Param({"1048576", "16777216"})
    int elements;

    Backend cpu;
    Tensor a;
    Tensor b;
    Storage out;
    Storage scalar;
    Layout flat;

    @Setup
    public void setup() {
        cpu = Backends.get(Device.CPU);
        Rng rng = Rng.seeded(42);
        a = Tensor.uniform(rng.split(), -1f, 1f, elements);
        b = Tensor.uniform(rng.split(), -1f, 1f, elements);
        out = cpu.allocate(DType.F32, elements);
        scalar = cpu.allocate(DType.F32, 1);
        flat = Layout.contiguous(Shape.of(elements));
    }

    @Benchmark
    public void add(Blackhole bh) {
        cpu.binary(BinaryOp.ADD, a.storage(), flat, b.storage(), flat, out, flat);
        bh.consume(out);
    }

    @Benchmark
    public void exp(Blackhole bh) {
        cpu.unary(UnaryOp.EXP, 0f, 0f, a.storage(), flat, out, flat);
        bh.consume(out);
    }

    @Benchmark
    public void sum(Blackhole bh) {
        cpu.reduce(ReduceOp.SUM, a.storage(), flat, new int[] {0}, scalar);
        bh.consume(scalar);
    }
}

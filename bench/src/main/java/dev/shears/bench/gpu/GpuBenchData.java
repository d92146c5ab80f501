package dev.shears.bench.gpu;

import java.util.SplittableRandom;

/** Seeded inputs shared by the GPU benchmark parts. */
final class GpuBenchData {
    private GpuBenchData() {}

    /** {@code count} floats uniform in [-1, 1). */
    static float[] uniform(int count, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return v;
    }
}

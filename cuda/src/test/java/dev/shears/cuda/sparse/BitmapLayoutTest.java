package dev.shears.cuda.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shears.sparse.BitmapMatrix;
import dev.shears.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BitmapLayoutTest {
    static Stream<Arguments> cases() {
        return Stream.of(1, 7, 33).flatMap(m -> Stream.of(1, 63, 64, 100, 257)
                .flatMap(k -> Stream.of(0.0, 0.5, 0.9, 1.0).map(s -> Arguments.of(m, k, s))));
    }

    @ParameterizedTest(name = "[{0}, {1}] sparsity {2}")
    @MethodSource("cases")
    void roundTripsWithAlignedTiles(int rows, int cols, double sparsity) {
        BitmapMatrix w = randomBitmap(rows, cols, sparsity, 17);
        float[] dense = w.toDense().toFloatArray();
        for (GpuHalf h : GpuHalf.values()) {
            BitmapLayout layout = BitmapLayout.of(w, h);
            float[] expected = new float[dense.length];
            for (int i = 0; i < dense.length; i++) {
                expected[i] = h.round(dense[i]);
            }
            assertArrayEquals(expected, layout.toDense(), h + " " + rows + "x" + cols);
            for (int i = 0; i < layout.offsets().length; i++) {
                assertEquals(0, layout.offsets()[i] % BitmapLayout.ALIGN, "tile " + i + " must start 16-byte aligned");
            }
        }
    }

    static BitmapMatrix randomBitmap(int rows, int cols, double sparsity, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = rng.nextDouble() < sparsity ? 0f : (float) (2 * rng.nextDouble() - 1);
        }
        return BitmapMatrix.fromDense(Tensor.of(w, rows, cols));
    }
}

package dev.shears.cuda.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shears.sparse.SemiStructured24;
import dev.shears.tensor.Tensor;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class Layout24Test {
    static Stream<Arguments> sizes() {
        return Stream.of(1, 7, 17, 33).flatMap(m -> Stream.of(4, 28, 36, 100, 132).map(k -> Arguments.of(m, k)));
    }

    @ParameterizedTest(name = "[{0}, {1}] seed 11")
    @MethodSource("sizes")
    void roundTripsThroughTheGpuLayout(int rows, int cols) {
        SemiStructured24 w = Fixtures.random24(rows, cols, 11);
        float[] dense = w.toDense().toFloatArray();
        for (GpuHalf h : GpuHalf.values()) {
            Layout24 layout = Layout24.of(w, h);
            assertEquals(Layout24.roundUp(rows, 16), layout.paddedRows());
            assertEquals(Layout24.roundUp(cols, 64), layout.paddedCols());
            float[] expected = new float[dense.length];
            for (int i = 0; i < dense.length; i++) {
                expected[i] = h.round(dense[i]);
            }
            assertArrayEquals(expected, layout.toDense(), h + " " + rows + "x" + cols);
            assertPaddingIsZeroGroupsAtValidPairs(layout);
        }
    }

    /** Pins the word order independently of {@link Layout24#nibble}: one group per row differs from (0, 1). */
    @ParameterizedTest(name = "{0}")
    @EnumSource(GpuHalf.class)
    void placesEachGroupAtItsThreadOrderedWordAndNibble(GpuHalf h) {
        int rows = 19;
        int cols = 100;
        int kTiles = 128 / 32;
        for (int r = 0; r < rows; r++) {
            int q = (7 * r + 3) % (cols / 4); // the group of row r kept at positions (1, 3)
            float[] w = new float[rows * cols];
            float[] mask = new float[rows * cols];
            for (int i = 0; i < rows * cols; i++) {
                int c = i % cols;
                boolean special = i / cols == r && c / 4 == q;
                mask[i] = (special ? c % 4 == 1 || c % 4 == 3 : c % 4 < 2) ? 1f : 0f;
                w[i] = mask[i];
            }
            Layout24 layout = Layout24.of(
                    SemiStructured24.fromDenseAndMask(Tensor.of(w, rows, cols), Tensor.of(mask, rows, cols)), h);
            int g = r % 8;
            int t = q / 4 % 2;
            int word = ((r / 16) * kTiles + q / 8) * 16 + 2 * g + t;
            int shift = (r % 16 < 8 ? 0 : 16) + 4 * (q % 4);
            for (int i = 0; i < layout.meta().length; i++) {
                int expected = 0x44444444;
                if (i == word) {
                    expected = expected & ~(0xF << shift) | 0xD << shift; // pair (1, 3)
                }
                assertEquals(expected, layout.meta()[i], "row " + r + ", group " + q + ": word " + i);
            }
        }
    }

    private static void assertPaddingIsZeroGroupsAtValidPairs(Layout24 layout) {
        for (int r = 0; r < layout.paddedRows(); r++) {
            for (int q = 0; q < layout.paddedCols() / 4; q++) {
                if (r >= layout.rows() || q >= layout.cols() / 4) {
                    assertEquals(Layout24.PADDING_NIBBLE, layout.nibble(r, q), "padding row " + r + ", group " + q);
                    int v = r * layout.paddedCols() / 2 + 2 * q;
                    assertEquals(0, layout.values()[v] | layout.values()[v + 1], "padding values row " + r);
                }
            }
        }
    }
}

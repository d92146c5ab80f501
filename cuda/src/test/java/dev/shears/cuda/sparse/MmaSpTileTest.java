package dev.shears.cuda.sparse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.sparse.SemiStructured24;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One 16×32 tile through the model of {@code mma.sp.m16n8k32}: registers filled from the GPU layout
 * exactly as the fragment definition says, the result compared with a dense product. The tile keeps
 * a different 2:4 pattern in every row and group (kernels.md §1.2), so swapping rows g and g+8,
 * the two column halves or two groups of the metadata shows.
 */
class MmaSpTileTest {
    @ParameterizedTest(name = "{0}")
    @EnumSource(GpuHalf.class)
    void layoutRegistersGiveTheDenseProduct(GpuHalf h) {
        SemiStructured24 w = Fixtures.random24(16, 32, 5);
        assertPatternsDiffer(w);
        Layout24 layout = Layout24.of(w, h);
        float[] x = Fixtures.uniform(8 * 32, 6); // B column n = row n of X
        float[][] d = run(h, layout, x, false);
        double[] expected = Fixtures.linear(h, x, w.toDense().toFloatArray(), 8, 16, 32);
        for (int lane = 0; lane < 32; lane++) {
            for (int i = 0; i < 4; i++) {
                int m = (lane >> 2) + 8 * (i >> 1);
                int n = 2 * (lane & 3) + (i & 1);
                assertEquals(expected[n * 16 + m], d[lane][i], 1e-5, "lane " + lane + " d" + i);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(GpuHalf.class)
    void swappedRowHalvesOfTheMetadataAreCaught(GpuHalf h) {
        Layout24 layout = Layout24.of(Fixtures.random24(16, 32, 5), h);
        float[] x = Fixtures.uniform(8 * 32, 6);
        float[][] good = run(h, layout, x, false);
        float[][] swapped = run(h, layout, x, true);
        int differing = 0;
        for (int lane = 0; lane < 32; lane++) {
            for (int i = 0; i < 4; i++) {
                differing += good[lane][i] != swapped[lane][i] ? 1 : 0;
            }
        }
        assertNotEquals(0, differing, "a metadata row swap must change the product");
    }

    /** The tile's registers as the gemv24 kernel loads them; {@code swapHalves} swaps rows g and g+8 of e. */
    private static float[][] run(GpuHalf h, Layout24 layout, float[] x, boolean swapHalves) {
        int[] w = Fixtures.words(layout.values());
        int rowWords = layout.paddedCols() / 4;
        int[] xw = Fixtures.words(HalfRows.pack(h, x, 8, 32, 32));
        int[][] a = new int[32][4];
        int[][] b = new int[32][4];
        int[] e = new int[32];
        for (int lane = 0; lane < 32; lane++) {
            int g = lane >> 2;
            int t = lane & 3;
            a[lane] = new int[] {w[g * rowWords + t], w[(g + 8) * rowWords + t], w[g * rowWords + 4 + t],
                w[(g + 8) * rowWords + 4 + t]};
            for (int i = 0; i < 4; i++) {
                b[lane][i] = xw[g * 16 + 4 * i + t];
            }
            int word = layout.meta()[2 * g + (t & 1)];
            e[lane] = swapHalves ? word >>> 16 | word << 16 : word;
        }
        float[][] c = new float[32][4];
        WarpModel.mmaSp(h, a, b, e, c);
        return c;
    }

    private static void assertPatternsDiffer(SemiStructured24 w) {
        float[] dense = w.toDense().toFloatArray();
        Set<String> rows = new HashSet<>();
        for (int r = 0; r < 16; r++) {
            StringBuilder row = new StringBuilder();
            Set<Integer> groups = new HashSet<>();
            for (int q = 0; q < 8; q++) {
                int bits = 0;
                for (int p = 0; p < 4; p++) {
                    bits |= dense[r * 32 + 4 * q + p] != 0 ? 1 << p : 0;
                }
                groups.add(bits);
                row.append(Integer.toHexString(bits));
            }
            assertTrue(groups.size() > 1, "row " + r + " repeats one pattern: " + row);
            rows.add(row.toString());
        }
        assertEquals(16, rows.size(), "every row of the tile must have its own pattern");
    }
}

package dev.shears.sparse.cpu;

import dev.shears.sparse.cpu.SpmmCase.Format;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link SpmmBitmapKernel}: forward, transposed and SDDMM products against their references and
 * dense double-precision products, on awkward shapes, densities 0 to 1 with and without empty rows,
 * every path and 1-3 threads. See {@link SpmmCase}.
 */
@Tag("kernel")
class SpmmBitmapKernelTest {
    private static final double[] DENSITIES = {0, 0.1, 0.5, 0.9, 1};

    @Test
    void awkwardShapesAndDensities() {
        long seed = 100;
        for (int m : new int[] {1, 3, 17}) {
            for (int k : new int[] {1, 7, 16, 65, 300}) {
                for (int n : new int[] {1, 2, 7, 33}) {
                    SpmmCase.of(Format.BITMAP, m, k).batch(n).density(DENSITIES[(int) (seed % DENSITIES.length)])
                            .emptyRows(seed % 3 == 0).accumulate(seed % 2 == 0).seed(seed++).assertMatchesReferences();
                }
            }
        }
    }

    @Test
    void largerThanOneTask() {
        long seed = 300;
        SpmmCase.of(Format.BITMAP, 300, 1001).density(0.3).batch(1).emptyRows(true).seed(seed++).assertMatchesReferences();
        SpmmCase.of(Format.BITMAP, 300, 1001).density(0.3).batch(6).accumulate(true).seed(seed++).assertMatchesReferences();
        SpmmCase.of(Format.BITMAP, MaskedRows.TRANSPOSED_TILE_ROWS + 3, 257).density(0.7).batch(20).seed(seed++).assertMatchesReferences();
        // Several column ranges of the transposed product, each starting mid-row in the values.
        SpmmCase.of(Format.BITMAP, 40, 32 * MaskedRows.MIN_RANGE_WORDS + 23).density(0.2).batch(3).emptyRows(true)
                .seed(seed).assertMatchesReferences();
    }
}

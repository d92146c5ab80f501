package dev.shears.sparse.cpu;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shears.sparse.cpu.SpmmCase.Format;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link Spmm24Kernel}: forward, transposed and SDDMM products against their references and dense
 * double-precision products, on awkward shapes (k not a multiple of 16 leaves a partial last mask
 * word; 1028 spans two column blocks), every path (GEMV, small batch, decompressed tiles) and 1-3
 * threads. See {@link SpmmCase}.
 */
@Tag("kernel")
class Spmm24KernelTest {
    @Test
    void awkwardShapes() {
        long seed = 100;
        for (int m : new int[] {1, 3, 17}) {
            for (int k : new int[] {4, 12, 20, 100, 1028}) {
                for (int n : new int[] {1, 2, 7, 33}) {
                    SpmmCase.of(Format.SEMI24, m, k).batch(n).accumulate(seed % 2 == 0).seed(seed++).assertMatchesReferences();
                }
            }
        }
    }

    @Test
    void batchesAroundTheTilePath() {
        int tile = MaskedRows.TILE_BATCH;
        long seed = 200;
        for (int n : new int[] {tile - 1, tile, tile + 1}) {
            SpmmCase.of(Format.SEMI24, MaskedRows.TILE_ROWS + 5, MaskedRows.TILE_DEPTH + 36).batch(n)
                    .accumulate(n % 2 == 0).seed(seed++).assertMatchesReferences();
        }
    }

    @Test
    void largerThanOneTask() {
        // Several tasks per product, several tiles and column blocks, several column ranges.
        long seed = 300;
        SpmmCase.of(Format.SEMI24, 301, 1028).batch(1).seed(seed++).assertMatchesReferences();
        SpmmCase.of(Format.SEMI24, 301, 1028).batch(5).accumulate(true).seed(seed++).assertMatchesReferences();
        SpmmCase.of(Format.SEMI24, MaskedRows.TRANSPOSED_TILE_ROWS + 3, 260).batch(20).seed(seed++).assertMatchesReferences();
        SpmmCase.of(Format.SEMI24, 40, 32 * MaskedRows.MIN_RANGE_WORDS + 20).batch(3).accumulate(true).seed(seed).assertMatchesReferences();
    }

    @Test
    void argumentErrorsNameTheValue() {
        assumeTrue(Spmm24Kernel.class.desiredAssertionStatus(), "assertions are disabled");
        AssertionError notGroups = assertThrows(AssertionError.class, () ->
                Spmm24Kernel.run(1, 2, 6, new float[6], new char[2], new float[6], 0, new float[2], 0, false));
        assertTrue(notGroups.getMessage().contains("k = 6"), notGroups.getMessage());
        AssertionError shortOutput = assertThrows(AssertionError.class, () ->
                Spmm24Kernel.run(2, 2, 8, new float[8], new char[2], new float[16], 0, new float[3], 0, false));
        assertTrue(shortOutput.getMessage().contains("output [2, 2]"), shortOutput.getMessage());
    }
}

package dev.shears.sparse.cpu;

import dev.shears.sparse.cpu.SpmmCase.Format;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link SpmmCsrKernel} with 16- and 32-bit column indices: forward, transposed and SDDMM products
 * against their references and dense double-precision products, on awkward shapes, densities 0 to 1
 * with and without empty rows, one or several batch panels and 1-3 threads. See {@link SpmmCase}.
 */
@Tag("kernel")
class SpmmCsrKernelTest {
    private static final double[] DENSITIES = {0, 0.05, 0.3, 0.9, 1};

    @Test
    void awkwardShapesAndDensities() {
        long seed = 100;
        for (Format format : new Format[] {Format.CSR_CHAR, Format.CSR_INT}) {
            for (int m : new int[] {1, 3, 17}) {
                for (int k : new int[] {1, 7, 65, 300}) {
                    for (int n : new int[] {1, 2, 7, 33}) {
                        SpmmCase.of(format, m, k).batch(n).density(DENSITIES[(int) (seed % DENSITIES.length)])
                                .emptyRows(seed % 3 == 0).accumulate(seed % 2 == 0).seed(seed++).assertMatchesReferences();
                    }
                }
            }
        }
    }

    @Test
    void largerThanOneTask() {
        long seed = 300;
        for (Format format : new Format[] {Format.CSR_CHAR, Format.CSR_INT}) {
            SpmmCase.of(format, 500, 1500).density(0.1).batch(1).emptyRows(true).seed(seed++).assertMatchesReferences();
            // More batch rows than one panel holds at any width.
            SpmmCase.of(format, 200, 1100).density(0.1).batch(SpmmCsrKernel.PANEL_VECTORS * 16 + 6)
                    .accumulate(true).seed(seed++).assertMatchesReferences();
        }
    }

    @Test
    void narrowIndicesReachTheLastColumn() {
        SpmmCase.of(Format.CSR_CHAR, 3, 1 << 16).density(0.002).batch(2).seed(400).assertMatchesReferences();
    }
}

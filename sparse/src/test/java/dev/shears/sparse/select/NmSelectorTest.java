package dev.shears.sparse.select;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.sparse.Mask;
import dev.shears.tensor.DType;
import dev.shears.tensor.DTypeException;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Shape;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NmSelectorTest {

    @ParameterizedTest(name = "{0}:{1} seed={2}")
    @CsvSource({"1, 4, 1", "2, 4, 2", "4, 8, 3", "3, 7, 4", "0, 3, 5", "5, 5, 6", "2, 4, 7"})
    void everyGroupKeepsExactlyItsNHighest(int n, int m, long seed) {
        Rng rng = Rng.seeded(seed);
        NmSelector sel = NmSelector.of(n, m);
        boolean ties = seed % 2 == 1;
        for (int rows : new int[] {1, 3, 17}) {
            for (int groups : new int[] {1, 3, 5}) {
                int cols = groups * m; // for 2:4: 4, 12, 20
                float[] v = ties ? SelectReference.tied(rng, rows * cols) : SelectReference.gaussian(rng, rows * cols);
                Mask mask = sel.byScores(Tensor.of(v, rows, cols));
                String ctx = sel + " seed " + seed + " shape [" + rows + ", " + cols + "]";
                assertEquals(Shape.of(rows, cols), mask.shape(), ctx);
                assertEquals(rows * groups * n, mask.keptCount(), ctx);
                for (int g = 0; g < rows * groups; g++) {
                    boolean[] expected = SelectReference.topK(v, g * m, m, n);
                    for (int j = 0; j < m; j++) {
                        assertEquals(expected[j], mask.isKept(g * m + j), ctx + " group " + g + " position " + j
                                + " (score " + v[g * m + j] + ")");
                    }
                }
            }
        }
    }

    @Test
    void groupsRunAlongTheLastAxisOfAnyRank() {
        Tensor s = Tensor.randn(Rng.seeded(9), 2, 3, 8);
        Mask m = NmSelector.twoFour().byScores(s);
        float[] v = s.toFloatArray();
        for (int g = 0; g < 12; g++) {
            int kept = 0;
            for (int j = 0; j < 4; j++) {
                kept += m.isKept(4 * g + j) ? 1 : 0;
            }
            assertEquals(2, kept, "group " + g);
        }
        assertArrayEquals(NmSelector.twoFour().byScores(Tensor.of(v, 6, 8)).keptIndices(), m.keptIndices(),
                "the same groups as the [6, 8] view");
    }

    @Test
    void magnitudeRanksByAbsoluteValue() {
        Tensor w = Tensor.of(new float[] {-9, 1, 2, -3, 0.5f, -0.25f, 0, 0.125f}, 2, 4);
        Mask m = NmSelector.twoFour().byMagnitude(w);
        assertArrayEquals(new int[] {0, 3, 4, 5}, m.keptIndices());
        assertEquals(m, NmSelector.twoFour().byScores(w.abs()));
    }

    @Test
    void equalScoresKeepTheLowerPositions() {
        Tensor s = Tensor.of(new float[] {1, 1, 1, 1, 0, 2, 0, 0, 3, 3, -0f, 0f}, 1, 12);
        assertArrayEquals(new int[] {0, 1, 4, 5, 8, 9}, NmSelector.twoFour().byScores(s).keptIndices());
        assertArrayEquals(new int[] {0, 5, 8}, NmSelector.of(1, 4).byScores(s).keptIndices());
        assertArrayEquals(new int[] {0, 1, 2, 4, 5, 6, 8, 9, 10}, NmSelector.of(3, 4).byScores(s).keptIndices(),
                "-0.0 ties with 0.0 and sits at the lower position");
    }

    @Test
    void describesItselfAsNColonM() {
        assertEquals(NmSelector.of(2, 4), NmSelector.twoFour());
        assertEquals("2:4", NmSelector.twoFour().toString());
        assertEquals(3, NmSelector.of(3, 7).n());
        assertEquals(7, NmSelector.of(3, 7).m());
    }

    @Test
    void errorsNameTheOffendingValue() {
        var s = assertThrows(ShapeException.class, () -> NmSelector.twoFour().byMagnitude(Tensor.zeros(64, 30)));
        assertEquals("NmSelector(2:4).byMagnitude: last dim 30 is not a multiple of 4 (shape [64, 30]); pad it to 32 "
                + "or use unstructured selection (TopK)", s.getMessage());
        s = assertThrows(ShapeException.class, () -> NmSelector.of(3, 7).byScores(Tensor.zeros(3)));
        assertTrue(s.getMessage().contains("last dim 3 is not a multiple of 7 (shape [3]); pad it to 7"), s.getMessage());
        s = assertThrows(ShapeException.class, () -> NmSelector.twoFour().byScores(Tensor.scalar(1)));
        assertEquals("NmSelector(2:4).byScores: scores are a scalar; N:M selection needs rank >= 1", s.getMessage());

        var e = assertThrows(IllegalArgumentException.class,
                () -> NmSelector.twoFour().byMagnitude(Tensor.of(new float[] {1, 2, 3, 4, 5, Float.NaN, 7, 8}, 2, 4)));
        assertEquals("NmSelector(2:4).byMagnitude: |weights| has NaN at flat index 5 (shape [2, 4]); scores must be numbers",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NmSelector.of(5, 4));
        assertEquals("NmSelector: 5:4 needs 0 <= n <= m and m >= 1", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NmSelector.of(0, 0));
        assertThrows(IllegalArgumentException.class, () -> NmSelector.of(-1, 4));
        var d = assertThrows(DTypeException.class, () -> NmSelector.twoFour().byMagnitude(Tensor.zeros(DType.I32, 4)));
        assertTrue(d.getMessage().startsWith("NmSelector(2:4).byMagnitude: expected F32, got I32"), d.getMessage());
    }
}

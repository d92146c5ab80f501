package dev.shears.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.autograd.Autograd;
import dev.shears.autograd.GradCheck;
import dev.shears.autograd.Inputs;
import dev.shears.autograd.Var;
import dev.shears.sparse.BitmapMatrix;
import dev.shears.sparse.CsrMatrix;
import dev.shears.sparse.Mask;
import dev.shears.sparse.SemiStructured24;
import dev.shears.sparse.SparseFormatException;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Shape;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;
import dev.shears.testing.TensorAssert;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** SparseLinear, SemiStructuredLinear and ArmorLinear: gradients, conversions from and to Linear. */
class SparseLayersTest {

    /**
     * A Linear [out, in] masked to a pattern the format can store: 2 of every 4 for 2:4, else about
     * half of the weights with output 1 pruned entirely.
     */
    static Linear maskedLinear(long seed, int in, int out, boolean bias, SparseFormat format) {
        Linear fc = new Linear(in, out, bias, Rng.seeded(seed));
        Rng rng = Rng.seeded(seed + 1);
        byte[] m = new byte[out * in];
        if (format == SparseFormat.SEMI_STRUCTURED_24) {
            for (int g = 0; g < m.length; g += 4) {
                int first = rng.nextInt(4);
                m[g + first] = 1;
                m[g + (first + 1 + rng.nextInt(3)) % 4] = 1;
            }
        } else {
            for (int i = 0; i < m.length; i++) {
                m[i] = (byte) (i / in != 1 && rng.nextInt(2) == 0 ? 1 : 0);
            }
        }
        fc.weight().setMask(Tensor.ofBytes(m, out, in));
        return fc;
    }

    private static void pass(GradCheck.Report r) {
        assertTrue(r.passed(), r.toString());
    }

    private static void assertSameValues(Tensor expected, Tensor actual, String context) {
        assertEquals(expected.shape(), actual.shape(), context);
        assertArrayEquals(expected.toFloatArray(), actual.toFloatArray(), 0f, context); // -0.0 equals 0.0
    }

    // ==== gradients =============================================================================

    @ParameterizedTest
    @EnumSource(SparseFormat.class)
    void sparseLayersPassTheGradientCheck(SparseFormat format) {
        SparseLinear layer = maskedLinear(1, 8, 5, true, format).toSparse(format);
        pass(LayerCheck.check(layer.parameters(), Inputs.randn(2, 3, 8), layer::forward));
        SparseLinear noBias = maskedLinear(3, 12, 3, false, format).toSparse(format);
        pass(LayerCheck.check(noBias.parameters(), Inputs.randn(4, 2, 2, 12), noBias::forward));
    }

    @Test
    void maskedValuesGetZeroGradientAndPassTheGradientCheck() {
        SparseLinear layer = maskedLinear(5, 8, 4, true, SparseFormat.CSR).toSparse(SparseFormat.CSR);
        int nnz = layer.values().numel();
        int[] kept = new int[nnz - 2];
        for (int i = 0; i < kept.length; i++) {
            kept[i] = i + 2; // prune the first two stored values
        }
        layer.values().setMask(Mask.fromKeptIndices(Shape.of(nnz), kept));
        pass(LayerCheck.check(layer.parameters(), Inputs.randn(6, 3, 8), layer::forward));
        layer.zeroGrad();
        layer.forward(Var.constant(Inputs.randn(7, 3, 8))).sum().backward();
        float[] g = layer.values().grad().toFloatArray();
        assertTrue(g[0] == 0f && g[1] == 0f, java.util.Arrays.toString(g));
    }

    @Test
    void armorLinearPassesTheGradientCheckInEveryParameter() {
        ArmorLinear armor = ArmorLinear.from(new Linear(8, 4, Rng.seeded(8)), 2);
        armor.a().value().copyFrom(Inputs.randn(9, 2, 2, 2));
        armor.b().value().copyFrom(Inputs.randn(10, 4, 2, 2));
        pass(LayerCheck.check(armor.parameters(), Inputs.randn(11, 3, 8), armor::forward));
        ArmorLinear noBias = ArmorLinear.from(new Linear(4, 4, false, Rng.seeded(12)), 4);
        noBias.b().value().copyFrom(Inputs.randn(13, 1, 4, 4));
        pass(LayerCheck.check(noBias.parameters(), Inputs.randn(14, 2, 1, 4), noBias::forward));
    }

    // ==== conversions ===========================================================================

    @ParameterizedTest
    @EnumSource(SparseFormat.class)
    void toSparseComputesWhatTheMaskedLinearComputes(SparseFormat format) {
        Linear fc = maskedLinear(20, 12, 7, true, format);
        SparseLinear sparse = fc.toSparse(format);
        Class<?> layerType =
                format == SparseFormat.SEMI_STRUCTURED_24 ? SemiStructuredLinear.class : SparseLinear.class;
        Class<?> weightType = switch (format) {
            case CSR -> CsrMatrix.class;
            case BITMAP -> BitmapMatrix.class;
            case SEMI_STRUCTURED_24 -> SemiStructured24.class;
        };
        assertEquals(layerType, sparse.getClass());
        assertEquals(weightType, sparse.weight().getClass());
        assertEquals(fc.weight().kept(), sparse.values().numel(), "masked-out weights are not stored");
        assertSameValues(fc.weight().effective().value(), sparse.toDense(), format + " toDense");
        for (int batch : new int[] {1, 5, 33}) {
            Tensor x = Inputs.randn(21 + batch, batch, 12);
            TensorAssert.assertClose(fc.forward(Var.constant(x)).value(), sparse.forward(Var.constant(x)).value(),
                    1e-5, 1e-5, format + " batch " + batch);
        }
    }

    @ParameterizedTest
    @EnumSource(SparseFormat.class)
    void toLinearRoundTripsTheWeightMaskAndBias(SparseFormat format) {
        Linear fc = maskedLinear(30, 8, 6, true, format);
        fc.weight().applyMask();
        Linear back = fc.toSparse(format).toLinear();
        assertSameValues(fc.weight().value(), back.weight().value(), format + " weight");
        assertEquals(fc.weight().maskPattern(), back.weight().maskPattern(), format + " mask");
        assertSameValues(fc.bias().value(), back.bias().value(), format + " bias");
        Tensor x = Inputs.randn(31, 4, 8);
        assertSameValues(fc.forward(Var.constant(x)).value(), back.forward(Var.constant(x)).value(),
                format + " output");
        assertNull(maskedLinear(32, 8, 6, false, format).toSparse(format).toLinear().bias());
    }

    @Test
    void unmaskedLinearsConvertTheirNonZerosOrTheirLargestTwoOfFour() {
        Linear fc = new Linear(8, 3, Rng.seeded(40));
        assertEquals(24, fc.toSparse(SparseFormat.CSR).values().numel());
        assertSameValues(fc.weight().value(), fc.toSparse(SparseFormat.BITMAP).toDense(), "bitmap of all non-zeros");
        assertSameValues(SemiStructured24.fromDense(fc.weight().value()).toDense(),
                fc.toSparse(SparseFormat.SEMI_STRUCTURED_24).toDense(), "magnitude 2:4");
        Linear odd = new Linear(6, 2, Rng.seeded(41));
        SparseFormatException e = assertThrows(SparseFormatException.class,
                () -> odd.toSparse(SparseFormat.SEMI_STRUCTURED_24));
        assertTrue(e.getMessage().contains("cols = 6 is not a multiple of 4"), e.getMessage());
    }

    @Test
    void armorFromLinearStartsExactlyAsThe24PrunedLinear() {
        Linear fc = new Linear(16, 8, Rng.seeded(50));
        SemiStructuredLinear pruned = (SemiStructuredLinear) fc.toSparse(SparseFormat.SEMI_STRUCTURED_24);
        ArmorLinear armor = ArmorLinear.from(fc, 4);
        assertSameValues(pruned.toDense(), armor.toDense(), "A·S·B with A = B = I");
        assertSameValues(pruned.toDense(), armor.toLinear().weight().value(), "toLinear");
        for (int batch : new int[] {1, 3, 20}) {
            Tensor x = Inputs.randn(51 + batch, batch, 16);
            Tensor expected = pruned.forward(Var.constant(x)).value();
            assertSameValues(expected, armor.forward(Var.constant(x)).value(), "composed, batch " + batch);
            try (var scope = Autograd.noGrad()) {
                assertSameValues(expected, armor.forward(Var.constant(x)).value(), "fused, batch " + batch);
            }
        }
    }

    @Test
    void parametersAndPrunableFollowModuleConventions() {
        SparseLinear sparse = maskedLinear(60, 8, 4, true, SparseFormat.BITMAP).toSparse(SparseFormat.BITMAP);
        assertEquals(List.of("values", "bias"), List.copyOf(sparse.namedParameters().keySet()));
        assertEquals(List.of(sparse.values()), sparse.prunable());
        ArmorLinear armor = ArmorLinear.from(new Linear(8, 4, Rng.seeded(61)), 4);
        assertEquals(List.of("a", "coreValues", "b", "bias"), List.copyOf(armor.namedParameters().keySet()));
        assertEquals(Shape.of(1, 4, 4), armor.a().shape());
        assertEquals(Shape.of(4, 4), armor.coreValues().shape());
        assertEquals(Shape.of(2, 4, 4), armor.b().shape());
        assertEquals(List.of(armor.coreValues()), armor.prunable());
        Sequential net = new Sequential(sparse, new Tanh(), armor);
        assertEquals(List.of(sparse.values(), armor.coreValues()), net.prunable());
    }

    @Test
    void stateDictsCarryTheValues() {
        Linear fc = maskedLinear(70, 8, 4, true, SparseFormat.CSR);
        SparseLinear source = fc.toSparse(SparseFormat.CSR);
        source.values().value().copyFrom(Inputs.randn(71, source.values().numel()));
        SparseLinear target = fc.toSparse(SparseFormat.CSR);
        target.loadStateDict(source.stateDict());
        Tensor x = Inputs.randn(72, 2, 8);
        assertSameValues(source.forward(Var.constant(x)).value(), target.forward(Var.constant(x)).value(), "loaded");
    }

    // ==== errors ================================================================================

    @Test
    void errorsNameTheLayerAndTheShapes() {
        SparseLinear sparse = maskedLinear(80, 8, 4, true, SparseFormat.CSR).toSparse(SparseFormat.CSR);
        ShapeException e = assertThrows(ShapeException.class,
                () -> sparse.forward(Var.constant(Inputs.randn(81, 2, 6))));
        assertEquals("SparseLinear(8 -> 4, CsrMatrix nnz " + sparse.values().numel()
                + "): input [2, 6] must end in 8", e.getMessage());
        CsrMatrix w = CsrMatrix.fromDense(Inputs.randn(82, 4, 8));
        e = assertThrows(ShapeException.class, () -> new SparseLinear(w, Tensor.zeros(3)));
        assertTrue(e.getMessage().startsWith("SparseLinear: bias [3] must be [4] (out) for weight CsrMatrix[4, 8]"),
                e.getMessage());
        Linear fc = new Linear(12, 8, Rng.seeded(83));
        e = assertThrows(ShapeException.class, () -> ArmorLinear.from(fc, 8));
        assertEquals("ArmorLinear.from: blockSize = 8 must be >= 1 and divide both in = 12 and out = 8 of "
                + "Linear(12 -> 8)", e.getMessage());
        ArmorLinear armor = ArmorLinear.from(fc, 4);
        e = assertThrows(ShapeException.class, () -> armor.forward(Var.constant(Inputs.randn(84, 8))));
        assertEquals("ArmorLinear(12 -> 8, blocks 4x4): input [8] must end in 12", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Linear.of(Tensor.zeros(3), null));
        assertTrue(e.getMessage().startsWith("Linear.of: weight [3] must be [out, in]"), e.getMessage());
    }
}

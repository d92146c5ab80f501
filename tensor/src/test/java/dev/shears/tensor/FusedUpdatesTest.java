package dev.shears.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.tensor.spi.AdamStep;
import org.junit.jupiter.api.Test;

class FusedUpdatesTest {
    private static final AdamStep STEP = AdamStep.of(1e-3, 0.9, 0.999, 1e-8, 0, 1);

    @Test
    void badOperandsAreRefusedBeforeAnythingIsWritten() {
        Tensor w = Tensor.ones(3, 4);
        Tensor m = Tensor.zeros(3, 4);
        Tensor v = Tensor.zeros(3, 4);
        float[] before = w.toFloatArray();
        ShapeException shape = assertThrows(ShapeException.class,
                () -> FusedUpdates.adam(STEP, w, Tensor.ones(4, 3), null, m, v));
        assertTrue(shape.getMessage().contains("grad has shape [4, 3]"), shape.getMessage());
        ShapeException strided = assertThrows(ShapeException.class,
                () -> FusedUpdates.adam(STEP, w, Tensor.ones(3, 4), null, m, Tensor.zeros(4, 3).transpose(0, 1)));
        assertTrue(strided.getMessage().contains("expAvgSq is written in place and must be contiguous"), strided.getMessage());
        DTypeException dtype = assertThrows(DTypeException.class,
                () -> FusedUpdates.adam(STEP, w, Tensor.ones(3, 4), Tensor.ones(3, 4).to(DType.U8), m, v));
        assertTrue(dtype.getMessage().contains("mask is U8"), dtype.getMessage());
        assertArrayEquals(before, w.toFloatArray(), "the parameter changed although the call was refused");
    }

    @Test
    void aStridedGradientIsReadThroughItsLayout() {
        Tensor g = Tensor.of(new float[] {1, -2, 3, -4, 5, -6}, 3, 2).transpose(0, 1); // [2, 3]
        Tensor w1 = Tensor.zeros(2, 3);
        Tensor w2 = Tensor.zeros(2, 3);
        FusedUpdates.adam(STEP, w1, g, null, Tensor.zeros(2, 3), Tensor.zeros(2, 3));
        FusedUpdates.adam(STEP, w2, g.contiguous(), null, Tensor.zeros(2, 3), Tensor.zeros(2, 3));
        assertArrayEquals(w2.toFloatArray(), w1.toFloatArray());
        assertTrue(w1.toFloatArray()[0] < 0 && w1.toFloatArray()[3] > 0, "the step goes against the gradient's sign");
    }
}

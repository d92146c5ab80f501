package dev.shears.pruning;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shears.nn.Module;
import dev.shears.nn.Parameter;
import dev.shears.sparse.Mask;
import java.util.List;

/** Checks shared by the pruning tests. */
final class PruningAsserts {
    private PruningAsserts() {}

    /** The prunable weights' values, copied, in {@code prunable()} order. */
    static float[][] snapshot(Module model) {
        return model.prunable().stream().map(p -> p.value().toFloatArray()).toArray(float[][]::new);
    }

    /** Pruned entries are exactly +0.0 and kept entries still hold their values from {@code before}. */
    static void assertMaskedValues(List<Parameter> params, float[][] before) {
        for (int l = 0; l < params.size(); l++) {
            Parameter p = params.get(l);
            Mask mask = p.maskPattern();
            float[] now = p.value().toFloatArray();
            for (int i = 0; i < now.length; i++) {
                float expected = mask.isKept(i) ? before[l][i] : 0f;
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(now[i]),
                        p.name() + "[" + i + "] of layer " + l);
            }
        }
    }
}

package dev.shears.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.autograd.Var;
import dev.shears.nn.Linear;
import dev.shears.nn.Parameter;
import dev.shears.nn.ReLU;
import dev.shears.nn.Sequential;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MlpTest {

    @Test
    void layersNamesAndShapesFollowTheSizes() {
        Sequential net = Mlp.of(Rng.seeded(1), 784, 50, 50, 10);

        assertEquals(5, net.size());
        for (int i = 0; i < net.size(); i++) {
            Class<?> expected = i % 2 == 0 ? Linear.class : ReLU.class;
            assertSame(expected, net.get(i).getClass(), "layer " + i);
        }
        Map<String, Parameter> params = net.namedParameters();
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"), List.copyOf(params.keySet()));
        assertArrayEquals(new int[] {50, 784}, params.get("0.weight").value().shape().dims());
        assertArrayEquals(new int[] {50, 50}, params.get("2.weight").value().shape().dims());
        assertArrayEquals(new int[] {10, 50}, params.get("4.weight").value().shape().dims());
        assertArrayEquals(new int[] {10}, params.get("4.bias").value().shape().dims());
        assertEquals(List.of(params.get("0.weight"), params.get("2.weight"), params.get("4.weight")), net.prunable(),
                "every weight, first and last included, is prunable; no bias is");

        Var out = net.forward(Var.constant(Tensor.randn(Rng.seeded(2), 3, 784)));
        assertArrayEquals(new int[] {3, 10}, out.value().shape().dims());
    }

    @Test
    void aSingleLayerHasNoActivation() {
        Sequential net = Mlp.of(Rng.seeded(1), 4, 3);
        assertEquals(1, net.size());
        assertInstanceOf(Linear.class, net.get(0));
    }

    @Test
    void theSameSeedGivesTheSameNetwork() {
        assertWeightsEqual(Mlp.of(Rng.seeded(9), 20, 7, 7, 3), Mlp.of(Rng.seeded(9), 20, 7, 7, 3));
    }

    /** LeNet-300-100 delegates to Mlp: it must still be the network it was, name for name and bit for bit. */
    @Test
    void lenet300100IsUnchanged() {
        Rng rng = Rng.seeded(42);
        Sequential original = new Sequential(
                new Linear(784, 300, rng), new ReLU(),
                new Linear(300, 100, rng), new ReLU(),
                new Linear(100, 10, rng));
        assertWeightsEqual(original, LeNet.lenet300100(Rng.seeded(42)));
    }

    @Test
    void badSizesAreNamed() {
        var tooFew = assertThrows(IllegalArgumentException.class, () -> Mlp.of(Rng.seeded(1), 784));
        assertTrue(tooFew.getMessage().contains("[784]"), tooFew.getMessage());
        var zero = assertThrows(IllegalArgumentException.class, () -> Mlp.of(Rng.seeded(1), 784, 0, 10));
        assertTrue(zero.getMessage().contains("size 0 at position 1"), zero.getMessage());
    }

    private static void assertWeightsEqual(Sequential expected, Sequential actual) {
        Map<String, Parameter> e = expected.namedParameters();
        Map<String, Parameter> a = actual.namedParameters();
        assertEquals(List.copyOf(e.keySet()), List.copyOf(a.keySet()), "parameter names");
        e.forEach((name, p) -> {
            assertArrayEquals(p.value().shape().dims(), a.get(name).value().shape().dims(), name);
            assertArrayEquals(p.value().toFloatArray(), a.get(name).value().toFloatArray(), name);
        });
        assertSame(expected.getClass(), actual.getClass());
    }
}

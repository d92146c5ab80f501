package dev.shears.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.shears.nn.Parameter;
import dev.shears.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Sgd steps against values computed by hand (torch.optim.SGD's rules). */
class SgdTest {

    private static Parameter p() {
        return new Parameter("w", Tensor.of(new float[] {1f, -2f}, 2));
    }

    @Test
    void plainStep() {
        Parameter w = p();
        Sgd sgd = new Sgd(List.of(w), Sgd.Config.defaults().lr(0.1));
        Grads.set(w, 0.5f, 0.25f);
        sgd.step();
        assertArrayEquals(new float[] {0.95f, -2.025f}, w.value().toFloatArray(), 1e-6f);
        assertEquals(1, sgd.stepCount());
    }

    @Test
    void momentumWithWeightDecay() {
        Parameter w = p();
        Sgd sgd = new Sgd(List.of(w), Sgd.Config.defaults().lr(0.1).momentum(0.9).weightDecay(0.01));
        Grads.set(w, 0.5f, 0.25f);
        sgd.step();
        // d = g + 0.01·p = [0.51, 0.23]; buf = d; p -= 0.1·buf
        assertArrayEquals(new float[] {0.949f, -2.023f}, w.value().toFloatArray(), 1e-6f);
        Grads.set(w, 0.5f, 0.25f);
        sgd.step();
        // d = [0.50949, 0.22977]; buf = 0.9·[0.51, 0.23] + d = [0.96849, 0.43677]
        assertArrayEquals(new float[] {0.852151f, -2.066677f}, w.value().toFloatArray(), 1e-6f);
    }

    @Test
    void nesterov() {
        Parameter w = p();
        Sgd sgd = new Sgd(List.of(w), Sgd.Config.defaults().lr(0.1).momentum(0.9).nesterov(true).weightDecay(0.01));
        Grads.set(w, 0.5f, 0.25f);
        sgd.step();
        // buf = d = [0.51, 0.23]; update = d + 0.9·buf = [0.969, 0.437]
        assertArrayEquals(new float[] {0.9031f, -2.0437f}, w.value().toFloatArray(), 1e-6f);
        Grads.set(w, 0.5f, 0.25f);
        sgd.step();
        // d = g + 0.01·[0.9031, -2.0437] = [0.509031, 0.229563]; buf = 0.9·[0.51, 0.23] + d = [0.968031, 0.436563]
        // update = d + 0.9·buf = [1.3802589, 0.6224697]
        assertArrayEquals(new float[] {0.9031f - 0.13802589f, -2.0437f - 0.06224697f}, w.value().toFloatArray(), 1e-6f);
    }

    @Test
    void dampening() {
        Parameter w = p();
        Sgd sgd = new Sgd(List.of(w), Sgd.Config.defaults().lr(1).momentum(0.5).dampening(0.5));
        Grads.set(w, 1f, 1f);
        sgd.step(); // buf = g (no dampening on the first step)
        Grads.set(w, 1f, 1f);
        sgd.step(); // buf = 0.5 + 0.5 = 1
        assertArrayEquals(new float[] {-1f, -4f}, w.value().toFloatArray(), 1e-6f);
    }

    @Test
    void skipsParametersWithoutGradient() {
        Parameter a = p();
        Parameter b = p();
        Sgd sgd = new Sgd(List.of(a, b), Sgd.Config.defaults().lr(0.1).momentum(0.9));
        Grads.set(a, 1f, 1f);
        sgd.step();
        assertArrayEquals(new float[] {1f, -2f}, b.value().toFloatArray());
        assertEquals(1, sgd.stateDict().size() - 1);
    }

    @Test
    void rejectsBadConfig() {
        assertThrows(IllegalArgumentException.class, () -> Sgd.Config.defaults().nesterov(true));
        assertThrows(IllegalArgumentException.class, () -> Sgd.Config.defaults().lr(-1));
    }
}

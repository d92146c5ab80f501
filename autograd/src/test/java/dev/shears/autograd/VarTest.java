package dev.shears.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.tensor.Shape;
import dev.shears.tensor.Tensor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class VarTest {

    @Test
    void leavesAndRecording() {
        Var c = Var.constant(Tensor.ones(2));
        Var p = Var.param(Tensor.ones(2));
        assertFalse(c.requiresGrad());
        assertTrue(p.requiresGrad());
        assertTrue(p.isLeaf());
        assertNull(c.add(c).node());
        Var y = c.mul(p);
        assertTrue(y.requiresGrad());
        assertEquals("mul", y.node().op());
        assertEquals(2, y.node().inputs().size());
        assertSame(c, y.node().inputs().get(0));
    }

    @Test
    void aVarUsedTwiceGetsTheSumOfItsGradients() {
        Var x = Var.param(Tensor.of(new float[] {1f, -2f, 3f}, 3));
        x.mul(x).add(x).sum().backward(); // d(x² + x) = 2x + 1
        assertArrayEquals(new float[] {3f, -3f, 7f}, x.grad().toFloatArray());
    }

    @Test
    void backwardOnTwoGraphsAccumulatesIntoTheLeafUntilZeroGrad() {
        Var x = Var.param(Tensor.of(new float[] {1f, 2f}, 2));
        x.mul(3f).sum().backward();
        x.mul(3f).sum().backward();
        assertArrayEquals(new float[] {6f, 6f}, x.grad().toFloatArray());
        x.zeroGrad();
        assertNull(x.grad());
        x.square().sum().backward();
        assertArrayEquals(new float[] {2f, 4f}, x.grad().toFloatArray());
    }

    @Test
    void gradientOfALeafIsItsOwnTensor() {
        // add's backward hands the same gradient to both inputs; the leaves must not share it
        Var a = Var.param(Tensor.zeros(2));
        Var b = Var.param(Tensor.zeros(2));
        a.add(b).sum().backward();
        a.grad().addi(1f);
        assertArrayEquals(new float[] {1f, 1f}, b.grad().toFloatArray());
    }

    @Test
    void scalarLossOnALeafSeedsOne() {
        Var x = Var.param(Tensor.scalar(4f));
        x.backward();
        assertEquals(1f, x.grad().item());
    }

    @Test
    void noGradRecordsNothingAndNests() {
        Var x = Var.param(Tensor.ones(3));
        assertTrue(Autograd.isGradEnabled());
        try (var outer = Autograd.noGrad()) {
            try (var inner = Autograd.noGrad()) {
                Var y = x.mul(2f).exp();
                assertFalse(y.requiresGrad());
                assertNull(y.node());
            }
            assertFalse(Autograd.isGradEnabled());
            assertNull(x.add(x).node());
        }
        assertTrue(Autograd.isGradEnabled());
        assertNotNull(x.mul(2f).node());
    }

    @Test
    void noGradIsPerThread() throws Exception {
        AtomicBoolean otherThreadRecords = new AtomicBoolean();
        try (var g = Autograd.noGrad()) {
            Thread t = new Thread(() -> otherThreadRecords.set(Var.param(Tensor.ones(1)).mul(2f).requiresGrad()));
            t.start();
            t.join();
        }
        assertTrue(otherThreadRecords.get());
    }

    @Test
    void detachCutsTheGraph() {
        Var x = Var.param(Tensor.of(new float[] {2f}, 1));
        Var y = x.square().detach().mul(x).sum(); // d/dx (c · x) = c = 4
        y.backward();
        assertArrayEquals(new float[] {4f}, x.grad().toFloatArray());
    }

    @Test
    void deepChainOf100kOpsDoesNotOverflowTheStack() {
        Var x = Var.param(Tensor.scalar(0f));
        Var y = x;
        for (int i = 0; i < 100_000; i++) {
            y = (i & 1) == 0 ? y.add(1f) : y.mul(1f);
        }
        y.backward();
        assertEquals(1f, x.grad().item());
        assertEquals(100_000 / 2, y.item(), 1e-3);
    }

    @Test
    void secondBackwardOnAReleasedGraphFails() {
        Var x = Var.param(Tensor.ones(3));
        Var z = x.mul(2f);
        Var loss = z.sum();
        loss.backward();
        assertTrue(loss.node().isReleased());
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("already released"), e.getMessage());
        // a new graph through a released intermediate fails too, before touching any gradient
        Tensor before = x.grad().copy();
        IllegalStateException e2 = assertThrows(IllegalStateException.class, () -> z.mul(3f).sum().backward());
        assertTrue(e2.getMessage().contains("'mul' was already released"), e2.getMessage());
        assertArrayEquals(before.toFloatArray(), x.grad().toFloatArray());
    }

    @Test
    void backwardNeedsAScalarThatRequiresGrad() {
        Var x = Var.param(Tensor.ones(2, 3));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> x.mul(2f).backward());
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("scalar"), e.getMessage());
        IllegalStateException e2 = assertThrows(IllegalStateException.class, () -> Var.constant(1f).backward());
        assertTrue(e2.getMessage().contains("does not require grad"), e2.getMessage());
    }

    @Test
    void unbroadcastSumsLeadingAndSizeOneAxes() {
        Tensor g = Tensor.ones(2, 3, 4);
        assertSame(g, Autograd.unbroadcast(g, Shape.of(2, 3, 4)));
        assertArrayEquals(new float[] {6f, 6f, 6f, 6f}, Autograd.unbroadcast(g, Shape.of(4)).toFloatArray());
        Tensor r = Autograd.unbroadcast(g, Shape.of(3, 1));
        assertEquals(Shape.of(3, 1), r.shape());
        assertArrayEquals(new float[] {8f, 8f, 8f}, r.toFloatArray());
        assertEquals(24f, Autograd.unbroadcast(g, Shape.scalar()).item());
        assertThrows(IllegalArgumentException.class, () -> Autograd.unbroadcast(g, Shape.of(5)));
    }

    /** x³ as a custom op. */
    private static final class Cube implements Function {
        @Override
        public Tensor forward(Tensor... in) {
            return in[0].pow(3f);
        }

        @Override
        public Tensor[] backward(Tensor g, Tensor[] in, Tensor out) {
            return new Tensor[] {g.mul(in[0].square()).mul(3f)};
        }
    }

    /** a·b + a with a gradient only for a (b is treated as structure). */
    private static final class ScaleShift implements Function {
        @Override
        public String name() {
            return "scaleShift";
        }

        @Override
        public Tensor forward(Tensor... in) {
            return in[0].mul(in[1]).add(in[0]);
        }

        @Override
        public Tensor[] backward(Tensor g, Tensor[] in, Tensor out) {
            return new Tensor[] {g.mul(in[1].add(1f)), g.mul(in[0])};
        }
    }

    @Test
    void customFunctionsWork() {
        Var x = Var.param(Tensor.of(new float[] {1f, 2f}, 2));
        Var y = Var.apply(new Cube(), x);
        assertEquals("Cube", y.node().op());
        y.sum().backward();
        assertArrayEquals(new float[] {3f, 12f}, x.grad().toFloatArray());
        GradCheck.check(v -> Var.apply(new Cube(), v[0]).mul(v[0]), Inputs.randn(1, 3, 4));
        GradCheck.check(v -> Var.apply(new ScaleShift(), v[0], v[1]), Inputs.randn(2, 3), Inputs.randn(3, 3));
        assertEquals("scaleShift", Var.apply(new ScaleShift(), x, x).node().op());
    }
}

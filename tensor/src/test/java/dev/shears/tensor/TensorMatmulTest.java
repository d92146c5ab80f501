package dev.shears.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.shears.tensor.simd.Simd;
import dev.shears.testing.ArrayAssert;
import dev.shears.testing.Operands;
import dev.shears.testing.Operands.Kind;
import dev.shears.testing.Operands.Operand;
import dev.shears.testing.Reference;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TensorMatmulTest {
    private static final int L = Simd.LANES;

    /**
     * Checks {@code a·b} (both of rank ≥ 2) against the double reference with the classic bound
     * |error| ≤ (k + 2)·u·Σ|a||b| per element (u = 2^-24).
     */
    private static void check(Operand a, Operand b, Tensor actual, String ctx) {
        Shape as = a.shape();
        Shape bs = b.shape();
        Shape aBatch = Shape.of(Arrays.copyOf(as.dims(), as.rank() - 2));
        Shape bBatch = Shape.of(Arrays.copyOf(bs.dims(), bs.rank() - 2));
        Shape batch = Shape.broadcast(aBatch, bBatch, "test");
        int[] out = Arrays.copyOf(batch.dims(), batch.rank() + 2);
        out[batch.rank()] = as.dim(-2);
        out[batch.rank() + 1] = bs.dim(-1);
        assertEquals(Shape.of(out), actual.shape(), ctx);
        double[] expected = Reference.matmulBatched(a.values(), as, b.values(), bs, batch);
        double[] bound = Reference.matmulAbs(a.values(), as, b.values(), bs, batch);
        int k = as.dim(-1);
        for (int i = 0; i < bound.length; i++) {
            bound[i] = bound[i] * (k + 2) * 0x1p-24 + 1e-30;
        }
        ArrayAssert.assertWithin(expected, bound, actual.toFloatArray(), ctx);
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {1300, 1301})
    void twoDimensionalAwkwardSizesAndLayouts(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] sizes = {1, 2, 7, Math.max(1, L - 1), L + 1, 17, 33};
        Kind[] kinds = {Kind.CONTIGUOUS, Kind.TRANSPOSED, Kind.NARROWED, Kind.PERMUTED_NARROWED};
        int trial = 0;
        for (int m : sizes) {
            for (int n : sizes) {
                for (int k : new int[] {1, 3, L + 1, 31}) {
                    Kind ka = kinds[trial % kinds.length];
                    Kind kb = kinds[(trial / kinds.length + trial) % kinds.length];
                    trial++;
                    Operand a = Operands.random(ka, rnd, m, k);
                    Operand b = Operands.random(kb, rnd, k, n);
                    Tensor c = a.tensor().matmul(b.tensor());
                    check(a, b, c, "seed " + seed + " " + a + " · " + b);
                    assertArrayEquals(a.values(), a.tensor().toFloatArray(), "matmul leaves its lhs unchanged");
                }
            }
        }
    }

    @Test
    void largerProductWithTransposedOperands() {
        SplittableRandom rnd = new SplittableRandom(1310);
        int m = 67;
        int k = 129;
        int n = 3 * L + 5;
        Operand a = Operands.random(Kind.TRANSPOSED, rnd, m, k);
        Operand b = Operands.random(Kind.TRANSPOSED, rnd, k, n);
        check(a, b, a.tensor().matmul(b.tensor()), "seed 1310 Aᵀ-stored · Bᵀ-stored");
        Operand c = Operands.random(Kind.CONTIGUOUS, rnd, m, k);
        Operand d = Operands.random(Kind.CONTIGUOUS, rnd, k, n);
        check(c, d, c.tensor().matmul(d.tensor()), "seed 1310 contiguous");
    }

    @Test
    void transposedViewsAreUsedInPlace() {
        // A transposed view is a strided layout the backend multiplies directly: the strides are
        // swapped, the storage is the original one, and the product is right.
        Tensor w = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3); // [out=2, in=3]
        Tensor wt = w.t();
        assertEquals(w.storage(), wt.storage());
        assertNull(wt.layout().viewAs(Shape.of(6)), "the view is really non-contiguous");
        Tensor x = Tensor.of(new float[] {1, 0, -1, 2, 1, 0}, 2, 3);
        assertArrayEquals(new float[] {-2, -2, 4, 13}, x.matmul(wt).toFloatArray(), "x · wᵀ");
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, w.toFloatArray());
        // The backend takes the transposed layouts as they are: [m, k] and [k, n] read through swapped strides.
        int m = 5;
        int k = L + 3;
        int n = 4;
        SplittableRandom rnd = new SplittableRandom(1315);
        float[] aStored = Operands.gaussian(rnd, k * m); // [k, m]
        float[] bStored = Operands.gaussian(rnd, n * k); // [n, k]
        Layout aT = Layout.contiguous(Shape.of(1, k, m)).transpose(1, 2);
        Layout bT = Layout.contiguous(Shape.of(1, n, k)).transpose(1, 2);
        Tensor as = Tensor.of(aStored, k * m);
        Tensor bs = Tensor.of(bStored, n * k);
        Tensor c = Tensor.zeros(m, n);
        dev.shears.tensor.cpu.CpuBackend.INSTANCE.matmul(as.storage(), aT, bs.storage(), bT, c.storage(), 1, m, n, k);
        float[] a = Reference.permute(aStored, Shape.of(k, m), 1, 0);
        float[] b = Reference.permute(bStored, Shape.of(n, k), 1, 0);
        ArrayAssert.assertClose(Reference.matmul(a, b, m, n, k), c.toFloatArray(), 1e-5, 1e-5,
                "seed 1315 backend matmul of transposed layouts");
    }

    @Test
    void vectorOperands() {
        SplittableRandom rnd = new SplittableRandom(1320);
        int m = 5;
        int k = L + 1;
        int n = 7;
        float[] vk = Operands.gaussian(rnd, k);
        float[] wk = Operands.gaussian(rnd, k);
        Operand mat = Operands.random(Kind.TRANSPOSED, rnd, m, k);
        Operand matKn = Operands.random(Kind.NARROWED, rnd, k, n);
        Tensor v = Tensor.of(vk, k);
        // matrix · vector -> [m]
        Tensor mv = mat.tensor().matmul(v);
        assertEquals(Shape.of(m), mv.shape());
        ArrayAssert.assertClose(Reference.matmul(mat.values(), vk, m, 1, k), mv.toFloatArray(), 1e-5, 1e-5, "[m,k]·[k]");
        // vector · matrix -> [n]
        Tensor vm = v.matmul(matKn.tensor());
        assertEquals(Shape.of(n), vm.shape());
        ArrayAssert.assertClose(Reference.matmul(vk, matKn.values(), 1, n, k), vm.toFloatArray(), 1e-5, 1e-5, "[k]·[k,n]");
        // vector · vector -> scalar
        Tensor dot = v.matmul(Tensor.of(wk, k));
        assertEquals(Shape.scalar(), dot.shape(), "a dot product is a scalar");
        double expected = 0;
        for (int i = 0; i < k; i++) {
            expected += (double) vk[i] * wk[i];
        }
        assertEquals(expected, dot.item(), 1e-5, "seed 1320 dot product");
        // batched · vector -> [b, m]; vector · batched -> [b, n]
        Operand batched = Operands.random(Kind.PERMUTED, rnd, 3, m, k);
        Tensor bv = batched.tensor().matmul(v);
        assertEquals(Shape.of(3, m), bv.shape());
        ArrayAssert.assertClose(Reference.matmulBatched(batched.values(), batched.shape(), vk, Shape.of(k, 1), Shape.of(3)),
                bv.toFloatArray(), 1e-5, 1e-5, "[3,m,k]·[k] seed 1320");
        Operand batchedKn = Operands.random(Kind.CONTIGUOUS, rnd, 3, k, n);
        Tensor vb = v.matmul(batchedKn.tensor());
        assertEquals(Shape.of(3, n), vb.shape());
        ArrayAssert.assertClose(Reference.matmulBatched(vk, Shape.of(1, k), batchedKn.values(), batchedKn.shape(), Shape.of(3)),
                vb.toFloatArray(), 1e-5, 1e-5, "[k]·[3,k,n] seed 1320");
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {1330, 1331})
    void batchedWithBroadcastBatchAxes(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int m = L + 1;
        int k = 7;
        int n = 5;
        int[][][] cases = {
            {{4, m, k}, {4, k, n}},
            {{4, m, k}, {k, n}},
            {{m, k}, {3, k, n}},
            {{2, 1, m, k}, {3, k, n}},
            {{2, 3, m, k}, {1, 3, k, n}},
            {{1, m, k}, {5, k, n}},
            {{2, 1, 3, m, k}, {4, 1, k, n}},
        };
        for (int[][] c : cases) {
            for (Kind kind : new Kind[] {Kind.CONTIGUOUS, Kind.PERMUTED, Kind.PERMUTED_NARROWED}) {
                Operand a = Operands.random(kind, rnd, c[0]);
                Operand b = Operands.random(kind == Kind.PERMUTED ? Kind.CONTIGUOUS : Kind.TRANSPOSED, rnd, c[1]);
                check(a, b, a.tensor().matmul(b.tensor()), "seed " + seed + " " + a + " · " + b);
            }
        }
    }

    @Test
    void aBatchAgainstOneSharedMatrixIsOneProductWithTheSameBits() {
        // A linear layer's x [b, t, in]·Wᵀ: the batch runs as one product of b·t rows (B packed once);
        // every element must have exactly the bits of its own entry's product.
        Rng rng = Rng.seeded(1350);
        for (int[] s : new int[][] {{12, 64, 40, 70}, {3, 1, 33, 130}, {5, 17, 129, 9}, {4, 7, 300, 2 * L + 1}}) {
            Tensor x = Tensor.randn(rng, s[0], s[1], s[2]);
            Tensor w = Tensor.randn(rng, s[3], s[2]);
            for (Tensor b : new Tensor[] {w.transpose(0, 1), w.transpose(0, 1).contiguous()}) {
                Tensor all = x.matmul(b);
                for (int i = 0; i < s[0]; i++) {
                    Tensor one = x.narrow(0, i, 1).reshape(s[1], s[2]).matmul(b);
                    assertArrayEquals(one.toFloatArray(), all.narrow(0, i, 1).reshape(s[1], s[3]).toFloatArray(),
                            Arrays.toString(s) + " entry " + i);
                }
            }
        }
    }

    @Test
    void batchAxesThatCannotBeMerged() {
        SplittableRandom rnd = new SplittableRandom(1340);
        int m = 3;
        int k = L + 1;
        int n = 4;
        // Batch axes [2, 3] stored as [3, 2]: no single stride walks them in order.
        Operand swapped = Operands.random(Kind.CONTIGUOUS, rnd, 3, 2, m, k);
        Tensor a = swapped.tensor().permute(1, 0, 2, 3);
        float[] av = Reference.permute(swapped.values(), swapped.shape(), 1, 0, 2, 3);
        Operand aOp = new Operand(a, av, Shape.of(2, 3, m, k), "batch-permuted [2, 3, m, k]");
        Operand b = Operands.random(Kind.CONTIGUOUS, rnd, 2, 3, k, n);
        check(aOp, b, a.matmul(b.tensor()), "seed 1340 permuted batch axes");
        // Broadcast along the inner batch axis only: stride 0 inside, non-zero outside.
        Operand half = Operands.random(Kind.CONTIGUOUS, rnd, 2, 1, k, n);
        Tensor bExp = half.tensor().expand(2, 3, k, n);
        Operand bOp = new Operand(bExp, Reference.expand(half.values(), half.shape(), Shape.of(2, 3, k, n)),
                Shape.of(2, 3, k, n), "expanded [2, 1 -> 3, k, n]");
        check(aOp, bOp, a.matmul(bExp), "seed 1340 inner batch broadcast");
        check(Operands.of(Kind.CONTIGUOUS, av, rnd, 2, 3, m, k), half, Tensor.of(av, 2, 3, m, k).matmul(half.tensor()),
                "seed 1340 implicit broadcast");
    }

    @Test
    void emptyDimensions() {
        Tensor zk = Tensor.ones(3, 0).matmul(Tensor.ones(0, 4));
        assertEquals(Shape.of(3, 4), zk.shape());
        assertArrayEquals(new float[12], zk.toFloatArray(), "k = 0 gives zeros");
        assertEquals(Shape.of(0, 4), Tensor.ones(0, 2).matmul(Tensor.ones(2, 4)).shape());
        assertEquals(Shape.of(3, 0), Tensor.ones(3, 2).matmul(Tensor.ones(2, 0)).shape());
        assertEquals(Shape.of(0, 3, 4), Tensor.ones(0, 3, 2).matmul(Tensor.ones(2, 4)).shape());
    }

    @Test
    void errors() {
        ShapeException e = assertThrows(ShapeException.class, () -> Tensor.zeros(32, 784).matmul(Tensor.zeros(128, 10)));
        assertEquals("matmul: inner dimensions differ: lhs [32, 784] vs rhs [128, 10] (784 != 128)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Tensor.zeros(3).matmul(Tensor.zeros(4)));
        assertEquals("matmul: inner dimensions differ: lhs [3] vs rhs [4] (3 != 4)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Tensor.zeros(2, 5, 3).matmul(Tensor.zeros(4)));
        assertEquals("matmul: inner dimensions differ: lhs [2, 5, 3] vs rhs [4] (3 != 4)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Tensor.zeros(4).matmul(Tensor.zeros(2, 3, 5)));
        assertEquals("matmul: inner dimensions differ: lhs [4] vs rhs [2, 3, 5] (4 != 3)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Tensor.scalar(1f).matmul(Tensor.zeros(3)));
        assertEquals("matmul: operands must have rank >= 1, got lhs [] and rhs [3]", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Tensor.zeros(2, 4, 3).matmul(Tensor.zeros(3, 3, 5)));
        assertEquals("matmul: batch axes [2] of lhs [2, 4, 3] and [3] of rhs [3, 3, 5] cannot be broadcast", e.getMessage());
        DTypeException d = assertThrows(DTypeException.class,
                () -> Tensor.zeros(2, 2).matmul(Tensor.ofInts(new int[4], 2, 2)));
        assertEquals("matmul: expected F32, got I32 (shape [2, 2])", d.getMessage());
    }
}

package dev.shears.sparse;

import static dev.shears.sparse.SparseTestData.assertContains;
import static dev.shears.sparse.SparseTestData.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.shears.tensor.DType;
import dev.shears.tensor.DTypeException;
import dev.shears.tensor.Device;
import dev.shears.tensor.DeviceMismatchException;
import dev.shears.tensor.Layout;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Shape;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;
import dev.shears.tensor.spi.Storage;
import dev.shears.testing.TensorAssert;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link SparseOps} against dense double-precision products of {@code toDense(W)}, for every format. */
class SparseOpsTest {
    private static final double RTOL = 1e-5;
    private static final double ATOL = 1e-5;

    enum Format { CSR, BITMAP, SEMI24, BLOCK_DIAGONAL }

    /** A random weight with explicit zeros among its stored values, and which dense positions it stores. */
    record Weight(SparseMatrix w, boolean[] stored) {
        static Weight random(Format f, int rows, int cols, Rng rng) {
            float[] dense = new float[rows * cols];
            boolean[] keep = new boolean[rows * cols];
            for (int i = 0; i < dense.length; i++) {
                dense[i] = rng.nextInt(8) == 0 ? 0f : (float) rng.nextGaussian();
            }
            switch (f) {
                case CSR, BITMAP -> {
                    for (int i = 0; i < keep.length; i++) {
                        keep[i] = i / cols != 1 && rng.nextDouble() < 0.4; // row 1 stores nothing
                    }
                }
                case SEMI24 -> {
                    for (int g = 0; g < keep.length; g += 4) {
                        int first = rng.nextInt(4);
                        int second = (first + 1 + rng.nextInt(3)) % 4;
                        keep[g + first] = true;
                        keep[g + second] = true;
                    }
                }
                case BLOCK_DIAGONAL -> throw new IllegalArgumentException("use blockDiagonal()");
            }
            Tensor w = Tensor.of(dense, rows, cols);
            Tensor mask = Mask.fromKeptIndices(Shape.of(rows, cols), indices(keep)).tensor();
            SparseMatrix m = switch (f) {
                case CSR -> CsrMatrix.fromDenseAndMask(w, mask);
                case BITMAP -> BitmapMatrix.fromDenseAndMask(w, mask);
                default -> SemiStructured24.fromDenseAndMask(w, mask);
            };
            return new Weight(m, keep);
        }

        static Weight blockDiagonal(int nb, int b, Rng rng) {
            int n = nb * b;
            boolean[] keep = new boolean[n * n];
            for (int i = 0; i < keep.length; i++) {
                keep[i] = i / n / b == i % n / b;
            }
            return new Weight(BlockDiagonal.of(Tensor.randn(rng, nb, b, b)), keep);
        }
    }

    /** {@code toDense(w)}, row-major, in double. */
    static double[] dense(SparseMatrix w) {
        float[] d = w.toDense().toFloatArray();
        double[] out = new double[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = d[i];
        }
        return out;
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        long seed = 100;
        for (int batch : new int[] {1, 2, 7, 33}) {
            for (int rows : new int[] {1, 3, 17}) {
                for (int cols : new int[] {4, 12, 20, 33}) {
                    out.add(Arguments.of(Format.CSR, rows, cols, batch, seed++));
                    out.add(Arguments.of(Format.BITMAP, rows, cols, batch, seed++));
                    if (cols % 4 == 0) {
                        out.add(Arguments.of(Format.SEMI24, rows, cols, batch, seed++));
                    }
                }
            }
            for (int[] blocks : new int[][] {{1, 1}, {3, 4}, {2, 17}}) {
                out.add(Arguments.of(Format.BLOCK_DIAGONAL, blocks[0], blocks[1], batch, seed++));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}x{2} batch {3} seed {4}")
    @MethodSource("cases")
    void productsEqualTheDenseOnesOfToDense(Format f, int p, int q, int batch, long seed) {
        Rng rng = Rng.seeded(seed);
        Weight wt = f == Format.BLOCK_DIAGONAL ? Weight.blockDiagonal(p, q, rng) : Weight.random(f, p, q, rng);
        SparseMatrix w = wt.w();
        int out = w.rows();
        int in = w.cols();
        double[] dense = dense(w);
        String context = w + " batch " + batch + " seed " + seed;

        Tensor x = Tensor.randn(rng, batch, in);
        Tensor bias = Tensor.randn(rng, out);
        Tensor dy = Tensor.randn(rng, batch, out);
        double[] y = new double[batch * out];
        double[] yb = new double[batch * out];
        double[] dx = new double[batch * in];
        double[] dValues = new double[w.nnz()];
        float[] xs = x.toFloatArray();
        float[] bs = bias.toFloatArray();
        float[] dys = dy.toFloatArray();
        for (int i = 0; i < batch; i++) {
            for (int r = 0; r < out; r++) {
                for (int c = 0; c < in; c++) {
                    y[i * out + r] += xs[i * in + c] * dense[r * in + c];
                    dx[i * in + c] += dys[i * out + r] * dense[r * in + c];
                }
                yb[i * out + r] = y[i * out + r] + bs[r];
            }
        }
        // The stored values are in row-major order of their positions in every format.
        int v = 0;
        for (int pos = 0; pos < wt.stored().length; pos++) {
            if (wt.stored()[pos]) {
                for (int i = 0; i < batch; i++) {
                    dValues[v] += (double) dys[i * out + pos / in] * xs[i * in + pos % in];
                }
                v++;
            }
        }
        assertEquals(w.nnz(), v, context + ": stored positions");

        TensorAssert.assertClose(y, Shape.of(batch, out), SparseOps.linear(x, w, null), RTOL, ATOL,
                context + " linear");
        TensorAssert.assertClose(yb, Shape.of(batch, out), SparseOps.linear(x, w, bias), RTOL, ATOL,
                context + " linear + bias");
        TensorAssert.assertClose(dx, Shape.of(batch, in), SparseOps.spmmTransposed(dy, w), RTOL, ATOL,
                context + " spmmTransposed");
        TensorAssert.assertClose(dValues, SparseOps.values(w).shape(), SparseOps.sddmm(w, dy, x), RTOL, ATOL,
                context + " sddmm");
    }

    @Test
    void leadingAxesAreFlattenedAndRestoredAndViewsAreRead() {
        Rng rng = Rng.seeded(7);
        SparseMatrix w = Weight.random(Format.SEMI24, 5, 8, rng).w();
        Tensor x = Tensor.randn(rng, 2, 3, 8);
        Tensor flat = SparseOps.linear(x.reshape(6, 8), w, null);
        Tensor y = SparseOps.linear(x, w, null);
        assertEquals(Shape.of(2, 3, 5), y.shape());
        TensorAssert.assertClose(flat.reshape(2, 3, 5), y, 0, 0, "rank 3 vs flattened");
        Tensor vector = SparseOps.linear(x.reshape(6, 8).narrow(0, 4, 1).reshape(8), w, null);
        assertEquals(Shape.of(5), vector.shape());
        TensorAssert.assertClose(flat.narrow(0, 4, 1).reshape(5), vector, 0, 0, "a rank-1 x");

        Tensor xt = Tensor.randn(rng, 8, 4).t(); // [4, 8], not contiguous
        TensorAssert.assertClose(SparseOps.linear(xt.contiguous(), w, null), SparseOps.linear(xt, w, null), 0, 0,
                "a transposed view");
        Tensor dy = Tensor.randn(rng, 2, 3, 5);
        assertEquals(Shape.of(2, 3, 8), SparseOps.spmmTransposed(dy, w).shape());
        TensorAssert.assertClose(SparseOps.sddmm(w, dy.reshape(6, 5), x.reshape(6, 8)), SparseOps.sddmm(w, dy, x), 0, 0,
                "sddmm over leading axes");
        assertEquals(Shape.of(0, 5), SparseOps.linear(Tensor.zeros(0, 8), w, null).shape());
    }

    @ParameterizedTest(name = "out {0} in {1} blocks {2} batch {3}")
    @MethodSource("armorCases")
    void armorEqualsTheDenseProductOfItsFactors(int out, int in, int b, int batch) {
        Rng rng = Rng.seeded(31L * out + 7L * in + b + 1000L * batch);
        BlockDiagonal a = BlockDiagonal.of(Tensor.randn(rng, out / b, b, b));
        SemiStructured24 s = (SemiStructured24) Weight.random(Format.SEMI24, out, in, rng).w();
        BlockDiagonal bd = BlockDiagonal.of(Tensor.randn(rng, in / b, b, b));
        Tensor x = Tensor.randn(rng, batch, in);
        Tensor bias = Tensor.randn(rng, out);
        // Ŵ = A·S·B and y = x·Ŵᵀ + bias, in double.
        double[] ad = dense(a);
        double[] sd = dense(s);
        double[] bdd = dense(bd);
        double[] w = new double[out * in];
        for (int r = 0; r < out; r++) {
            for (int c = 0; c < in; c++) {
                for (int i = 0; i < out; i++) {
                    for (int j = 0; j < in; j++) {
                        w[r * in + c] += ad[r * out + i] * sd[i * in + j] * bdd[j * in + c];
                    }
                }
            }
        }
        float[] xs = x.toFloatArray();
        float[] bs = bias.toFloatArray();
        double[] y = new double[batch * out];
        for (int n = 0; n < batch; n++) {
            for (int r = 0; r < out; r++) {
                y[n * out + r] = bs[r];
                for (int c = 0; c < in; c++) {
                    y[n * out + r] += xs[n * in + c] * w[r * in + c];
                }
            }
        }
        TensorAssert.assertClose(y, Shape.of(batch, out), SparseOps.armor(x, a, s, bd, bias), 1e-4, 1e-4,
                "armor " + out + "x" + in + " blocks " + b + " batch " + batch);
    }

    static Stream<Arguments> armorCases() {
        List<Arguments> out = new ArrayList<>();
        for (int batch : new int[] {1, 2, 7, 33}) {
            out.add(Arguments.of(4, 8, 4, batch));
            out.add(Arguments.of(6, 12, 2, batch));
            out.add(Arguments.of(3, 12, 3, batch));
        }
        return out.stream();
    }

    @Test
    void valuesAndWithValuesShareEachFormatsLayout() {
        Rng rng = Rng.seeded(9);
        for (SparseMatrix w : new SparseMatrix[] {Weight.random(Format.CSR, 3, 5, rng).w(),
                Weight.random(Format.BITMAP, 3, 5, rng).w(), Weight.random(Format.SEMI24, 3, 8, rng).w(),
                Weight.blockDiagonal(2, 3, rng).w()}) {
            Tensor v = SparseOps.values(w);
            assertEquals(w.nnz(), v.numel(), w.toString());
            Tensor twice = v.mul(2f);
            SparseMatrix doubled = SparseOps.withValues(w, twice);
            assertSame(w.getClass(), doubled.getClass());
            TensorAssert.assertClose(w.toDense().mul(2f), doubled.toDense(), 0, 0, w.toString());
        }
    }

    @Test
    void productsWithValuesReadInPlaceEqualThoseOfTheRebuiltMatrix() {
        Rng rng = Rng.seeded(10);
        Tensor x = Tensor.randn(rng, 3, 2, 8);
        Tensor dy = Tensor.randn(rng, 5, 6);
        for (SparseMatrix w : new SparseMatrix[] {Weight.random(Format.CSR, 6, 8, rng).w(),
                Weight.random(Format.BITMAP, 6, 8, rng).w(), Weight.random(Format.SEMI24, 6, 8, rng).w()}) {
            Tensor other = Tensor.randn(rng, SparseOps.values(w).shape().dims());
            SparseMatrix rebuilt = SparseOps.withValues(w, other);
            TensorAssert.assertClose(SparseOps.linear(x, rebuilt, null), SparseOps.linear(x, w, other, null), 0, 0,
                    w.toString());
            TensorAssert.assertClose(SparseOps.spmmTransposed(dy, rebuilt), SparseOps.spmmTransposed(dy, w, other), 0,
                    0, w.toString());
            String m = message(ShapeException.class, () -> SparseOps.linear(x, w, Tensor.zeros(2), null));
            assertContains(m, "SparseOps.linear", "values [2]", w.toString());
        }
        SemiStructured24 s = (SemiStructured24) Weight.random(Format.SEMI24, 4, 8, rng).w();
        BlockDiagonal a = (BlockDiagonal) Weight.blockDiagonal(2, 2, rng).w(); // patterns: their values are not read
        BlockDiagonal b = (BlockDiagonal) Weight.blockDiagonal(4, 2, rng).w();
        Tensor core = Tensor.randn(rng, 4, 4);
        Tensor ab = Tensor.randn(rng, 2, 2, 2);
        Tensor bb = Tensor.randn(rng, 4, 2, 2);
        Tensor xa = Tensor.randn(rng, 3, 8);
        TensorAssert.assertClose(SparseOps.armor(xa, BlockDiagonal.of(ab), s.withValues(core), BlockDiagonal.of(bb), null),
                SparseOps.armor(xa, a, s, core, b, null, ab, bb), 0, 0, "armor");
    }

    // ==== errors ================================================================================

    @Test
    void errorsNameTheShapesAndTheWeight() {
        Rng rng = Rng.seeded(11);
        SparseMatrix w = Weight.random(Format.CSR, 3, 4, rng).w();
        String m = message(ShapeException.class, () -> SparseOps.linear(Tensor.zeros(2, 5), w, null));
        assertContains(m, "SparseOps.linear", "x [2, 5]", "in = 4", "got 5", "CsrMatrix[3, 4]");
        m = message(ShapeException.class, () -> SparseOps.linear(Tensor.scalar(1f), w, null));
        assertContains(m, "SparseOps.linear", "rank >= 1", "shape []");
        m = message(ShapeException.class, () -> SparseOps.linear(Tensor.zeros(2, 4), w, Tensor.zeros(4)));
        assertContains(m, "bias [4]", "must be [3]", "CsrMatrix[3, 4]");
        m = message(ShapeException.class, () -> SparseOps.spmmTransposed(Tensor.zeros(2, 4), w));
        assertContains(m, "SparseOps.spmmTransposed", "dy [2, 4]", "out = 3");
        m = message(ShapeException.class, () -> SparseOps.sddmm(w, Tensor.zeros(2, 3), Tensor.zeros(5, 4)));
        assertContains(m, "SparseOps.sddmm", "dy [2, 3]", "x [5, 4]", "leading");
        m = message(DTypeException.class, () -> SparseOps.linear(Tensor.zeros(DType.I32, 2, 4), w, null));
        assertContains(m, "SparseOps.linear (x)", "F32", "I32");
    }

    @Test
    void armorRefusesFactorsThatDoNotCompose() {
        Rng rng = Rng.seeded(12);
        SemiStructured24 s = (SemiStructured24) Weight.random(Format.SEMI24, 4, 8, rng).w();
        BlockDiagonal a2 = BlockDiagonal.identity(2, 2);
        BlockDiagonal b2 = BlockDiagonal.identity(4, 2);
        String m = message(ShapeException.class,
                () -> SparseOps.armor(Tensor.zeros(1, 8), BlockDiagonal.identity(3, 2), s, b2, null));
        assertContains(m, "SparseOps.armor", "BlockDiagonal[6, 6]", "SemiStructured24[4, 8]", "out = 4");
        m = message(ShapeException.class, () -> SparseOps.armor(Tensor.zeros(1, 8), a2, s, BlockDiagonal.identity(2, 4),
                null));
        assertContains(m, "block size 2", "B's 4");
        m = message(ShapeException.class, () -> SparseOps.armor(Tensor.zeros(1, 6), a2, s, b2, null));
        assertContains(m, "x [1, 6]", "in = 8");
    }

    /** A storage that claims to live on a GPU: enough to build a tensor whose device is not the CPU. */
    private record ElsewhereStorage(int size) implements Storage {
        @Override
        public Device device() {
            return Device.cuda(0);
        }

        @Override
        public DType dtype() {
            return DType.F32;
        }
    }

    @Test
    void tensorsOffTheCpuAreRefusedNamingTheDevice() {
        SparseMatrix w = Weight.random(Format.BITMAP, 3, 4, Rng.seeded(13)).w();
        Tensor gpu = Tensor.wrap(new ElsewhereStorage(8), Layout.contiguous(Shape.of(2, 4)));
        String m = message(DeviceMismatchException.class, () -> SparseOps.linear(gpu, w, null));
        assertContains(m, "SparseOps.linear", "x [2, 4]", "cuda:0", "cpu");
    }

    private static int[] indices(boolean[] keep) {
        int n = 0;
        for (boolean k : keep) {
            n += k ? 1 : 0;
        }
        int[] out = new int[n];
        for (int i = 0, j = 0; i < keep.length; i++) {
            if (keep[i]) {
                out[j++] = i;
            }
        }
        return out;
    }
}

package dev.shears.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.tensor.simd.Simd;
import dev.shears.testing.ArrayAssert;
import dev.shears.testing.Operands;
import dev.shears.testing.Operands.Kind;
import dev.shears.testing.Operands.Operand;
import dev.shears.testing.Reference;
import dev.shears.testing.TensorAssert;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TensorElementwiseTest {
    private static final int L = Simd.LANES;

    /** Logical shapes with awkward sizes: 1, primes, lane count ± 1, long rows and short ones. */
    private static final int[][] SHAPES = {
        {1}, {L - 1 > 0 ? L - 1 : 1}, {L + 1}, {4 * L + 3}, {3, L + 1}, {2, 7, 17}, {33, 5}, {1, 31}, {5, 1, 3},
    };

    // ---- unary ---------------------------------------------------------------------------------

    /** Input ranges: gaussian·3, positive only, or wide. */
    enum Domain { NORMAL, POSITIVE, WIDE }

    record Unary(String name, Function<Tensor, Tensor> op, DoubleUnaryOperator ref, Domain domain, double rtol,
                 double atol) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Unary> unaryOps() {
        return List.of(
                new Unary("neg", Tensor::neg, x -> -x, Domain.WIDE, 0, 0),
                new Unary("abs", Tensor::abs, Math::abs, Domain.WIDE, 0, 0),
                new Unary("exp", Tensor::exp, Math::exp, Domain.NORMAL, 2e-6, 0),
                new Unary("log", Tensor::log, Math::log, Domain.POSITIVE, 2e-6, 1e-7),
                new Unary("sqrt", Tensor::sqrt, Math::sqrt, Domain.POSITIVE, 1e-6, 0),
                new Unary("rsqrt", Tensor::rsqrt, x -> 1 / Math.sqrt(x), Domain.POSITIVE, 2e-6, 0),
                new Unary("tanh", Tensor::tanh, Math::tanh, Domain.NORMAL, 2e-6, 1e-7),
                new Unary("sigmoid", Tensor::sigmoid, Reference::sigmoid, Domain.NORMAL, 2e-6, 1e-7),
                new Unary("relu", Tensor::relu, x -> Math.max(x, 0), Domain.WIDE, 0, 0),
                new Unary("gelu", Tensor::gelu, Reference::geluErf, Domain.NORMAL, 1e-5, 1e-6),
                new Unary("geluTanh", Tensor::geluTanh, Reference::geluTanh, Domain.NORMAL, 1e-5, 1e-6),
                new Unary("silu", Tensor::silu, x -> x * Reference.sigmoid(x), Domain.NORMAL, 2e-6, 1e-7),
                new Unary("square", Tensor::square, x -> x * x, Domain.WIDE, 1e-6, 0),
                new Unary("reciprocal", Tensor::reciprocal, x -> 1 / x, Domain.POSITIVE, 1e-6, 0),
                new Unary("pow(2.5)", t -> t.pow(2.5f), x -> Math.pow(x, 2.5), Domain.POSITIVE, 1e-5, 0),
                new Unary("pow(-1.5)", t -> t.pow(-1.5f), x -> Math.pow(x, -1.5), Domain.POSITIVE, 1e-5, 0),
                new Unary("pow(3)", t -> t.pow(3f), x -> x * x * x, Domain.NORMAL, 1e-5, 1e-6),
                new Unary("clamp(-0.5,1.25)", t -> t.clamp(-0.5f, 1.25f), x -> Math.min(Math.max(x, -0.5), 1.25),
                        Domain.NORMAL, 0, 0));
    }

    static float[] values(Domain d, SplittableRandom rnd, int n) {
        float[] v = Operands.gaussian(rnd, n);
        for (int i = 0; i < n; i++) {
            v[i] = switch (d) {
                case NORMAL -> 3 * v[i];
                case POSITIVE -> 0.05f + Math.abs(3 * v[i]);
                case WIDE -> (float) (v[i] * Math.pow(10, rnd.nextInt(9) - 4));
            };
        }
        return v;
    }

    static Stream<Arguments> unaryCases() {
        long seed = 100;
        Stream.Builder<Arguments> b = Stream.builder();
        for (Unary u : unaryOps()) {
            b.add(Arguments.of(u, seed++));
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("unaryCases")
    void unaryMatchesReferenceOnEveryLayout(Unary u, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int[] dims : SHAPES) {
            for (Kind kind : Kind.values()) {
                Shape s = Shape.of(dims);
                Operand x = Operands.of(kind, values(u.domain, rnd, s.numel()), rnd, dims);
                float[] before = x.tensor().toFloatArray();
                Tensor y = u.op.apply(x.tensor());
                assertTrue(y.isContiguous());
                TensorAssert.assertClose(Reference.map(x.values(), u.ref), s, y, u.rtol, u.atol,
                        u.name + " seed " + seed + " " + x);
                assertArrayEquals(before, x.tensor().toFloatArray(), u.name + " must not change its input");
            }
            Operand e = Operands.expanded(rnd, dims.length == 1 ? new int[] {3, dims[0]} : dims);
            if (e.shape().numel() > 0) {
                float[] ev = e.values().clone();
                for (int i = 0; i < ev.length; i++) {
                    ev[i] = u.domain == Domain.POSITIVE ? Math.abs(ev[i]) + 0.05f : ev[i];
                }
                Tensor input = u.domain == Domain.POSITIVE ? e.tensor().abs().add(0.05f) : e.tensor();
                TensorAssert.assertClose(Reference.map(ev, u.ref), e.shape(), u.op.apply(input), u.rtol, u.atol,
                        u.name + " seed " + seed + " " + e);
            }
        }
    }

    /** Each special value appears both in the vector body (row-major) and on the scalar path (transposed). */
    @Test
    void unarySpecialValuesAgreeOnVectorAndScalarPaths() {
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1f, -1f, 1e-30f,
            -1e-30f, 88f, -88f, 100f, -100f};
        int rows = 2 * L + 1;
        float[] data = new float[rows * special.length];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(special, 0, data, r * special.length, special.length);
        }
        Tensor rowMajor = Tensor.of(data, rows, special.length);
        Tensor columns = Tensor.of(data, rows, special.length).t();
        for (Unary u : unaryOps()) {
            double[] expected = roundToFloat(Reference.map(data, u.ref));
            TensorAssert.assertClose(expected, rowMajor.shape(), u.op.apply(rowMajor), Math.max(u.rtol, 1e-5),
                    Math.max(u.atol, 1e-6), u.name + " on special values (vector path)");
            double[] expectedT = roundToFloat(Reference.map(columns.toFloatArray(), u.ref));
            TensorAssert.assertClose(expectedT, columns.shape(), u.op.apply(columns), Math.max(u.rtol, 1e-5),
                    Math.max(u.atol, 1e-6), u.name + " on special values (strided path)");
        }
        float[] relu = Tensor.of(new float[] {Float.NaN, -0f, -3f}, 3).relu().toFloatArray();
        assertTrue(Float.isNaN(relu[0]), "relu(NaN) is NaN");
        assertEquals(0f, relu[1]);
        float[] clamped = Tensor.of(new float[] {Float.NaN, 5f, -5f}, 3).clamp(-1f, 1f).toFloatArray();
        assertTrue(Float.isNaN(clamped[0]), "clamp(NaN) is NaN");
        assertArrayEquals(new float[] {1f, -1f}, new float[] {clamped[1], clamped[2]});
    }

    /** The float a correctly rounded function returns (overflow to infinity included). */
    private static double[] roundToFloat(double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = (float) v[i];
        }
        return r;
    }

    @Test
    void knownGeluValues() {
        // GELU(x) = x·Φ(x); Φ(1) = 0.8413447460685429, Φ(-1) = 0.15865525393145707, Φ(2) = 0.9772498680518208.
        Tensor x = Tensor.of(new float[] {1f, -1f, 2f, 0f}, 4);
        ArrayAssert.assertClose(new double[] {0.8413447460685429, -0.15865525393145707, 2 * 0.9772498680518208, 0},
                x.gelu().toFloatArray(), 1e-6, 1e-7, "gelu known values");
        // tanh form at 1: 0.5·(1 + tanh(sqrt(2/π)·1.044715)) = 0.8411919906082768.
        ArrayAssert.assertClose(new double[] {0.8411919906082768}, Tensor.of(new float[] {1f}, 1).geluTanh().toFloatArray(),
                1e-6, 0, "geluTanh(1)");
    }

    @Test
    void unaryArgumentErrors() {
        Tensor x = Tensor.arange(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.clamp(2f, 1f));
        assertEquals("clamp: bounds [2.0, 1.0] must be ordered and not NaN", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> x.clamp(Float.NaN, 1f));
        e = assertThrows(IllegalArgumentException.class, () -> x.pow(Float.NaN));
        assertEquals("pow: exponent = NaN must be finite", e.getMessage());
        DTypeException d = assertThrows(DTypeException.class, () -> Tensor.ofInts(new int[] {1, 2, 3}, 3).exp());
        assertEquals("exp: expected F32, got I32 (shape [3])", d.getMessage());
        d = assertThrows(DTypeException.class, () -> Tensor.ofBytes(new byte[] {1}, 1).gelu());
        assertEquals("gelu: expected F32, got U8 (shape [1])", d.getMessage());
        assertEquals(Shape.of(0, 3), Tensor.zeros(0, 3).exp().shape());
    }

    // ---- binary --------------------------------------------------------------------------------

    record Binary(String name, BiFunction<Tensor, Tensor, Tensor> op, DoubleBinaryOperator ref, boolean positiveLhs,
                  double rtol) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Binary> binaryOps() {
        return List.of(
                new Binary("add", Tensor::add, Double::sum, false, 1e-6),
                new Binary("sub", Tensor::sub, (a, b) -> a - b, false, 1e-6),
                new Binary("mul", Tensor::mul, (a, b) -> a * b, false, 1e-6),
                new Binary("div", Tensor::div, (a, b) -> a / b, false, 1e-6),
                new Binary("pow", Tensor::pow, Math::pow, true, 1e-5),
                new Binary("maximum", Tensor::maximum, Reference::nanMax, false, 0),
                new Binary("minimum", Tensor::minimum, Reference::nanMin, false, 0));
    }

    /** Pairs of broadcastable shapes (lhs, rhs). */
    private static final int[][][] PAIRS = {
        {{L + 1}, {L + 1}},
        {{3, L + 1}, {L + 1}},
        {{L - 1 > 0 ? L - 1 : 1, 1}, {1, 17}},
        {{2, 1, 5}, {3, 1}},
        {{7}, {}},
        {{}, {2, 33}},
        {{1}, {31}},
        {{4, 3, 2}, {4, 3, 2}},
        {{2, 4 * L + 1}, {2, 1}},
    };

    static Stream<Arguments> binaryCases() {
        long seed = 200;
        Stream.Builder<Arguments> b = Stream.builder();
        for (Binary op : binaryOps()) {
            b.add(Arguments.of(op, seed++));
        }
        return b.build();
    }

    private static float[] positive(float[] v) {
        float[] r = v.clone();
        for (int i = 0; i < r.length; i++) {
            r[i] = 0.1f + Math.abs(r[i]);
        }
        return r;
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("binaryCases")
    void binaryBroadcastsOnEveryLayout(Binary op, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Kind[] kinds = Kind.values();
        for (int[][] pair : PAIRS) {
            Shape as = Shape.of(pair[0]);
            Shape bs = Shape.of(pair[1]);
            Shape out = Shape.broadcast(as, bs, "test");
            for (int k = 0; k < kinds.length; k++) {
                Kind ka = kinds[k];
                Kind kb = kinds[(k + 2) % kinds.length];
                float[] av = Operands.gaussian(rnd, as.numel());
                if (op.positiveLhs) {
                    av = positive(av);
                }
                Operand a = Operands.of(ka, av, rnd, pair[0]);
                Operand b = Operands.of(kb, Operands.gaussian(rnd, bs.numel()), rnd, pair[1]);
                double[] expected = Reference.broadcast(a.values(), as, b.values(), bs, out, op.ref);
                String ctx = op.name + " seed " + seed + " " + a + " with " + b;
                TensorAssert.assertClose(expected, out, op.op.apply(a.tensor(), b.tensor()), op.rtol, 0, ctx);
                assertArrayEquals(a.values(), a.tensor().toFloatArray(), ctx + ": lhs unchanged");
                assertArrayEquals(b.values(), b.tensor().toFloatArray(), ctx + ": rhs unchanged");
            }
            // Zero-stride operands on both sides.
            int[] full = out.dims();
            if (out.numel() > 1) {
                Operand a = Operands.expanded(rnd, full);
                Operand b = Operands.expanded(rnd, full);
                float[] av = op.positiveLhs ? positive(a.values()) : a.values();
                Tensor at = op.positiveLhs ? a.tensor().abs().add(0.1f) : a.tensor();
                double[] expected = Reference.broadcast(av, out, b.values(), out, out, op.ref);
                TensorAssert.assertClose(expected, out, op.op.apply(at, b.tensor()), op.rtol, 0,
                        op.name + " seed " + seed + " " + a + " with " + b);
            }
        }
    }

    @Test
    void scalarOverloads() {
        SplittableRandom rnd = new SplittableRandom(300);
        Operand x = Operands.random(Kind.PERMUTED_NARROWED, rnd, 3, L + 1, 2);
        float c = 1.75f;
        Shape s = x.shape();
        List<Object[]> cases = List.of(
                new Object[] {"add", x.tensor().add(c), (DoubleUnaryOperator) v -> v + c},
                new Object[] {"sub", x.tensor().sub(c), (DoubleUnaryOperator) v -> v - c},
                new Object[] {"mul", x.tensor().mul(c), (DoubleUnaryOperator) v -> v * c},
                new Object[] {"div", x.tensor().div(c), (DoubleUnaryOperator) v -> v / c},
                new Object[] {"maximum", x.tensor().maximum(0.25f), (DoubleUnaryOperator) v -> Math.max(v, 0.25)},
                new Object[] {"minimum", x.tensor().minimum(0.25f), (DoubleUnaryOperator) v -> Math.min(v, 0.25)});
        for (Object[] cs : cases) {
            TensorAssert.assertClose(Reference.map(x.values(), (DoubleUnaryOperator) cs[2]), s, (Tensor) cs[1], 1e-6, 0,
                    cs[0] + "(scalar) seed 300 " + x);
        }
        assertEquals(Shape.of(3), Tensor.arange(3).add(Tensor.scalar(1f)).shape());
        assertEquals(Shape.scalar(), Tensor.scalar(2f).mul(Tensor.scalar(3f)).shape());
        assertEquals(6f, Tensor.scalar(2f).mul(Tensor.scalar(3f)).item());
    }

    @Test
    void maximumAndMinimumPropagateNaN() {
        int n = 2 * L + 3;
        float[] a = new float[n];
        float[] b = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = i % 3 == 0 ? Float.NaN : i;
            b[i] = i % 5 == 0 ? Float.NaN : n - i;
        }
        Tensor ta = Tensor.of(a, n);
        Tensor tb = Tensor.of(b, n);
        float[] max = ta.maximum(tb).toFloatArray();
        float[] min = ta.minimum(tb).toFloatArray();
        for (int i = 0; i < n; i++) {
            boolean nan = i % 3 == 0 || i % 5 == 0;
            assertEquals(nan, Float.isNaN(max[i]), "maximum at " + i + " of " + a[i] + ", " + b[i]);
            assertEquals(nan, Float.isNaN(min[i]), "minimum at " + i + " of " + a[i] + ", " + b[i]);
            if (!nan) {
                assertEquals(Math.max(a[i], b[i]), max[i]);
                assertEquals(Math.min(a[i], b[i]), min[i]);
            }
        }
        assertTrue(Float.isNaN(Tensor.full(Float.NaN, n).maximum(1f).toFloatArray()[n - 1]), "NaN vs scalar, tail");
        assertTrue(Float.isNaN(Tensor.full(1f, n).minimum(Float.NaN).toFloatArray()[0]), "scalar NaN, vector body");
    }

    @Test
    void binaryErrors() {
        Tensor a = Tensor.zeros(2, 3);
        ShapeException e = assertThrows(ShapeException.class, () -> a.add(Tensor.zeros(4)));
        assertEquals("add: shapes [2, 3] and [4] cannot be broadcast (axis -1: 3 vs 4)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> a.mul(Tensor.zeros(3, 3)));
        assertEquals("mul: shapes [2, 3] and [3, 3] cannot be broadcast (axis -2: 2 vs 3)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> a.maximum(Tensor.zeros(2, 2)));
        assertTrue(e.getMessage().startsWith("maximum: shapes [2, 3] and [2, 2]"), e.getMessage());
        DTypeException d = assertThrows(DTypeException.class, () -> a.sub(Tensor.ofInts(new int[] {1}, 1)));
        assertEquals("sub: expected F32, got I32 (shape [1])", d.getMessage());
        d = assertThrows(DTypeException.class, () -> Tensor.ofInts(new int[] {1}, 1).div(a));
        assertEquals("div: expected F32, got I32 (shape [1])", d.getMessage());
    }

    // ---- comparisons and where -----------------------------------------------------------------

    @Test
    void comparisonsGiveU8MasksWithBroadcasting() {
        SplittableRandom rnd = new SplittableRandom(400);
        int[] ad = {3, 1, L + 1};
        int[] bd = {5, 1};
        Operand a = Operands.random(Kind.PERMUTED_NARROWED, rnd, ad);
        float[] bv = Operands.gaussian(rnd, 5);
        bv[2] = a.values()[4]; // an exact tie
        Operand b = Operands.of(Kind.NARROWED, bv, rnd, bd);
        Shape out = Shape.broadcast(a.shape(), b.shape(), "test");
        List<Object[]> cases = List.of(
                new Object[] {"eq", a.tensor().eq(b.tensor()), (DoubleBinaryOperator) (x, y) -> x == y ? 1 : 0},
                new Object[] {"ne", a.tensor().ne(b.tensor()), (DoubleBinaryOperator) (x, y) -> x != y ? 1 : 0},
                new Object[] {"lt", a.tensor().lt(b.tensor()), (DoubleBinaryOperator) (x, y) -> x < y ? 1 : 0},
                new Object[] {"le", a.tensor().le(b.tensor()), (DoubleBinaryOperator) (x, y) -> x <= y ? 1 : 0},
                new Object[] {"gt", a.tensor().gt(b.tensor()), (DoubleBinaryOperator) (x, y) -> x > y ? 1 : 0},
                new Object[] {"ge", a.tensor().ge(b.tensor()), (DoubleBinaryOperator) (x, y) -> x >= y ? 1 : 0});
        for (Object[] c : cases) {
            Tensor m = (Tensor) c[1];
            assertEquals(DType.U8, m.dtype(), (String) c[0]);
            assertEquals(out, m.shape());
            double[] expected = Reference.broadcast(a.values(), a.shape(), b.values(), b.shape(), out,
                    (DoubleBinaryOperator) c[2]);
            ArrayAssert.assertClose(expected, m.toFloatArray(), 0, 0, c[0] + " seed 400 " + a + " vs " + b);
        }
        float t = 0.3f;
        Tensor x = a.tensor();
        ArrayAssert.assertClose(Reference.map(a.values(), v -> v > t ? 1 : 0), x.gt(t).toFloatArray(), 0, 0, "gt scalar");
        ArrayAssert.assertClose(Reference.map(a.values(), v -> v <= t ? 1 : 0), x.le(t).toFloatArray(), 0, 0, "le scalar");
        ArrayAssert.assertClose(Reference.map(a.values(), v -> v == a.values()[0] ? 1 : 0), x.eq(a.values()[0]).toFloatArray(),
                0, 0, "eq scalar");
    }

    @Test
    void comparisonsWithNaNAreFalseExceptNe() {
        int n = 2 * L + 1;
        Tensor nan = Tensor.full(Float.NaN, n);
        Tensor one = Tensor.ones(n);
        for (Tensor m : List.of(nan.eq(one), nan.lt(one), nan.le(one), nan.gt(one), nan.ge(one), nan.eq(nan),
                one.lt(Float.NaN), one.ge(Float.NaN))) {
            assertArrayEquals(new int[n], m.toIntArray(), "comparison with NaN is false");
        }
        int[] ones = new int[n];
        java.util.Arrays.fill(ones, 1);
        assertArrayEquals(ones, nan.ne(one).toIntArray(), "NaN != 1");
        assertArrayEquals(ones, nan.ne(nan).toIntArray(), "NaN != NaN");
        assertArrayEquals(ones, one.ne(Float.NaN).toIntArray());
    }

    @Test
    void whereSelectsWithBroadcasting() {
        SplittableRandom rnd = new SplittableRandom(500);
        Operand x = Operands.random(Kind.TRANSPOSED, rnd, 4, L + 1);
        Operand y = Operands.random(Kind.CONTIGUOUS, rnd, L + 1);
        Tensor cond = x.tensor().gt(0f);
        Tensor w = Tensor.where(cond, x.tensor(), y.tensor());
        Shape out = Shape.of(4, L + 1);
        float[] cv = cond.toFloatArray();
        double[] expected = Reference.broadcast3(cv, out, x.values(), x.shape(), y.values(), y.shape(), out,
                (c, a, b) -> c != 0 ? a : b);
        TensorAssert.assertClose(expected, out, w, 0, 0, "where seed 500");
        // Condition broadcast along rows, scalar branches.
        Tensor rowMask = Tensor.ofBytes(new byte[] {1, 0, 7}, 3, 1);
        Tensor r = Tensor.where(rowMask, Tensor.scalar(1f), Tensor.full(-1f, 1, 2));
        assertEquals(Shape.of(3, 2), r.shape());
        assertArrayEquals(new float[] {1, 1, -1, -1, 1, 1}, r.toFloatArray(), "any non-zero byte selects the first branch");
        DTypeException d = assertThrows(DTypeException.class, () -> Tensor.where(x.tensor(), x.tensor(), y.tensor()));
        assertEquals("where: expected U8, got F32 (shape [4, " + (L + 1) + "])", d.getMessage());
        ShapeException e = assertThrows(ShapeException.class,
                () -> Tensor.where(Tensor.zeros(DType.U8, 2), Tensor.zeros(3), Tensor.zeros(3)));
        assertEquals("where: shapes [2] and [3] cannot be broadcast (axis -1: 2 vs 3)", e.getMessage());
    }

    // ---- in place ------------------------------------------------------------------------------

    @Test
    void inPlaceArithmeticWithBroadcastOperand() {
        SplittableRandom rnd = new SplittableRandom(600);
        int[] dims = {5, L + 1};
        Shape s = Shape.of(dims);
        Operand row = Operands.random(Kind.NARROWED, rnd, L + 1);
        float[] start = Operands.gaussian(rnd, s.numel());
        record Case(String name, BiFunction<Tensor, Tensor, Tensor> op, DoubleBinaryOperator ref) { }
        for (Case c : List.of(new Case("addi", Tensor::addi, Double::sum), new Case("subi", Tensor::subi, (a, b) -> a - b),
                new Case("muli", Tensor::muli, (a, b) -> a * b), new Case("divi", Tensor::divi, (a, b) -> a / b))) {
            Tensor t = Tensor.of(start, dims);
            Tensor returned = c.op.apply(t, row.tensor());
            assertSame(t, returned, c.name + " returns its target");
            double[] expected = Reference.broadcast(start, s, row.values(), row.shape(), s, c.ref);
            TensorAssert.assertClose(expected, s, t, 1e-6, 0, c.name + " seed 600");
            assertArrayEquals(row.values(), row.tensor().toFloatArray(), c.name + " leaves its operand alone");
        }
        Tensor t = Tensor.of(start, dims);
        t.addi(row.tensor(), -0.5f);
        TensorAssert.assertClose(Reference.broadcast(start, s, row.values(), row.shape(), s, (a, b) -> a - 0.5 * b), s, t,
                1e-6, 1e-7, "addi with alpha seed 600");
        Tensor u = Tensor.of(start, dims);
        u.addi(2f).muli(-3f);
        TensorAssert.assertClose(Reference.map(start, v -> (v + 2) * -3), s, u, 1e-6, 1e-6, "scalar addi/muli");
        assertThrows(IllegalArgumentException.class, () -> u.addi(row.tensor(), Float.POSITIVE_INFINITY));
    }

    @Test
    void inPlaceThroughAViewWritesTheBase() {
        Tensor base = Tensor.arange(12).reshape(3, 4);
        base.t().narrow(0, 1, 2).addi(Tensor.of(new float[] {100, 200, 300}, 3)); // columns 1 and 2
        assertArrayEquals(new float[] {0, 101, 102, 3, 4, 205, 206, 7, 8, 309, 310, 11}, base.toFloatArray());
        base.narrow(1, 3, 1).fill(-1f);
        assertArrayEquals(new float[] {0, 101, 102, -1, 4, 205, 206, -1, 8, 309, 310, -1}, base.toFloatArray());
    }

    @Test
    void inPlaceOverlappingOperand() {
        float[] v = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        Tensor x = Tensor.of(v, 3, 3);
        x.addi(x.t());
        assertArrayEquals(new float[] {2, 6, 10, 6, 10, 14, 10, 14, 18}, x.toFloatArray(), "x += xᵀ reads the old x");
        Tensor y = Tensor.of(v, 3, 3);
        y.subi(y.narrow(0, 0, 1));
        assertArrayEquals(new float[] {0, 0, 0, 3, 3, 3, 6, 6, 6}, y.toFloatArray(), "y -= y[0] reads the old row 0");
        Tensor z = Tensor.of(v, 3, 3);
        z.muli(z);
        assertArrayEquals(new float[] {1, 4, 9, 16, 25, 36, 49, 64, 81}, z.toFloatArray(), "z *= z");
    }

    @Test
    void failedInPlaceCallsLeaveTheTargetUnchanged() {
        float[] v = {1, 2, 3};
        Tensor t = Tensor.of(v, 3);
        ShapeException e = assertThrows(ShapeException.class, () -> t.addi(Tensor.ones(2, 3)));
        assertEquals("addi: [2, 3] does not broadcast to the in-place target [3] (result would be [2, 3])", e.getMessage());
        assertArrayEquals(v, t.toFloatArray());
        e = assertThrows(ShapeException.class, () -> t.muli(Tensor.ones(4)));
        assertEquals("muli: shapes [3] and [4] cannot be broadcast (axis -1: 3 vs 4)", e.getMessage());
        assertArrayEquals(v, t.toFloatArray());
        DTypeException d = assertThrows(DTypeException.class, () -> t.subi(Tensor.ofInts(new int[] {1, 1, 1}, 3)));
        assertEquals("subi: expected F32, got I32 (shape [3])", d.getMessage());
        assertArrayEquals(v, t.toFloatArray());
        assertThrows(ShapeException.class, () -> t.addi(Tensor.ones(2, 3), 2f));
        assertArrayEquals(v, t.toFloatArray());
        assertThrows(ShapeException.class, () -> t.copyFrom(Tensor.ones(4)));
        assertArrayEquals(v, t.toFloatArray());
    }

    @Test
    void broadcastTargetsAreRejected() {
        Tensor base = Tensor.of(new float[] {1, 2, 3}, 3);
        Tensor e = base.expand(2, 3);
        ShapeException ex = assertThrows(ShapeException.class, () -> e.addi(Tensor.ones(2, 3)));
        assertEquals("addi: target [2, 3] is a broadcast view (axis 0 has stride 0); writing would alias elements."
                + " Call copy() first", ex.getMessage());
        ex = assertThrows(ShapeException.class, () -> e.fill(0f));
        assertTrue(ex.getMessage().startsWith("fill: target [2, 3] is a broadcast view"), ex.getMessage());
        ex = assertThrows(ShapeException.class, () -> e.copyFrom(Tensor.zeros(2, 3)));
        assertTrue(ex.getMessage().startsWith("copyFrom: target [2, 3] is a broadcast view"), ex.getMessage());
        assertThrows(ShapeException.class, () -> e.muli(2f));
        assertArrayEquals(new float[] {1, 2, 3}, base.toFloatArray(), "the base is untouched");
        // Expanding a size-1 axis to size 1 is still writable.
        Tensor one = base.unsqueeze(0).expand(1, 3);
        one.addi(1f);
        assertArrayEquals(new float[] {2, 3, 4}, base.toFloatArray());
    }

    @Test
    void fillAndCopyFrom() {
        Tensor t = Tensor.zeros(2, 3);
        assertSame(t, t.fill(2.5f));
        assertArrayEquals(new float[] {2.5f, 2.5f, 2.5f, 2.5f, 2.5f, 2.5f}, t.toFloatArray());
        Tensor i = Tensor.zeros(DType.I32, 3).fill(7.9f);
        assertArrayEquals(new int[] {7, 7, 7}, i.toIntArray());
        t.copyFrom(Tensor.of(new float[] {1, 2, 3}, 3));
        assertArrayEquals(new float[] {1, 2, 3, 1, 2, 3}, t.toFloatArray(), "copyFrom broadcasts the source");
        t.t().copyFrom(Tensor.arange(6).reshape(3, 2));
        assertArrayEquals(new float[] {0, 2, 4, 1, 3, 5}, t.toFloatArray(), "copyFrom into a transposed view");
        Tensor f = Tensor.zeros(3);
        f.copyFrom(Tensor.ofInts(new int[] {4, -2, 9}, 3));
        assertArrayEquals(new float[] {4, -2, 9}, f.toFloatArray(), "copyFrom converts the dtype");
    }

    @Test
    void overlappingCopyFrom() {
        Tensor x = Tensor.arange(9).reshape(3, 3);
        x.copyFrom(x.t());
        assertArrayEquals(new float[] {0, 3, 6, 1, 4, 7, 2, 5, 8}, x.toFloatArray(), "x = xᵀ in place");
        Tensor y = Tensor.arange(6);
        y.narrow(0, 1, 5).copyFrom(y.narrow(0, 0, 5));
        assertArrayEquals(new float[] {0, 0, 1, 2, 3, 4}, y.toFloatArray(), "shift right by one");
        Tensor z = Tensor.arange(6);
        z.narrow(0, 0, 5).copyFrom(z.narrow(0, 1, 5));
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 5}, z.toFloatArray(), "shift left by one");
        Tensor w = Tensor.arange(8).reshape(2, 4);
        w.copyFrom(w.narrow(0, 1, 1));
        assertArrayEquals(new float[] {4, 5, 6, 7, 4, 5, 6, 7}, w.toFloatArray(), "broadcast a row of itself");
    }

    @Test
    void unaryBackwardsMatchTheirDerivativesOnViews() {
        Rng rng = Rng.seeded(91);
        Tensor x = Tensor.randn(rng, 5, 7).mul(2f).transpose(0, 1);   // a strided view
        Tensor g = Tensor.randn(rng, 7, 5);
        float[] xs = x.contiguous().toFloatArray();
        float[] gs = g.toFloatArray();
        double c = Math.sqrt(2 / Math.PI);
        DoubleBinaryOperator[] want = {
            (v, w) -> w * (0.5 * (1 + Reference.erf(v / Math.sqrt(2))) + v * Math.exp(-v * v / 2) / Math.sqrt(2 * Math.PI)),
            (v, w) -> {
                double t = Math.tanh(c * (v + 0.044715 * v * v * v));
                return w * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * c * (1 + 3 * 0.044715 * v * v));
            },
            (v, w) -> w * Reference.sigmoid(v) * (1 + v * (1 - Reference.sigmoid(v)))};
        Tensor[] got = {x.geluBackward(g), x.geluTanhBackward(g), x.siluBackward(g)};
        for (int k = 0; k < 3; k++) {
            double[] e = new double[xs.length];
            for (int i = 0; i < e.length; i++) {
                e[i] = want[k].applyAsDouble(xs[i], gs[i]);
            }
            assertArrayEquals(new int[] {7, 5}, got[k].shape().dims());
            ArrayAssert.assertClose(e, got[k].toFloatArray(), 1e-5, 1e-6, "backward " + k);
        }
        ShapeException e = assertThrows(ShapeException.class, () -> x.geluBackward(Tensor.zeros(5, 7)));
        assertTrue(e.getMessage().contains("geluBackward"), e.getMessage());
        // The saved-CDF variant: gelu()'s and geluBackward()'s bits.
        Tensor[] yc = x.geluWithCdf();
        assertArrayEquals(x.gelu().toFloatArray(), yc[0].toFloatArray());
        assertArrayEquals(got[0].toFloatArray(), x.geluBackward(g, yc[1]).toFloatArray());
        assertArrayEquals(got[0].toFloatArray(), x.geluBackward(g, yc[1].t().contiguous().t()).toFloatArray());
        assertThrows(ShapeException.class, () -> x.geluBackward(g, Tensor.zeros(5, 7)));
    }
}

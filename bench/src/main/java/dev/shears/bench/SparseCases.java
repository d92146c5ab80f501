package dev.shears.bench;

import dev.shears.sparse.BitmapMatrix;
import dev.shears.sparse.CsrMatrix;
import dev.shears.sparse.Mask;
import dev.shears.sparse.SemiStructured24;
import dev.shears.sparse.cpu.ArmorKernel;
import dev.shears.sparse.cpu.BlockDiagMatmulKernel;
import dev.shears.sparse.cpu.Spmm24Kernel;
import dev.shears.sparse.cpu.SpmmBitmapKernel;
import dev.shears.sparse.cpu.SpmmCsrKernel;
import dev.shears.sparse.select.NmSelector;
import dev.shears.sparse.select.RandomSelector;
import dev.shears.sparse.select.TopK;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import dev.shears.tensor.cpu.GemmKernel;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The sparse-kernel benchmark cases, one list shared by {@code bench sparse} ({@link SparseSuite}),
 * the JMH benchmark ({@link SparseBench}) and the tests: weight shapes, batches, the kernels and
 * their labels, the targets, and the construction of each kernel's weights, rotated through more
 * than twice the last-level cache and checked against the dense product before anything is timed.
 *
 * <p>Every case is a linear layer {@code Y[N, M] = X[N, K] · Wᵀ}: M output features, K input
 * features, N the batch. The weights are uniform in [-1, 1) (seed 42); the unstructured patterns
 * are uniformly random masks at the sparsity, 2:4 keeps the two larger magnitudes of each group
 * (a uniformly random pair), and one magnitude-pruned case ({@code csr-s90-mag}) cuts a matrix with
 * uneven row and column scales by one global threshold, so its rows have very different lengths.
 */
final class SparseCases {
    /** ARMOR's block size (label {@code armor-b32}). */
    static final int ARMOR_BLOCK = 32;
    /** The shapes: a square projection and an MLP up-projection of a 7B model. */
    static final List<WeightShape> SHAPES = List.of(new WeightShape(4096, 4096), new WeightShape(11008, 4096));
    static final List<Integer> BATCHES = List.of(1, 8, 64, 512);
    static final List<Kernel> KERNELS = List.of(
            new Kernel(Format.DENSE, 0, Pattern.RANDOM),
            new Kernel(Format.SEMI24, 50, Pattern.RANDOM),
            new Kernel(Format.CSR, 75, Pattern.RANDOM),
            new Kernel(Format.CSR, 90, Pattern.RANDOM),
            new Kernel(Format.CSR, 95, Pattern.RANDOM),
            new Kernel(Format.CSR, 90, Pattern.MAGNITUDE),
            new Kernel(Format.BITMAP, 50, Pattern.RANDOM),
            new Kernel(Format.BITMAP, 70, Pattern.RANDOM),
            new Kernel(Format.BITMAP, 75, Pattern.RANDOM),
            new Kernel(Format.BITMAP, 90, Pattern.RANDOM),
            new Kernel(Format.ARMOR, 50, Pattern.RANDOM));
    /** The goals on the 2-core CPU (kernels.md §4, C1-C6). */
    static final List<Target> TARGETS = List.of(
            new Target("24", 1, 1.6, "dense"),
            new Target("24", 8, 1.3, "dense"),
            new Target("24", 64, 0.95, "dense"),
            new Target("24", 512, 0.95, "dense"),
            new Target("csr-s75", 1, 1.4, "dense"),
            new Target("csr-s90", 1, 4, "dense"),
            new Target("csr-s95", 1, 6, "dense"),
            new Target("csr-s90", 64, 2.5, "dense"),
            new Target("bitmap-s70", 1, 2, "dense"),
            new Target("armor-b32", 1, 0.9, "24"));
    /**
     * Largest accepted |y - exact| / Σ|x·w| of a checked output. FP32 sums of the benchmark's sizes
     * measure about 1e-7; one term of K = 4096 dropped or wrong is about 1/K on average.
     */
    static final double TOLERANCE = 1e-5;
    /** Least rotation working set per kernel: twice a 32 MiB L3. */
    static final long MIN_ROTATION_BYTES = 64L << 20;
    /** Log-normal σ of the row and column scales of the magnitude-pruned weights. */
    static final double SCALE_SIGMA = 0.5;

    private SparseCases() {}

    /** How the weights are stored and multiplied. */
    enum Format { DENSE, SEMI24, CSR, BITMAP, ARMOR }

    /** How the kept positions are chosen (see the class comment). */
    enum Pattern { RANDOM, MAGNITUDE }

    /** W's shape, {@code M x K} (output x input features); both multiples of {@link #ARMOR_BLOCK}, K ≤ 65536. */
    record WeightShape(int m, int k) {
        WeightShape {
            if (m <= 0 || k <= 0 || m % ARMOR_BLOCK != 0 || k % ARMOR_BLOCK != 0) {
                throw new IllegalArgumentException("M and K must be positive multiples of " + ARMOR_BLOCK
                        + " (ARMOR's block), got " + m + "x" + k);
            }
            if (k > CsrMatrix.MAX_SHORT_INDEX_COLS || (long) m * k > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("K must be at most " + CsrMatrix.MAX_SHORT_INDEX_COLS
                        + " (16-bit CSR indices) and M·K fit an int, got " + m + "x" + k);
            }
        }

        /** {@code "11008x4096"} to M = 11008, K = 4096. */
        static WeightShape parse(String text) {
            String[] parts = text.trim().split("x", -1);
            try {
                if (parts.length == 2) {
                    return new WeightShape(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
                }
            } catch (NumberFormatException e) {
                // Reported below with the expected form.
            }
            throw new IllegalArgumentException("'" + text + "' is not MxK (e.g. 11008x4096)");
        }

        @Override
        public String toString() {
            return m + "x" + k;
        }
    }

    /** One kernel: its format, sparsity in percent and pattern. */
    record Kernel(Format format, int sparsity, Pattern pattern) {
        /** The label of RESULT lines and tables: dense, 24, csr-s90, csr-s90-mag, bitmap-s70, armor-b32. */
        String label() {
            return switch (format) {
                case DENSE -> "dense";
                case SEMI24 -> "24";
                case CSR -> "csr-s" + sparsity + (pattern == Pattern.MAGNITUDE ? "-mag" : "");
                case BITMAP -> "bitmap-s" + sparsity;
                case ARMOR -> "armor-b" + ARMOR_BLOCK;
            };
        }
    }

    /** A goal: at this batch, {@code kernel} runs at least {@code ratio} times as fast as {@code baseline}. */
    record Target(String kernel, int batch, double ratio, String baseline) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "≥%.2fx %s", ratio, baseline);
        }
    }

    /** A kernel's output differs from the dense product of the same weights: its case must not be timed. */
    static final class WrongResultException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        WrongResultException(String message) {
            super(message);
        }
    }

    /** The kernel with this label. */
    static Kernel kernel(String label) {
        return KERNELS.stream().filter(k -> k.label().equals(label)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("no sparse kernel '" + label + "'; known: "
                        + KERNELS.stream().map(Kernel::label).collect(Collectors.joining(", "))));
    }

    /** The target of this kernel at this batch, if the issue sets one. */
    static Optional<Target> target(Kernel kernel, int batch) {
        return TARGETS.stream().filter(t -> t.kernel().equals(kernel.label()) && t.batch() == batch).findFirst();
    }

    /** Bytes each kernel's rotation copies must exceed by default: twice the L3, at least {@link #MIN_ROTATION_BYTES}. */
    static long rotationBytes() {
        return Math.max(MIN_ROTATION_BYTES, 2 * BenchEnv.l3Bytes());
    }

    /** The input X [batch, k], uniform in [-1, 1) (seed 7). */
    static float[] input(int batch, int k) {
        return GemmSuite.uniform(batch * k, 7);
    }

    /** The random weights of one shape that every kernel's pattern is cut from, each built on first use. */
    static final class Weights {
        final WeightShape shape;
        private Tensor uniform;
        private Tensor scaled;

        Weights(WeightShape shape) {
            this.shape = shape;
        }

        /** W uniform in [-1, 1) (seed 42). */
        Tensor uniform() {
            if (uniform == null) {
                uniform = Tensor.adopt(GemmSuite.uniform(shape.m() * shape.k(), 42), shape.m(), shape.k());
            }
            return uniform;
        }

        /** {@link #uniform()} times log-normal row and column scales (σ {@value #SCALE_SIGMA}, seed 45). */
        Tensor scaled() {
            if (scaled == null) {
                Rng rng = Rng.seeded(45);
                double[] rows = logNormal(rng, shape.m());
                double[] cols = logNormal(rng, shape.k());
                float[] w = uniform().toFloatArray();
                for (int r = 0; r < shape.m(); r++) {
                    for (int c = 0; c < shape.k(); c++) {
                        w[r * shape.k() + c] *= (float) (rows[r] * cols[c]);
                    }
                }
                scaled = Tensor.adopt(w, shape.m(), shape.k());
            }
            return scaled;
        }

        private static double[] logNormal(Rng rng, int count) {
            double[] s = new double[count];
            for (int i = 0; i < count; i++) {
                s[i] = Math.exp(SCALE_SIGMA * rng.nextGaussian());
            }
            return s;
        }
    }

    /** {@code y[n, m] = x[n, k] · Wᵀ} with one copy of a kernel's weights (both row-major, from offset 0). */
    @FunctionalInterface
    interface Product {
        void apply(int n, float[] x, float[] y);
    }

    /**
     * One kernel's weights for one shape, in identical copies that successive calls cycle through,
     * so the weights stream from DRAM as a large model's would, not from the cache.
     */
    static final class Operand {
        private final Kernel kernel;
        private final long bytes;
        private final double rowSpread;
        private final Product[] copies;
        private final Map<Integer, Double> maxRelErr = new TreeMap<>();
        private int next;

        private Operand(Kernel kernel, long bytes, double rowSpread, Product[] copies) {
            this.kernel = kernel;
            this.bytes = bytes;
            this.rowSpread = rowSpread;
            this.copies = copies;
        }

        /** {@code y[n, M] = x[n, K] · Wᵀ} with the next copy of the weights. */
        void run(int n, float[] x, float[] y) {
            copies[next].apply(n, x, y);
            next = next + 1 == copies.length ? 0 : next + 1;
        }

        Kernel kernel() {
            return kernel;
        }

        /** Bytes of the weight format one call reads: values, indices, masks, offsets (ARMOR: and its blocks). */
        long bytes() {
            return bytes;
        }

        int copies() {
            return copies.length;
        }

        /** Most non-zeros in a row over the mean (1 for a perfectly even pattern); NaN for dense and 2:4 layouts. */
        double rowSpread() {
            return rowSpread;
        }

        /** Worst relative error of the checked outputs at this batch (see {@link ProductRow#maxRelErr}). */
        double maxRelErr(int batch) {
            return maxRelErr.get(batch);
        }
    }

    /**
     * The kernel's weights for the shape, in as many copies as make more than {@code rotateBytes}
     * (one when 0), each product checked at every batch of {@code inputs} (batch to X) against the
     * dense product of the same effective weights (the masked matrix; ARMOR's A·S·B).
     *
     * @throws WrongResultException if a checked output is off by more than {@link #TOLERANCE}: a
     *                              wrong kernel is never timed
     */
    static Operand prepare(Kernel kernel, Weights weights, long rotateBytes, Map<Integer, float[]> inputs) {
        WeightShape shape = weights.shape;
        Packed packed = pack(kernel, weights);
        Product[] copies = new Product[(int) (rotateBytes / packed.bytes()) + 1];
        for (int i = 0; i < copies.length; i++) {
            copies[i] = packed.copy().get();
        }
        Operand op = new Operand(kernel, packed.bytes(), packed.rowSpread(), copies);
        for (Map.Entry<Integer, float[]> in : inputs.entrySet()) {
            int n = in.getKey();
            float[] y = new float[n * shape.m()];
            op.run(n, in.getValue(), y);
            double err = ProductRow.maxRelErr(n, shape.m(), shape.k(), in.getValue(), packed.effective(), 1, shape.k(), y);
            if (!(err <= TOLERANCE)) {
                throw new WrongResultException(String.format(Locale.ROOT,
                        "%s at %s, N = %d: max rel err %.3e against the dense product of the same weights exceeds %.0e",
                        kernel.label(), shape, n, err, TOLERANCE));
            }
            op.maxRelErr.put(n, err);
        }
        return op;
    }

    /**
     * A kernel's weights in its format: bytes one call reads, the effective dense weight [M, K] it
     * stands for, the row spread, and a maker of products on fresh copies of the arrays.
     */
    private record Packed(long bytes, float[] effective, double rowSpread, Supplier<Product> copy) {}

    private static Packed pack(Kernel kernel, Weights weights) {
        int m = weights.shape.m();
        int k = weights.shape.k();
        Tensor w = kernel.pattern() == Pattern.MAGNITUDE ? weights.scaled() : weights.uniform();
        return switch (kernel.format()) {
            case DENSE -> {
                float[] d = w.toFloatArray();
                yield new Packed(4L * d.length, d, Double.NaN, () -> {
                    float[] c = d.clone();
                    return (n, x, y) -> GemmKernel.run(n, m, k, x, 0, k, 1, c, 0, 1, k, y, 0, m, false);
                });
            }
            case SEMI24 -> {
                Mask mask = NmSelector.twoFour().byMagnitude(w);
                SemiStructured24 s = SemiStructured24.fromDenseAndMask(w, mask);
                float[] v = s.packedValues();
                char[] bits = s.laneMasks();
                yield new Packed(4L * v.length + 2L * bits.length, mask.apply(w).toFloatArray(), Double.NaN, () -> {
                    float[] vc = v.clone();
                    char[] bc = bits.clone();
                    return (n, x, y) -> Spmm24Kernel.run(n, m, k, vc, bc, x, 0, y, 0, false);
                });
            }
            case CSR -> {
                Mask mask = unstructuredMask(kernel, w);
                CsrMatrix c = CsrMatrix.fromDenseAndMask(w, mask);
                int[] rowPtr = c.rowPtrArray();
                char[] cols = c.colIdx16();
                float[] v = c.valuesArray();
                yield new Packed(4L * rowPtr.length + 2L * cols.length + 4L * v.length, mask.apply(w).toFloatArray(),
                        rowSpread(rowPtr), () -> {
                            int[] pc = rowPtr.clone();
                            char[] cc = cols.clone();
                            float[] vc = v.clone();
                            return (n, x, y) -> SpmmCsrKernel.run(n, m, k, pc, cc, vc, x, 0, y, 0, false);
                        });
            }
            case BITMAP -> {
                Mask mask = unstructuredMask(kernel, w);
                BitmapMatrix b = BitmapMatrix.fromDenseAndMask(w, mask);
                char[] bits = b.laneMasks();
                float[] v = b.valuesArray();
                int[] rowStart = b.rowOffsetsArray();
                yield new Packed(2L * bits.length + 4L * v.length + 4L * rowStart.length, mask.apply(w).toFloatArray(),
                        rowSpread(rowStart), () -> {
                            char[] bc = bits.clone();
                            float[] vc = v.clone();
                            int[] rc = rowStart.clone();
                            return (n, x, y) -> SpmmBitmapKernel.run(n, m, k, vc, bc, rc, x, 0, y, 0, false);
                        });
            }
            case ARMOR -> {
                int b = ARMOR_BLOCK;
                Mask mask = NmSelector.twoFour().byMagnitude(w);
                SemiStructured24 s = SemiStructured24.fromDenseAndMask(w, mask);
                float[] v = s.packedValues();
                char[] bits = s.laneMasks();
                float[] aBlocks = GemmSuite.uniform(m * b, 43);
                float[] bBlocks = GemmSuite.uniform(k * b, 44);
                long bytes = 4L * v.length + 2L * bits.length + 4L * (aBlocks.length + bBlocks.length);
                yield new Packed(bytes, armorWeight(m, k, aBlocks, mask.apply(w).toFloatArray(), bBlocks), Double.NaN, () -> {
                    float[] ac = aBlocks.clone();
                    float[] vc = v.clone();
                    char[] bc = bits.clone();
                    float[] bbc = bBlocks.clone();
                    return (n, x, y) -> ArmorKernel.run(n, m, k, b, ac, vc, bc, bbc, x, 0, y, 0, false);
                });
            }
        };
    }

    /** The CSR or bitmap mask: uniformly random at the sparsity, or global magnitude pruning of the scaled weights. */
    private static Mask unstructuredMask(Kernel kernel, Tensor w) {
        double density = 1 - kernel.sparsity() / 100.0;
        return kernel.pattern() == Pattern.MAGNITUDE
                ? TopK.atDensity(w.abs(), density)
                : RandomSelector.atDensity(w.shape(), density, Rng.seeded(1000 + kernel.sparsity()));
    }

    /** ARMOR's dense weight A · S · B [m, k], A and B block-diagonal ({@link #ARMOR_BLOCK}), S dense [m, k]. */
    private static float[] armorWeight(int m, int k, float[] aBlocks, float[] s, float[] bBlocks) {
        int b = ARMOR_BLOCK;
        float[] sb = new float[m * k];
        BlockDiagMatmulKernel.runTransposed(m, k / b, b, bBlocks, s, 0, sb, 0, false);
        float[] w = new float[m * k];
        for (int i = 0; i < m / b; i++) { // rows of block i: A_i · (S·B)[block i, :]
            GemmKernel.run(b, k, b, aBlocks, i * b * b, b, 1, sb, i * b * k, k, 1, w, i * b * k, k, false);
        }
        return w;
    }

    /** Most non-zeros in a row over the mean, from row offsets. */
    private static double rowSpread(int[] rowStart) {
        int rows = rowStart.length - 1;
        int most = 0;
        for (int r = 0; r < rows; r++) {
            most = Math.max(most, rowStart[r + 1] - rowStart[r]);
        }
        return rowStart[rows] == 0 ? Double.NaN : most * (double) rows / rowStart[rows];
    }
}

package dev.shears.sparse.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.shears.sparse.cpu.SparseFixture.Expected;
import dev.shears.sparse.cpu.SparseFixture.Weights;
import dev.shears.tensor.Rng;
import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;

/**
 * One sparse-weight case, built fluently
 * ({@code SpmmCase.of(Format.CSR_CHAR, 17, 65).batch(7).density(0.1).seed(3).assertMatchesReferences()}): a random W
 * in the format and random dense operands (placed at an offset, with padding after, which must come
 * back untouched). {@link #assertMatchesReferences()} runs the forward, transposed and SDDMM products; each
 * {@code reference} is checked against a dense double-precision product on the dense W, each
 * {@code run} against both, on 1, 2 and 3 threads, which must agree bit for bit.
 */
final class SpmmCase {
    enum Format { SEMI24, BITMAP, CSR_CHAR, CSR_INT }

    enum Product { FORWARD, TRANSPOSED, SDDMM }

    private static final int OFFSET = 3;
    private static final int PADDING = 2;

    final Format format;
    final int m;
    final int k;
    int n = 1;
    double density = 0.5;
    boolean emptyRows;
    boolean accumulate;
    long seed = 1;

    private SpmmCase(Format format, int m, int k) {
        this.format = format;
        this.m = m;
        this.k = k;
    }

    static SpmmCase of(Format format, int m, int k) {
        return new SpmmCase(format, m, k);
    }

    SpmmCase batch(int n) {
        this.n = n;
        return this;
    }

    /** Kept fraction of an unstructured W (2:4 keeps half by construction). */
    SpmmCase density(double density) {
        this.density = density;
        return this;
    }

    /** Every third row empty (unstructured formats). */
    SpmmCase emptyRows(boolean emptyRows) {
        this.emptyRows = emptyRows;
        return this;
    }

    SpmmCase accumulate(boolean accumulate) {
        this.accumulate = accumulate;
        return this;
    }

    SpmmCase seed(long seed) {
        this.seed = seed;
        return this;
    }

    @Override
    public String toString() {
        return format + " m=" + m + " k=" + k + " n=" + n
                + (format == Format.SEMI24 ? "" : " density " + density + (emptyRows ? " with empty rows" : ""))
                + (accumulate ? " accumulate" : "") + " seed " + seed + " (" + Simd.describe() + ")";
    }

    /** Checks all three products. */
    void assertMatchesReferences() {
        for (Product product : Product.values()) {
            assertMatchesReferences(product);
        }
    }

    void assertMatchesReferences(Product product) {
        Rng rng = Rng.seeded(seed);
        Weights w = format == Format.SEMI24
                ? SparseFixture.semi24(m, k, rng)
                : SparseFixture.unstructured(m, k, density, emptyRows, rng);
        String context = this + " " + product;
        // a: the first dense input, b: the second (SDDMM's X); out: the output, padded except dValues.
        int aCols = product == Product.FORWARD ? k : m;
        float[] a = SparseFixture.random(OFFSET + n * aCols + PADDING, rng);
        float[] b = SparseFixture.random(OFFSET + n * k + PADDING, rng);
        float[] out = product == Product.SDDMM
                ? SparseFixture.random(w.nnz(), rng)
                : SparseFixture.random(OFFSET + n * (product == Product.FORWARD ? m : k) + PADDING, rng);
        double[] dense = SparseFixture.widen(w.dense);
        double[] wa = SparseFixture.widen(a);
        Expected expected = switch (product) {
            // Y = X · Wᵀ: Wᵀ(p, j) = W[j, p].
            case FORWARD -> SparseFixture.product(n, m, k, wa, OFFSET, k, 1, dense, 0, 1, k, out, OFFSET, accumulate);
            case TRANSPOSED -> SparseFixture.product(n, k, m, wa, OFFSET, m, 1, dense, 0, k, 1, out, OFFSET, accumulate);
            case SDDMM -> SparseFixture.sddmm(w, n, a, OFFSET, b, OFFSET, out, accumulate);
        };
        float[] ref = out.clone();
        call(product, true, w, a, b, ref);
        expected.assertMatches(ref, 1, context + ": reference vs dense double");
        Expected fromReference = new Expected(SparseFixture.widen(ref), expected.magnitude(), expected.depth());
        float[] first = null;
        for (int threads = 1; threads <= 3; threads++) {
            float[] got = out.clone();
            Parallel.withThreads(threads, () -> call(product, false, w, a, b, got));
            String runContext = context + ": run on " + threads + " thread(s)";
            expected.assertMatches(got, 2, runContext + " vs dense double");
            fromReference.assertMatches(got, 3, runContext + " vs reference");
            if (first == null) {
                first = got;
            } else {
                assertArrayEquals(first, got, runContext + " differs from 1 thread");
            }
        }
    }

    /** Runs the product (its reference or run) of this format: inputs a (and b for SDDMM), output out. */
    private void call(Product product, boolean reference, Weights w, float[] a, float[] b, float[] out) {
        int o = OFFSET;
        boolean acc = accumulate;
        switch (format) {
            case SEMI24 -> {
                switch (product) {
                    case FORWARD -> {
                        if (reference) {
                            Spmm24Kernel.reference(n, m, k, w.values, w.masks, a, o, out, o, acc);
                        } else {
                            Spmm24Kernel.run(n, m, k, w.values, w.masks, a, o, out, o, acc);
                        }
                    }
                    case TRANSPOSED -> {
                        if (reference) {
                            Spmm24Kernel.referenceTransposed(n, m, k, w.values, w.masks, a, o, out, o, acc);
                        } else {
                            Spmm24Kernel.runTransposed(n, m, k, w.values, w.masks, a, o, out, o, acc);
                        }
                    }
                    case SDDMM -> {
                        if (reference) {
                            Spmm24Kernel.referenceSddmm(n, m, k, w.masks, a, o, b, o, out, acc);
                        } else {
                            Spmm24Kernel.sddmm(n, m, k, w.masks, a, o, b, o, out, acc);
                        }
                    }
                }
            }
            case BITMAP -> {
                switch (product) {
                    case FORWARD -> {
                        if (reference) {
                            SpmmBitmapKernel.reference(n, m, k, w.values, w.masks, w.rowStart, a, o, out, o, acc);
                        } else {
                            SpmmBitmapKernel.run(n, m, k, w.values, w.masks, w.rowStart, a, o, out, o, acc);
                        }
                    }
                    case TRANSPOSED -> {
                        if (reference) {
                            SpmmBitmapKernel.referenceTransposed(n, m, k, w.values, w.masks, w.rowStart, a, o, out, o, acc);
                        } else {
                            SpmmBitmapKernel.runTransposed(n, m, k, w.values, w.masks, w.rowStart, a, o, out, o, acc);
                        }
                    }
                    case SDDMM -> {
                        if (reference) {
                            SpmmBitmapKernel.referenceSddmm(n, m, k, w.masks, w.rowStart, a, o, b, o, out, acc);
                        } else {
                            SpmmBitmapKernel.sddmm(n, m, k, w.masks, w.rowStart, a, o, b, o, out, acc);
                        }
                    }
                }
            }
            case CSR_CHAR -> {
                switch (product) {
                    case FORWARD -> {
                        if (reference) {
                            SpmmCsrKernel.reference(n, m, k, w.rowPtr(), w.narrowCols, w.values, a, o, out, o, acc);
                        } else {
                            SpmmCsrKernel.run(n, m, k, w.rowPtr(), w.narrowCols, w.values, a, o, out, o, acc);
                        }
                    }
                    case TRANSPOSED -> {
                        if (reference) {
                            SpmmCsrKernel.referenceTransposed(n, m, k, w.rowPtr(), w.narrowCols, w.values, a, o, out, o, acc);
                        } else {
                            SpmmCsrKernel.runTransposed(n, m, k, w.rowPtr(), w.narrowCols, w.values, a, o, out, o, acc);
                        }
                    }
                    case SDDMM -> {
                        if (reference) {
                            SpmmCsrKernel.referenceSddmm(n, m, k, w.rowPtr(), w.narrowCols, a, o, b, o, out, acc);
                        } else {
                            SpmmCsrKernel.sddmm(n, m, k, w.rowPtr(), w.narrowCols, a, o, b, o, out, acc);
                        }
                    }
                }
            }
            case CSR_INT -> {
                switch (product) {
                    case FORWARD -> {
                        if (reference) {
                            SpmmCsrKernel.reference(n, m, k, w.rowPtr(), w.wideCols, w.values, a, o, out, o, acc);
                        } else {
                            SpmmCsrKernel.run(n, m, k, w.rowPtr(), w.wideCols, w.values, a, o, out, o, acc);
                        }
                    }
                    case TRANSPOSED -> {
                        if (reference) {
                            SpmmCsrKernel.referenceTransposed(n, m, k, w.rowPtr(), w.wideCols, w.values, a, o, out, o, acc);
                        } else {
                            SpmmCsrKernel.runTransposed(n, m, k, w.rowPtr(), w.wideCols, w.values, a, o, out, o, acc);
                        }
                    }
                    case SDDMM -> {
                        if (reference) {
                            SpmmCsrKernel.referenceSddmm(n, m, k, w.rowPtr(), w.wideCols, a, o, b, o, out, acc);
                        } else {
                            SpmmCsrKernel.sddmm(n, m, k, w.rowPtr(), w.wideCols, a, o, b, o, out, acc);
                        }
                    }
                }
            }
        }
    }
}

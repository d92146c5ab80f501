package dev.shears.sparse;

import static dev.shears.sparse.SparseTestData.assertBitwise;
import static dev.shears.sparse.SparseTestData.assertContains;
import static dev.shears.sparse.SparseTestData.message;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.tensor.DType;
import dev.shears.tensor.DTypeException;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import dev.shears.tensor.io.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparseTensorsTest {

    @TempDir
    Path dir;

    /** One matrix of every format, with awkward shapes, empty rows and special float values. */
    static Map<String, SparseMatrix> samples() {
        Rng rng = Rng.seeded(42);
        float[] w = SparseTestData.sparseValues(rng, 5, 20, 0.4, true);
        float[] specials = {-0f, 0, 0, 0, Float.MIN_VALUE, 0, -Float.MAX_VALUE, 0}; // groups 0 and 1 of row 0
        System.arraycopy(specials, 0, w, 0, specials.length);
        Map<String, SparseMatrix> m = new LinkedHashMap<>();
        m.put("layers.0.fc.weight", SemiStructured24.fromDense(Tensor.of(w, 5, 20)));
        m.put("csr", CsrMatrix.fromDense(Tensor.of(SparseTestData.sparseValues(rng, 7, 65, 0.8, true), 7, 65)));
        m.put("bitmap", BitmapMatrix.fromDense(Tensor.of(SparseTestData.sparseValues(rng, 3, 13, 0.5, true), 3, 13)));
        m.put("armor.a", BlockDiagonal.of(Tensor.randn(rng, 3, 4, 4)));
        return m;
    }

    /** Asserts the two matrices have the same format, shape, and bit-identical canonical tensors. */
    static void assertSameMatrix(SparseMatrix expected, SparseMatrix actual, String name) {
        assertEquals(expected.getClass(), actual.getClass(), name);
        assertEquals(expected.rows(), actual.rows(), name);
        assertEquals(expected.cols(), actual.cols(), name);
        Map<String, Tensor> e = new LinkedHashMap<>();
        Map<String, Tensor> a = new LinkedHashMap<>();
        Map<String, String> ignored = new LinkedHashMap<>();
        SparseTensors.put(name, expected, e, ignored);
        SparseTensors.put(name, actual, a, new LinkedHashMap<>());
        assertEquals(e.keySet(), a.keySet(), name);
        for (String key : e.keySet()) {
            Tensor x = e.get(key);
            Tensor y = a.get(key);
            assertEquals(x.shape(), y.shape(), key);
            assertEquals(x.dtype(), y.dtype(), key);
            if (x.dtype() == DType.F32) {
                assertBitwise(x.toFloatArray(), y.toFloatArray(), key);
            } else {
                assertArrayEquals(x.toIntArray(), y.toIntArray(), key);
            }
        }
    }

    @Test
    void everyFormatRoundTripsExactlyThroughOneFile() {
        Map<String, SparseMatrix> matrices = samples();
        float[] kept = ((SemiStructured24) matrices.get("layers.0.fc.weight")).packedValues();
        assertBitwise(new float[] {-0f, 0, Float.MIN_VALUE, -Float.MAX_VALUE}, Arrays.copyOf(kept, 4),
                "the sample keeps -0.0, the smallest subnormal and -MAX_VALUE");
        Path file = dir.resolve("model.safetensors");
        SparseTensors.write(file, matrices);
        Map<String, SparseMatrix> back = SparseTensors.read(file);
        assertEquals(List.copyOf(matrices.keySet()).stream().sorted().toList(), back.keySet().stream().sorted().toList());
        matrices.forEach((name, m) -> assertSameMatrix(m, back.get(name), name));
        for (String name : matrices.keySet()) {
            assertSameMatrix(matrices.get(name), SparseTensors.read(file, name), name);
        }
        assertEquals("semi24", SafeTensors.readHeader(file).metadata().get("layers.0.fc.weight.format"));
        assertEquals("5,20", SafeTensors.readHeader(file).metadata().get("layers.0.fc.weight.shape"));
    }

    @Test
    void specialFloatValuesSurviveBitForBit() {
        float[] v = {-0f, Float.MIN_VALUE, -Float.MAX_VALUE, 0x1.fffffep-127f, 1e-30f, 3};
        CsrMatrix m = CsrMatrix.of(2, 4, Tensor.ofInts(new int[] {0, 4, 6}, 3), Tensor.ofInts(new int[] {0, 1, 2, 3, 1, 3}, 6),
                Tensor.of(v, 6));
        Path file = dir.resolve("special.safetensors");
        SparseTensors.write(file, "w", m);
        assertBitwise(v, ((CsrMatrix) SparseTensors.read(file, "w")).valuesArray(), "values");
    }

    @Test
    void mapsHoldSeveralMatricesNextToDenseTensors() {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        tensors.put("fc.bias", Tensor.ones(5));
        metadata.put("format", "pt");
        Map<String, SparseMatrix> matrices = samples();
        matrices.forEach((name, m) -> SparseTensors.put(name, m, tensors, metadata));
        assertEquals(List.copyOf(matrices.keySet()), SparseTensors.names(metadata));
        Path file = dir.resolve("mixed.safetensors");
        SafeTensors.write(file, tensors, metadata);
        Map<String, Tensor> readTensors = SafeTensors.read(file);
        Map<String, String> readMetadata = SafeTensors.readHeader(file).metadata();
        matrices.forEach((name, m) -> assertSameMatrix(m, SparseTensors.get(name, readTensors, readMetadata), name));
        assertEquals(matrices.size(), SparseTensors.read(file).size(), "the dense bias is ignored");
    }

    @Test
    void collidingEntriesAreRejectedBeforeAnythingIsAdded() {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        tensors.put("w.meta", Tensor.ones(1));
        SemiStructured24 s = SemiStructured24.fromDense(Tensor.ones(2, 8));
        String m = message(IllegalArgumentException.class, () -> SparseTensors.put("w", s, tensors, metadata));
        assertContains(m, "SparseTensors.put", "'w.meta'", "already in the tensor map");
        assertEquals(1, tensors.size());
        assertTrue(metadata.isEmpty());
        m = message(IllegalArgumentException.class, () -> SparseTensors.put("", s, tensors, metadata));
        assertContains(m, "matrix name \"\" is not allowed");
    }

    // ==== malformed files =======================================================================

    /** Writes raw tensors and metadata as a file and returns the message reading matrix {@code name} fails with. */
    String readFailure(String file, String name, Map<String, Tensor> tensors, Map<String, String> metadata) {
        Path path = dir.resolve(file);
        SafeTensors.write(path, tensors, metadata);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> SparseTensors.read(path, name));
        assertInstanceOf(IOException.class, e.getCause());
        assertEquals(e.getMessage(), message(UncheckedIOException.class, () -> SparseTensors.read(path)));
        assertContains(e.getMessage(), "SparseTensors.read(" + path + ")", "matrix '" + name + "'");
        return e.getMessage();
    }

    static Map<String, String> meta(String name, String format, String shape) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(name + ".format", format);
        if (shape != null) {
            m.put(name + ".shape", shape);
        }
        return m;
    }

    @Test
    void aBadMetaNibbleIsNamed() {
        Map<String, Tensor> t = Map.of("fc1.values", Tensor.ones(2, 4), "fc1.meta", Tensor.ofBytes(new byte[] {4, 4, 4, 0x06}, 2, 2));
        String m = readFailure("meta.safetensors", "fc1", t, meta("fc1", "semi24", "2,8"));
        assertContains(m, "(semi24)", "fc1.meta[1, 1] = 0x06", "(2, 1) out of order");
    }

    @Test
    void aDecreasingRowPointerIsNamed() {
        Map<String, Tensor> t = Map.of("w.row_ptr", Tensor.ofInts(new int[] {0, 2, 1, 2}, 4),
                "w.col_idx", Tensor.ofInts(new int[] {0, 1}, 2), "w.values", Tensor.ones(2));
        String m = readFailure("rowptr.safetensors", "w", t, meta("w", "csr", "3,4"));
        assertContains(m, "(csr)", "w.row_ptr decreases at row 1", "w.row_ptr[2] = 1 < w.row_ptr[1] = 2");
    }

    @Test
    void missingPiecesAreNamed() {
        Map<String, Tensor> t = Map.of("w.row_ptr", Tensor.ofInts(new int[] {0, 1}, 2), "w.values", Tensor.ones(1));
        assertContains(readFailure("missing.safetensors", "w", t, meta("w", "csr", "1,4")), "tensor 'w.col_idx' is missing");
        Map<String, Tensor> b = Map.of("w.blocks", Tensor.ones(1, 2, 2));
        assertContains(readFailure("noshape.safetensors", "w", b, meta("w", "block_diagonal", null)),
                "metadata 'w.shape' = (missing)", "\"rows,cols\"");
        assertContains(readFailure("badshape.safetensors", "w", b, meta("w", "block_diagonal", "2x2")),
                "metadata 'w.shape' = '2x2'");
        assertContains(readFailure("wrongshape.safetensors", "w", b, meta("w", "block_diagonal", "4,4")),
                "'w.shape' = '4,4' but the tensors hold a [2, 2] matrix");
        assertContains(readFailure("format.safetensors", "w", b, meta("w", "coo", "2,2")),
                "unknown format 'coo'", "semi24, csr, bitmap or block_diagonal");
    }

    @Test
    void wrongDTypesAndBitmapsAreNamed() {
        Map<String, Tensor> t = Map.of("k.bitmap", Tensor.ofBytes(new byte[] {(byte) 0x81}, 1, 1),
                "k.row_offsets", Tensor.ofInts(new int[] {0, 2}, 2), "k.values", Tensor.ones(2));
        assertContains(readFailure("bitmap.safetensors", "k", t, meta("k", "bitmap", "1,7")),
                "k.bitmap[0, 0] = 0x81", "past cols = 7");
        Map<String, Tensor> f = Map.of("k.bitmap", Tensor.ones(1, 1), "k.row_offsets", Tensor.ofInts(new int[] {0, 2}, 2),
                "k.values", Tensor.ones(2));
        assertContains(readFailure("dtype.safetensors", "k", f, meta("k", "bitmap", "1,7")), "k.bitmap must be U8, got F32");
    }

    @Test
    void inMemoryProblemsThrowTheFormatExceptions() {
        Map<String, Tensor> t = Map.of("w.blocks", Tensor.ofInts(new int[4], 1, 2, 2));
        String m = message(DTypeException.class, () -> SparseTensors.get("w", t, meta("w", "block_diagonal", "2,2")));
        assertContains(m, "SparseTensors.get: matrix 'w' (block_diagonal)", "w.blocks must be F32");
        m = message(SparseFormatException.class, () -> SparseTensors.get("v", t, Map.of()));
        assertContains(m, "no sparse matrix 'v'", "'v.format' is missing");
    }

    @Test
    void readingAnAbsentNameListsTheMatricesPresent() {
        Path file = dir.resolve("two.safetensors");
        SparseTensors.write(file, samples());
        String m = message(IllegalArgumentException.class, () -> SparseTensors.read(file, "nope"));
        assertContains(m, "no sparse matrix 'nope'", "layers.0.fc.weight", "armor.a");
    }
}

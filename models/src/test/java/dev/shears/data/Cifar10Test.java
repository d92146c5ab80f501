package dev.shears.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CIFAR-10: the shipped subset (skipped, with the reason, when no {@code shared/data} folder is
 * found) and small hand-made files in temporary folders for the full-set path and every error.
 */
class Cifar10Test {

    /** The project's shared/data: beside the checkout or inside it (from a module folder), else the usual absolute place. */
    private static final List<Path> SHARED_CANDIDATES = List.of(Path.of("../shared/data"), Path.of("../../shared/data"),
            Path.of("shared/data"), Path.of("/work/shared/data"));

    private static Path sharedData() {
        for (Path p : SHARED_CANDIDATES) {
            if (Files.isDirectory(p.resolve("cifar10-subset"))) {
                return p;
            }
        }
        Assumptions.abort("no shared/data/cifar10-subset in " + SHARED_CANDIDATES + " (working directory "
                + Path.of("").toAbsolutePath() + "); pass the data with --data-dir to use it");
        return null;
    }

    /** The shipped subset through the user-folder mechanism ({@code --data-dir <shared/data>}), no cache, no fetch. */
    private static DataLocator shipped(Path tmp) {
        return new DataLocator(sharedData(), tmp.resolve("empty-cache"), false);
    }

    // ---- the shipped subset ---------------------------------------------------------------

    @Test
    void shippedSubsetHasTheReadmeCountsLabelsAndClassNames(@TempDir Path tmp) {
        Cifar10.Data d = Cifar10.load(shipped(tmp));
        assertTrue(d.isSubset());
        assertEquals(5_000, d.train().size());
        assertEquals(1_000, d.test().size());
        assertArrayEquals(new int[] {3, 32, 32}, d.train().sampleShape());
        assertEquals(10, d.train().numClasses());
        assertEquals(Cifar10.CLASSES, d.classNames());
        assertEquals("frog", d.classNames().get(6));
        assertTrue(d.description().contains("SUBSET") && d.description().contains("5,000 train / 1,000 test")
                && d.description().contains("NOT the full"), d.description());
        assertTrue(Cifar10.SUBSET.name().contains("5,000 train / 1,000 test"), Cifar10.SUBSET.name());

        assertArrayEquals(new int[] {6, 9, 9, 4, 1, 1, 2, 7, 8, 3}, labels(d.train(), 0, 10), "README: first train labels");
        assertArrayEquals(new int[] {3, 8, 8, 0, 6, 6, 1, 6, 3, 1}, labels(d.test(), 0, 10), "README: first test labels");

        // README class counts per file; train records 1000 b .. 1000 b + 999 come from data_batch_{b+1}
        int[][] readme = {
            {102, 112, 99, 92, 99, 85, 107, 102, 99, 103},
            {102, 99, 79, 98, 110, 94, 97, 118, 114, 89},
            {102, 106, 92, 119, 101, 89, 106, 92, 103, 90},
            {98, 104, 114, 87, 110, 105, 87, 97, 98, 100},
            {104, 94, 94, 88, 107, 96, 100, 103, 104, 110}};
        for (int b = 0; b < 5; b++) {
            assertArrayEquals(readme[b], classCounts(d.train(), 1000 * b, 1000 * b + 1000), "data_batch_" + (b + 1));
        }
        assertArrayEquals(new int[] {103, 89, 100, 103, 90, 86, 112, 102, 106, 109}, classCounts(d.test(), 0, 1000),
                "test_batch");
    }

    @Test
    void shippedPixelsAreTheRecordBytesOver255InChannelRowColumnOrder(@TempDir Path tmp) throws Exception {
        DataLocator loc = shipped(tmp);
        ArrayDataset train = Cifar10.train(loc);
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        float[] x = new float[3072];
        for (int i = 0; i < train.size(); i++) {
            train.copyInputs(i, x, 0);
            for (float v : x) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        assertEquals(0f, min, "some pixel is black");
        assertEquals(1f, max, 1e-6f, "some pixel is saturated");

        // record 7 of data_batch_1, compared with the raw file: byte 1 + c*1024 + y*32 + x
        Path raw = loc.find(Cifar10.SUBSET, "data_batch_1.first1000.bin").orElseThrow();
        byte[] bytes = Files.readAllBytes(raw);
        train.copyInputs(7, x, 0);
        int base = 7 * Cifar10.RECORD_BYTES;
        for (int[] cyx : new int[][] {{0, 0, 0}, {0, 0, 31}, {1, 5, 9}, {2, 31, 0}, {2, 31, 31}}) {
            int off = cyx[0] * 1024 + cyx[1] * 32 + cyx[2];
            assertEquals((bytes[base + 1 + off] & 0xff) / 255f, x[off], 1e-7f, "channel/row/col " + Arrays.toString(cyx));
        }
        assertEquals(bytes[base], train.label(7));

        Batch b = DataLoader.builder(train, 64).build().iterator().next();
        assertArrayEquals(new int[] {64, 3, 32, 32}, b.inputs().shape().dims());
    }

    @Test
    void firstRecordsOfAnOfficialBatchAreComparedWithTheSubset(@TempDir Path tmp) throws Exception {
        Path raw = shipped(tmp).find(Cifar10.SUBSET, "data_batch_2.first1000.bin").orElseThrow();
        byte[] longer = Arrays.copyOf(Files.readAllBytes(raw), 3_073_000 + Cifar10.RECORD_BYTES);
        assertTrue(Cifar10.matchesSubset(longer, "data_batch_2.bin"));
        assertFalse(Cifar10.matchesSubset(longer, "data_batch_3.bin"));
        longer[12_345] ^= 1;
        assertFalse(Cifar10.matchesSubset(longer, "data_batch_2.bin"));
    }

    @Test
    void defaultSearchFindsTheShippedFolderRelativeToTheWorkingDirectory(@TempDir Path tmp) {
        Path dir = Cifar10.SUBSET.systemDirs().stream().filter(Files::isDirectory).findFirst().orElse(null);
        Assumptions.assumeTrue(dir != null, () -> "none of " + Cifar10.SUBSET.systemDirs() + " exists under "
                + Path.of("").toAbsolutePath());
        Cifar10.Source s = Cifar10.locate(new DataLocator(null, tmp.resolve("empty-cache"), false));
        assertTrue(s.subset());
        assertEquals(dir.resolve("test_batch.first1000.bin"), s.testFile());
        assertEquals(dir.resolve(Cifar10.META_FILE), s.metaFile());
    }

    // ---- hand-made files --------------------------------------------------------------------

    /** {@code n} records with labels {@code (seed + i) % 10} and pixel k of record i = {@code (seed + 7 i + k) % 256}. */
    private static byte[] records(int n, int seed) {
        byte[] b = new byte[n * Cifar10.RECORD_BYTES];
        for (int i = 0; i < n; i++) {
            b[i * Cifar10.RECORD_BYTES] = (byte) ((seed + i) % 10);
            for (int k = 0; k < Cifar10.IMAGE_BYTES; k++) {
                b[i * Cifar10.RECORD_BYTES + 1 + k] = (byte) (seed + 7 * i + k);
            }
        }
        return b;
    }

    /** A full-named set: batch b holds 3 records from seed b, the test batch 2 from seed 50. */
    private static Path fullSet(Path dir) throws Exception {
        Files.createDirectories(dir);
        for (int b = 0; b < 5; b++) {
            Files.write(dir.resolve(Cifar10.TRAIN_FILES.get(b)), records(3, b));
        }
        Files.write(dir.resolve(Cifar10.TEST_FILE), records(2, 50));
        return dir;
    }

    @Test
    void fullNamesInTheUserFolderAreReadInsteadOfTheSubset(@TempDir Path tmp) throws Exception {
        Path bin = fullSet(tmp.resolve("user/cifar-10-batches-bin"));
        // the test batch gzipped, as DataLocator allows
        byte[] test = Files.readAllBytes(bin.resolve(Cifar10.TEST_FILE));
        Files.delete(bin.resolve(Cifar10.TEST_FILE));
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(bin.resolve(Cifar10.TEST_FILE + ".gz")))) {
            out.write(test);
        }
        List<String> names = new ArrayList<>(Cifar10.CLASSES);
        names.set(0, "plane");
        Files.writeString(bin.resolve(Cifar10.META_FILE), String.join("\n", names) + "\n\n");

        Cifar10.Data d = Cifar10.load(DataLocator.fromArgs("--data-dir", tmp.resolve("user").toString()).withoutFetch());
        assertFalse(d.isSubset());
        assertEquals(15, d.train().size());
        assertEquals(2, d.test().size());
        assertArrayEquals(new int[] {0, 1, 2, 1, 2, 3, 2, 3, 4, 3, 4, 5, 4, 5, 6}, labels(d.train(), 0, 15));
        assertArrayEquals(new int[] {0, 1}, labels(d.test(), 0, 2));
        assertEquals(names, d.classNames(), "read from the batches.meta.txt beside the batches, blank lines dropped");
        assertTrue(d.description().contains("15 train / 2 test") && d.description().contains("NOT the official 50,000 / 10,000"),
                d.description());
        float[] x = new float[3072];
        d.train().copyInputs(4, x, 0); // batch 2 (seed 1), record 1
        assertEquals(((1 + 7 + 1000) & 0xff) / 255f, x[1000], 1e-7f);

        // without batches.meta.txt the documented names are used
        Files.delete(bin.resolve(Cifar10.META_FILE));
        assertEquals(Cifar10.CLASSES, Cifar10.classNames(new DataLocator(bin, tmp.resolve("cache"), false)));
    }

    @Test
    void anIncompleteFullSetIsAnErrorNamingWhatIsMissing(@TempDir Path tmp) throws Exception {
        Path dir = fullSet(tmp.resolve("user"));
        Files.delete(dir.resolve(Cifar10.TEST_FILE));
        Files.delete(dir.resolve("data_batch_4.bin"));
        DataUnavailableException e = assertThrows(DataUnavailableException.class,
                () -> Cifar10.train(new DataLocator(dir, tmp.resolve("cache"), false)));
        assertTrue(e.getMessage().contains("[data_batch_4.bin, test_batch.bin]") && e.getMessage().contains(dir.toString()),
                e.getMessage());
    }

    @Test
    void aTruncatedRecordNamesTheFileAndItsSize(@TempDir Path tmp) throws Exception {
        Path dir = fullSet(tmp.resolve("user"));
        Path bad = dir.resolve("data_batch_3.bin");
        Files.write(bad, Arrays.copyOf(records(3, 0), 2 * Cifar10.RECORD_BYTES + 100));
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> Cifar10.train(new DataLocator(dir, tmp.resolve("cache"), false)));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("6,246 bytes")
                && e.getMessage().contains("multiple of the 3,073-byte record")
                && e.getMessage().contains("2 whole records and 100 bytes left over"), e.getMessage());

        Files.write(bad, new byte[0]);
        e = assertThrows(UncheckedIOException.class, () -> Cifar10.readBinary(List.of(bad)));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("size 0 bytes"), e.getMessage());
    }

    @Test
    void aLabelOutsideZeroToNineNamesTheFileRecordAndValue(@TempDir Path tmp) throws Exception {
        Path dir = fullSet(tmp.resolve("user"));
        Path bad = dir.resolve(Cifar10.TEST_FILE);
        byte[] b = records(4, 50);
        b[2 * Cifar10.RECORD_BYTES] = (byte) 200;
        Files.write(bad, b);
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> Cifar10.test(new DataLocator(dir, tmp.resolve("cache"), false)));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("record 2 (byte 6,146)")
                && e.getMessage().contains("label 200"), e.getMessage());
        // the training batches are fine
        assertEquals(15, Cifar10.train(new DataLocator(dir, tmp.resolve("cache"), false)).size());
    }

    @Test
    void aSubsetFileWithTheWrongHashIsRejectedBeforeParsing(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("user/cifar10-subset"));
        for (DataSpec.FileSpec f : Cifar10.SUBSET.files()) {
            Files.write(dir.resolve(f.name()), new byte[(int) f.size()]); // right size, all zeros: labels 0, valid structure
        }
        DataLocator loc = new DataLocator(tmp.resolve("user"), tmp.resolve("cache"), false);
        Path testFile = dir.resolve("test_batch.first1000.bin");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Cifar10.test(loc));
        String zeros = DataLocator.sha256(new byte[3_073_000]);
        assertTrue(e.getMessage().contains(testFile.toString()) && e.getMessage().contains("SHA-256 mismatch")
                && e.getMessage().contains("8314c96d7cd65618193bab23acdd5d4c4af15bf6dd00a1781d55beedf3be1ef5")
                && e.getMessage().contains(zeros), e.getMessage());

        Files.write(testFile, new byte[3_073_000 - 1]);
        e = assertThrows(UncheckedIOException.class, () -> Cifar10.test(loc));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains(testFile.toString()), e.getMessage());
        assertThrows(UncheckedIOException.class, () -> Cifar10.classNames(loc), "batches.meta.txt is verified too");
    }

    @Test
    void missingDataSaysWhereItLookedAndHowToPassDataDir(@TempDir Path tmp) {
        Path user = tmp.resolve("no-such-folder");
        DataLocator loc = new DataLocator(user, tmp.resolve("cache"), false);
        // the shipped subset's working-directory folders left out, so the test does not depend on where it runs
        DataSpec nowhere = new DataSpec(Cifar10.SUBSET.name(), Cifar10.SUBSET.subdir(), Cifar10.SUBSET.files(), List.of(),
                Cifar10.SUBSET.fetchHelp(), null);
        DataUnavailableException e = assertThrows(DataUnavailableException.class, () -> Cifar10.locate(loc, nowhere));
        String m = e.getMessage();
        assertTrue(m.contains(user.resolve("cifar10-subset").toString()) && m.contains(user.resolve("cifar-10-batches-bin").toString())
                && m.contains("data_batch_1.bin") && m.contains("data_batch_1.first1000.bin")
                && m.contains("not available from any package registry") && m.contains("--data-dir")
                && m.contains("SHEARS_DATA") && m.contains("subset"), m);
    }

    @Test
    void classNamesFileMustHoldTenNames() {
        byte[] nine = String.join("\n", Cifar10.CLASSES.subList(0, 9)).getBytes(StandardCharsets.US_ASCII);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Cifar10.parseClassNames(nine, "meta.txt"));
        assertTrue(e.getMessage().contains("meta.txt") && e.getMessage().contains("has 9 class names"), e.getMessage());
        assertEquals("data_batch_5.first1000.bin", Cifar10.subsetName("data_batch_5.bin"));
    }

    private static int[] labels(Dataset ds, int from, int to) {
        int[] y = new int[to - from];
        for (int i = from; i < to; i++) {
            y[i - from] = ds.label(i);
        }
        return y;
    }

    private static int[] classCounts(Dataset ds, int from, int to) {
        int[] c = new int[10];
        for (int i = from; i < to; i++) {
            c[ds.label(i)]++;
        }
        return c;
    }
}

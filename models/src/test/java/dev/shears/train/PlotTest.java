package dev.shears.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.GraphicsEnvironment;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlotTest {

    private static final int BLUE = 0x1f77b4;   // first series colour
    private static final int ORANGE = 0xff7f0e; // second
    private static final int GREEN = 0x2ca02c;  // third

    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @Test
    void writesAPngOfTheRequestedSizeWithTheCurveDrawn(@TempDir Path dir) throws IOException {
        double[] steps = new double[200];
        double[] loss = new double[200];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = i + 1;
            loss[i] = 2.3 * Math.exp(-i / 40.0) + 0.05;
        }
        Path file = Plot.line("Training loss").xLabel("step").yLabel("loss")
                .series("train", steps, loss).size(640, 400).writePng(dir.resolve("loss.png"));

        assertEquals(dir.resolve("loss.png"), file);
        BufferedImage image = readPng(file);
        assertEquals(640, image.getWidth());
        assertEquals(400, image.getHeight());
        assertEquals(0xffffff, rgb(image, 0, 0), "white background");
        assertTrue(countDifferent(image, 0xffffff) > 1000, "something was drawn");
        assertTrue(countNear(image, BLUE) > 100, "the curve is drawn in the first series colour");
        assertEquals(List.of(file), listFiles(dir), "no temp files left behind");
    }

    @Test
    void logXChartWithSeveralSeries(@TempDir Path dir) throws IOException {
        double[] remaining = {100, 51.2, 26.2, 13.4, 6.9, 3.6, 1.8, 0.9};
        Path file = Plot.line("Accuracy vs weights remaining").xLabel("% weights remaining").yLabel("test accuracy")
                .series("winning ticket", remaining, new double[] {0.978, 0.981, 0.983, 0.984, 0.982, 0.979, 0.97, 0.95})
                .series("random reinit", remaining, new double[] {0.978, 0.975, 0.97, 0.962, 0.95, 0.93, 0.9, 0.85})
                .series("random pruning", remaining, new double[] {0.978, 0.972, 0.965, 0.955, 0.94, 0.91, 0.88, 0.8})
                .logX().yRange(0.75, 1.0).markers(true).legend(Plot.Legend.INSIDE_BOTTOM_LEFT)
                .writePng(dir.resolve("accuracy_vs_sparsity.png"));

        BufferedImage image = readPng(file);
        assertEquals(800, image.getWidth(), "default width");
        assertEquals(500, image.getHeight(), "default height");
        for (int colour : new int[] {BLUE, ORANGE, GREEN}) {
            assertTrue(countNear(image, colour) > 20, "series colour " + Integer.toHexString(colour) + " is drawn");
        }
        assertEquals(List.of(file), listFiles(dir), "no temp files left behind");
    }

    @Test
    void overwritesAtomicallyAndCreatesMissingFolders(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("plots/sub/acc.png");
        Plot plot = Plot.line("").series("a", new double[] {1, 2, 3}, new double[] {0.1, 0.5, 0.4}).size(300, 200);
        plot.writePng(file);
        plot.size(320, 240).writePng(file);
        BufferedImage image = readPng(file);
        assertEquals(320, image.getWidth());
        assertEquals(240, image.getHeight());
        assertEquals(List.of(file), listFiles(file.getParent()));
    }

    @Test
    void singlePointsAndFlatLinesRender(@TempDir Path dir) throws IOException {
        Path one = Plot.line("one point").series("a", new double[] {3}, new double[] {0.5}).markers(true)
                .writePng(dir.resolve("one.png"));
        assertTrue(countNear(readPng(one), BLUE) > 10, "the lone marker is drawn");
        Path flat = Plot.line("flat").series("a", new double[] {1, 2, 3}, new double[] {0.5, 0.5, 0.5})
                .writePng(dir.resolve("flat.png"));
        assertTrue(countNear(readPng(flat), BLUE) > 100, "the flat line is drawn");
    }

    @Test
    void nonFinitePointsAreSkipped(@TempDir Path dir) throws IOException {
        double nan = Double.NaN;
        double inf = Double.POSITIVE_INFINITY;
        Path file = Plot.line("eval accuracy")
                .series("test", new double[] {1, 2, 3, 4, nan, 6}, new double[] {0.5, nan, 0.7, 0.8, 0.9, inf})
                .writePng(dir.resolve("eval.png"));
        assertTrue(countNear(readPng(file), BLUE) > 20);

        // a diverged loss (inf) or a missing value (NaN, or 0 mapped to NaN) must not break a log axis either
        Path logged = Plot.line("loss").logY().series("train", new double[] {1, 2, 3, 4}, new double[] {2.3, nan, -inf, 0.4})
                .writePng(dir.resolve("loss.png"));
        assertTrue(countNear(readPng(logged), BLUE) > 20);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Plot.line("eval").series("test", new double[] {1, 2}, new double[] {nan, inf}));
        assertContains(e, "'test'", "no point", "NaN or infinite");
    }

    @Test
    void badSeriesAreRejectedWithClearMessages() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Plot.line("Loss").series("train", new double[] {1, 2, 3}, new double[] {1, 2, 3, 4}));
        assertContains(e, "Loss", "'train'", "xs.length = 3", "ys.length = 4");

        e = assertThrows(IllegalArgumentException.class, () -> Plot.line("Loss").series("train", new double[0], new double[0]));
        assertContains(e, "'train'", "empty");

        e = assertThrows(IllegalArgumentException.class,
                () -> Plot.line("Loss").series("train", new double[] {1}, new double[] {1}).series("train", new double[] {2}, new double[] {2}));
        assertContains(e, "'train'", "already");

        e = assertThrows(IllegalArgumentException.class, () -> Plot.line("Loss").series(" ", new double[] {1}, new double[] {1}));
        assertContains(e, "name");

        e = assertThrows(IllegalArgumentException.class, () -> Plot.line("Loss").writePng(Path.of("unused.png")));
        assertContains(e, "no series");

        e = assertThrows(IllegalArgumentException.class, () -> Plot.line("Loss").yRange(1, 0));
        assertContains(e, "yRange");

        e = assertThrows(IllegalArgumentException.class, () -> Plot.line("Loss").size(0, 500));
        assertContains(e, "size 0 x 500");
    }

    @Test
    void logAxesRejectNonPositiveValues(@TempDir Path dir) throws IOException {
        Plot plot = Plot.line("Sparsity").logX()
                .series("dense", new double[] {100, 10, 1}, new double[] {0.9, 0.9, 0.9})
                .series("pruned", new double[] {100, 10, 0}, new double[] {0.9, 0.8, 0.7});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plot.writePng(dir.resolve("s.png")));
        assertContains(e, "'pruned'", "x = 0.0", "index 2", "logarithmic");

        e = assertThrows(IllegalArgumentException.class, () -> Plot.line("Loss").logY()
                .series("train", new double[] {1, 2}, new double[] {0.5, -1}).writePng(dir.resolve("l.png")));
        assertContains(e, "'train'", "y = -1.0", "logarithmic");
        assertEquals(List.of(), listFiles(dir), "nothing written for a rejected plot");
    }

    @Test
    void fileNamesMustEndWithPng(@TempDir Path dir) throws IOException {
        Plot plot = Plot.line("Loss").series("train", new double[] {1, 2}, new double[] {1, 0.5});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plot.writePng(dir.resolve("loss.svg")));
        assertContains(e, "'loss.svg'", ".png");

        try (RunDir run = RunDir.create(dir.resolve("runs"), "demo", 1)) {
            for (String bad : new String[] {"loss", "loss.jpg", ".png", "sub/loss.png", "..\\loss.png"}) {
                e = assertThrows(IllegalArgumentException.class, () -> run.writePlot(bad, plot), bad);
                assertContains(e, "RunDir.writePlot", "'" + bad + "'", ".png");
            }
            assertEquals(List.of(), listFiles(run.path()));
        }
    }

    @Test
    void runDirWritesPlotsIntoTheRunFolder(@TempDir Path dir) throws IOException {
        try (RunDir run = RunDir.create(dir.resolve("runs"), "demo", 7)) {
            Path file = run.writePlot("loss.png", Plot.line("Loss").xLabel("step").yLabel("loss")
                    .series("train", new double[] {1, 2, 3}, new double[] {2.3, 1.1, 0.7})
                    .series("test", new double[] {1, 3}, new double[] {2.2, 0.9}));
            assertEquals(run.path().resolve("loss.png"), file);
            assertTrue(countNear(readPng(file), ORANGE) > 20, "second series drawn");
            assertEquals(List.of(file), listFiles(run.path()), "no temp files left behind");
        }
    }

    @Test
    void rendersHeadless() {
        Plot.line("x");
        assertEquals("true", System.getProperty("java.awt.headless"));
        assertTrue(GraphicsEnvironment.isHeadless());
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static BufferedImage readPng(Path file) throws IOException {
        byte[] head = new byte[PNG_MAGIC.length];
        try (InputStream in = Files.newInputStream(file)) {
            assertEquals(head.length, in.readNBytes(head, 0, head.length));
        }
        assertArrayEquals(PNG_MAGIC, head, "PNG signature");
        BufferedImage image = ImageIO.read(file.toFile());
        assertNotNull(image, "ImageIO decodes " + file);
        return image;
    }

    private static int rgb(BufferedImage image, int x, int y) {
        return image.getRGB(x, y) & 0xffffff;
    }

    private static int countDifferent(BufferedImage image, int background) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if (rgb(image, x, y) != background) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Pixels within a small distance of {@code colour} (anti-aliasing blends the edges of a line). */
    private static int countNear(BufferedImage image, int colour) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int p = rgb(image, x, y);
                int dr = ((p >> 16) & 0xff) - ((colour >> 16) & 0xff);
                int dg = ((p >> 8) & 0xff) - ((colour >> 8) & 0xff);
                int db = (p & 0xff) - (colour & 0xff);
                if (Math.abs(dr) + Math.abs(dg) + Math.abs(db) <= 24) {
                    n++;
                }
            }
        }
        return n;
    }

    private static List<Path> listFiles(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    private static void assertContains(Throwable e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message should mention " + part + ": " + e.getMessage());
        }
    }
}

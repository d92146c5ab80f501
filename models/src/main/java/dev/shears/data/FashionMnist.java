package dev.shears.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST (Zalando): 60,000 train and 10,000 test 28x28 grey images of clothing, 10 classes
 * ({@link #CLASSES}). Same sample layout as {@link Mnist}: {@code [1, 28, 28]}, values in {@code [0, 1]}.
 *
 * <p>Found as described in {@link DataLocator}, with the Debian package's install folder
 * {@code /usr/share/datasets/fashion-mnist} (gzipped files) searched after the user folder. When
 * missing, fetched without root by {@code apt-get download dataset-fashion-mnist} and
 * {@code dpkg-deb -x}, gunzipped, verified by the SHA-256 of the unpacked bytes and cached in
 * {@code <cache>/fashion-mnist/}.
 */
public final class FashionMnist {
    private FashionMnist() {}

    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** The unpacked files' sizes and SHA-256 (shared/data/README.md; the Debian .gz files are recompressed). */
    public static final DataSpec SPEC = new DataSpec("Fashion-MNIST", "fashion-mnist", List.of(
            new DataSpec.FileSpec(Mnist.TRAIN_IMAGES, 47_040_016L, "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
            new DataSpec.FileSpec(Mnist.TRAIN_LABELS, 60_008L, "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
            new DataSpec.FileSpec(Mnist.TEST_IMAGES, 7_840_016L, "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
            new DataSpec.FileSpec(Mnist.TEST_LABELS, 10_008L, "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34")),
            List.of(DEBIAN_DIR),
            "sudo apt-get update && sudo apt-get install -y dataset-fashion-mnist   # installs " + DEBIAN_DIR + "\n"
                    + "# or, without root: apt-get download dataset-fashion-mnist && dpkg-deb -x dataset-fashion-mnist_*.deb out/\n"
                    + "# the files are then in out" + DEBIAN_DIR,
            FashionMnist::fetch);

    public static ArrayDataset train() {
        return train(DataLocator.defaults());
    }

    public static ArrayDataset test() {
        return test(DataLocator.defaults());
    }

    public static ArrayDataset train(DataLocator locator) {
        return MnistFormat.load(locator, SPEC, Mnist.TRAIN_IMAGES, Mnist.TRAIN_LABELS, 60_000);
    }

    public static ArrayDataset test(DataLocator locator) {
        return MnistFormat.load(locator, SPEC, Mnist.TEST_IMAGES, Mnist.TEST_LABELS, 10_000);
    }

    /** {@code apt-get download} + {@code dpkg-deb -x} into {@code work}, gunzip the four files into {@code out}. */
    static void fetch(Path work, Path out) throws IOException, InterruptedException {
        DataLocator.run(work, DataLocator.fetchTimeoutSeconds(), "apt-get", "download", "dataset-fashion-mnist");
        Path deb;
        try (Stream<Path> s = Files.list(work)) {
            deb = s.filter(p -> p.getFileName().toString().startsWith("dataset-fashion-mnist_")
                    && p.getFileName().toString().endsWith(".deb")).findFirst()
                    .orElseThrow(() -> new IOException("`apt-get download dataset-fashion-mnist` wrote no .deb"));
        }
        Path x = work.resolve("x");
        DataLocator.run(work, DataLocator.fetchTimeoutSeconds(), "dpkg-deb", "-x", deb.toString(), x.toString());
        Path dir = x.resolve(DEBIAN_DIR.toString().substring(1));
        for (DataSpec.FileSpec f : SPEC.files()) {
            Path gz = dir.resolve(f.name() + ".gz");
            if (!Files.isRegularFile(gz)) {
                throw new IOException(deb.getFileName() + " has no " + DEBIAN_DIR.resolve(f.name() + ".gz"));
            }
            try (InputStream in = new GZIPInputStream(Files.newInputStream(gz), 1 << 16)) {
                Files.copy(in, out.resolve(f.name()));
            }
        }
    }
}

package dev.shears.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * CIFAR-10 (Krizhevsky, 2009): 32x32 colour images in 10 classes ({@link #CLASSES}), read from the
 * data set's <em>binary version</em>.
 *
 * <p>Samples have shape {@code [3, 32, 32]} (channels R, G, B, channels first like {@link Mnist}, so
 * the image transforms apply; {@link DataLoader.Builder#flatten} gives {@code [B, 3072]}), values
 * {@code pixel / 255} in {@code [0, 1]}, labels 0..9.
 *
 * <p>Record layout: {@value #RECORD_BYTES} bytes per image and no header: the label byte, then 1,024
 * red, 1,024 green and 1,024 blue bytes, each plane 32 x 32 row by row (top row first). A file holds
 * {@code size / 3073} records.
 *
 * <p>Where the files come from, in this order:
 * <ol>
 *   <li>The full data set under its official names {@link #TRAIN_FILES} and {@link #TEST_FILE}, in the
 *       user folder ({@code --data-dir DIR} / {@code SHEARS_DATA}): {@code DIR/cifar-10-batches-bin/}
 *       (the folder the official {@code cifar-10-binary.tar.gz} unpacks to) or {@code DIR/}; also
 *       {@code <cache>/cifar-10-batches-bin/}. Their SHA-256 values are not known (shared/data/README.md
 *       gives none), so they are checked structurally: each size a non-zero multiple of 3,073, every
 *       label in 0..9. When one of the six is found all six must be. Class names come from the
 *       {@code batches.meta.txt} beside them, else {@link #CLASSES}.</li>
 *   <li>The shipped <b>subset</b> ({@link #SUBSET}): {@code data_batch_N.first1000.bin},
 *       {@code test_batch.first1000.bin} and {@code batches.meta.txt}, in the user folder
 *       ({@code DIR/cifar10-subset/} or {@code DIR/}), then the project's {@code shared/data/cifar10-subset/}
 *       ({@link DataLocator#sharedDataDirs}), then {@code <cache>/cifar10-subset/}. Every file is
 *       checked against its size and SHA-256 before it is parsed.</li>
 * </ol>
 * There is no automatic fetch: the full CIFAR-10 is not carried by any package registry.
 *
 * <p><b>The shipped data is a subset</b>: 5,000 training images (the first 1,000 of each of the five
 * training batches) and 1,000 test images (the first 1,000 of the test batch). Results on it are not
 * comparable with published full-CIFAR-10 numbers; {@link Data#isSubset()} and
 * {@link Data#description()} say what was loaded, for reports.
 */
public final class Cifar10 {
    private Cifar10() {}

    private static final System.Logger LOG = System.getLogger(Cifar10.class.getName());

    /** Bytes per record: 1 label byte + {@value #IMAGE_BYTES} pixel bytes. */
    public static final int RECORD_BYTES = 3073;
    /** Pixel bytes per record: 3 planes of 32 x 32. */
    public static final int IMAGE_BYTES = 3072;
    public static final int CHANNELS = 3;
    public static final int SIDE = 32;
    public static final int NUM_CLASSES = 10;

    /** Sizes of the shipped subset. */
    public static final int SUBSET_TRAIN_SIZE = 5_000;
    public static final int SUBSET_TEST_SIZE = 1_000;
    /** Sizes of the full data set (10,000 images per batch file). */
    public static final int FULL_TRAIN_SIZE = 50_000;
    public static final int FULL_TEST_SIZE = 10_000;

    /** Label i's name (the content of {@code batches.meta.txt}). */
    public static final List<String> CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog",
            "frog", "horse", "ship", "truck");

    /** The official names of the full training batches (binary version). */
    public static final List<String> TRAIN_FILES = List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
            "data_batch_4.bin", "data_batch_5.bin");
    /** The official name of the full test batch. */
    public static final String TEST_FILE = "test_batch.bin";
    /** Class names, one per line, line i = label i. */
    public static final String META_FILE = "batches.meta.txt";

    private static final List<String> FULL_FILES = concat(TRAIN_FILES, TEST_FILE);

    /** The subset's name for an official batch file: {@code data_batch_1.bin -> data_batch_1.first1000.bin}. */
    public static String subsetName(String officialName) {
        if (!officialName.endsWith(".bin")) {
            throw new IllegalArgumentException("Cifar10.subsetName: " + officialName + " is not a .bin batch file");
        }
        return officialName.substring(0, officialName.length() - 4) + ".first1000.bin";
    }

    private static final String HELP = "# The subset (5,000 train / 1,000 test) ships with the project in shared/data/cifar10-subset/;\n"
            + "# from a working directory where it is not found, pass --data-dir <...>/shared/data (or the cifar10-subset folder).\n"
            + "# The full CIFAR-10 is not available from any package registry (no npm or Debian package carries it).\n"
            + "# Get its binary version from https://www.cs.toronto.edu/~kriz/cifar.html:\n"
            + "tar xzf cifar-10-binary.tar.gz   # writes cifar-10-batches-bin/ with " + String.join(", ", FULL_FILES) + ", " + META_FILE + "\n"
            + "# and pass --data-dir to the folder holding cifar-10-batches-bin/ (or to that folder itself)";

    /** The shipped subset: files, sizes and SHA-256 values from shared/data/README.md and SHA256SUMS. */
    public static final DataSpec SUBSET = new DataSpec("CIFAR-10 subset (5,000 train / 1,000 test; not the full data set)",
            "cifar10-subset", List.of(
            new DataSpec.FileSpec("data_batch_1.first1000.bin", 3_073_000L, "1c5f9ea0fc1111d586f29115efd3db25eecf7db27b29aaebbe84721446b052cc"),
            new DataSpec.FileSpec("data_batch_2.first1000.bin", 3_073_000L, "4f979f9b23aaa1ed4caa123051abf301d1bf3efaafb71eb652c88915b5724f2d"),
            new DataSpec.FileSpec("data_batch_3.first1000.bin", 3_073_000L, "b22c7fc2fb3577032913fa43c14b40b539abf70f40cfc257fa90f035d3728e34"),
            new DataSpec.FileSpec("data_batch_4.first1000.bin", 3_073_000L, "998398a620412db9b26cad6a83aff2d049fef005e171474ed2676c0397c7157f"),
            new DataSpec.FileSpec("data_batch_5.first1000.bin", 3_073_000L, "d427e63de6374fb63b5a1d61a35cf7a9457aaac5f1af2ef2ac87ecfef4877085"),
            new DataSpec.FileSpec("test_batch.first1000.bin", 3_073_000L, "8314c96d7cd65618193bab23acdd5d4c4af15bf6dd00a1781d55beedf3be1ef5"),
            new DataSpec.FileSpec(META_FILE, 60L, "2ce042b1e0b48db4bb214408e6414ba18b2731c24af244f2d6c112fddf31af00")),
            DataLocator.sharedDataDirs("cifar10-subset"), HELP, null);

    /**
     * Where the full binary version is looked for ({@code DIR/cifar-10-batches-bin}, {@code DIR},
     * {@code <cache>/cifar-10-batches-bin}). It lists no files: their SHA-256 values are not known,
     * so they are never read through {@link DataLocator#read} but validated structurally.
     */
    static final DataSpec FULL = new DataSpec("CIFAR-10 (full, binary version)", "cifar-10-batches-bin",
            List.of(), List.of(), HELP, null);

    /**
     * Which files a load reads.
     *
     * @param subset     whether they are the 5,000 / 1,000 subset (else the full set's official names)
     * @param trainFiles the training batches in order
     * @param testFile   the test batch
     * @param metaFile   {@code batches.meta.txt}, or {@code null} when the full set comes without one
     *                   ({@link #CLASSES} is used then)
     */
    public record Source(boolean subset, List<Path> trainFiles, Path testFile, Path metaFile) {
        public Source {
            trainFiles = List.copyOf(trainFiles);
        }
    }

    /** Both splits, the class names and where they came from. */
    public record Data(ArrayDataset train, ArrayDataset test, List<String> classNames, Source source) {
        public Data {
            classNames = List.copyOf(classNames);
        }

        /** Whether this is the shipped 5,000 / 1,000 subset rather than the full data set. */
        public boolean isSubset() {
            return source.subset();
        }

        /** One line for logs and result files, saying plainly whether this is the subset. */
        public String description() {
            String from = " from " + source.testFile().toAbsolutePath().normalize().getParent();
            String counts = String.format("%,d train / %,d test images", train.size(), test.size());
            if (source.subset()) {
                return "CIFAR-10 SUBSET, " + counts + " (the first 1,000 images of each batch file; NOT the full "
                        + "data set, results are not comparable with published CIFAR-10 numbers)" + from;
            }
            boolean official = train.size() == FULL_TRAIN_SIZE && test.size() == FULL_TEST_SIZE;
            return "CIFAR-10 (binary version), " + counts
                    + (official ? "" : String.format(" (NOT the official %,d / %,d)", FULL_TRAIN_SIZE, FULL_TEST_SIZE)) + from;
        }
    }

    /** Both splits and the class names, located by {@link DataLocator#defaults()}. */
    public static Data load() {
        return load(DataLocator.defaults());
    }

    /** Both splits and the class names. */
    public static Data load(DataLocator locator) {
        Source s = locate(locator);
        return new Data(read(s, s.trainFiles()), read(s, List.of(s.testFile())), classNames(s), s);
    }

    /** The training images (50,000, or 5,000 from the subset), located by {@link DataLocator#defaults()}. */
    public static ArrayDataset train() {
        return train(DataLocator.defaults());
    }

    /** The test images (10,000, or 1,000 from the subset), located by {@link DataLocator#defaults()}. */
    public static ArrayDataset test() {
        return test(DataLocator.defaults());
    }

    public static ArrayDataset train(DataLocator locator) {
        Source s = locate(locator);
        return read(s, s.trainFiles());
    }

    public static ArrayDataset test(DataLocator locator) {
        Source s = locate(locator);
        return read(s, List.of(s.testFile()));
    }

    /** The 10 class names from {@code batches.meta.txt}, located by {@link DataLocator#defaults()}. */
    public static List<String> classNames() {
        return classNames(DataLocator.defaults());
    }

    /** The 10 class names from the {@code batches.meta.txt} that goes with the images {@code locator} finds. */
    public static List<String> classNames(DataLocator locator) {
        return classNames(locate(locator));
    }

    /**
     * Which files would be read: the full set if any of its official names is found, else the subset.
     *
     * @throws DataUnavailableException if neither is found (the message says where it looked and
     *                                  how to pass {@code --data-dir}), or if the full set is incomplete
     */
    public static Source locate(DataLocator locator) {
        return locate(locator, SUBSET);
    }

    /** {@link #locate(DataLocator)} with {@code subset} (the same files as {@link #SUBSET}) in its place, for tests. */
    static Source locate(DataLocator locator, DataSpec subset) {
        List<Path> found = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String name : FULL_FILES) {
            Optional<Path> p = locator.find(FULL, name);
            if (p.isPresent()) {
                found.add(p.get());
            } else {
                missing.add(name);
            }
        }
        if (missing.isEmpty()) {
            return new Source(false, found.subList(0, TRAIN_FILES.size()), found.getLast(),
                    locator.find(FULL, META_FILE).orElse(null));
        }
        if (!found.isEmpty()) {
            throw new DataUnavailableException("CIFAR-10: found " + found + " but not " + missing + " (searched "
                    + locator.searchDirs(FULL) + "); the full data set needs all of " + FULL_FILES
                    + ". Complete the folder, or remove these files to use the shipped subset.", null);
        }
        List<Path> files = new ArrayList<>();
        for (String name : FULL_FILES) {
            files.add(findSubset(locator, subset, subsetName(name)));
        }
        return new Source(true, files.subList(0, TRAIN_FILES.size()), files.getLast(), findSubset(locator, subset, META_FILE));
    }

    private static Path findSubset(DataLocator locator, DataSpec subset, String name) {
        return locator.find(subset, name).orElseThrow(() -> locator.unavailable(subset,
                "no full CIFAR-10 (" + String.join(", ", FULL_FILES) + ") is in " + locator.searchDirs(FULL) + " either", null));
    }

    /** Reads and concatenates {@code files} of {@code source}: SHA-256-verified for the subset, structurally checked otherwise. */
    private static ArrayDataset read(Source source, List<Path> files) {
        List<byte[]> contents = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Path p : files) {
            String name = p.getFileName().toString().replaceFirst("\\.gz$", "");
            byte[] bytes = source.subset() ? DataLocator.readVerified(p, SUBSET.file(name)) : DataLocator.readBytes(p, name);
            if (!source.subset()) {
                checkAgainstSubset(bytes, p, name);
            }
            contents.add(bytes);
            names.add(p.toString());
        }
        return parse(contents, names);
    }

    /**
     * Reads CIFAR-10 binary-version files (any names, {@code .gz} gunzipped) into one data set, in
     * order, checking only their structure: each size a non-zero multiple of {@value #RECORD_BYTES}
     * and every label in 0..9.
     */
    public static ArrayDataset readBinary(List<Path> files) {
        List<byte[]> contents = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Path p : files) {
            contents.add(DataLocator.readBytes(p, p.getFileName().toString()));
            names.add(p.toString());
        }
        return parse(contents, names);
    }

    /**
     * Parses files in the binary layout, in order, into one data set; {@code names} appear in errors.
     *
     * @throws UncheckedIOException naming the file: a size that is not a non-zero multiple of
     *                              3,073, or a label outside 0..9 (with the record index)
     */
    static ArrayDataset parse(List<byte[]> contents, List<String> names) {
        long total = 0;
        for (int f = 0; f < contents.size(); f++) {
            total += checkRecords(contents.get(f), names.get(f));
        }
        if (total * IMAGE_BYTES > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("Cifar10: " + total + " images do not fit one array");
        }
        byte[] pixels = new byte[(int) total * IMAGE_BYTES];
        int[] labels = new int[(int) total];
        int at = 0;
        for (byte[] bytes : contents) {
            for (int r = 0; r < bytes.length / RECORD_BYTES; r++, at++) {
                labels[at] = bytes[r * RECORD_BYTES] & 0xff;
                System.arraycopy(bytes, r * RECORD_BYTES + 1, pixels, at * IMAGE_BYTES, IMAGE_BYTES);
            }
        }
        return ArrayDataset.ofUnsignedBytes(pixels, 1f / 255f, labels, NUM_CLASSES, CHANNELS, SIDE, SIDE);
    }

    /** The number of records in {@code bytes}, after checking the size and every label. */
    private static int checkRecords(byte[] bytes, String name) {
        if (bytes.length == 0 || bytes.length % RECORD_BYTES != 0) {
            throw error(name, String.format("size %,d bytes is not a non-zero multiple of the %,d-byte record "
                    + "(%,d whole records and %,d bytes left over): truncated, or not a CIFAR-10 binary-version file",
                    bytes.length, RECORD_BYTES, bytes.length / RECORD_BYTES, bytes.length % RECORD_BYTES));
        }
        int n = bytes.length / RECORD_BYTES;
        for (int r = 0; r < n; r++) {
            int label = bytes[r * RECORD_BYTES] & 0xff;
            if (label >= NUM_CLASSES) {
                throw error(name, String.format("record %d (byte %,d) has label %d, outside 0..%d", r,
                        (long) r * RECORD_BYTES, label, NUM_CLASSES - 1));
            }
        }
        return n;
    }

    /**
     * Whether the first 1,000 records of an official batch file equal the shipped subset's copy of
     * them (by SHA-256). The subset was rebuilt from the python version, and the README notes that
     * byte identity with the official binary files was never checked, so a mismatch is logged, not fatal.
     */
    static boolean matchesSubset(byte[] bytes, String officialName) {
        DataSpec.FileSpec f = SUBSET.file(subsetName(officialName));
        return bytes.length >= f.size()
                && DataLocator.sha256(Arrays.copyOf(bytes, (int) f.size())).equals(f.sha256());
    }

    private static void checkAgainstSubset(byte[] bytes, Path path, String name) {
        if (FULL_FILES.contains(name) && bytes.length >= 3_073_000 && !matchesSubset(bytes, name)) {
            LOG.log(System.Logger.Level.WARNING, path + ": its first 1,000 records differ from the shipped subset's "
                    + subsetName(name) + "; it may not be the official CIFAR-10 binary version");
        }
    }

    /** The class names of {@code source}: its {@code batches.meta.txt}, or {@link #CLASSES} for a full set without one. */
    private static List<String> classNames(Source source) {
        if (source.metaFile() == null) {
            return CLASSES;
        }
        Path p = source.metaFile();
        byte[] bytes = source.subset() ? DataLocator.readVerified(p, SUBSET.file(META_FILE)) : DataLocator.readBytes(p, META_FILE);
        return parseClassNames(bytes, p.toString());
    }

    /** The non-blank lines of a {@code batches.meta.txt}, stripped; exactly 10 are required. */
    static List<String> parseClassNames(byte[] bytes, String name) {
        List<String> names = new String(bytes, StandardCharsets.UTF_8).lines().map(String::strip)
                .filter(s -> !s.isEmpty()).toList();
        if (names.size() != NUM_CLASSES) {
            throw error(name, "has " + names.size() + " class names " + names + ", expected " + NUM_CLASSES + " (one per line)");
        }
        return names;
    }

    private static UncheckedIOException error(String name, String message) {
        String m = "CIFAR-10 file " + name + ": " + message;
        return new UncheckedIOException(m, new IOException(m));
    }

    private static List<String> concat(List<String> a, String b) {
        List<String> out = new ArrayList<>(a);
        out.add(b);
        return List.copyOf(out);
    }
}

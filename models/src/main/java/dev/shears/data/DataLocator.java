package dev.shears.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Finds data set files and verifies them. For a {@link DataSpec} the search order is:
 * <ol>
 *   <li>the user's data folder, if one is named ({@code --data-dir DIR} via {@link #fromArgs},
 *       else the {@code SHEARS_DATA} environment variable): {@code DIR/<subdir>/<file>} or
 *       {@code DIR/<file>}, each also as {@code <file>.gz};</li>
 *   <li>the spec's system folders (e.g. {@code /usr/share/datasets/fashion-mnist});</li>
 *   <li>the cache: {@code <cache>/<subdir>/<file>}, where {@code <cache>} is {@code -Dshears.cache.dir},
 *       else {@code $XDG_CACHE_HOME/shears}, else {@code ~/.cache/shears};</li>
 *   <li>if fetching is allowed ({@code -Dshears.data.fetch=false} turns it off) and the spec has a
 *       fetcher: fetch into a scratch folder inside the cache, verify every file, and move the
 *       folder to {@code <cache>/<subdir>} atomically.</li>
 * </ol>
 * Every file is checked against its size and SHA-256 each time it is read; a mismatch is an
 * error naming the file and both hashes, and the file is never used.
 */
public final class DataLocator {
    private static final System.Logger LOG = System.getLogger(DataLocator.class.getName());

    private final Path userDir;
    private final Path cacheDir;
    private final boolean fetch;

    /**
     * @param userDir  a folder to search first, or {@code null}
     * @param cacheDir the cache folder (created on demand)
     * @param fetch    whether a missing data set may be fetched
     */
    public DataLocator(Path userDir, Path cacheDir, boolean fetch) {
        this.userDir = userDir;
        this.cacheDir = java.util.Objects.requireNonNull(cacheDir, "cacheDir");
        this.fetch = fetch;
    }

    /** {@code SHEARS_DATA} as user folder (if set), the default cache, fetching unless {@code -Dshears.data.fetch=false}. */
    public static DataLocator defaults() {
        String env = System.getenv("SHEARS_DATA");
        return new DataLocator(env == null || env.isBlank() ? null : Path.of(env), defaultCacheDir(), fetchAllowed());
    }

    /** Like {@link #defaults()}, with the user folder from {@code --data-dir DIR} / {@code --data-dir=DIR} when present. */
    public static DataLocator fromArgs(String... args) {
        DataLocator d = defaults();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--data-dir")) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--data-dir needs a folder");
                }
                return d.withUserDir(Path.of(args[i + 1]));
            }
            if (args[i].startsWith("--data-dir=")) {
                return d.withUserDir(Path.of(args[i].substring("--data-dir=".length())));
            }
        }
        return d;
    }

    /** {@code -Dshears.cache.dir}, else {@code $XDG_CACHE_HOME/shears}, else {@code ~/.cache/shears}. */
    public static Path defaultCacheDir() {
        String prop = System.getProperty("shears.cache.dir");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "shears");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "shears");
    }

    /** Seconds one fetch command may run: {@code -Dshears.data.fetch.timeout} (default 180). */
    static long fetchTimeoutSeconds() {
        return Long.getLong("shears.data.fetch.timeout", 180L);
    }

    private static boolean fetchAllowed() {
        return !"false".equalsIgnoreCase(System.getProperty("shears.data.fetch", "true"));
    }

    /** A copy searching {@code dir} first. */
    public DataLocator withUserDir(Path dir) {
        return new DataLocator(dir, cacheDir, fetch);
    }

    /** A copy that never fetches. */
    public DataLocator withoutFetch() {
        return new DataLocator(userDir, cacheDir, false);
    }

    public Optional<Path> userDir() {
        return Optional.ofNullable(userDir);
    }

    public Path cacheDir() {
        return cacheDir;
    }

    public boolean fetchEnabled() {
        return fetch;
    }

    /**
     * The verified bytes of {@code spec}'s file {@code fileName}, fetching the data set first if
     * it is nowhere to be found.
     *
     * @throws DataUnavailableException if it is not found and cannot be fetched
     * @throws UncheckedIOException     if the file found is corrupt (size or SHA-256 mismatch) or unreadable
     */
    public byte[] read(DataSpec spec, String fileName) {
        DataSpec.FileSpec file = spec.file(fileName);
        Path found = find(spec, fileName).orElseGet(() -> {
            fetchInto(spec);
            return find(spec, fileName).orElseThrow(() -> unavailable(spec,
                    "the fetch finished but " + fileName + " is still missing", null));
        });
        return readVerified(found, file);
    }

    /** Where {@code fileName} would be read from now, without fetching. */
    public Optional<Path> find(DataSpec spec, String fileName) {
        for (Path dir : searchDirs(spec)) {
            for (String name : List.of(fileName, fileName + ".gz")) {
                Path p = dir.resolve(name);
                if (Files.isRegularFile(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /** The folders searched for {@code spec}, in order. */
    public List<Path> searchDirs(DataSpec spec) {
        List<Path> dirs = new ArrayList<>();
        if (userDir != null) {
            dirs.add(userDir.resolve(spec.subdir()));
            dirs.add(userDir);
        }
        dirs.addAll(spec.systemDirs());
        dirs.add(cacheDir.resolve(spec.subdir()));
        return dirs;
    }

    /**
     * Reads {@code path} (gunzipping a {@code .gz}) and checks size and SHA-256 of the uncompressed
     * bytes against {@code file}.
     */
    public static byte[] readVerified(Path path, DataSpec.FileSpec file) {
        byte[] bytes = readBytes(path, file.name());
        String actual = sha256(bytes);
        if (bytes.length != file.size() || !actual.equals(file.sha256())) {
            String m = "corrupt data file " + path + ": SHA-256 mismatch (expected " + file.sha256() + ", "
                    + file.size() + " bytes; found " + actual + ", " + bytes.length + " bytes"
                    + (bytes.length < file.size() ? ", truncated" : "") + "). Not used; delete it and fetch it again.";
            throw new UncheckedIOException(m, new IOException(m));
        }
        return bytes;
    }

    /**
     * Reads {@code path} (gunzipping a {@code .gz}) without any check, for files whose SHA-256 is
     * not known and that the caller validates itself; {@code name} is the data set's name for it.
     */
    public static byte[] readBytes(Path path, String name) {
        try {
            if (path.getFileName().toString().endsWith(".gz")) {
                try (InputStream in = new GZIPInputStream(Files.newInputStream(path))) {
                    return in.readAllBytes();
                }
            }
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + " (" + name + "): " + e, e);
        }
    }

    /**
     * Where the project's shipped data folder {@code shared/data/<subdir>} may be, relative to the
     * working directory: {@code shared/data/<subdir>}, {@code ../shared/data/<subdir>} and
     * {@code ../../shared/data/<subdir>} (run from a checkout's root or a module folder, with
     * {@code shared/} inside the checkout or beside it). Used as a spec's system folders; from
     * anywhere else pass {@code --data-dir <...>/shared/data}, which finds {@code <subdir>} in it.
     */
    public static List<Path> sharedDataDirs(String subdir) {
        return List.of(Path.of("shared/data", subdir), Path.of("../shared/data", subdir),
                Path.of("../../shared/data", subdir));
    }

    /** Lowercase hex SHA-256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** Lowercase hex SHA-256 of a file's bytes, streamed. */
    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private void fetchInto(DataSpec spec) {
        if (spec.fetcher() == null) {
            throw unavailable(spec, "it has no automatic fetch", null);
        }
        if (!fetch) {
            throw unavailable(spec, "fetching is turned off (-Dshears.data.fetch=false or withoutFetch())", null);
        }
        Path target = cacheDir.resolve(spec.subdir());
        Path work = null;
        try {
            Files.createDirectories(cacheDir);
            work = Files.createTempDirectory(cacheDir, "." + spec.subdir() + "-fetch-");
            Path scratch = Files.createDirectory(work.resolve("work"));
            Path out = Files.createDirectory(work.resolve(spec.subdir()));
            LOG.log(System.Logger.Level.INFO, "fetching " + spec.name() + " into " + target);
            spec.fetcher().fetch(scratch, out);
            for (DataSpec.FileSpec f : spec.files()) {
                Path p = out.resolve(f.name());
                if (!Files.isRegularFile(p)) {
                    throw new IOException("the fetch did not produce " + f.name());
                }
                readVerified(p, f);
            }
            if (Files.isDirectory(target)) {
                // A partial or older folder would shadow the fresh files; keep it aside, never mix.
                Path old = cacheDir.resolve("." + spec.subdir() + "-old-" + System.nanoTime());
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
                deleteTree(old);
            }
            try {
                Files.move(out, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                LOG.log(System.Logger.Level.INFO, "another process cached " + spec.name() + " first; using its copy");
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot move " + out + " to " + target + " atomically", e);
            }
        } catch (IOException | UncheckedIOException e) {
            throw unavailable(spec, "the automatic fetch failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(spec, "the automatic fetch was interrupted", e);
        } finally {
            if (work != null) {
                try {
                    deleteTree(work);
                } catch (IOException ignored) {
                    // scratch left behind in the cache; harmless, named by its prefix
                }
            }
        }
    }

    /** The error for a data set found nowhere: where it looked, {@code why}, and how to get it by hand. */
    DataUnavailableException unavailable(DataSpec spec, String why, Throwable cause) {
        return new DataUnavailableException(spec.name() + " not found (searched " + searchDirs(spec)
                + ") and " + why + ". To fetch it by hand:\n  " + spec.fetchHelp().replace("\n", "\n  ")
                + "\nthen pass --data-dir DIR or set SHEARS_DATA=DIR to the folder holding the files "
                + spec.files().stream().map(DataSpec.FileSpec::name).toList()
                + " (or put them in " + cacheDir.resolve(spec.subdir()) + ").", cause);
    }

    /** Runs {@code command} in {@code dir}, failing with its output on a non-zero exit or after {@code timeoutSeconds}. */
    static void run(Path dir, long timeoutSeconds, String... command) throws IOException, InterruptedException {
        Path log = dir.resolve(".command.log");
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(nullFile())).start();
        } catch (IOException e) {
            throw new IOException("cannot run `" + String.join(" ", command) + "`: " + e.getMessage(), e);
        }
        if (!p.waitFor(timeoutSeconds, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("`" + String.join(" ", command) + "` did not finish within " + timeoutSeconds + " s");
        }
        if (p.exitValue() != 0) {
            String out = Files.exists(log) ? Files.readString(log).strip() : "";
            if (out.length() > 2000) {
                out = out.substring(out.length() - 2000);
            }
            throw new IOException("`" + String.join(" ", command) + "` exited with " + p.exitValue() + ": " + out);
        }
    }

    private static java.io.File nullFile() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

package dev.shears.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A run folder {@code <out>/<name>-<yyyyMMdd-HHmmss>-s<seed>/} holding {@code config.json}, {@code log.csv}
 * (one row per training step, flushed as it goes), {@code results.md}, {@code results.json} and PNG plots.
 * Whole files are written to a temporary file first and moved into place atomically.
 */
public final class RunDir implements AutoCloseable {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;
    private BufferedWriter log;

    private RunDir(Path dir) {
        this.dir = dir;
    }

    /**
     * Creates a fresh run folder under {@code out} (created if missing). If the timestamped name already
     * exists (two runs in the same second), a suffix {@code -2}, {@code -3}, ... is added.
     */
    public static RunDir create(Path out, String name, long seed) {
        if (name == null || name.isBlank() || name.contains("/") || name.contains("\\")) {
            throw new IllegalArgumentException("RunDir.create: bad run name '" + name + "'");
        }
        String base = name + "-" + LocalDateTime.now().format(STAMP) + "-s" + seed;
        try {
            Files.createDirectories(out);
            for (int i = 1; ; i++) {
                Path candidate = out.resolve(i == 1 ? base : base + "-" + i);
                try {
                    Files.createDirectory(candidate);
                    return new RunDir(candidate);
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    // try the next suffix
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("RunDir.create: cannot create run folder under " + out + ": " + e.getMessage(), e);
        }
    }

    /** An existing run folder, to continue it (resume); its files are kept. */
    public static RunDir open(Path existing) {
        if (!Files.isDirectory(existing)) {
            throw new IllegalArgumentException("RunDir.open: " + existing + " is not a run folder (no such directory)");
        }
        if (!Files.isRegularFile(existing.resolve("config.json"))) {
            throw new IllegalArgumentException("RunDir.open: " + existing + " has no config.json, so it is not a run folder");
        }
        return new RunDir(existing);
    }

    /**
     * Cuts {@code log.csv} back to its header and first {@code rows} rows (a resumed run drops the
     * rows of the epoch that was interrupted). The file is rewritten atomically.
     */
    public synchronized void keepLogRows(long rows) {
        close();
        Path file = dir.resolve("log.csv");
        if (!Files.exists(file)) {
            return;
        }
        try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
            writeAtomically("log.csv", lines.limit(rows + 1).collect(Collectors.joining("\n", "", "\n")));
        } catch (IOException e) {
            throw new UncheckedIOException("RunDir.keepLogRows: cannot rewrite " + file + ": " + e.getMessage(), e);
        }
    }

    /** The run folder. */
    public Path path() {
        return dir;
    }

    /** Writes {@code config.json} (any Jackson-serialisable value: a record, a map). */
    public Path writeConfig(Object config) {
        return writeJson("config.json", config);
    }

    /** Writes {@code value} as indented JSON to {@code fileName} in the run folder, atomically. */
    public Path writeJson(String fileName, Object value) {
        try {
            return writeAtomically(fileName, JSON.writeValueAsString(value) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("RunDir.writeJson(" + fileName + "): cannot serialise " + value.getClass().getName()
                    + ": " + e.getOriginalMessage(), e);
        }
    }

    /** Writes text to {@code fileName} in the run folder, atomically (temp file, then move). */
    public Path writeText(String fileName, String text) {
        return writeAtomically(fileName, text);
    }

    /**
     * Writes {@code plot} as a PNG to {@code fileName} in the run folder, atomically (temp file, then move).
     * {@code fileName} must end with {@code .png} and contain no path separators.
     */
    public Path writePlot(String fileName, Plot plot) {
        Plot.checkPngName(fileName, "RunDir.writePlot");
        if (plot == null) {
            throw new IllegalArgumentException("RunDir.writePlot(" + fileName + "): plot is null");
        }
        return plot.writePng(dir.resolve(fileName));
    }

    /**
     * Appends one row to {@code log.csv}, writing {@code header} first if the file is new. Values are
     * written with {@link String#valueOf}; the row is flushed so a crashed run keeps its log.
     */
    public synchronized void logRow(String header, Object... values) {
        try {
            if (log == null) {
                Path file = dir.resolve("log.csv");
                boolean fresh = !Files.exists(file);
                log = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                if (fresh) {
                    log.write(header);
                    log.newLine();
                }
            }
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < values.length; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(values[i]);
            }
            log.write(sb.toString());
            log.newLine();
            log.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("RunDir.logRow: cannot append to " + dir.resolve("log.csv") + ": " + e.getMessage(), e);
        }
    }

    private Path writeAtomically(String fileName, String text) {
        Path target = dir.resolve(fileName);
        try {
            AtomicFile.write(target, tmp -> Files.writeString(tmp, text, StandardCharsets.UTF_8));
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("RunDir: cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** Closes {@code log.csv}. */
    @Override
    public synchronized void close() {
        if (log != null) {
            try {
                log.close();
            } catch (IOException e) {
                throw new UncheckedIOException("RunDir.close: " + e.getMessage(), e);
            } finally {
                log = null;
            }
        }
    }
}

package dev.shears.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * A run folder {@code <out>/<name>-<yyyyMMdd-HHmmss>-s<seed>/} holding {@code config.json}, {@code log.csv}
 * (one row per training step, flushed as it goes), {@code results.md} and {@code results.json}.
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
            Path tmp = Files.createTempFile(dir, "." + fileName, ".tmp");
            try {
                Files.writeString(tmp, text, StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
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

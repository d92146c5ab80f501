package dev.shears.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What a data set consists of and how to get it: the files with their exact sizes and SHA-256
 * (of the uncompressed bytes), system folders where a package manager installs them, and an
 * optional automatic fetch.
 *
 * @param name         display name, e.g. {@code "MNIST"}
 * @param subdir       folder name under the cache and under a user data folder, e.g. {@code "mnist"}
 * @param files        the files, each verified before use
 * @param systemDirs   folders searched after the user folder (e.g. a Debian package's install folder)
 * @param fetchHelp    shell commands that fetch the data by hand, quoted in error messages
 * @param fetcher      automatic fetch into a folder, or {@code null} when there is none
 */
public record DataSpec(String name, String subdir, List<FileSpec> files, List<Path> systemDirs,
                       String fetchHelp, Fetcher fetcher) {

    public DataSpec {
        files = List.copyOf(files);
        systemDirs = List.copyOf(systemDirs);
    }

    /** One file of a data set: name, size in bytes and lowercase hex SHA-256 of the uncompressed bytes. */
    public record FileSpec(String name, long size, String sha256) {}

    /** The file called {@code name}. */
    public FileSpec file(String name) {
        for (FileSpec f : files) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException(this.name + ": no file " + name + " (files: "
                + files.stream().map(FileSpec::name).toList() + ")");
    }

    /** Fetches a data set's files (uncompressed, named as in {@link #files}) into {@code outDir}. */
    @FunctionalInterface
    public interface Fetcher {
        /**
         * @param workDir an empty scratch folder, deleted afterwards
         * @param outDir  an empty folder to write the files into; verified afterwards
         */
        void fetch(Path workDir, Path outDir) throws IOException, InterruptedException;
    }
}

package dev.shears.repro;

import dev.shears.data.DataLocator;
import dev.shears.tensor.parallel.Parallel;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options every multi-run reproduction shares, mixed in with {@code @Mixin}: where run
 * folders go, where the data is, and how many kernel threads to use.
 */
public final class RunOptions {

    @Option(names = "--out", description = "Folder for run folders (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("runs");

    @Option(names = "--data-dir", description = "Folder holding the data files (default: $SHEARS_DATA, then the cache).")
    Path dataDir;

    @Option(names = "--threads", description = "Kernel threads (default: the pool size, -Dshears.threads or all cores).")
    Integer threads;

    /** The folder run folders are created in. */
    public Path out() {
        return out;
    }

    /** Where data sets are looked up (and fetched to). */
    public DataLocator locator() {
        return dataDir == null ? DataLocator.defaults() : DataLocator.defaults().withUserDir(dataDir);
    }

    /** The data folder as given, or null. */
    public Path dataDir() {
        return dataDir;
    }

    /** The kernel thread count to run with. */
    public int threads() {
        return threads != null ? threads : Parallel.threads();
    }

    /** An error message if an option is out of range, else null. */
    String problem() {
        return threads != null && threads < 1 ? "--threads " + threads + " must be >= 1" : null;
    }
}

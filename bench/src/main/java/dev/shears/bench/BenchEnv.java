package dev.shears.bench;

import dev.shears.tensor.parallel.Parallel;
import dev.shears.tensor.simd.Simd;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The machine description printed above every benchmark table. */
final class BenchEnv {
    private BenchEnv() {}

    /** JDK, CPU, vector species and thread pool, one per line, as markdown list items. */
    static String header() {
        return "- JDK: " + System.getProperty("java.vm.name") + " " + Runtime.version() + "\n"
                + "- CPU: " + cpuModel() + " (" + Runtime.getRuntime().availableProcessors() + " available processors)\n"
                + "- SIMD: " + Simd.describe() + "\n"
                + "- Pool: " + Parallel.poolSize() + " threads\n";
    }

    /** Requested thread counts, capped at the pool size (a larger request could not run), without duplicates. */
    static List<Integer> threadCounts(List<Integer> requested, PrintWriter err) {
        List<Integer> counts = new ArrayList<>();
        for (int t : requested) {
            int capped = Math.min(t, Parallel.poolSize());
            if (capped != t) {
                err.printf("note: --threads %d capped at the pool size %d (-Dshears.threads)%n", t, capped);
            }
            if (!counts.contains(capped)) {
                counts.add(capped);
            }
        }
        return counts;
    }

    /**
     * Size of the last-level cache (sysfs {@code cpu0/cache/index3}, e.g. {@code 32768K}) in bytes,
     * or 0 where it is unreadable (not Linux, or no L3).
     */
    static long l3Bytes() {
        try {
            String size = Files.readString(Path.of("/sys/devices/system/cpu/cpu0/cache/index3/size")).trim();
            long unit = switch (size.charAt(size.length() - 1)) {
                case 'K' -> 1L << 10;
                case 'M' -> 1L << 20;
                case 'G' -> 1L << 30;
                default -> 1L;
            };
            return Long.parseLong(unit == 1 ? size : size.substring(0, size.length() - 1)) * unit;
        } catch (IOException | RuntimeException e) {
            return 0; // Not Linux, no L3, or an unexpected format.
        }
    }

    /** The first {@code model name} of /proc/cpuinfo, or os.arch where that is unreadable. */
    static String cpuModel() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            for (String line : lines) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux or not readable: fall through.
        }
        return System.getProperty("os.arch");
    }
}

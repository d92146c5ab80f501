package dev.shears.bench;

import dev.shears.bench.gpu.GpuSuite;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Entry point of the plain (non-JMH) benchmark suites: {@code Bench <suite> [options]}.
 * Unknown options or suites print usage and exit with status 2; {@code --help} exits 0.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Runs a benchmark suite in one JVM and prints a markdown table plus RESULT lines.",
        subcommands = {GemmSuite.class, ElementwiseSuite.class, TrainStepSuite.class, SparseSuite.class, LmSuite.class,
                GpuSuite.class})
public final class Bench implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Parses and runs {@code args}, returning the exit status. */
    static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** The command tree; tests redirect its output with {@code setOut}/{@code setErr}. */
    static CommandLine commandLine() {
        return new CommandLine(new Bench());
    }

    /** No suite named: usage on stderr and a usage-error status. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }
}

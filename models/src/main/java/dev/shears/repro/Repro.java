package dev.shears.repro;

import dev.shears.data.DataUnavailableException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Dispatcher main for reproductions: {@code Repro <name> [options]} runs one, {@code Repro} or
 * {@code Repro --list} lists them. {@code ./shears run} calls this class.
 */
@Command(name = "./shears run", mixinStandardHelpOptions = true,
        description = "Runs a reproduction or demo by name; without a name, lists them.",
        subcommands = {MnistMlpRepro.class, FashionLenet5Repro.class, LotteryRepro.class, TinyStoriesRepro.class, TinyStoriesEvalRepro.class, GlobalMagnitudeRepro.class, RandomPruningRepro.class, CharGptRepro.class, PruneLlmRepro.class})
public final class Repro implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--list", description = "List the reproductions and exit.")
    boolean list;

    @Override
    public Integer call() {
        printList(spec.commandLine().getOut());
        return 0;
    }

    static void printList(PrintWriter out) {
        out.println("Reproductions and demos (./shears run <name> --help for options):");
        for (Map.Entry<String, CommandLine> e : new CommandLine(new Repro()).getSubcommands().entrySet()) {
            String[] desc = e.getValue().getCommandSpec().usageMessage().description();
            out.printf("  %-18s %s%n", e.getKey(), desc.length > 0 ? desc[0] : "");
        }
        out.flush();
    }

    /** Parses and runs {@code args}; returns the exit code (0 ok, 2 usage error, 1 failure). */
    public static int execute(String... args) {
        return new CommandLine(new Repro()).setExecutionExceptionHandler(Repro::missingData).execute(args);
    }

    /** Missing data is a set-up problem whose message says the fix, not a crash: the message alone, exit 2. */
    private static int missingData(Exception e, CommandLine command, CommandLine.ParseResult parsed) throws Exception {
        if (e instanceof DataUnavailableException) {
            command.getErr().println(command.getCommandName() + ": " + e.getMessage());
            return 2;
        }
        throw e;
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }
}

package dev.shears.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.shears.nn.Module;
import dev.shears.optim.Optimizer;
import dev.shears.tensor.Rng;
import dev.shears.tensor.io.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What a run needs to continue exactly where it stopped: the model's state, the optimizer's state,
 * the positions of the model's random streams, and the progress so far. Stored in
 * {@code <run>/checkpoint/} as {@code model.safetensors}, {@code optimizer.safetensors} and
 * {@code progress.json}. A new checkpoint is written to {@code checkpoint.partial/} and swapped in
 * only when complete, so an interrupted save leaves the previous checkpoint usable.
 */
public final class Checkpoint {
    static final String DIR = "checkpoint";
    private static final String PARTIAL = "checkpoint.partial";
    private static final String OLD = "checkpoint.old";
    private static final String MODEL = "model.safetensors";
    private static final String OPTIMIZER = "optimizer.safetensors";
    private static final String PROGRESS = "progress.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * The run's position: epochs finished, optimizer steps taken, each finished epoch's result and
     * the snapshot of every registered random stream of the model ({@link Module#namedRngs()}).
     */
    public record Progress(int epochsDone, long globalStep, List<Trainer.EpochResult> epochs, Map<String, long[]> rngs) {}

    private final Path dir;
    private final Progress progress;

    private Checkpoint(Path dir, Progress progress) {
        this.dir = dir;
        this.progress = progress;
    }

    public Progress progress() {
        return progress;
    }

    /** Saves the state after {@code progress} into {@code runDir}, replacing the previous checkpoint. */
    public static void save(Path runDir, Module model, Optimizer optimizer, int epochsDone, long globalStep,
                            List<Trainer.EpochResult> epochs) {
        Map<String, long[]> rngs = new LinkedHashMap<>();
        model.namedRngs().forEach((name, rng) -> rngs.put(name, rng.snapshot()));
        Progress progress = new Progress(epochsDone, globalStep, List.copyOf(epochs), rngs);
        Path partial = runDir.resolve(PARTIAL);
        Path current = runDir.resolve(DIR);
        Path old = runDir.resolve(OLD);
        try {
            deleteTree(partial);
            Files.createDirectories(partial);
            SafeTensors.write(partial.resolve(MODEL), model.stateDict(), Map.of("format", "shears-checkpoint"));
            SafeTensors.write(partial.resolve(OPTIMIZER), optimizer.stateDict(), Map.of("format", "shears-checkpoint"));
            Files.writeString(partial.resolve(PROGRESS), JSON.writeValueAsString(progress) + "\n");
            deleteTree(old);
            if (Files.exists(current)) {
                Files.move(current, old);
            }
            Files.move(partial, current);
            deleteTree(old);
        } catch (IOException e) {
            throw new UncheckedIOException("Checkpoint.save: cannot write the checkpoint in " + runDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The latest complete checkpoint of {@code runDir}, if any (a save interrupted between its two
     * renames leaves the previous one as {@code checkpoint.old}, which is used then).
     */
    public static Optional<Checkpoint> latest(Path runDir) {
        for (String name : new String[] {DIR, OLD}) {
            Path dir = runDir.resolve(name);
            if (Files.isRegularFile(dir.resolve(PROGRESS))) {
                try {
                    return Optional.of(new Checkpoint(dir, JSON.readValue(dir.resolve(PROGRESS).toFile(), Progress.class)));
                } catch (IOException e) {
                    throw new UncheckedIOException("Checkpoint: " + dir.resolve(PROGRESS) + " is unreadable: " + e.getMessage(), e);
                }
            }
        }
        return Optional.empty();
    }

    /** Loads the model and optimizer state and moves the model's random streams to their saved positions. */
    public void restore(Module model, Optimizer optimizer) {
        model.loadStateDict(SafeTensors.read(dir.resolve(MODEL)));
        optimizer.loadStateDict(SafeTensors.read(dir.resolve(OPTIMIZER)));
        Map<String, Rng> rngs = model.namedRngs();
        if (!rngs.keySet().equals(progress.rngs().keySet())) {
            throw new IllegalArgumentException("Checkpoint " + dir + ": the model's random streams " + rngs.keySet()
                    + " differ from the saved ones " + progress.rngs().keySet());
        }
        rngs.forEach((name, rng) -> rng.restore(progress.rngs().get(name)));
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}

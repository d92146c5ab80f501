package dev.shears.lm;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import dev.shears.tensor.io.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A trained {@link Gpt} on disk: {@code gpt.safetensors} holds the weights under their dotted names
 * and, in its metadata, the {@link GptConfig} and the character vocabulary, so one file is enough
 * to rebuild the model and its tokenizer.
 */
public final class GptCheckpoint {
    public static final String FILE = "gpt.safetensors";
    private static final ObjectMapper JSON = new ObjectMapper();

    private GptCheckpoint() {}

    /** A loaded checkpoint: the model and the characters its token ids stand for. */
    public record Loaded(Gpt model, String vocabulary) {}

    /** Writes {@code model} and {@code vocabulary} to {@code dir}/{@value #FILE}, atomically. */
    public static Path save(Path dir, Gpt model, String vocabulary) {
        Map<String, String> metadata = new LinkedHashMap<>();
        try {
            metadata.put("gpt_config", JSON.writeValueAsString(model.config()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        metadata.put("vocabulary", vocabulary);
        Path file = dir.resolve(FILE);
        SafeTensors.write(file, model.stateDict(), metadata);
        return file;
    }

    /**
     * Reads a checkpoint written by {@link #save} from a run folder (or the file itself).
     *
     * @throws IllegalArgumentException naming the file if it is missing, lacks the metadata, or its
     *                                  tensors do not fit the configuration
     */
    public static Loaded load(Path dirOrFile) {
        Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve(FILE) : dirOrFile;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("GptCheckpoint: no checkpoint " + file + " (a char-gpt run folder holds "
                    + FILE + ")");
        }
        Map<String, String> metadata = SafeTensors.readHeader(file).metadata();
        String config = metadata.get("gpt_config");
        String vocabulary = metadata.get("vocabulary");
        if (config == null || vocabulary == null) {
            throw new IllegalArgumentException("GptCheckpoint: " + file + " has no gpt_config/vocabulary metadata;"
                    + " it was not written by GptCheckpoint.save");
        }
        GptConfig c;
        try {
            c = JSON.readValue(config, GptConfig.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("GptCheckpoint: " + file + ": bad gpt_config " + config + ": "
                    + e.getMessage(), e);
        }
        Gpt model = new Gpt(c, Rng.seeded(0));
        Map<String, Tensor> tensors = SafeTensors.read(file);
        try {
            model.loadStateDict(tensors);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("GptCheckpoint: " + file + ": " + e.getMessage(), e);
        }
        return new Loaded(model, vocabulary);
    }
}

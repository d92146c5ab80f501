package dev.shears.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.autograd.Autograd;
import dev.shears.data.DataLocator;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlamaTest {
    /** Greedy decoding from [BOS] by an independent implementation (shared/data/README.md). */
    private static final int[] REFERENCE = {
        147, 201, 282, 215, 286, 598, 1662, 356, 499, 826, 1363, 1145, 1652, 615, 242, 1482, 951, 628, 499, 826,
        872, 921, 318, 385, 628, 499, 826, 617, 242, 198, 1047, 425, 1939, 122, 1924, 1171, 94, 303, 328, 229,
        521, 776, 115, 1139, 312, 447, 1456, 319, 115, 133, 114, 100, 167, 753, 1665, 361, 303, 1900, 319, 467,
        730, 717, 532, 856, 645, 1188, 108, 319, 135, 1629, 319, 53, 382, 122, 1765, 1398, 313, 1150, 1095, 1250};

    private static Path dir;
    private static Llama llama;

    @BeforeAll
    static void load() {
        dir = DataLocator.sharedDataDirs("tinystories-656k").stream().filter(Files::isDirectory).findFirst().orElse(null);
        Assumptions.assumeTrue(dir != null, "shared/data/tinystories-656k not found");
        llama = Llama.load(dir);
    }

    @Test
    void greedyDecodingFromBosReproducesTheReferenceTokens() {
        Generator.Result r = Generator.generate(llama, new int[] {1}, REFERENCE.length, Sampler.greedy(), Rng.seeded(0),
                -1, null);
        assertArrayEquals(REFERENCE, r.tokens());
        assertFalse(r.stopped());
    }

    @Test
    void decodingWithTheCacheMatchesRecomputingThePrefix() {
        int[] seq = new int[41];
        seq[0] = 1;
        System.arraycopy(REFERENCE, 0, seq, 1, 40);
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            float[] full = llama.logits(Tensor.ofInts(seq, 1, seq.length), null).value().toFloatArray();
            var cache = llama.newCache();
            llama.logits(Tensor.ofInts(java.util.Arrays.copyOf(seq, 25), 1, 25), cache);
            int v = llama.vocabSize();
            for (int p = 25; p < seq.length; p++) {
                float[] step = llama.logits(Tensor.ofInts(new int[] {seq[p]}, 1, 1), cache).value().toFloatArray();
                for (int j = 0; j < v; j++) {
                    assertEquals(full[p * v + j], step[j], 1e-4f, "position " + p + " logit " + j);
                }
            }
            assertEquals(seq.length, cache.length());
        }
    }

    @Test
    void tiedWeightsAreOneMatrixAndNamesAreHuggingFaces() {
        assertTrue(llama.namedParameters().containsKey("model.layers.1.self_attn.k_proj.weight"));
        assertFalse(llama.namedParameters().containsKey("lm_head.weight"), "tied: the head is the embedding");
        assertEquals(656_000, llama.numParameters());
    }

    @Test
    void badFoldersAndConfigsAreNamed(@TempDir Path tmp) throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Llama.load(tmp));
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
        String config = Files.readString(dir.resolve("config.json"));
        Files.writeString(tmp.resolve("config.json"), config.replace("\"num_key_value_heads\": 4", "\"num_key_value_heads\": 3"));
        Files.copy(dir.resolve("model.safetensors"), tmp.resolve("model.safetensors"));
        e = assertThrows(IllegalArgumentException.class, () -> Llama.load(tmp));
        assertTrue(e.getMessage().contains("num_attention_heads 8 is not a multiple of num_key_value_heads 3"), e.getMessage());
        Files.writeString(tmp.resolve("config.json"), config.replace("\"intermediate_size\": 384", "\"intermediate_size\": 380"));
        e = assertThrows(IllegalArgumentException.class, () -> Llama.load(tmp));
        assertTrue(e.getMessage().contains("model.layers.0.mlp.down_proj.weight is [128, 384] in the file"), e.getMessage());
        IllegalArgumentException ctx = assertThrows(IllegalArgumentException.class,
                () -> llama.logits(Tensor.ofInts(new int[513], 1, 513), null));
        assertTrue(ctx.getMessage().contains("max_position_embeddings"), ctx.getMessage());
    }
}

package dev.shears.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.autograd.Autograd;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GptTest {
    private static final GptConfig TINY = new GptConfig(11, 8, 2, 2, 16, 0f);

    private static Gpt tiny() {
        Gpt g = new Gpt(TINY, Rng.seeded(3));
        // nanoGPT's 0.02 initialisation makes every logit nearly equal; larger weights make greedy choices clear
        g.parameters().forEach(p -> p.value().muli(20f));
        return g;
    }

    private static int argmax(float[] v, int from, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (v[from + i] > v[from + best]) {
                best = i;
            }
        }
        return best;
    }

    @Test
    void greedyDecodingPastTheContextEqualsRecomputingTheCroppedWindow() {
        Gpt g = tiny();
        int[] prompt = {1, 4, 2};
        Generator.Result r = Generator.generate(g, prompt, 20, Sampler.greedy(), Rng.seeded(0), -1, null);
        int[] seq = Arrays.copyOf(prompt, prompt.length + 20);
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            for (int n = prompt.length; n < seq.length; n++) {
                int start = Math.max(0, n - TINY.contextLength()); // nanoGPT's crop: the last context tokens
                int[] window = Arrays.copyOfRange(seq, start, n);
                float[] logits = g.logits(Tensor.ofInts(window, 1, window.length), null).value().toFloatArray();
                seq[n] = argmax(logits, (window.length - 1) * TINY.vocabSize(), TINY.vocabSize());
            }
        }
        assertArrayEquals(Arrays.copyOfRange(seq, prompt.length, seq.length), r.tokens());
    }

    @Test
    void checkpointRoundTripGivesTheSameLogits(@TempDir Path dir) {
        Gpt g = tiny();
        GptCheckpoint.save(dir, g, "abcdefghijk");
        GptCheckpoint.Loaded back = GptCheckpoint.load(dir);
        assertEquals("abcdefghijk", back.vocabulary());
        assertEquals(TINY, back.model().config());
        Tensor ids = Tensor.ofInts(new int[] {3, 1, 4, 1, 5, 9}, 2, 3);
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            assertArrayEquals(g.logits(ids, null).value().toFloatArray(),
                    back.model().logits(ids, null).value().toFloatArray(), 0f);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GptCheckpoint.load(dir.resolve("missing")));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void theHeadIsTheTokenEmbeddingAndBadInputIsNamed() {
        Gpt g = tiny();
        assertTrue(g.namedParameters().containsKey("wte.weight"));
        assertTrue(g.namedParameters().keySet().stream().noneMatch(n -> n.contains("lm_head")), "tied head");
        IllegalArgumentException ctx = assertThrows(IllegalArgumentException.class,
                () -> g.logits(Tensor.ofInts(new int[9], 1, 9), null));
        assertTrue(ctx.getMessage().contains("context of 8"), ctx.getMessage());
        IllegalArgumentException cfg = assertThrows(IllegalArgumentException.class,
                () -> new GptConfig(11, 8, 2, 3, 16, 0f));
        assertTrue(cfg.getMessage().contains("dim 16 is not a multiple of heads 3"), cfg.getMessage());
    }
}

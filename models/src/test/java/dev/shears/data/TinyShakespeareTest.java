package dev.shears.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.tensor.Rng;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class TinyShakespeareTest {

    @Test
    void tokenizerRoundTripsAndRejectsUnknown() {
        CharTokenizer t = CharTokenizer.fromText("hello world");
        assertEquals(" dehlorw", t.vocabulary());
        assertEquals(8, t.vocabSize());
        int[] ids = t.encode("hold");
        assertArrayEquals(new int[] {3, 5, 4, 1}, ids);
        assertEquals("hold", t.decode(ids));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.encode("hi!"));
        assertTrue(e.getMessage().contains("U+0069") && e.getMessage().contains("position 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {8}));
    }

    @Test
    void windowsAreShiftedByOne() {
        int[] tokens = new int[50];
        Arrays.setAll(tokens, i -> i);
        TinyShakespeare.Windows w = new TinyShakespeare.TokenStream(tokens).sample(Rng.seeded(2), 3, 5);
        assertArrayEquals(new int[] {3, 5}, w.inputs().shape().dims());
        int[] x = w.inputs().toIntArray();
        int[] y = w.targets().toIntArray();
        for (int b = 0; b < 3; b++) {
            for (int t = 0; t < 5; t++) {
                assertEquals(w.offsets()[b] + t, x[b * 5 + t]);
                assertEquals(w.offsets()[b] + t + 1, y[b * 5 + t]);
            }
        }
        assertArrayEquals(x, new TinyShakespeare.TokenStream(tokens).sample(Rng.seeded(2), 3, 5).inputs().toIntArray());
    }

    @Test
    void realCorpus() {
        TinyShakespeare.Corpus c;
        try {
            c = TinyShakespeare.load(DataLocator.defaults().withoutFetch());
        } catch (DataUnavailableException e) {
            Assumptions.abort("tiny-shakespeare not found: " + e.getMessage());
            return;
        }
        assertEquals(65, c.tokenizer().vocabSize());
        assertEquals(1_115_394, c.train().length() + c.val().length());
        assertEquals(1_003_854, c.train().length());
        assertTrue(c.tokenizer().decode(Arrays.copyOf(c.train().tokens(), 14)).equals("First Citizen:"));
    }
}

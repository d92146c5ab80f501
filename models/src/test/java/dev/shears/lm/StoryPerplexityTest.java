package dev.shears.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.autograd.Autograd;
import dev.shears.autograd.Var;
import dev.shears.data.DataLocator;
import dev.shears.nn.Functional;
import dev.shears.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class StoryPerplexityTest {

    @Test
    void storiesAreSplitOnSeparatorLinesTrimmedAndEmptyOnesDropped() {
        String text = "\n  First story.\nSecond line.  \n<|endoftext|>\n\n<|endoftext|>\nThird\n <|endoftext|> \n";
        assertEquals(List.of("First story.\nSecond line.", "Third"), StoryPerplexity.splitStories(text, "<|endoftext|>"));
    }

    @Test
    void scoresEqualTheCrossEntropyOfTheNextTokenGivenItsPrefix() {
        Path dir = DataLocator.sharedDataDirs(PretrainedLm.TINYSTORIES).stream().filter(Files::isDirectory).findFirst()
                .orElse(null);
        Assumptions.assumeTrue(dir != null, "shared/data/tinystories-656k not found");
        PretrainedLm lm = PretrainedLm.load(dir);
        String story = "Tom had a red ball. He liked to play with it.";
        StoryPerplexity.Result r = StoryPerplexity.evaluate(lm, List.of(story));

        int[] body = lm.encodeAfterBos(story);
        int[] ids = Arrays.copyOf(body, body.length + 1);
        ids[body.length] = lm.tokenizer().eosId();
        assertEquals(1, ids[0], "starts with BOS");
        assertEquals(ids.length - 1, r.tokens(), "every token after BOS is predicted, EOS included");
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            Var logits = lm.model().logits(Tensor.ofInts(Arrays.copyOf(ids, ids.length - 1), 1, ids.length - 1), null);
            float ce = Functional.crossEntropy(logits.reshape(ids.length - 1, lm.model().vocabSize()),
                    Tensor.ofInts(Arrays.copyOfRange(ids, 1, ids.length), ids.length - 1)).item();
            assertEquals(ce, r.meanNll(), 1e-5);
        }
        assertEquals(Math.exp(r.meanNll()), r.perplexity(), 1e-9);
        assertTrue(r.meanNll() > 0 && r.meanNll() < 6, "a trained model's NLL is far below ln(2048) = 7.6: " + r.meanNll());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lm.encodeAfterBos("a “b”"));
        assertTrue(e.getMessage().contains("“"), e.getMessage());
    }
}

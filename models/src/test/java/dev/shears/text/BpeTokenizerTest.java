package dev.shears.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.data.DataLocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tokenizer of the shipped TinyStories-656K model ({@code shared/data/tinystories-656k/}).
 * Skipped when that folder is not beside the checkout.
 *
 * <p>The expected ids below were worked out by hand from {@code tokenizer.json}: "rank r" is the
 * merge's index in {@code model.merges} (lower merges first), "-" means the pair has no merge. The
 * text is first normalized: a "▁" in front, and every space replaced by "▁".
 */
class BpeTokenizerTest {
    private static final String SPACE = "\u2581";
    private static Path dir;
    private static BpeTokenizer tok;

    @BeforeAll
    static void load() {
        dir = DataLocator.sharedDataDirs("tinystories-656k").stream()
                .filter(d -> Files.isRegularFile(d.resolve("tokenizer.json"))).findFirst().orElse(null);
        tok = dir == null ? null : BpeTokenizer.load(dir.resolve("tokenizer.json"));
    }

    @BeforeEach
    void needsTheShippedModel() {
        if (tok == null) {
            Assumptions.abort("tinystories-656k not found in " + DataLocator.sharedDataDirs("tinystories-656k"));
        }
    }

    @Test
    void vocabularyAndSpecialTokens() {
        assertEquals(2048, tok.vocabSize());
        assertEquals(1, tok.bosId());
        assertEquals(2, tok.eosId());
        assertEquals(0, tok.unkId());
        assertEquals("<|start_story|>", tok.token(1));
        assertEquals("One" + SPACE, tok.token(tok.id("One" + SPACE).orElseThrow()));
        assertEquals(OptionalInt.of(80), tok.id(SPACE));
        assertEquals(OptionalInt.empty(), tok.id("Once"));
        assertThrows(IllegalArgumentException.class, () -> tok.token(2048));
    }

    @Test
    void theIsTwoTokens() {
        // "the" -> "▁the" = ▁ t h e. Pairs: (▁,t) -, (t,h) rank 2, (h,e) rank 28.
        // rank 2:  ▁ th e     new pairs (▁,th) -, (th,e) rank 50
        // rank 28 (h,e) is stale now; rank 50: ▁ the   (▁,the) -  -> done.
        // ids: "▁" 80, "the" 131.
        assertArrayEquals(new int[] {80, 131}, tok.encode("the"));
        assertEquals("the", tok.decode(new int[] {80, 131}));
    }

    @Test
    void lowestRankWinsOverEarlierPosition() {
        // "a cat" -> "▁a▁cat" = ▁ a ▁ c a t. Pairs: (▁,a) 4, (a,▁) 53, (▁,c) -, (c,a) 214, (a,t) 151.
        // rank 4:   ▁a ▁ c a t     new (▁a,▁) 23
        // rank 23:  ▁a▁ c a t      new (▁a▁,c) -
        // rank 151: ▁a▁ c at       (a,t) beats (c,a) 214 though it starts later; new (c,at) 395
        // rank 395: ▁a▁ cat        (▁a▁,cat) -  -> done.
        // ids: "▁a▁" 104, "cat" 476.
        assertArrayEquals(new int[] {104, 476}, tok.encode("a cat"));
        assertEquals("a cat", tok.decode(tok.encode("a cat")));
    }

    @Test
    void storyStartAbsorbsTheLeadingSpace() {
        // "Once upon" -> "▁Once▁upon" = ▁ O n c e ▁ u p o n. Pairs: (▁,O) -, (O,n) 66, (n,c) -,
        // (c,e) 601, (e,▁) 0, (▁,u) -, (u,p) 108, (p,o) 212, (o,n) 30.
        // rank 0:   ▁ O n c e▁ u p o n     new (c,e▁) 120, (e▁,u) -
        // rank 30:  ▁ O n c e▁ u p on      new (p,on) -; (p,o) 212 is stale
        // rank 66:  ▁ On c e▁ u p on       new (▁,On) -, (On,c) -
        // rank 108: ▁ On c e▁ up on        new (e▁,up) -, (up,on) -
        // rank 120: ▁ On ce▁ up on         new (On,ce▁) -, (ce▁,up) -; (c,e) 601 is stale -> done.
        // ids: "▁" 80, "On" 147, "ce▁" 201, "up" 189, "on" 111.
        assertArrayEquals(new int[] {80, 147, 201, 189, 111}, tok.encode("Once upon"));
        assertArrayEquals(new int[] {1, 80, 147, 201, 189, 111}, tok.encodeWithBos("Once upon"));
        // Written out, <|start_story|> is matched in the normalized text as "▁<|start_story|>" (it is a
        // normalized added token), so it takes the prepended "▁" and "Once" starts without one, the way
        // the model saw stories in training (its greedy story from BOS alone begins 147 201, "On" "ce▁").
        assertArrayEquals(new int[] {1, 147, 201, 189, 111}, tok.encode("<|start_story|>Once upon"));
    }

    @Test
    void theModelsOwnStoryEncodesToTheIdsItGenerated() {
        // The 80 ids the model generates greedily from BOS alone (shared/data/README.md, computed with an
        // independent numpy forward pass). A well-trained model emits the tokenization its training data
        // had, so writing the story out with its start marker and encoding it must give them back.
        int[] generated = {147, 201, 282, 215, 286, 598, 1662, 356, 499, 826, 1363, 1145, 1652, 615, 242, 1482, 951,
            628, 499, 826, 872, 921, 318, 385, 628, 499, 826, 617, 242, 198, 1047, 425, 1939, 122, 1924, 1171, 94, 303,
            328, 229, 521, 776, 115, 1139, 312, 447, 1456, 319, 115, 133, 114, 100, 167, 753, 1665, 361, 303, 1900, 319,
            467, 730, 717, 532, 856, 645, 1188, 108, 319, 135, 1629, 319, 53, 382, 122, 1765, 1398, 313, 1150, 1095, 1250};
        String story = tok.decode(generated);
        assertTrue(story.startsWith("Once upon a time, there was a little girl named Lily. She had a toy car"), story);
        int[] withBos = new int[generated.length + 1];
        withBos[0] = tok.bosId();
        System.arraycopy(generated, 0, withBos, 1, generated.length);
        assertArrayEquals(withBos, tok.encode("<|start_story|>" + story));
    }

    @Test
    void specialTokensAreMatchedWhole() {
        assertArrayEquals(new int[] {1}, tok.encode("<|start_story|>"));
        assertArrayEquals(new int[] {2}, tok.encode("<|end_story|>"));
        assertArrayEquals(new int[] {0}, tok.encode("<unk>"));
        // "end. <|end_story|>" -> "▁end.▁<|end_story|>": "▁<|end_story|>" is cut out as id 2, leaving
        // "▁end." = ▁ e n d . with pairs (▁,e) -, (e,n) 21, (n,d) 308, (d,.) -.
        // rank 21:  ▁ en d .   new (▁,en) -, (en,d) 102
        // rank 102: ▁ end .    new (▁,end) -, (end,.) -; (n,d) 308 is stale -> done.
        // ids: "▁" 80, "end" 183, "." 10, then <|end_story|> 2.
        assertArrayEquals(new int[] {80, 183, 10, 2}, tok.encode("end. <|end_story|>"));
        // The space before the token went into the match, so it does not come back.
        assertEquals("end.<|end_story|>", tok.decode(new int[] {80, 183, 10, 2}));
        // Glued to a word there is no "▁" before it, so (as in Hugging Face tokenizers) it is spelled out.
        int[] glued = tok.encode("end.<|end_story|>");
        assertFalse(Arrays.stream(glued).anyMatch(id -> id == 2), Arrays.toString(glued));
        assertEquals("end.<|end_story|>", tok.decode(glued));
    }

    @Test
    void unknownCharactersBecomeOneUnkPerRun() {
        // "a““b" -> "▁a““b": "“" has no token and there are no <0xNN> byte tokens, so it is <unk> (0);
        // fuse_unk makes the run of two a single <unk>. Symbols ▁ a <unk> b; (▁,a) rank 4 -> "▁a" 85;
        // (▁a,<unk>) -, (<unk>,b) -. "b" is 54.
        assertArrayEquals(new int[] {85, 0, 54}, tok.encode("a\u201C\u201Cb"));
        assertEquals("a<unk>b", tok.decode(new int[] {85, 0, 54}));
        assertEquals("ab", tok.decode(new int[] {85, 0, 54}, true));
        // A character outside the Basic Multilingual Plane is one character, not two halves.
        assertArrayEquals(new int[] {85, 0}, tok.encode("a\uD83D\uDE00"));
    }

    @Test
    void emptyAndSpaceOnlyTexts() {
        assertArrayEquals(new int[0], tok.encode(""));
        assertEquals("", tok.decode(new int[0]));
        // Decoding drops exactly one leading space, the one the normalizer added.
        for (String s : List.of(" ", "  a", " a ", "\n", "a\n\nb")) {
            assertEquals(s, tok.decode(tok.encode(s)), "round trip of \"" + s + "\"");
        }
    }

    @Test
    void decodeSkipsSpecialTokensOnRequestAndRejectsBadIds() {
        int[] ids = tok.encodeWithBos("Once upon");
        assertEquals("<|start_story|> Once upon", tok.decode(ids));
        assertEquals("Once upon", tok.decode(ids, true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {5, -1}));
        assertTrue(e.getMessage().contains("-1") && e.getMessage().contains("position 1"), e.getMessage());
    }

    @Test
    void sampleStoriesRoundTrip() throws IOException {
        String sample = Files.readString(dir.resolve("tinystories_sample_cs336.txt"));
        // The sample separates its stories with "<|endoftext|>" lines, which are not this model's
        // separators (<|start_story|>, <|end_story|>): split there and treat each story on its own.
        List<String> stories = Arrays.stream(sample.split("(?m)^<\\|endoftext\\|>\n")).toList();
        assertEquals(5, stories.size());
        for (String story : stories) {
            // Curly quotes are the only characters of the sample missing from the vocabulary.
            String plain = story.replace('\u201C', '"').replace('\u201D', '"');
            int[] ids = tok.encode(plain);
            assertFalse(Arrays.stream(ids).anyMatch(id -> id == tok.unkId()), story);
            assertEquals(plain, tok.decode(ids));
            assertTrue(ids.length < plain.length() / 2, ids.length + " tokens for " + plain.length() + " characters");
            int[] framed = tok.encode("<|start_story|>" + plain);
            assertEquals(tok.bosId(), framed[0]);
            assertEquals("<|start_story|>" + plain, tok.decode(framed));
        }
        // The file as it is: each curly quote becomes one <unk>, everything else comes back.
        long curly = sample.chars().filter(c -> c == '\u201C' || c == '\u201D').count();
        int[] ids = tok.encode(sample);
        assertEquals(curly, Arrays.stream(ids).filter(id -> id == tok.unkId()).count());
        assertEquals(sample.replaceAll("[\u201C\u201D]", "<unk>"), tok.decode(ids));
    }

    @Test
    void encodingIsFastOnLongWords() throws IOException {
        // With no pre-tokenizer a whole text is one BPE word; a merge loop that rescans the word for
        // the best pair after each merge would take tens of seconds on this 76 KB text; the
        // priority-queue one takes well under a second.
        String sample = Files.readString(dir.resolve("tinystories_sample_cs336.txt"));
        String longText = sample.repeat(20);
        tok.encode(sample); // warm-up
        long t0 = System.nanoTime();
        int[] ids = tok.encode(sample);
        long t1 = System.nanoTime();
        int[] longIds = tok.encode(longText);
        long t2 = System.nanoTime();
        System.out.printf("BpeTokenizer: %d chars -> %d tokens in %.2f ms; %d chars -> %d tokens in %.2f ms%n",
                sample.length(), ids.length, (t1 - t0) / 1e6, longText.length(), longIds.length, (t2 - t1) / 1e6);
        assertTrue(t2 - t1 < 10_000_000_000L, "encoding " + longText.length() + " characters took " + (t2 - t1) / 1e6 + " ms");
        assertEquals(sample.repeat(20).replaceAll("[\u201C\u201D]", "<unk>"), tok.decode(longIds));
    }
}

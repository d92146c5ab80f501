package dev.shears.data;

import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Karpathy's tiny-shakespeare corpus (1,115,394 ASCII characters, 65 distinct), character-level,
 * split as in nanoGPT: the first 90% of the characters for training, the last 10% for validation.
 *
 * <p>The file {@code input.txt} is shipped in the project's {@code shared/data/tinyshakespeare/};
 * {@link DataLocator} looks in the user folder, then {@code shared/data/tinyshakespeare} relative
 * to the working directory and up to two parents, then {@code <cache>/tinyshakespeare}. There is
 * no automatic fetch. The SHA-256 is checked on every read.
 */
public final class TinyShakespeare {
    private TinyShakespeare() {}

    public static final String FILE = "input.txt";

    public static final DataSpec SPEC = new DataSpec("tiny-shakespeare", "tinyshakespeare",
            List.of(new DataSpec.FileSpec(FILE, 1_115_394L, "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed")),
            DataLocator.sharedDataDirs("tinyshakespeare"),
            "mkdir -p tinyshakespeare && cp shared/data/tinyshakespeare/input.txt tinyshakespeare/\n"
                    + "# or: curl -o tinyshakespeare/input.txt https://raw.githubusercontent.com/karpathy/char-rnn/"
                    + "6f9487a6fe5b420b7ca9afb0d7c078e37c1d1b4e/data/tinyshakespeare/input.txt",
            null);

    /** The whole verified text. */
    public static String text(DataLocator locator) {
        return new String(locator.read(SPEC, FILE), StandardCharsets.US_ASCII);
    }

    /** Tokenizer over the whole text plus the 90% / 10% train/validation token streams. */
    public static Corpus load(DataLocator locator) {
        String text = text(locator);
        CharTokenizer tok = CharTokenizer.fromText(text);
        int[] ids = tok.encode(text);
        int n = (int) (ids.length * 0.9);
        return new Corpus(tok, new TokenStream(java.util.Arrays.copyOfRange(ids, 0, n)),
                new TokenStream(java.util.Arrays.copyOfRange(ids, n, ids.length)));
    }

    /** A tokenizer with its train and validation streams. */
    public record Corpus(CharTokenizer tokenizer, TokenStream train, TokenStream val) {}

    /** A token sequence to draw language-model windows from. */
    public record TokenStream(int[] tokens) {

        public int length() {
            return tokens.length;
        }

        /**
         * {@code batch} windows at uniformly random offsets: inputs I32 {@code [batch, block]} =
         * tokens[o .. o+block), targets I32 {@code [batch, block]} = tokens[o+1 .. o+block+1).
         */
        public Windows sample(Rng rng, int batch, int block) {
            if (batch <= 0 || block <= 0 || block + 1 > tokens.length) {
                throw new IllegalArgumentException("TokenStream.sample: batch = " + batch + ", block = " + block
                        + " need batch > 0 and 0 < block < " + tokens.length);
            }
            int[] offsets = new int[batch];
            int[] x = new int[batch * block];
            int[] y = new int[batch * block];
            for (int b = 0; b < batch; b++) {
                int o = rng.nextInt(tokens.length - block);
                offsets[b] = o;
                System.arraycopy(tokens, o, x, b * block, block);
                System.arraycopy(tokens, o + 1, y, b * block, block);
            }
            return new Windows(Tensor.ofInts(x, batch, block), Tensor.ofInts(y, batch, block), offsets);
        }
    }

    /** Language-model windows: inputs and next-token targets, I32 {@code [B, T]}, and each row's start offset. */
    public record Windows(Tensor inputs, Tensor targets, int[] offsets) {}
}

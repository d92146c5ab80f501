package dev.shears.repro;

import dev.shears.autograd.Autograd;
import dev.shears.data.CharTokenizer;
import dev.shears.data.DataLocator;
import dev.shears.data.TinyShakespeare;
import dev.shears.lm.Generator;
import dev.shears.lm.Gpt;
import dev.shears.lm.GptCheckpoint;
import dev.shears.lm.Llama;
import dev.shears.lm.PretrainedLm;
import dev.shears.lm.Sampler;
import dev.shears.lm.StoryPerplexity;
import dev.shears.nn.Functional;
import dev.shears.nn.Module;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A language model the {@code prune-llm} reproduction prunes: how to load a fresh dense copy, how to
 * build its calibration tokens, and how its quality is measured (perplexity, lower is better).
 */
sealed interface PruneTarget {

    String describe();

    /** A fresh dense copy (every method prunes its own). */
    Module load();

    /** Calibration token ids [sequences, length]. */
    Tensor calibration(int sequences, int length, long seed);

    /** The calibration size the issue and methods.md give for this model: sequences, then tokens each. */
    int defaultSequences();

    int defaultLength();

    /** The quality measure: perplexity of {@code model}. */
    double perplexity(Module model);

    /** What {@link #perplexity} measures, in words. */
    String measure();

    /** The pretrained TinyStories-656K: calibration sampled from the dense model, perplexity on the story sample. */
    record TinyStories(PretrainedLm dense, List<String> stories) implements PruneTarget {
        static TinyStories load(Path modelDir) {
            PretrainedLm lm = PretrainedLm.load(modelDir);
            try {
                String text = Files.readString(lm.dir().resolve(TinyStoriesEvalRepro.SAMPLE));
                return new TinyStories(lm, StoryPerplexity.splitStories(text, TinyStoriesEvalRepro.SEPARATOR));
            } catch (IOException e) {
                throw new UncheckedIOException("prune-llm: cannot read " + lm.dir().resolve(TinyStoriesEvalRepro.SAMPLE)
                        + ": " + e.getMessage(), e);
            }
        }

        @Override
        public String describe() {
            return "TinyStories-656K (" + dense.dir() + ")";
        }

        @Override
        public Module load() {
            return Llama.load(dense.dir());
        }

        @Override
        public int defaultSequences() {
            return 32;
        }

        @Override
        public int defaultLength() {
            return 128;
        }

        /** {@code sequences} samples of {@code length} tokens from [BOS] at temperature 1 (EOS does not stop them). */
        @Override
        public Tensor calibration(int sequences, int length, long seed) {
            PretrainedLm lm = dense;
            Rng rng = Rng.seeded(seed);
            int[] ids = new int[sequences * length];
            for (int s = 0; s < sequences; s++) {
                int[] prompt = {lm.tokenizer().bosId()};
                Generator.Result r = Generator.generate(lm.model(), prompt, length - 1, new Sampler(1.0, 0, 1.0),
                        rng.split(), -1, null);
                ids[s * length] = prompt[0];
                System.arraycopy(r.tokens(), 0, ids, s * length + 1, length - 1);
            }
            return Tensor.ofInts(ids, sequences, length);
        }

        @Override
        public double perplexity(Module model) {
            return StoryPerplexity.evaluate(new PretrainedLm((Llama) model, dense.tokenizer(), dense.dir()), stories)
                    .perplexity();
        }

        @Override
        public String measure() {
            return "per-token perplexity on " + TinyStoriesEvalRepro.SAMPLE + " (tinystories-eval protocol)";
        }
    }

    /** A char-gpt checkpoint: calibration from random training windows, perplexity = exp(validation loss). */
    record CharGpt(Path runDir, TinyShakespeare.Corpus corpus) implements PruneTarget {
        static final int EVAL_BATCHES = 40;
        static final int EVAL_BATCH = 16;

        static CharGpt load(Path runDir, DataLocator locator) {
            GptCheckpoint.Loaded c = GptCheckpoint.load(runDir);
            TinyShakespeare.Corpus corpus = TinyShakespeare.load(locator);
            CharTokenizer tok = corpus.tokenizer();
            if (!tok.vocabulary().equals(c.vocabulary())) {
                throw new IllegalArgumentException("prune-llm: the checkpoint in " + runDir
                        + " was trained on another character set than tiny-shakespeare's");
            }
            return new CharGpt(runDir, corpus);
        }

        @Override
        public String describe() {
            return "char-GPT (" + runDir + ")";
        }

        @Override
        public Module load() {
            return GptCheckpoint.load(runDir).model();
        }

        /** methods.md §1.8: 128 windows of 256 characters. */
        @Override
        public int defaultSequences() {
            return 128;
        }

        @Override
        public int defaultLength() {
            return 256;
        }

        @Override
        public Tensor calibration(int sequences, int length, long seed) {
            return corpus.train().sample(Rng.seeded(seed), sequences, length).inputs();
        }

        @Override
        public double perplexity(Module model) {
            Gpt gpt = (Gpt) model;
            int ctx = gpt.contextLength();
            Rng rng = Rng.seeded(7); // the same validation windows for every model
            double sum = 0;
            try (Autograd.NoGrad ignored = Autograd.noGrad()) {
                for (int i = 0; i < EVAL_BATCHES; i++) {
                    TinyShakespeare.Windows w = corpus.val().sample(rng, EVAL_BATCH, ctx);
                    int n = EVAL_BATCH * ctx;
                    sum += Functional.crossEntropy(gpt.logits(w.inputs(), null).reshape(n, gpt.vocabSize()),
                            w.targets().reshape(n)).item();
                }
            }
            return Math.exp(sum / EVAL_BATCHES);
        }

        @Override
        public String measure() {
            return "exp(validation loss) over " + EVAL_BATCHES + " x " + EVAL_BATCH + " fixed validation windows";
        }
    }

    /** The calibration ids as rows, for the run folder. */
    static int[][] rows(Tensor ids) {
        int[] flat = ids.contiguous().toIntArray();
        int t = ids.dim(1);
        int[][] out = new int[ids.dim(0)][];
        for (int i = 0; i < out.length; i++) {
            out[i] = Arrays.copyOfRange(flat, i * t, (i + 1) * t);
        }
        return out;
    }
}

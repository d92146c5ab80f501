package dev.shears.lm;

import dev.shears.autograd.Var;
import dev.shears.nn.Module;
import dev.shears.tensor.Tensor;

/**
 * A decoder seen as embedding → blocks → head, so that post-training pruning can calibrate and
 * prune it block by block (methods.md §0.2.5): run the calibration tokens through the embedding,
 * then each block in turn, pruning the linear layers of a block before computing its outputs for
 * the next one.
 */
public interface BlockStack {
    /** Token ids [batch, T] (positions 0 .. T-1) → hidden states [batch, T, dim]. */
    Var embed(Tensor ids);

    int blockCount();

    /** Block {@code i} applied to hidden states [batch, T, dim] at positions 0 .. T-1. */
    Var block(int i, Var x);

    /** The module of block {@code i}: its Linear layers are what gets pruned. */
    Module blockModule(int i);

    /** The final normalisation and output projection: hidden states → logits [batch, T, vocab]. */
    Var head(Var x);

    /** Logits [batch, T, vocab] of ids [batch, T] through the whole stack (no cache). */
    default Var forwardAll(Tensor ids) {
        Var x = embed(ids);
        for (int i = 0; i < blockCount(); i++) {
            x = block(i, x);
        }
        return head(x);
    }
}

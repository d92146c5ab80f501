package dev.shears.data;

import dev.shears.tensor.DType;
import dev.shears.tensor.Tensor;

/**
 * One mini-batch.
 *
 * @param inputs  F32 {@code [B, ...sampleShape]} (or {@code [B, numel]} when the loader flattens)
 * @param labels  I32 {@code [B]}
 * @param indices the data set index of each row, {@code indices.length == B}
 */
public record Batch(Tensor inputs, Tensor labels, int[] indices) {

    public Batch {
        if (labels.dtype() != DType.I32 || labels.rank() != 1) {
            throw new IllegalArgumentException("Batch: labels must be I32 [B], got " + labels.dtype() + " " + labels.shape());
        }
        if (inputs.rank() < 1 || inputs.dim(0) != labels.dim(0) || indices.length != labels.dim(0)) {
            throw new IllegalArgumentException("Batch: batch sizes differ: inputs " + inputs.shape()
                    + ", labels " + labels.shape() + ", indices " + indices.length);
        }
        indices = indices.clone();
    }

    /** The number of samples B. */
    public int size() {
        return indices.length;
    }

    /** The data set indices of the samples; a fresh array. */
    @Override
    public int[] indices() {
        return indices.clone();
    }
}

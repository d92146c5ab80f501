package dev.shears.data;

import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;

/**
 * A finite, indexable collection of labelled samples. Every sample has the same shape
 * {@link #sampleShape()} (e.g. {@code [1, 28, 28]} for MNIST, channels first); labels are class
 * ids in {@code [0, numClasses())}. Implementations are read-only and safe to share.
 */
public interface Dataset {

    /** The number of samples. */
    int size();

    /** The shape of one sample's inputs, e.g. {@code [1, 28, 28]}; a fresh array. */
    int[] sampleShape();

    /** The number of classes (labels lie in {@code [0, numClasses)}). */
    int numClasses();

    /** The label of sample {@code index}. */
    int label(int index);

    /**
     * Writes sample {@code index}'s inputs, row-major over {@link #sampleShape()}, into
     * {@code dst[offset ...]}.
     *
     * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, size())}
     */
    void copyInputs(int index, float[] dst, int offset);

    /** The number of input values per sample (the product of {@link #sampleShape()}). */
    default int sampleNumel() {
        int n = 1;
        for (int d : sampleShape()) {
            n *= d;
        }
        return n;
    }

    /** Sample {@code index} as an F32 tensor of shape {@link #sampleShape()} and its label. */
    default Sample get(int index) {
        float[] x = new float[sampleNumel()];
        copyInputs(index, x, 0);
        return new Sample(Tensor.of(x, sampleShape()), label(index));
    }

    /**
     * A shuffling loader over this data set: batches of {@code batchSize}, a new seeded order each
     * epoch drawn from {@code rng}, the last partial batch kept. Use {@link DataLoader#builder} for
     * more options.
     */
    default DataLoader loader(int batchSize, Rng rng) {
        return DataLoader.builder(this, batchSize).shuffle(rng).build();
    }

    /** One sample: inputs of shape {@link #sampleShape()} and the class label. */
    record Sample(Tensor inputs, int label) {}
}

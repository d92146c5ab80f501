package dev.shears.data;

import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Iterates a {@link Dataset} in mini-batches. Each call to {@link #iterator()} is one epoch; epoch
 * {@code e}'s order and random transforms come from a generator derived from the loader's seed and
 * {@code e} alone, so {@link #epoch(int)} replays any epoch exactly. Without {@link Builder#shuffle}
 * the order is the data set order (or the subset's order). Every selected index appears exactly
 * once per epoch (except the dropped tail with {@link Builder#dropLast}).
 *
 * <pre>{@code
 * DataLoader train = DataLoader.builder(Mnist.train(locator), 128)
 *         .shuffle(rng.split()).dropLast(true).flatten(true).build();   // inputs [128, 784]
 * for (Batch b : train) { ... }
 * }</pre>
 */
public final class DataLoader implements Iterable<Batch> {
    private final Dataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;
    private final int[] subset;
    private final List<Transform> transforms;
    private final boolean flatten;
    private int nextEpoch;

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.batchSize = b.batchSize;
        this.shuffle = b.rng != null;
        this.seed = b.rng != null ? b.rng.nextLong() : 0L;
        this.dropLast = b.dropLast;
        this.subset = b.subset;
        this.transforms = List.copyOf(b.transforms);
        this.flatten = b.flatten;
    }

    /** Starts a loader over {@code dataset} with batches of {@code batchSize}. */
    public static Builder builder(Dataset dataset, int batchSize) {
        return new Builder(dataset, batchSize);
    }

    /** The data set this loader reads. */
    public Dataset dataset() {
        return dataset;
    }

    /** The batch size. */
    public int batchSize() {
        return batchSize;
    }

    /** The number of samples one epoch visits (the subset size or the data set size). */
    public int numSamples() {
        return subset != null ? subset.length : dataset.size();
    }

    /** The number of batches per epoch. */
    public int numBatches() {
        int n = numSamples();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The next epoch (0, 1, 2, ... in call order). */
    @Override
    public Iterator<Batch> iterator() {
        return epoch(nextEpoch++).iterator();
    }

    /** Epoch {@code e}, reproducible: the same batches however often or in whatever order it is asked for. */
    public Iterable<Batch> epoch(int e) {
        return epoch(e, 0);
    }

    /**
     * Epoch {@code e} from its batch {@code firstBatch} on (the batches before it are not built):
     * step-based training resumes mid-epoch with this.
     */
    public Iterable<Batch> epoch(int e, int firstBatch) {
        if (e < 0) {
            throw new IllegalArgumentException("DataLoader.epoch: e = " + e + " must be >= 0");
        }
        if (firstBatch < 0 || firstBatch > numBatches()) {
            throw new IllegalArgumentException("DataLoader.epoch: first batch " + firstBatch + " is outside [0, "
                    + numBatches() + "]");
        }
        return () -> new EpochIterator(e, firstBatch);
    }

    /** The sample order of epoch {@code e} (all selected indices, before the tail is dropped). */
    public int[] order(int e) {
        int[] order = subset != null ? subset.clone() : identity(dataset.size());
        if (shuffle) {
            epochRng(e).shuffle(order);
        }
        return order;
    }

    private Rng epochRng(int e) {
        // SplittableRandom's seeding mixes the bits; the golden-ratio step keeps epochs apart.
        return Rng.seeded(seed + 0x9E3779B97F4A7C15L * (e + 1L));
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    private final class EpochIterator implements Iterator<Batch> {
        private final int[] order;
        private final long transformSeed;
        private final int end;
        private int pos;

        EpochIterator(int e, int firstBatch) {
            this.order = order(e);
            Rng r = epochRng(e);
            r.nextLong(); // decorrelate from the shuffle's stream
            this.transformSeed = r.nextLong();
            this.end = dropLast ? order.length / batchSize * batchSize : order.length;
            this.pos = Math.min(end, firstBatch * batchSize);
        }

        @Override
        public boolean hasNext() {
            return pos < end;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException("DataLoader: epoch finished");
            }
            int batchIndex = pos / batchSize;
            int b = Math.min(batchSize, end - pos);
            int[] idx = Arrays.copyOfRange(order, pos, pos + b);
            pos += b;
            int[] shape = dataset.sampleShape();
            int numel = dataset.sampleNumel();
            float[] x = new float[b * numel];
            int[] y = new int[b];
            float[] sample = transforms.isEmpty() ? null : new float[numel];
            // Each batch draws its transforms from its own stream, so a pass that starts mid-epoch
            // sees the same augmented batches as a full one.
            Rng transformRng = sample == null ? null : Rng.seeded(transformSeed + 0x9E3779B97F4A7C15L * (batchIndex + 1L));
            for (int i = 0; i < b; i++) {
                if (sample == null) {
                    dataset.copyInputs(idx[i], x, i * numel);
                } else {
                    dataset.copyInputs(idx[i], sample, 0);
                    for (Transform t : transforms) {
                        t.apply(sample, shape, transformRng);
                    }
                    System.arraycopy(sample, 0, x, i * numel, numel);
                }
                y[i] = dataset.label(idx[i]);
            }
            int[] batchShape;
            if (flatten) {
                batchShape = new int[] {b, numel};
            } else {
                batchShape = new int[shape.length + 1];
                batchShape[0] = b;
                System.arraycopy(shape, 0, batchShape, 1, shape.length);
            }
            return new Batch(Tensor.adopt(x, batchShape), Tensor.ofInts(y, b), idx);
        }
    }

    /** Options for a {@link DataLoader}. */
    public static final class Builder {
        private final Dataset dataset;
        private final int batchSize;
        private Rng rng;
        private boolean dropLast;
        private int[] subset;
        private final List<Transform> transforms = new ArrayList<>();
        private boolean flatten;

        private Builder(Dataset dataset, int batchSize) {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("DataLoader: batchSize = " + batchSize + " must be positive");
            }
            this.dataset = java.util.Objects.requireNonNull(dataset, "dataset");
            this.batchSize = batchSize;
        }

        /** Shuffle every epoch; the loader draws one seed from {@code rng} when built. */
        public Builder shuffle(Rng rng) {
            this.rng = java.util.Objects.requireNonNull(rng, "rng");
            return this;
        }

        /** Drop the last batch when it is smaller than the batch size. */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /** Visit only these data set indices (each must be in range; duplicates are an error). */
        public Builder subset(int[] indices) {
            boolean[] seen = new boolean[dataset.size()];
            for (int i : indices) {
                if (i < 0 || i >= dataset.size()) {
                    throw new IndexOutOfBoundsException("DataLoader.subset: index " + i + " outside [0, " + dataset.size() + ")");
                }
                if (seen[i]) {
                    throw new IllegalArgumentException("DataLoader.subset: index " + i + " appears twice");
                }
                seen[i] = true;
            }
            this.subset = indices.clone();
            return this;
        }

        /** Apply {@code t} to each sample, after the transforms added before it. */
        public Builder transform(Transform t) {
            transforms.add(java.util.Objects.requireNonNull(t, "transform"));
            return this;
        }

        /** Yield inputs as {@code [B, numel]} instead of {@code [B, ...sampleShape]} (for MLPs). */
        public Builder flatten(boolean flatten) {
            this.flatten = flatten;
            return this;
        }

        public DataLoader build() {
            return new DataLoader(this);
        }
    }
}

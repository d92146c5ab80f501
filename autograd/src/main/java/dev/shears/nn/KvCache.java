package dev.shears.nn;

import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The keys and values of the positions decoded so far, one {@link Entry} per attention layer, so
 * that each new token attends to the past without recomputing it. Inference only: the cached
 * tensors are plain values outside any graph. A model reads {@link #length()} as the position of
 * its next token and calls {@link #advance} once all layers have appended.
 */
public final class KvCache {
    private final List<Entry> entries = new ArrayList<>();
    private final int capacity;
    private int length;

    /**
     * @param layers   attention layers (one entry each)
     * @param capacity the most positions it may hold (a model's context length)
     */
    public KvCache(int layers, int capacity) {
        if (layers < 1 || capacity < 1) {
            throw new IllegalArgumentException("KvCache: layers " + layers + " and capacity " + capacity
                    + " must be >= 1");
        }
        this.capacity = capacity;
        for (int i = 0; i < layers; i++) {
            entries.add(new Entry());
        }
    }

    /** Positions cached so far: the position of the next token. */
    public int length() {
        return length;
    }

    public int capacity() {
        return capacity;
    }

    public int layers() {
        return entries.size();
    }

    public Entry layer(int i) {
        return entries.get(i);
    }

    /**
     * Records that every layer has appended {@code tokens} more positions.
     *
     * @throws IllegalStateException if a layer holds a different number of positions
     */
    public void advance(int tokens) {
        int next = length + tokens;
        for (int i = 0; i < entries.size(); i++) {
            int held = entries.get(i).length();
            if (held != next) {
                throw new IllegalStateException("KvCache.advance(" + tokens + "): layer " + i + " holds " + held
                        + " positions, expected " + next);
            }
        }
        length = next;
    }

    /** Forgets every position (for a new sequence). */
    public void clear() {
        entries.replaceAll(e -> new Entry());
        length = 0;
    }

    /** One attention layer's cached keys and values, [batch, kvHeads, positions, headDim] each. */
    public final class Entry {
        private Tensor keys;
        private Tensor values;

        /** Positions held. */
        public int length() {
            return keys == null ? 0 : keys.dim(2);
        }

        /**
         * Appends the new positions' keys and values [batch, kvHeads, T, headDim] and returns all
         * held so far, {keys, values}.
         *
         * @throws ShapeException if the shapes disagree with what is held or the capacity is exceeded
         */
        public Tensor[] append(Tensor k, Tensor v) {
            if (k.rank() != 4 || !k.shape().equals(v.shape())) {
                throw new ShapeException("KvCache: keys " + k.shape() + " and values " + v.shape()
                        + " must both be [batch, kvHeads, T, headDim]");
            }
            if (keys != null && (keys.dim(0) != k.dim(0) || keys.dim(1) != k.dim(1) || keys.dim(3) != k.dim(3))) {
                throw new ShapeException("KvCache: new keys " + k.shape() + " do not extend the cached " + keys.shape());
            }
            int total = length() + k.dim(2);
            if (total > capacity) {
                throw new ShapeException("KvCache: " + total + " positions exceed the capacity of " + capacity);
            }
            keys = keys == null ? k.contiguous() : Tensor.concat(List.of(keys, k), 2);
            values = values == null ? v.contiguous() : Tensor.concat(List.of(values, v), 2);
            return new Tensor[] {keys, values};
        }
    }
}

package dev.shears.text;

import java.util.Arrays;

/**
 * A binary min-heap of {@code long} keys without boxing. The BPE merge loop keys candidate pairs
 * by {@code rank << 32 | position} and pops hundreds of thousands of them on a long text; with
 * boxed keys the heap's compares chase pointers all over memory and encoding slows down as the
 * text grows.
 */
final class LongHeap {
    private long[] keys;
    private int size;

    LongHeap(int capacity) {
        keys = new long[Math.max(capacity, 4)];
    }

    boolean isEmpty() {
        return size == 0;
    }

    void add(long key) {
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (keys[parent] <= key) {
                break;
            }
            keys[i] = keys[parent];
            i = parent;
        }
        keys[i] = key;
    }

    /** Removes and returns the smallest key; the heap must not be empty. */
    long poll() {
        long top = keys[0];
        long last = keys[--size];
        int i = 0;
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            if (child + 1 < size && keys[child + 1] < keys[child]) {
                child++;
            }
            if (last <= keys[child]) {
                break;
            }
            keys[i] = keys[child];
            i = child;
        }
        keys[i] = last;
        return top;
    }
}

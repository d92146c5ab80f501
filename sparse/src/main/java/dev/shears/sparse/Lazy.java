package dev.shears.sparse;

import java.util.function.Supplier;

/**
 * A value computed on first use and then cached, safely published to every thread. Formats keep
 * their derived kernel layouts in one, shared between objects with the same structure.
 */
final class Lazy<T> {
    private final Supplier<T> compute;
    private volatile T value;

    Lazy(Supplier<T> compute) {
        this.compute = compute;
    }

    T get() {
        T v = value;
        if (v == null) {
            synchronized (this) {
                v = value;
                if (v == null) {
                    v = compute.get();
                    value = v;
                }
            }
        }
        return v;
    }
}

package dev.shears.data;

import dev.shears.tensor.Rng;
import java.util.Arrays;

/**
 * A per-sample transform applied in place by {@link DataLoader} to one sample's values, laid out
 * row-major over the sample shape. Image transforms expect {@code [C, H, W]} (channels first) and
 * keep the shape. Random transforms draw only from the {@link Rng} they are given, which the loader
 * derives from its seed, so a seeded epoch is reproducible.
 */
@FunctionalInterface
public interface Transform {

    /** Transforms {@code values} (one sample of {@code shape}) in place. */
    void apply(float[] values, int[] shape, Rng rng);

    /**
     * Per-channel {@code (x - mean[c]) / std[c]} over a {@code [C, ...]} sample; a single mean/std
     * applies to every channel.
     */
    static Transform normalize(float[] mean, float[] std) {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("Transform.normalize: mean " + Arrays.toString(mean)
                    + " and std " + Arrays.toString(std) + " must be non-empty and of equal length");
        }
        for (float s : std) {
            if (!(s > 0f)) {
                throw new IllegalArgumentException("Transform.normalize: std " + Arrays.toString(std) + " must be positive");
            }
        }
        float[] m = mean.clone();
        float[] s = std.clone();
        return (values, shape, rng) -> {
            int channels = shape[0];
            if (m.length != 1 && m.length != channels) {
                throw new IllegalArgumentException("Transform.normalize: " + m.length + " means for a sample of shape "
                        + Arrays.toString(shape) + " (" + channels + " channels)");
            }
            int per = values.length / channels;
            for (int c = 0; c < channels; c++) {
                float mu = m[m.length == 1 ? 0 : c];
                float inv = 1f / s[s.length == 1 ? 0 : c];
                for (int i = c * per, end = i + per; i < end; i++) {
                    values[i] = (values[i] - mu) * inv;
                }
            }
        };
    }

    /** {@link #normalize(float[], float[])} with one mean and std for all channels. */
    static Transform normalize(float mean, float std) {
        return normalize(new float[] {mean}, new float[] {std});
    }

    /**
     * Random crop with zero padding (the CIFAR recipe): pads each {@code [H, W]} plane by
     * {@code padding} zeros on every side and crops an {@code H x W} window at a uniformly random
     * offset in {@code [0, 2 * padding]} on each axis, the same for all channels. Equivalent to a
     * random shift by up to {@code padding} pixels, filling with 0. Shape is kept.
     */
    static Transform randomCrop(int padding) {
        if (padding < 0) {
            throw new IllegalArgumentException("Transform.randomCrop: padding = " + padding + " must be >= 0");
        }
        return (values, shape, rng) -> {
            int dy = rng.nextInt(2 * padding + 1);
            int dx = rng.nextInt(2 * padding + 1);
            crop(values, shape, padding, dy, dx);
        };
    }

    /**
     * The deterministic core of {@link #randomCrop}: output pixel (y, x) = padded input at
     * (y + dy, x + dx), i.e. input (y + dy - padding, x + dx - padding), or 0 outside.
     */
    static void crop(float[] values, int[] shape, int padding, int dy, int dx) {
        requireChw("randomCrop", shape);
        int h = shape[shape.length - 2];
        int w = shape[shape.length - 1];
        int planes = values.length / (h * w);
        float[] plane = new float[h * w];
        int sy = dy - padding;
        int sx = dx - padding;
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            System.arraycopy(values, base, plane, 0, h * w);
            for (int y = 0; y < h; y++) {
                int iy = y + sy;
                for (int x = 0; x < w; x++) {
                    int ix = x + sx;
                    values[base + y * w + x] = (iy >= 0 && iy < h && ix >= 0 && ix < w) ? plane[iy * w + ix] : 0f;
                }
            }
        }
    }

    /** Mirrors each row (left-right) with probability {@code p}, the same choice for all channels. */
    static Transform horizontalFlip(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("Transform.horizontalFlip: p = " + p + " must be in [0, 1]");
        }
        return (values, shape, rng) -> {
            if (rng.nextDouble() < p) {
                flip(values, shape);
            }
        };
    }

    /** Mirrors every row of a {@code [..., H, W]} sample in place. */
    static void flip(float[] values, int[] shape) {
        requireChw("horizontalFlip", shape);
        int w = shape[shape.length - 1];
        for (int row = 0; row < values.length; row += w) {
            for (int i = row, j = row + w - 1; i < j; i++, j--) {
                float t = values[i];
                values[i] = values[j];
                values[j] = t;
            }
        }
    }

    /** This transform, then {@code next}. */
    default Transform andThen(Transform next) {
        return (values, shape, rng) -> {
            apply(values, shape, rng);
            next.apply(values, shape, rng);
        };
    }

    private static void requireChw(String op, int[] shape) {
        if (shape.length < 2) {
            throw new IllegalArgumentException("Transform." + op + ": needs an image sample [C, H, W] or [H, W], got "
                    + Arrays.toString(shape));
        }
    }
}

package dev.shears.data;

import dev.shears.tensor.Rng;
import java.util.Arrays;

/**
 * Seeded synthetic data sets for fast smoke tests: no files, built in milliseconds, the same for
 * the same arguments on every machine.
 *
 * <p>{@link #classification} draws Gaussian class-conditional clusters: each class {@code c} has a
 * centre {@code mu_c} with independent standard-normal coordinates, and a sample of class {@code c}
 * is {@code mu_c + noise * N(0, I)}. With a shared isotropic covariance the best classifier is linear,
 * so a linear layer or a small MLP learns it; the clusters overlap more as {@code noise} grows and as
 * the number of features shrinks (two centres lie about {@code sqrt(2 * features)} apart).
 */
public final class Synthetic {
    private Synthetic() {}

    /** The noise scale of the four-argument {@link #classification}: well separated from 4 features on. */
    public static final double DEFAULT_NOISE = 0.5;

    /** {@link #classification(int, int[], int, long, double)} with {@link #DEFAULT_NOISE}. */
    public static ArrayDataset classification(int samples, int[] featureShape, int classes, long seed) {
        return classification(samples, featureShape, classes, seed, DEFAULT_NOISE);
    }

    /**
     * {@code samples} F32 samples of {@code featureShape} in {@code classes} Gaussian clusters.
     * Labels are balanced (class counts differ by at most one) and in a seeded random order.
     * Everything comes from {@link Rng#seeded}{@code (seed)} through independent splits for the
     * centres, the label order and the noise, so the class centres depend only on {@code seed},
     * {@code featureShape} and {@code classes}, not on {@code samples} or {@code noise}.
     *
     * @param noise standard deviation of each coordinate around its class centre, {@code >= 0}
     */
    public static ArrayDataset classification(int samples, int[] featureShape, int classes, long seed, double noise) {
        int numel = checkedNumel("classification", samples, featureShape, classes, noise);
        Rng root = Rng.seeded(seed);
        Rng centreRng = root.split();
        Rng labelRng = root.split();
        Rng noiseRng = root.split();
        float[] centres = new float[classes * numel];
        for (int i = 0; i < centres.length; i++) {
            centres[i] = (float) centreRng.nextGaussian();
        }
        int[] labels = new int[samples];
        for (int i = 0; i < samples; i++) {
            labels[i] = i % classes;
        }
        labelRng.shuffle(labels);
        float[] x = new float[samples * numel];
        for (int i = 0; i < samples; i++) {
            int c = labels[i];
            for (int k = 0; k < numel; k++) {
                x[i * numel + k] = (float) (centres[c * numel + k] + noise * noiseRng.nextGaussian());
            }
        }
        return ArrayDataset.ofFloats(x, labels, classes, featureShape);
    }

    /** Train and test sets drawn from the same clusters: the first {@code train} and the next {@code test} samples of one draw. */
    public record Split(ArrayDataset train, ArrayDataset test) {}

    /**
     * One {@link #classification} draw of {@code train + test} samples split in two, so both parts
     * share the class centres and no sample; each part is roughly (not exactly) balanced.
     */
    public static Split trainTest(int train, int test, int[] featureShape, int classes, long seed, double noise) {
        if (train <= 0 || test <= 0) {
            throw new IllegalArgumentException("Synthetic.trainTest: train = " + train + " and test = " + test
                    + " must be positive");
        }
        ArrayDataset all = classification(Math.addExact(train, test), featureShape, classes, seed, noise);
        return new Split(slice(all, 0, train), slice(all, train, train + test));
    }

    private static ArrayDataset slice(ArrayDataset ds, int from, int to) {
        int numel = ds.sampleNumel();
        float[] x = new float[(to - from) * numel];
        int[] y = new int[to - from];
        for (int i = from; i < to; i++) {
            ds.copyInputs(i, x, (i - from) * numel);
            y[i - from] = ds.label(i);
        }
        return ArrayDataset.ofFloats(x, y, ds.numClasses(), ds.sampleShape());
    }

    private static int checkedNumel(String op, int samples, int[] featureShape, int classes, double noise) {
        String args = "samples = " + samples + ", featureShape = " + Arrays.toString(featureShape)
                + ", classes = " + classes + ", noise = " + noise;
        if (samples <= 0 || classes < 2 || featureShape.length == 0 || !(noise >= 0) || Double.isInfinite(noise)) {
            throw new IllegalArgumentException("Synthetic." + op + ": " + args
                    + "; need samples > 0, classes >= 2, a non-empty feature shape and a finite noise >= 0");
        }
        long numel = 1;
        for (int d : featureShape) {
            if (d <= 0) {
                throw new IllegalArgumentException("Synthetic." + op + ": " + args + "; every feature dimension must be positive");
            }
            numel *= d;
            if (numel > Integer.MAX_VALUE) {
                break;
            }
        }
        if (numel > Integer.MAX_VALUE || numel * samples > Integer.MAX_VALUE - 8 || numel * classes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("Synthetic." + op + ": " + args + "; " + numel
                    + " features per sample are too many values for one array");
        }
        return (int) numel;
    }
}

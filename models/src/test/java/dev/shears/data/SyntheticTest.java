package dev.shears.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.autograd.Var;
import dev.shears.nn.Functional;
import dev.shears.nn.Linear;
import dev.shears.optim.AdamW;
import dev.shears.tensor.Rng;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SyntheticTest {

    private static float[] inputs(Dataset ds) {
        float[] x = new float[ds.size() * ds.sampleNumel()];
        for (int i = 0; i < ds.size(); i++) {
            ds.copyInputs(i, x, i * ds.sampleNumel());
        }
        return x;
    }

    private static int[] labels(Dataset ds) {
        int[] y = new int[ds.size()];
        Arrays.setAll(y, ds::label);
        return y;
    }

    @Test
    void sameSeedSameDataOtherSeedOtherData() {
        int[] shape = {2, 3, 3};
        ArrayDataset a = Synthetic.classification(200, shape, 5, 7);
        ArrayDataset b = Synthetic.classification(200, shape, 5, 7);
        ArrayDataset c = Synthetic.classification(200, shape, 5, 8);
        assertArrayEquals(inputs(a), inputs(b));
        assertArrayEquals(labels(a), labels(b));
        assertFalse(Arrays.equals(inputs(a), inputs(c)));
        assertFalse(Arrays.equals(labels(a), labels(c)));
    }

    @Test
    void shapesLabelsAndBalance() {
        ArrayDataset ds = Synthetic.classification(1003, new int[] {3, 4, 4}, 7, 1);
        assertEquals(1003, ds.size());
        assertArrayEquals(new int[] {3, 4, 4}, ds.sampleShape());
        assertEquals(48, ds.sampleNumel());
        assertEquals(7, ds.numClasses());
        int[] counts = new int[7];
        for (int y : labels(ds)) {
            assertTrue(y >= 0 && y < 7, "label " + y);
            counts[y]++;
        }
        for (int n : counts) {
            assertTrue(n == 143 || n == 144, Arrays.toString(counts)); // 1003 = 7 * 143 + 2
        }
        int[] first = Arrays.copyOf(labels(ds), 14);
        assertFalse(Arrays.equals(first, new int[] {0, 1, 2, 3, 4, 5, 6, 0, 1, 2, 3, 4, 5, 6}), "labels are shuffled");
        for (float v : inputs(ds)) {
            assertTrue(Float.isFinite(v));
        }

        Batch b = DataLoader.builder(ds, 100).shuffle(Rng.seeded(3)).build().iterator().next();
        assertArrayEquals(new int[] {100, 3, 4, 4}, b.inputs().shape().dims());
        assertArrayEquals(new int[] {100}, b.labels().shape().dims());
    }

    @Test
    void noiseScalesTheSpreadAroundFixedCentres() {
        int[] shape = {8};
        ArrayDataset clean = Synthetic.classification(50, shape, 3, 11, 0.0);
        ArrayDataset noisy = Synthetic.classification(50, shape, 3, 11, 2.0);
        // without noise every sample of a class is its centre; the centres do not depend on noise or sample count
        ArrayDataset fewer = Synthetic.classification(10, shape, 3, 11, 0.0);
        float[] x = inputs(clean);
        float[] centre = new float[3 * 8];
        for (int i = 0; i < clean.size(); i++) {
            System.arraycopy(x, i * 8, centre, clean.label(i) * 8, 8);
        }
        float[] f = inputs(fewer);
        for (int i = 0; i < fewer.size(); i++) {
            assertArrayEquals(Arrays.copyOfRange(centre, fewer.label(i) * 8, fewer.label(i) * 8 + 8),
                    Arrays.copyOfRange(f, i * 8, i * 8 + 8));
        }
        double sq = 0;
        float[] n = inputs(noisy);
        for (int i = 0; i < noisy.size(); i++) {
            for (int k = 0; k < 8; k++) {
                double d = n[i * 8 + k] - centre[noisy.label(i) * 8 + k];
                sq += d * d;
            }
        }
        double std = Math.sqrt(sq / (50 * 8));
        assertEquals(2.0, std, 0.3, "empirical noise std");
    }

    @Test
    void trainAndTestShareCentresAndANearestCentroidRuleSeparatesThem() {
        Synthetic.Split s = Synthetic.trainTest(2000, 500, new int[] {16}, 10, 5, Synthetic.DEFAULT_NOISE);
        assertEquals(2000, s.train().size());
        assertEquals(500, s.test().size());
        float[][] mean = new float[10][16];
        int[] count = new int[10];
        float[] x = inputs(s.train());
        for (int i = 0; i < 2000; i++) {
            int y = s.train().label(i);
            count[y]++;
            for (int k = 0; k < 16; k++) {
                mean[y][k] += x[i * 16 + k];
            }
        }
        for (int c = 0; c < 10; c++) {
            assertTrue(count[c] > 150, "class " + c + " has " + count[c] + " of 2000");
            for (int k = 0; k < 16; k++) {
                mean[c][k] /= count[c];
            }
        }
        float[] t = inputs(s.test());
        int correct = 0;
        for (int i = 0; i < 500; i++) {
            int best = -1;
            double bestD = Double.MAX_VALUE;
            for (int c = 0; c < 10; c++) {
                double d = 0;
                for (int k = 0; k < 16; k++) {
                    double e = t[i * 16 + k] - mean[c][k];
                    d += e * e;
                }
                if (d < bestD) {
                    bestD = d;
                    best = c;
                }
            }
            correct += best == s.test().label(i) ? 1 : 0;
        }
        assertTrue(correct >= 490, "nearest train centroid classifies " + correct + " / 500 test samples");
    }

    @Test
    void aLinearModelLearnsItThroughADataLoader() {
        Rng rng = Rng.seeded(42);
        ArrayDataset ds = Synthetic.classification(512, new int[] {1, 4, 4}, 4, 3);
        DataLoader loader = DataLoader.builder(ds, 64).shuffle(rng.split()).flatten(true).build();
        Linear model = new Linear(16, 4, rng.split());
        AdamW opt = new AdamW(model.parameters(), AdamW.Config.adam().lr(0.05));
        float first = Float.NaN;
        float last = Float.NaN;
        for (int epoch = 0; epoch < 5; epoch++) {
            for (Batch b : loader) {
                Var loss = Functional.crossEntropy(model.forward(Var.constant(b.inputs())), b.labels());
                opt.zeroGrad();
                loss.backward();
                opt.step();
                if (Float.isNaN(first)) {
                    first = loss.item();
                }
                last = loss.item();
            }
        }
        assertTrue(last < 0.2f * first && last < 0.2f, "loss went from " + first + " to " + last);
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Synthetic.classification(0, new int[] {2}, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> Synthetic.classification(10, new int[] {2}, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Synthetic.classification(10, new int[] {}, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> Synthetic.classification(10, new int[] {2, 0}, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> Synthetic.classification(10, new int[] {2}, 2, 1, Double.NaN));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Synthetic.classification(100_000, new int[] {100_000}, 2, 1));
        assertTrue(e.getMessage().contains("too many values"), e.getMessage());
    }
}

package dev.shears.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.shears.tensor.DType;
import dev.shears.tensor.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class DataLoaderTest {

    /**
     * n samples of shape [1, 2, 3]; sample i holds values 1000 i + k (k = 0..5), label i % 7,
     * so a batch row identifies its sample.
     */
    static ArrayDataset tagged(int n) {
        float[] v = new float[n * 6];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 6; k++) {
                v[i * 6 + k] = 1000f * i + k;
            }
            y[i] = i % 7;
        }
        return ArrayDataset.ofFloats(v, y, 7, 1, 2, 3);
    }

    private static List<Integer> visit(Iterable<Batch> epoch) {
        List<Integer> out = new ArrayList<>();
        for (Batch b : epoch) {
            for (int i : b.indices()) {
                out.add(i);
            }
        }
        return out;
    }

    @ParameterizedTest(name = "n={0} batch={1} seed={2}")
    @CsvSource({"1,1,1", "7,3,2", "17,4,3", "33,32,4", "31,31,5", "10,64,6"})
    void everyIndexExactlyOncePerEpochAndBatchesMatchSamples(int n, int batch, long seed) {
        ArrayDataset ds = tagged(n);
        DataLoader loader = DataLoader.builder(ds, batch).shuffle(Rng.seeded(seed)).build();
        assertEquals((n + batch - 1) / batch, loader.numBatches());
        for (int epoch = 0; epoch < 3; epoch++) {
            boolean[] seen = new boolean[n];
            int batches = 0;
            for (Batch b : loader) {
                batches++;
                int rows = b.size();
                assertEquals(DType.I32, b.labels().dtype());
                assertEquals(DType.F32, b.inputs().dtype());
                assertArrayEquals(new int[] {rows, 1, 2, 3}, b.inputs().shape().dims());
                float[] x = b.inputs().toFloatArray();
                int[] y = b.labels().toIntArray();
                int[] idx = b.indices();
                for (int r = 0; r < rows; r++) {
                    assertFalse(seen[idx[r]], "index " + idx[r] + " twice in epoch " + epoch);
                    seen[idx[r]] = true;
                    assertEquals(idx[r] % 7, y[r]);
                    for (int k = 0; k < 6; k++) {
                        assertEquals(1000f * idx[r] + k, x[r * 6 + k]);
                    }
                }
            }
            assertEquals(loader.numBatches(), batches);
            for (int i = 0; i < n; i++) {
                assertEquals(true, seen[i], "index " + i + " missing in epoch " + epoch);
            }
        }
    }

    @Test
    void seededShufflingIsReproducibleAndDiffersAcrossEpochs() {
        ArrayDataset ds = tagged(50);
        DataLoader a = DataLoader.builder(ds, 8).shuffle(Rng.seeded(42)).build();
        DataLoader b = DataLoader.builder(ds, 8).shuffle(Rng.seeded(42)).build();
        List<Integer> a0 = visit(a);
        List<Integer> a1 = visit(a);
        assertEquals(a0, visit(b));
        assertEquals(a1, visit(b));
        assertNotEquals(a0, a1, "each epoch has its own order");
        assertEquals(a0, visit(a.epoch(0)), "epoch(e) replays");
        assertEquals(a1, visit(a.epoch(1)));
        List<Integer> sorted = new ArrayList<>(a0);
        sorted.sort(null);
        assertNotEquals(sorted, a0, "shuffled");
        assertNotEquals(a0, visit(DataLoader.builder(ds, 8).shuffle(Rng.seeded(43)).build()));
    }

    @Test
    void withoutShuffleOrderIsSequential() {
        DataLoader loader = DataLoader.builder(tagged(5), 2).build();
        assertEquals(List.of(0, 1, 2, 3, 4), visit(loader));
        List<int[]> sizes = new ArrayList<>();
        for (Batch b : loader) {
            sizes.add(new int[] {b.size()});
        }
        assertEquals(3, sizes.size());
        assertEquals(1, sizes.get(2)[0]);
    }

    @Test
    void dropLastDropsOnlyTheShortTail() {
        ArrayDataset ds = tagged(10);
        DataLoader loader = DataLoader.builder(ds, 3).shuffle(Rng.seeded(1)).dropLast(true).build();
        assertEquals(3, loader.numBatches());
        int batches = 0;
        for (Batch b : loader.epoch(0)) {
            assertEquals(3, b.size());
            batches++;
        }
        assertEquals(3, batches);
        // the visited indices are the first 9 of the epoch's order
        assertEquals(Arrays.stream(Arrays.copyOf(loader.order(0), 9)).boxed().toList(), visit(loader.epoch(0)));
        DataLoader exact = DataLoader.builder(tagged(9), 3).dropLast(true).build();
        assertEquals(9, visit(exact).size());
        DataLoader tooFew = DataLoader.builder(tagged(2), 3).dropLast(true).build();
        assertEquals(0, tooFew.numBatches());
        assertFalse(tooFew.iterator().hasNext());
    }

    @Test
    void subsetVisitsExactlyTheSubset() {
        ArrayDataset ds = tagged(20);
        int[] subset = {3, 17, 5, 0, 11};
        DataLoader seq = DataLoader.builder(ds, 2).subset(subset).build();
        assertEquals(List.of(3, 17, 5, 0, 11), visit(seq));
        DataLoader shuffled = DataLoader.builder(ds, 2).subset(subset).shuffle(Rng.seeded(9)).build();
        assertEquals(5, shuffled.numSamples());
        for (int e = 0; e < 3; e++) {
            List<Integer> v = new ArrayList<>(visit(shuffled));
            v.sort(null);
            assertEquals(List.of(0, 3, 5, 11, 17), v);
        }
        assertThrows(IndexOutOfBoundsException.class, () -> DataLoader.builder(ds, 2).subset(new int[] {20}));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(ds, 2).subset(new int[] {1, 1}));
    }

    @Test
    void flattenGivesRows() {
        DataLoader loader = DataLoader.builder(tagged(4), 4).flatten(true).build();
        Batch b = loader.iterator().next();
        assertArrayEquals(new int[] {4, 6}, b.inputs().shape().dims());
    }

    @Test
    void transformsAreAppliedPerSampleAndSeeded() {
        // 8 images [1, 1, 4] (one row): value k+1, so a flip is visible as reversed order.
        int n = 64;
        float[] v = new float[n * 4];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 4; k++) {
                v[i * 4 + k] = k + 1;
            }
        }
        ArrayDataset ds = ArrayDataset.ofFloats(v, new int[n], 1, 1, 1, 4);
        DataLoader a = DataLoader.builder(ds, 10).shuffle(Rng.seeded(3)).transform(Transform.horizontalFlip(0.5))
                .transform(Transform.normalize(1f, 2f)).build();
        DataLoader b = DataLoader.builder(ds, 10).shuffle(Rng.seeded(3)).transform(Transform.horizontalFlip(0.5))
                .transform(Transform.normalize(1f, 2f)).build();
        int flipped = 0;
        for (Batch batch : a.epoch(0)) {
            float[] x = batch.inputs().toFloatArray();
            for (int r = 0; r < batch.size(); r++) {
                float first = x[r * 4];
                if (first == (4 - 1) / 2f) {
                    flipped++;
                    assertArrayEquals(new float[] {1.5f, 1f, 0.5f, 0f}, Arrays.copyOfRange(x, r * 4, r * 4 + 4));
                } else {
                    assertArrayEquals(new float[] {0f, 0.5f, 1f, 1.5f}, Arrays.copyOfRange(x, r * 4, r * 4 + 4));
                }
            }
        }
        org.junit.jupiter.api.Assertions.assertTrue(flipped > 10 && flipped < 54, "flipped " + flipped + " of 64");
        List<float[]> ea = new ArrayList<>();
        for (Batch batch : a.epoch(1)) {
            ea.add(batch.inputs().toFloatArray());
        }
        List<float[]> eb = new ArrayList<>();
        for (Batch batch : b.epoch(1)) {
            eb.add(batch.inputs().toFloatArray());
        }
        for (int i = 0; i < ea.size(); i++) {
            assertArrayEquals(ea.get(i), eb.get(i));
        }
        // the data set itself is never modified by transforms
        assertArrayEquals(new float[] {1, 2, 3, 4}, ds.get(0).inputs().toFloatArray());
    }

    @Test
    void datasetLoaderShortcutShuffles() {
        ArrayDataset ds = tagged(30);
        assertEquals(visit(ds.loader(4, Rng.seeded(8))), visit(ds.loader(4, Rng.seeded(8))));
        assertEquals(8, ds.loader(4, Rng.seeded(8)).numBatches());
    }

    @Test
    void badArguments() {
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(tagged(3), 0));
        assertThrows(IllegalArgumentException.class, () -> ArrayDataset.ofFloats(new float[5], new int[1], 2, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> ArrayDataset.ofFloats(new float[6], new int[] {2}, 2, 6));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(tagged(3), 1).build().epoch(-1));
    }
}

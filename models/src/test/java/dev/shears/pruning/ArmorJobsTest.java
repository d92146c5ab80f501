package dev.shears.pruning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.sparse.Mask;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArmorJobsTest {

    private static List<NoWag.Normalized> layers() {
        Rng rng = Rng.seeded(21);
        List<NoWag.Normalized> out = new ArrayList<>();
        for (int[] shape : new int[][] {{8, 16}, {16, 8}, {8, 8}}) {
            double[] sumSq = new double[shape[1]];
            for (int j = 0; j < sumSq.length; j++) {
                sumSq[j] = 10 * (1 + rng.nextDouble() * (j % 3));
            }
            out.add(NoWag.normalize(Tensor.randn(rng, shape[0], shape[1]), sumSq, 32));
        }
        return out;
    }

    @Test
    void eachLayerKeepsTheRateWithTheLowestProxyLossFromTheSameDraws() {
        List<NoWag.Normalized> w = layers();
        List<Mask> starts = w.stream().map(l -> NoWag.mask(l, PruningPattern.twoFour())).toList();
        Armor.Settings slow = Armor.Settings.of(80, 3e-4);
        Armor.Settings fast = Armor.Settings.of(80, 1e-2);
        List<Armor.Result> onlySlow = ArmorJobs.run(w, starts, new SequentialPruner.ArmorOptions(4, slow, 5));
        List<Armor.Result> onlyFast = ArmorJobs.run(w, starts, new SequentialPruner.ArmorOptions(4, fast, 5));
        List<Armor.Result> both = ArmorJobs.run(w, starts, new SequentialPruner.ArmorOptions(4, List.of(slow, fast), 5));
        boolean differ = false;
        for (int i = 0; i < w.size(); i++) {
            Armor.Result s = onlySlow.get(i);
            Armor.Result f = onlyFast.get(i);
            Armor.Result want = f.finalLoss() < s.finalLoss() ? f : s;
            assertEquals(want.lr(), both.get(i).lr(), "layer " + i);
            assertEquals(want.finalLoss(), both.get(i).finalLoss(), 0, "layer " + i + ": replayed, not rerun differently");
            assertArrayEquals(want.core(), both.get(i).core(), "layer " + i);
            assertTrue(both.get(i).finalLoss() <= Math.min(s.finalLoss(), f.finalLoss()));
            differ |= s.finalLoss() != f.finalLoss();
        }
        assertTrue(differ, "the two rates must give different losses for the choice to mean anything");
        assertThrows(IllegalArgumentException.class, () -> new SequentialPruner.ArmorOptions(4, List.of(), 5));
    }
}

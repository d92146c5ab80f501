package dev.shears.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.data.DataLoader;
import dev.shears.data.Synthetic;
import dev.shears.nn.Layer;
import dev.shears.nn.Linear;
import dev.shears.nn.ReLU;
import dev.shears.nn.Sequential;
import dev.shears.optim.AdamW;
import dev.shears.optim.LrSchedule;
import dev.shears.optim.Optimizer;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StepTrainerTest {
    private static final Synthetic.Split DATA = Synthetic.trainTest(130, 40, new int[] {6}, 3, 5, 0.5);

    private static Layer model() {
        Rng rng = Rng.seeded(11);
        return new Sequential(new Linear(6, 9, rng), new ReLU(), new Linear(9, 3, rng));
    }

    private static DataLoader train() {
        // 130 samples in batches of 20: 7 batches per epoch, the last one short
        return DataLoader.builder(DATA.train(), 20).shuffle(Rng.seeded(3)).build();
    }

    private static StepTrainer.Builder trainer(Layer m, Optimizer o) {
        return StepTrainer.builder(m, o, train()).schedule(LrSchedule.cosine(0.01, 40, 0))
                .validateOn(DataLoader.builder(DATA.test(), 16).build(), 4);
    }

    private static Optimizer adam(Layer m) {
        return new AdamW(m.parameters(), AdamW.Config.adam().lr(0.01));
    }

    private static float[] flat(Layer m) {
        List<Float> all = new ArrayList<>();
        for (Tensor t : m.stateDict().values()) {
            for (float f : t.toFloatArray()) {
                all.add(f);
            }
        }
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    @Test
    void trainingInPiecesEqualsTrainingInOneGoAcrossEpochBoundaries() {
        Layer a = model();
        StepTrainer ta = trainer(a, adam(a)).build();
        ta.trainTo(17);
        Layer b = model();
        StepTrainer tb = trainer(b, adam(b)).build();
        tb.trainTo(5);
        tb.trainTo(9);
        tb.trainTo(17);
        assertEquals(17, tb.step());
        assertArrayEquals(flat(a), flat(b), "same steps, same batches, same weights");
    }

    @Test
    void aTrainerStartedAtStepKContinuesExactlyLikeOneFromZero() {
        Layer a = model();
        Optimizer oa = adam(a);
        StepTrainer ta = trainer(a, oa).build();
        ta.trainTo(10);
        Map<String, Tensor> weightsAt10 = StepTrainer.copyOf(a.stateDict());
        Map<String, Tensor> optimizerAt10 = oa.stateDict();
        ta.trainTo(23);

        Layer b = model();
        b.loadStateDict(weightsAt10);
        Optimizer ob = adam(b);
        ob.loadStateDict(optimizerAt10);
        StepTrainer tb = trainer(b, ob).startAt(10).build();
        tb.trainTo(23);
        assertArrayEquals(flat(a), flat(b));
    }

    @Test
    void validatesAtEveryIntervalAndAtTheTargetAndRemembersTheLowestLoss() {
        Layer m = model();
        List<Integer> seen = new ArrayList<>();
        StepTrainer t = trainer(m, adam(m)).onValidation(p -> seen.add(p.step())).build();
        t.trainTo(10);
        t.trainTo(14);
        assertEquals(List.of(4, 8, 10, 12, 14), seen);
        StepTrainer.Point best = t.earlyStop();
        double min = t.history().stream().mapToDouble(StepTrainer.Point::validationLoss).min().orElseThrow();
        assertEquals(min, best.validationLoss());
        assertTrue(t.history().stream().noneMatch(p -> Double.isNaN(p.trainLoss())), "train loss since the last validation");

        // the saved early-stop weights evaluate to the recorded validation loss
        Layer copy = model();
        copy.loadStateDict(t.earlyStopState());
        double loss = Evaluation.classification(copy, DataLoader.builder(DATA.test(), 16).build()).loss();
        assertEquals(best.validationLoss(), loss, 1e-6);
    }

    @Test
    void rejectsBadArguments() {
        Layer m = model();
        StepTrainer t = trainer(m, adam(m)).startAt(5).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.trainTo(3));
        assertTrue(e.getMessage().contains("3") && e.getMessage().contains("5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StepTrainer.builder(m, adam(m), train()).startAt(-1));
        assertThrows(IllegalArgumentException.class,
                () -> StepTrainer.builder(m, adam(m), train()).validateOn(train(), 0));
    }
}

package dev.shears.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.data.DataLoader;
import dev.shears.data.Synthetic;
import dev.shears.nn.Dropout;
import dev.shears.nn.Linear;
import dev.shears.nn.ReLU;
import dev.shears.nn.Sequential;
import dev.shears.optim.AdamW;
import dev.shears.optim.LrSchedule;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    private static final int EPOCHS = 12;

    /** A small run whose every random choice comes from {@code seed}: MLP with dropout, shuffled data, cosine rate. */
    private static final class TinyRun {
        final Sequential model;
        final Trainer trainer;

        TinyRun(long seed, RunDir runDir, Trainer.EpochListener listener) {
            Synthetic.Split data = Synthetic.trainTest(240, 60, new int[] {6}, 3, 11, 0.4);
            Rng rng = Rng.seeded(seed);
            model = new Sequential(new Linear(6, 16, rng.split()), new ReLU(), new Dropout(0.2f, rng.split()),
                    new Linear(16, 3, rng.split()));
            AdamW opt = new AdamW(model.parameters(), AdamW.Config.defaults().lr(0.02));
            DataLoader train = DataLoader.builder(data.train(), 32).shuffle(rng.split()).build();
            DataLoader test = DataLoader.builder(data.test(), 25).build();
            trainer = Trainer.builder(model, opt, train)
                    .epochs(EPOCHS)
                    .schedule(LrSchedule.cosine(0.02, EPOCHS * train.numBatches(), 0))
                    .evaluateOn(test)
                    .runDir(runDir)
                    .logEvery(4)
                    .progressTo(ProgressLog.Sink.lines(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)))
                    .onEpochDone(listener)
                    .build();
        }
    }

    private static RunDir newRun(Path out) {
        RunDir run = RunDir.create(out, "tiny", 5);
        run.writeConfig(Map.of("seed", 5));
        return run;
    }

    @Test
    void aResumedRunEndsExactlyLikeAnUninterruptedOne(@TempDir Path out) throws IOException {
        Trainer.Result whole;
        Map<String, Tensor> wholeState;
        Path wholeDir;
        try (RunDir run = newRun(out.resolve("whole"))) {
            TinyRun r = new TinyRun(5, run, null);
            whole = r.trainer.fit();
            wholeState = r.model.stateDict();
            wholeDir = run.path();
        }

        Path crashedDir;
        try (RunDir run = newRun(out.resolve("crashed"))) {
            crashedDir = run.path();
            TinyRun r = new TinyRun(5, run, e -> {
                if (e.epoch() == 1) {
                    throw new IllegalStateException("simulated crash after epoch 1");
                }
            });
            assertThrows(IllegalStateException.class, r.trainer::fit);
        }
        // Rows of a half-done epoch 2 that the crash would leave behind: the resume drops them.
        Files.writeString(crashedDir.resolve("log.csv"), "2,1,9,0.5,0.01,1.0\n", java.nio.file.StandardOpenOption.APPEND);

        Trainer.Result resumed;
        Map<String, Tensor> resumedState;
        try (RunDir run = RunDir.open(crashedDir)) {
            TinyRun r = new TinyRun(5, run, null); // a fresh process: new model, optimizer and loaders
            resumed = r.trainer.fit();
            resumedState = r.model.stateDict();
        }

        assertEquals(whole.steps(), resumed.steps(), "step count");
        assertEquals(withoutTimes(whole), withoutTimes(resumed), "per-epoch losses and accuracies");
        assertEquals(wholeState.keySet(), resumedState.keySet());
        for (String k : wholeState.keySet()) {
            assertArrayEquals(wholeState.get(k).toFloatArray(), resumedState.get(k).toFloatArray(), k + " after resume");
        }
        List<String> wholeLog = Files.readAllLines(wholeDir.resolve("log.csv"));
        List<String> resumedLog = Files.readAllLines(crashedDir.resolve("log.csv"));
        assertEquals(wholeLog.size(), resumedLog.size(), "log.csv rows");
        for (int i = 0; i < wholeLog.size(); i++) {
            String[] a = wholeLog.get(i).split(",");
            String[] b = resumedLog.get(i).split(",");
            assertEquals(List.of(a).subList(0, 5), List.of(b).subList(0, 5), "log row " + i + " (ms may differ)");
        }
    }

    @Test
    void aRunThatStoppedBeforeItsFirstCheckpointStartsOver(@TempDir Path out) throws IOException {
        List<String> wholeLog;
        try (RunDir run = newRun(out.resolve("whole"))) {
            new TinyRun(5, run, null).trainer.fit();
            wholeLog = Files.readAllLines(run.path().resolve("log.csv"));
        }
        try (RunDir run = newRun(out.resolve("early"))) {
            Files.writeString(run.path().resolve("log.csv"), Trainer.LOG_HEADER + "\n1,1,1,9.9,0.02,1.0\n1,2,2,9.8,0.02,1.0\n");
            new TinyRun(5, run, null).trainer.fit();
            List<String> log = Files.readAllLines(run.path().resolve("log.csv"));
            assertEquals(wholeLog.size(), log.size(), "the stale rows are gone");
            assertEquals(wholeLog.get(1).split(",")[3], log.get(1).split(",")[3], "first step's loss");
        }
    }

    /** Each epoch's losses and accuracy, without its wall-clock figures. */
    private static List<List<Double>> withoutTimes(Trainer.Result r) {
        return r.epochs().stream().map(e -> List.of((double) e.epoch(), e.trainLoss(), e.testLoss(), e.testAccuracy())).toList();
    }

    @Test
    void trainingLowersTheLossAndWritesACheckpoint(@TempDir Path out) {
        try (RunDir run = newRun(out)) {
            Trainer.Result r = new TinyRun(9, run, null).trainer.fit();
            assertEquals(EPOCHS, r.epochs().size());
            assertEquals(EPOCHS * 8L, r.steps(), "240 samples / batch 32 = 8 steps per epoch");
            assertTrue(r.last().trainLoss() < r.epochs().getFirst().trainLoss(), "loss should fall: " + r.epochs());
            assertTrue(r.last().testAccuracy() > 0.8, "test accuracy " + r.last().testAccuracy());
            var cp = Checkpoint.latest(run.path());
            assertTrue(cp.isPresent(), "checkpoint written");
            assertEquals(EPOCHS, cp.get().progress().epochsDone());
            assertFalse(Files.exists(run.path().resolve("checkpoint.partial")), "no partial checkpoint left");
        }
    }
}

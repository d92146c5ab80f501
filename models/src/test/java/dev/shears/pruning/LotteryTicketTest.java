package dev.shears.pruning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.autograd.Var;
import dev.shears.data.DataLoader;
import dev.shears.data.Synthetic;
import dev.shears.nn.Functional;
import dev.shears.nn.Layer;
import dev.shears.nn.Linear;
import dev.shears.nn.Parameter;
import dev.shears.nn.ReLU;
import dev.shears.nn.Sequential;
import dev.shears.optim.AdamW;
import dev.shears.pruning.LotteryTicket.Condition;
import dev.shears.sparse.Mask;
import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import dev.shears.train.StepTrainer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LotteryTicketTest {
    private static final Synthetic.Split DATA = Synthetic.trainTest(150, 60, new int[] {10}, 3, 8, 0.6);
    private static final String OUTPUT = "4.weight";

    private static Sequential mlp(Rng rng) {
        return new Sequential(new Linear(10, 23, rng), new ReLU(), new Linear(23, 17, rng), new ReLU(),
                new Linear(17, 3, rng));
    }

    /** Batches of 16 (10 per epoch, the last short), so 25 steps cross two epoch boundaries. */
    private static LotteryTicket.Task task(Map<String, List<int[]>> order) {
        DataLoader train = DataLoader.builder(DATA.train(), 16).shuffle(Rng.seeded(4)).build();
        DataLoader validation = DataLoader.builder(DATA.test(), 30).build();
        LotteryTicket.Task t = LotteryTicket.Task.of(LotteryTicketTest::mlp,
                params -> new AdamW(params, AdamW.Config.adam().lr(0.01)), train, validation, validation);
        if (order == null) {
            return t;
        }
        // records which samples every training saw, step by step
        return t.withLoss((model, b) -> {
            order.computeIfAbsent(currentRun[0], k -> new ArrayList<>()).add(b.indices());
            return Functional.crossEntropy(model.forward(Var.constant(b.inputs())), b.labels());
        });
    }

    private static final String[] currentRun = {""};

    private static LotteryTicket.Config config() {
        return LotteryTicket.Config.of(4, 0.2, 25).layerRate(OUTPUT, 0.1).validateEvery(5);
    }

    @Test
    void sparsityAfterEachLevelIsOneMinusOneMinusPToTheLevelPerLayer() {
        LotteryTicket.Result r = new LotteryTicket(config().controls(Set.of()), task(null)).run(Rng.seeded(1), null);
        assertEquals(5, r.runs().size(), "levels 0..4, tickets only");
        for (LotteryTicket.Run run : r.runs()) {
            for (LayerDensity l : run.layers()) {
                double rate = l.name().equals(OUTPUT) ? 0.1 : 0.2;
                double expected = Math.pow(1 - rate, run.level()) * l.size();
                assertTrue(Math.abs(l.kept() - expected) <= 1, l + " at level " + run.level() + ": expected ~" + expected);
            }
            long kept = run.layers().stream().mapToLong(LayerDensity::kept).sum();
            long size = run.layers().stream().mapToLong(LayerDensity::size).sum();
            assertEquals((double) kept / size, run.remaining(), 1e-12);
        }
    }

    @Test
    void globalScopeKeepsOneCountOverTheMainLayersAndTheOutputAtItsOwnRate() {
        LotteryTicket.Result r = new LotteryTicket(config().scope(LotteryTicket.Scope.GLOBAL).controls(Set.of()),
                task(null)).run(Rng.seeded(2), null);
        LotteryTicket.Run last = r.run(4, Condition.TICKET).orElseThrow();
        long mainSize = 0;
        long mainKept = 0;
        for (LayerDensity l : last.layers()) {
            if (l.name().equals(OUTPUT)) {
                assertEquals(Math.round(Math.pow(0.9, 4) * l.size()), l.kept(), "output at its own rate");
            } else {
                mainSize += l.size();
                mainKept += l.kept();
            }
        }
        assertEquals(Math.round(Math.pow(0.8, 4) * mainSize), mainKept, "one global count");
        // masks are real: every pruned weight of the trained ticket is exactly zero
        for (Parameter p : r.ticket().prunable()) {
            Mask m = p.maskPattern();
            float[] v = p.value().toFloatArray();
            for (int i = 0; i < v.length; i++) {
                if (!m.isKept(i)) {
                    assertEquals(0, Float.floatToRawIntBits(v[i]), p.name() + "[" + i + "]");
                }
            }
        }
    }

    @Test
    void ticketsRestartFromTheStepKWeightsAndControlsShareMaskOrCountsButNotBoth() {
        Map<String, Map<String, Tensor>> starts = new HashMap<>();
        Map<String, List<Mask>> masks = new HashMap<>();
        Map<String, Tensor>[] rewind = new Map[1];
        LotteryTicket.Listener capture = new LotteryTicket.Listener() {
            @Override
            public void rewindPointSaved(int step, Map<String, Tensor> weights) {
                assertEquals(7, step);
                rewind[0] = weights;
            }

            @Override
            public void starting(int level, Condition c, Layer model) {
                String key = level + "/" + c;
                starts.put(key, StepTrainer.copyOf(model.stateDict()));
                masks.put(key, model.prunable().stream().map(p -> p.maskPattern() == null
                        ? Mask.ones(p.value().shape()) : p.maskPattern()).toList());
            }
        };
        new LotteryTicket(config().rewindTo(7), task(null)).run(Rng.seeded(3), capture);

        for (int level = 1; level <= 4; level++) {
            Map<String, Tensor> ticket = starts.get(level + "/TICKET");
            List<Mask> ticketMasks = masks.get(level + "/TICKET");
            List<String> weightNames = List.of("0.weight", "2.weight", "4.weight");
            for (String name : ticket.keySet()) {
                float[] saved = rewind[0].get(name).toFloatArray();
                float[] now = ticket.get(name).toFloatArray();
                int w = weightNames.indexOf(name);
                for (int i = 0; i < now.length; i++) {
                    float expected = w < 0 || ticketMasks.get(w).isKept(i) ? saved[i] : 0f;
                    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(now[i]),
                            "level " + level + " " + name + "[" + i + "]");
                }
            }

            List<Mask> reinitMasks = masks.get(level + "/REINIT");
            assertEquals(ticketMasks, reinitMasks, "reinit shares the ticket's mask at level " + level);
            assertNotEquals(ticket.get("0.weight"), starts.get(level + "/REINIT").get("0.weight"));
            assertTrue(differOnKept(ticket.get("0.weight"), starts.get(level + "/REINIT").get("0.weight"),
                    ticketMasks.get(0)), "reinit values are fresh");

            List<Mask> randomMasks = masks.get(level + "/RANDOM_MASK");
            for (int w = 0; w < 3; w++) {
                assertEquals(ticketMasks.get(w).keptCount(), randomMasks.get(w).keptCount(), "same per-layer count");
            }
            assertNotEquals(ticketMasks.get(0), randomMasks.get(0), "random positions at level " + level);
        }
    }

    private static boolean differOnKept(Tensor a, Tensor b, Mask m) {
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        for (int i = 0; i < x.length; i++) {
            if (m.isKept(i) && x[i] != y[i]) {
                return true;
            }
        }
        return false;
    }

    @Test
    void everyTrainingSeesTheSameBatchesFromStepKOn() {
        Map<String, List<int[]>> order = new LinkedHashMap<>();
        LotteryTicket.Listener label = new LotteryTicket.Listener() {
            @Override
            public void starting(int level, Condition c, Layer model) {
                currentRun[0] = level + "/" + c;
            }
        };
        new LotteryTicket(config().rewindTo(3), task(order)).run(Rng.seeded(5), label);
        List<int[]> dense = order.get("0/TICKET");
        assertEquals(25, dense.size());
        List<int[]> loaderOrder = new ArrayList<>();
        DataLoader loader = task(null).train();
        for (int e = 0; loaderOrder.size() < 25; e++) {
            loader.epoch(e).forEach(b -> loaderOrder.add(b.indices()));
        }
        for (int s = 0; s < 25; s++) {
            assertArrayEquals(loaderOrder.get(s), dense.get(s), "step " + s + " is the loader's batch " + s);
        }
        assertEquals(1 + 4 * 3, order.size(), "dense, then ticket + two controls per level");
        for (var e : order.entrySet()) {
            if (e.getKey().equals("0/TICKET")) {
                continue;
            }
            List<int[]> steps = e.getValue();
            assertEquals(22, steps.size(), e.getKey() + " trains steps 3..24");
            for (int s = 0; s < steps.size(); s++) {
                assertArrayEquals(dense.get(s + 3), steps.get(s), e.getKey() + " step " + (s + 3));
            }
        }
    }

    @Test
    void reportsTheEarlyStopOfEachTrainingAndIsReproducible() {
        LotteryTicket lt = new LotteryTicket(config().controls(EnumSet.of(Condition.REINIT)), task(null));
        LotteryTicket.Result a = lt.run(Rng.seeded(9), null);
        LotteryTicket.Result b = lt.run(Rng.seeded(9), null);
        assertEquals(a.runs().size(), b.runs().size());
        for (int i = 0; i < a.runs().size(); i++) {
            LotteryTicket.Run ra = a.runs().get(i);
            LotteryTicket.Run rb = b.runs().get(i);
            assertEquals(ra.finalTestAccuracy(), rb.finalTestAccuracy());
            assertEquals(ra.earlyStop(), rb.earlyStop());
            double min = ra.curve().stream().mapToDouble(StepTrainer.Point::validationLoss).min().orElseThrow();
            assertEquals(min, ra.earlyStop().validationLoss());
            assertEquals(List.of(5, 10, 15, 20, 25), ra.curve().stream().map(StepTrainer.Point::step).toList());
        }
    }

    @Test
    void rejectsBadSettingsNamingThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LotteryTicket.Config.of(3, 1.5, 10));
        assertTrue(e.getMessage().contains("rate 1.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LotteryTicket.Config.of(3, 0.2, 10).rewindTo(10));
        assertTrue(e.getMessage().contains("rewind step 10"), e.getMessage());
        LotteryTicket lt = new LotteryTicket(LotteryTicket.Config.of(1, 0.2, 5).layerRate("9.weight", 0.1), task(null));
        e = assertThrows(IllegalArgumentException.class, () -> lt.run(Rng.seeded(1), null));
        assertTrue(e.getMessage().contains("'9.weight'") && e.getMessage().contains("4.weight"), e.getMessage());
    }
}

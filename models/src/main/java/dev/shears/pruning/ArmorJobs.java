package dev.shears.pruning;

import dev.shears.sparse.Mask;
import dev.shears.tensor.Rng;
import dev.shears.tensor.parallel.Parallel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs ARMOR on many layers at once, one (layer, candidate setting) per task on as many threads as
 * the kernels use: the layers are independent, and each draws its groups from its own stream (split
 * in layer order before any runs, and replayed from the same position for every candidate), so the
 * results do not depend on the thread count. Each layer keeps the candidate with the lowest final
 * proxy loss (the first on a tie).
 */
final class ArmorJobs {
    private ArmorJobs() {}

    static List<Armor.Result> run(List<NoWag.Normalized> weights, List<Mask> starts,
            SequentialPruner.ArmorOptions options) {
        List<Armor.Settings> candidates = options.candidates();
        ExecutorService pool = Executors.newFixedThreadPool(
                Math.max(1, Math.min(Parallel.threads(), weights.size() * candidates.size())), r -> {
                    Thread t = new Thread(r, "armor");
                    t.setDaemon(true);
                    return t;
                });
        try {
            List<List<Future<Armor.Result>>> futures = new ArrayList<>();
            for (int i = 0; i < weights.size(); i++) {
                futures.add(new ArrayList<>());
            }
            for (Armor.Settings settings : candidates) {
                List<Rng> streams = streams(options.seed(), weights.size()); // the same draws for every candidate
                for (int i = 0; i < weights.size(); i++) {
                    int layer = i;
                    futures.get(layer).add(pool.submit(() -> Armor.compress(weights.get(layer), starts.get(layer),
                            options.block(), settings, streams.get(layer))));
                }
            }
            List<Armor.Result> out = new ArrayList<>();
            for (List<Future<Armor.Result>> perLayer : futures) {
                Armor.Result best = null;
                for (Future<Armor.Result> f : perLayer) {
                    Armor.Result r = f.get();
                    best = best == null || r.finalLoss() < best.finalLoss() ? r : best;
                }
                out.add(best);
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("ARMOR interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("ARMOR failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** One stream per layer, split in layer order from {@code seed}. */
    private static List<Rng> streams(long seed, int layers) {
        Rng rng = Rng.seeded(seed);
        List<Rng> streams = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            streams.add(rng.split());
        }
        return streams;
    }
}

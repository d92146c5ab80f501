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
 * Runs ARMOR on many layers at once, one layer per task on as many threads as the kernels use:
 * the layers are independent, and each draws its groups from its own stream (split in layer order
 * before any runs), so the results do not depend on the thread count.
 */
final class ArmorJobs {
    private ArmorJobs() {}

    static List<Armor.Result> run(List<NoWag.Normalized> weights, List<Mask> starts,
            SequentialPruner.ArmorOptions options) {
        Rng rng = Rng.seeded(options.seed());
        List<Rng> streams = new ArrayList<>();
        for (int i = 0; i < weights.size(); i++) {
            streams.add(rng.split());
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(Parallel.threads(), weights.size())),
                r -> {
                    Thread t = new Thread(r, "armor");
                    t.setDaemon(true);
                    return t;
                });
        try {
            List<Future<Armor.Result>> futures = new ArrayList<>();
            for (int i = 0; i < weights.size(); i++) {
                int layer = i;
                futures.add(pool.submit(() -> Armor.compress(weights.get(layer), starts.get(layer), options.block(),
                        options.settings(), streams.get(layer))));
            }
            List<Armor.Result> out = new ArrayList<>();
            for (Future<Armor.Result> f : futures) {
                out.add(f.get());
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
}

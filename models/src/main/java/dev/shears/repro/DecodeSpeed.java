package dev.shears.repro;

import dev.shears.lm.BlockStack;
import dev.shears.lm.CausalLm;
import dev.shears.lm.Generator;
import dev.shears.lm.Sampler;
import dev.shears.nn.Projection;
import dev.shears.nn.SparseLinear;
import dev.shears.tensor.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Greedy decoding speed (batch 1, KV cache) of several models, timed round-robin in one run so that
 * every model sees the same machine state; the sparse models run the CPU sparse kernels of their
 * layers.
 */
final class DecodeSpeed {
    private DecodeSpeed() {}

    /** One model's speed: median and best tokens/s over the repetitions, and what its block projections are. */
    record Row(String model, String projections, double medianTokensPerSecond, double bestTokensPerSecond) {}

    /**
     * Times {@code reps} decodes of {@code tokens} tokens after {@code prompt} for each model, after
     * one untimed warm-up decode each.
     */
    static List<Row> measure(Map<String, ? extends CausalLm> models, int[] prompt, int tokens, int reps) {
        Map<String, double[]> rates = new LinkedHashMap<>();
        models.forEach((name, lm) -> {
            decode(lm, prompt, tokens);
            rates.put(name, new double[reps]);
        });
        for (int r = 0; r < reps; r++) {
            for (var e : models.entrySet()) {
                rates.get(e.getKey())[r] = decode(e.getValue(), prompt, tokens);
            }
        }
        List<Row> rows = new ArrayList<>();
        rates.forEach((name, v) -> {
            double[] sorted = v.clone();
            Arrays.sort(sorted);
            rows.add(new Row(name, projections(models.get(name)), sorted[sorted.length / 2], sorted[sorted.length - 1]));
        });
        return rows;
    }

    private static double decode(CausalLm lm, int[] prompt, int tokens) {
        Generator.Result r = Generator.generate(lm, prompt, tokens, Sampler.greedy(), Rng.seeded(0), -1, null);
        return r.tokens().length / r.seconds();
    }

    /** The kinds of projection inside the model's blocks with their counts, e.g. {@code 14 SemiStructuredLinear}. */
    static String projections(CausalLm lm) {
        Map<String, Integer> kinds = new TreeMap<>();
        BlockStack stack = (BlockStack) lm;
        for (int b = 0; b < stack.blockCount(); b++) {
            for (Projection p : stack.blockModule(b).modules(Projection.class).values()) {
                String kind = p instanceof SparseLinear s && s.getClass() == SparseLinear.class
                        ? "SparseLinear(" + s.weight().getClass().getSimpleName() + ")" : p.getClass().getSimpleName();
                kinds.merge(kind, 1, Integer::sum);
            }
        }
        List<String> parts = new ArrayList<>();
        kinds.forEach((kind, n) -> parts.add(n + " " + kind));
        return String.join(", ", parts);
    }
}

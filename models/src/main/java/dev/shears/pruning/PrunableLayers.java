package dev.shears.pruning;

import dev.shears.nn.Module;
import dev.shears.nn.Parameter;
import dev.shears.sparse.Mask;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The named prunable weights of a model, minus the excluded ones, with the argument checks both prunings share. */
final class PrunableLayers {
    private PrunableLayers() {}

    /** A prunable weight under its dotted name. */
    record Layer(String name, Parameter param) {
        int size() {
            return param.numel();
        }

        /** The current mask, or all-kept when unmasked. */
        Mask current() {
            Mask m = param.maskPattern();
            return m == null ? Mask.ones(param.value().shape()) : m;
        }

        LayerDensity report() {
            return new LayerDensity(name, size(), param.kept());
        }
    }

    /**
     * {@code model.prunable()} in its order, named by {@code model.namedParameters()}, without the
     * layers named in {@code exclude}.
     *
     * @throws IllegalArgumentException if the model has nothing prunable, an excluded name is not a
     *                                  prunable weight, or every prunable weight is excluded
     */
    static List<Layer> of(String op, Module model, Set<String> exclude) {
        Map<Parameter, String> names = new IdentityHashMap<>();
        model.namedParameters().forEach((name, p) -> names.put(p, name));
        List<Layer> all = new ArrayList<>();
        for (Parameter p : model.prunable()) {
            all.add(new Layer(names.get(p), p));
        }
        if (all.isEmpty()) {
            throw new IllegalArgumentException(op + ": " + model.getClass().getSimpleName()
                    + " has no prunable weights (Linear, Conv2d or Embedding)");
        }
        Set<String> known = new TreeSet<>();
        all.forEach(l -> known.add(l.name()));
        for (String name : exclude) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException(op + ": cannot exclude '" + name
                        + "': not a prunable weight; the prunable weights are " + known);
            }
        }
        List<Layer> kept = all.stream().filter(l -> !exclude.contains(l.name())).toList();
        if (kept.isEmpty()) {
            throw new IllegalArgumentException(op + ": every prunable weight is excluded " + exclude
                    + "; nothing is left to prune");
        }
        return kept;
    }

    static long totalSize(List<Layer> layers) {
        long n = 0;
        for (Layer l : layers) {
            n += l.size();
        }
        return n;
    }

    static List<LayerDensity> report(List<Layer> layers) {
        return layers.stream().map(Layer::report).toList();
    }
}

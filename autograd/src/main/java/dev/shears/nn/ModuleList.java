package dev.shears.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * Modules held in order under the names {@code 0}, {@code 1}, ... without a forward pass of their
 * own: the stack of transformer blocks a model loops over itself (with a cache, say), named as
 * checkpoints name them ({@code layers.3.self_attn.q_proj.weight}).
 */
public class ModuleList<M extends Module> extends Module {
    private final List<M> modules = new ArrayList<>();

    /** Appends {@code module} under the next index; returns this. */
    public ModuleList<M> add(M module) {
        child(String.valueOf(modules.size()), module);
        modules.add(module);
        return this;
    }

    public M get(int index) {
        return modules.get(index);
    }

    public int size() {
        return modules.size();
    }

    /** The modules in order (an unmodifiable copy). */
    public List<M> modules() {
        return List.copyOf(modules);
    }
}

package dev.shears.nn;

import dev.shears.tensor.Rng;
import dev.shears.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A tree of parameters, buffers and child modules with explicit registration (no reflection):
 * subclasses call {@link #param}, {@link #buffer} and {@link #child} in their constructors.
 * Everything is kept in insertion order; names are joined with dots ({@code blocks.3.fc.weight}).
 */
public abstract class Module {
    private final Map<String, Parameter> params = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private final Map<String, Rng> rngs = new LinkedHashMap<>();
    private boolean training = true;

    // ==== registration ==========================================================================

    /** Registers a child module under {@code name}; returns it. */
    protected <M extends Module> M child(String name, M module) {
        checkName(name);
        children.put(name, Objects.requireNonNull(module, "module"));
        return module;
    }

    /** Registers a parameter under {@code name}; returns it. */
    protected Parameter param(String name, Parameter p) {
        checkName(name);
        params.put(name, Objects.requireNonNull(p, "parameter"));
        return p;
    }

    /** Creates and registers a parameter with initial value {@code init}. */
    protected Parameter param(String name, Tensor init) {
        return param(name, new Parameter(name, init));
    }

    /** Registers a non-trainable state tensor (e.g. running statistics), updated in place; returns it. */
    protected Tensor buffer(String name, Tensor value) {
        checkName(name);
        buffers.put(name, Objects.requireNonNull(value, "buffer"));
        return value;
    }

    /**
     * Registers the random stream a stochastic layer draws from (dropout masks), so a checkpoint can
     * save and restore its position; returns it.
     */
    protected Rng rng(String name, Rng rng) {
        checkName(name);
        rngs.put(name, Objects.requireNonNull(rng, "rng"));
        return rng;
    }

    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": name '" + name
                    + "' must be non-empty and contain no '.'");
        }
        if (params.containsKey(name) || buffers.containsKey(name) || children.containsKey(name) || rngs.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": name '" + name + "' is already registered");
        }
    }

    // ==== replacement ===========================================================================

    /**
     * Puts {@code replacement} where the module at the dotted {@code path} (e.g.
     * {@code layers.0.self_attn.q_proj}) is: same name, same place in the tree. The parent decides
     * what it accepts ({@link #accept}); a transformer block takes any {@link Projection} of the
     * same shape for a projection, which is how a pruned model gets its sparse layers.
     *
     * @throws IllegalArgumentException if no module is at {@code path}
     * @throws UnsupportedOperationException if the parent does not take {@code replacement} there
     */
    public final void replace(String path, Module replacement) {
        Objects.requireNonNull(replacement, "replacement");
        int dot = path.lastIndexOf('.');
        Module parent;
        try {
            parent = dot < 0 ? this : module(path.substring(0, dot));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ".replace: no module at '" + path + "' ("
                    + e.getMessage() + ")", e);
        }
        String name = path.substring(dot + 1);
        Module old = parent.children.get(name);
        if (old == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ".replace: no module at '" + path
                    + "'; " + parent.getClass().getSimpleName() + " has children " + parent.children.keySet());
        }
        parent.accept(name, old, replacement);
        parent.children.put(name, replacement);
    }

    /** The module at the dotted {@code path} below this one. */
    public final Module module(String path) {
        Module m = this;
        for (String name : path.split("\\.", -1)) {
            Module next = m.children.get(name);
            if (next == null) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": no module at '" + path + "'; "
                        + m.getClass().getSimpleName() + " has children " + m.children.keySet());
            }
            m = next;
        }
        return m;
    }

    /**
     * Takes {@code replacement} as the child {@code name} instead of {@code old}: a subclass that
     * keeps its children in fields checks the replacement and points its field at it, or throws.
     * By default a module takes no replacements.
     */
    protected void accept(String name, Module old, Module replacement) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not let its child '" + name
                + "' be replaced");
    }

    // ==== traversal =============================================================================

    /** The direct children in registration order. */
    public Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Every parameter, depth first in registration order (own first), each once even if shared. */
    public List<Parameter> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Every parameter under its dotted name, in registration order; a shared one appears once (first name). */
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        Set<Parameter> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        collectParams("", out, seen);
        return out;
    }

    private void collectParams(String prefix, Map<String, Parameter> out, Set<Parameter> seen) {
        for (var e : params.entrySet()) {
            if (seen.add(e.getValue())) {
                out.put(prefix + e.getKey(), e.getValue());
            }
        }
        for (var e : children.entrySet()) {
            e.getValue().collectParams(prefix + e.getKey() + ".", out, seen);
        }
    }

    /** Every buffer under its dotted name, in registration order. */
    public Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, m -> m.buffers);
        return out;
    }

    /** Every registered random stream under its dotted name, in registration order. */
    public Map<String, Rng> namedRngs() {
        Map<String, Rng> out = new LinkedHashMap<>();
        collect("", out, m -> m.rngs);
        return out;
    }

    private <T> void collect(String prefix, Map<String, T> out, Function<Module, Map<String, T>> own) {
        for (var e : own.apply(this).entrySet()) {
            out.put(prefix + e.getKey(), e.getValue());
        }
        for (var e : children.entrySet()) {
            e.getValue().collect(prefix + e.getKey() + ".", out, own);
        }
    }

    /**
     * Every module of {@code type} below this one under its dotted path, in registration order; the
     * search does not descend into a match (e.g. {@code modules(Projection.class)} of a block is its
     * projections).
     */
    public final <M extends Module> Map<String, M> modules(Class<M> type) {
        Map<String, M> out = new LinkedHashMap<>();
        collectModules("", type, out);
        return out;
    }

    private <M extends Module> void collectModules(String prefix, Class<M> type, Map<String, M> out) {
        children.forEach((name, child) -> {
            if (type.isInstance(child)) {
                out.put(prefix + name, type.cast(child));
            } else {
                child.collectModules(prefix + name + ".", type, out);
            }
        });
    }

    /** The total number of parameter elements. */
    public long numParameters() {
        long n = 0;
        for (Parameter p : parameters()) {
            n += p.numel();
        }
        return n;
    }

    /** The weights pruning targets: Linear, Conv2d and Embedding weights (not biases or norms). */
    public List<Parameter> prunable() {
        List<Parameter> out = new ArrayList<>();
        Set<Parameter> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        collectPrunable(out, seen);
        return out;
    }

    private void collectPrunable(List<Parameter> out, Set<Parameter> seen) {
        for (Parameter p : ownPrunable()) {
            if (seen.add(p)) {
                out.add(p);
            }
        }
        for (Module m : children.values()) {
            m.collectPrunable(out, seen);
        }
    }

    /** This module's own prunable parameters (none by default; weight layers override). */
    protected List<Parameter> ownPrunable() {
        return List.of();
    }

    /** Drops the gradient of every parameter. */
    public void zeroGrad() {
        for (Parameter p : parameters()) {
            p.zeroGrad();
        }
    }

    // ==== modes =================================================================================

    /** Training mode for this module and all descendants; returns this. */
    public Module train() {
        return train(true);
    }

    public Module train(boolean on) {
        training = on;
        for (Module m : children.values()) {
            m.train(on);
        }
        return this;
    }

    /** Evaluation mode (dropout off, batch norm uses running statistics) for the whole tree. */
    public Module eval() {
        return train(false);
    }

    public boolean isTraining() {
        return training;
    }

    // ==== state =================================================================================

    /** Parameters then buffers under their dotted names; the tensors are the live values (not copies). */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : namedParameters().entrySet()) {
            out.put(e.getKey(), e.getValue().value());
        }
        out.putAll(namedBuffers());
        return out;
    }

    /** {@link #loadStateDict(Map, boolean)} in strict mode. */
    public void loadStateDict(Map<String, Tensor> state) {
        loadStateDict(state, true);
    }

    /**
     * Copies the tensors of {@code state} into the parameters and buffers in place. Checks every
     * key first and changes nothing on error.
     *
     * @param strict when true, missing and unexpected keys are errors; shape mismatches always are
     * @throws IllegalArgumentException naming the missing and unexpected keys and mismatched shapes
     */
    public void loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> own = stateDict();
        Set<String> missing = new TreeSet<>();
        Set<String> unexpected = new TreeSet<>();
        List<String> shapes = new ArrayList<>();
        for (var e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src == null) {
                missing.add(e.getKey());
            } else if (!src.shape().equals(e.getValue().shape())) {
                shapes.add(e.getKey() + ": checkpoint " + src.shape() + " vs model " + e.getValue().shape());
            }
        }
        for (String k : state.keySet()) {
            if (!own.containsKey(k)) {
                unexpected.add(k);
            }
        }
        boolean bad = !shapes.isEmpty() || (strict && (!missing.isEmpty() || !unexpected.isEmpty()));
        if (bad) {
            StringBuilder sb = new StringBuilder("loadStateDict(" + getClass().getSimpleName() + "):");
            if (strict && !missing.isEmpty()) {
                sb.append(" missing keys ").append(missing).append(';');
            }
            if (strict && !unexpected.isEmpty()) {
                sb.append(" unexpected keys ").append(unexpected).append(';');
            }
            if (!shapes.isEmpty()) {
                sb.append(" shape mismatches ").append(shapes).append(';');
            }
            throw new IllegalArgumentException(sb.substring(0, sb.length() - 1));
        }
        for (var e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src != null) {
                e.getValue().copyFrom(src);
            }
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName());
        if (!children.isEmpty()) {
            sb.append('(');
            for (var e : children.entrySet()) {
                sb.append("\n  ").append(e.getKey()).append(": ").append(e.getValue().toString().replace("\n", "\n  "));
            }
            sb.append("\n)");
        }
        return sb.toString();
    }
}

package dev.shears.optim;

import dev.shears.autograd.Var;
import dev.shears.nn.Parameter;
import dev.shears.tensor.Tensor;
import dev.shears.tensor.parallel.Parallel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Shared bookkeeping: parameters, learning rate, step count and per-parameter state slots. */
abstract class BaseOptimizer implements Optimizer {
    private final String kind;
    protected final List<Var> params;
    /** Per parameter: named state tensors (created lazily on the first step with a gradient). */
    protected final List<Map<String, Tensor>> state;
    protected double lr;
    /** Whether no two parameters share a storage, so they can be updated in parallel. */
    private final boolean independent;
    protected int steps;

    BaseOptimizer(String kind, List<? extends Var> params, double lr) {
        this.kind = kind;
        if (params.isEmpty()) {
            throw new IllegalArgumentException(kind + ": no parameters given");
        }
        this.params = List.copyOf(params);
        for (Var p : this.params) {
            if (!p.requiresGrad() || !p.isLeaf()) {
                throw new IllegalArgumentException(kind + ": " + p + " is not a trainable leaf");
            }
        }
        java.util.Set<Object> storages = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        boolean distinct = true;
        for (Var p : this.params) {
            distinct &= storages.add(p.value().storage());
        }
        this.independent = distinct;
        this.state = new ArrayList<>();
        for (int i = 0; i < this.params.size(); i++) {
            state.add(new LinkedHashMap<>());
        }
        setLearningRate(lr);
    }

    /** The state names each parameter carries once it has been stepped. */
    protected abstract List<String> stateNames();

    /** Updates parameter {@code index} with gradient {@code grad}; {@code mask} is 0/1 F32 or null. */
    protected abstract void update(int index, Var p, Tensor grad, Tensor mask);

    /**
     * Updates every parameter that has a gradient. Parameters are independent (each has its own
     * storage and state slot), so they are updated in parallel, one parameter per task: a model's
     * many small tensors would otherwise each be too small to split and run on one thread. The
     * result is the same for any thread count.
     */
    @Override
    public void step() {
        int[] todo = new int[params.size()];
        Tensor[] grads = new Tensor[params.size()];
        Tensor[] masks = new Tensor[params.size()];
        int count = 0;
        for (int i = 0; i < params.size(); i++) {
            Var p = params.get(i);
            Tensor g = p.grad();
            if (g == null) {
                continue;
            }
            todo[count++] = i;
            grads[i] = g;
            masks[i] = p instanceof Parameter q ? q.maskF32() : null;
        }
        if (independent) {
            Parallel.forRange(count, 1, (lo, hi) -> {
                for (int t = lo; t < hi; t++) {
                    int i = todo[t];
                    update(i, params.get(i), grads[i], masks[i]);
                }
            });
        } else {
            for (int t = 0; t < count; t++) {
                int i = todo[t];
                update(i, params.get(i), grads[i], masks[i]);
            }
        }
        steps++;
    }

    @Override
    public void zeroGrad() {
        for (Var p : params) {
            p.zeroGrad();
        }
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public void setLearningRate(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException(kind + ": learning rate " + lr + " must be finite and >= 0");
        }
        this.lr = lr;
    }

    @Override
    public List<Var> parameters() {
        return params;
    }

    @Override
    public int stepCount() {
        return steps;
    }

    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("step", Tensor.ofInts(new int[] {steps}, 1));
        for (int i = 0; i < params.size(); i++) {
            for (var e : state.get(i).entrySet()) {
                out.put(i + "." + e.getKey(), e.getValue().copy());
            }
        }
        return out;
    }

    @Override
    public void loadStateDict(Map<String, Tensor> src) {
        TreeSet<String> unexpected = new TreeSet<>();
        List<String> problems = new ArrayList<>();
        List<Map<String, Tensor>> next = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            next.add(new LinkedHashMap<>());
        }
        Map<String, Boolean> known = new HashMap<>();
        for (int i = 0; i < params.size(); i++) {
            for (String n : stateNames()) {
                known.put(i + "." + n, true);
            }
        }
        Tensor step = src.get("step");
        if (step == null) {
            problems.add("missing key 'step'");
        }
        for (var e : src.entrySet()) {
            String k = e.getKey();
            if (k.equals("step")) {
                continue;
            }
            if (!known.containsKey(k)) {
                unexpected.add(k);
                continue;
            }
            int i = Integer.parseInt(k.substring(0, k.indexOf('.')));
            String name = k.substring(k.indexOf('.') + 1);
            Tensor t = e.getValue();
            Tensor pv = params.get(i).value();
            boolean scalarState = t.numel() == 1 && name.equals("step");
            if (!scalarState && !t.shape().equals(pv.shape())) {
                problems.add(k + ": state " + t.shape() + " vs parameter " + pv.shape());
                continue;
            }
            next.get(i).put(name, t.copy());
        }
        if (!unexpected.isEmpty()) {
            problems.add("unexpected keys " + unexpected);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(kind + ".loadStateDict: " + String.join("; ", problems));
        }
        for (int i = 0; i < params.size(); i++) {
            state.get(i).clear();
            state.get(i).putAll(next.get(i));
        }
        steps = step.contiguous().toIntArray()[0];
    }
}

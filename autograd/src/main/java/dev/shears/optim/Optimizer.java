package dev.shears.optim;

import dev.shears.autograd.Var;
import dev.shears.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Updates parameters in place from their accumulated gradients. Parameters that are
 * {@link dev.shears.nn.Parameter}s with a mask have every update multiplied by it, so masked
 * entries never change (pruned weights stay exactly zero under momentum and weight decay).
 */
public interface Optimizer {
    /** One update of every parameter that has a gradient (those without one are skipped). */
    void step();

    /** Drops every parameter's gradient. */
    void zeroGrad();

    /** The learning rate the next {@link #step()} uses. */
    double learningRate();

    void setLearningRate(double lr);

    /** The parameters in the order given at construction. */
    List<Var> parameters();

    /** How many times {@link #step()} has run (restored by {@link #loadStateDict}). */
    int stepCount();

    /** A snapshot (copies) of the internal state: {@code step}, then per parameter {@code <index>.<name>}. */
    Map<String, Tensor> stateDict();

    /**
     * Restores a {@link #stateDict()} taken from an optimizer of the same kind over parameters of
     * the same shapes, so training continues identically.
     *
     * @throws IllegalArgumentException naming missing or unexpected keys or mismatched shapes
     */
    void loadStateDict(Map<String, Tensor> state);

    /** Sets the learning rate from {@code schedule} at the current {@link #stepCount()}, then steps. */
    default void step(LrSchedule schedule) {
        setLearningRate(schedule.lr(stepCount()));
        step();
    }
}

package dev.shears.tensor;

import dev.shears.tensor.spi.AdamStep;

/**
 * Optimizer updates fused into one pass over the parameter and its state, run by the tensors'
 * backend. Written in place; every argument is checked before anything is written.
 */
public final class FusedUpdates {
    private FusedUpdates() {}

    /**
     * One Adam/AdamW step ({@link AdamStep}): updates {@code param}, {@code expAvg} and
     * {@code expAvgSq} in place. {@code mask} (0/1 F32) may be null; {@code grad} and {@code mask}
     * may be any layout of the parameter's shape, the three written tensors must be contiguous.
     */
    public static void adam(AdamStep step, Tensor param, Tensor grad, Tensor mask, Tensor expAvg, Tensor expAvgSq) {
        String op = "FusedUpdates.adam";
        requireOperand(op, "param", param, param, true);
        requireOperand(op, "grad", grad, param, false);
        if (mask != null) {
            requireOperand(op, "mask", mask, param, false);
        }
        requireOperand(op, "expAvg", expAvg, param, true);
        requireOperand(op, "expAvgSq", expAvgSq, param, true);
        Tensor g = grad.contiguous();
        Tensor mk = mask == null ? null : mask.contiguous();
        Backends.get(param.device()).adamStep(step, param.numel(),
                param.storage(), param.layout().offset(), g.storage(), g.layout().offset(),
                mk == null ? null : mk.storage(), mk == null ? 0 : mk.layout().offset(),
                expAvg.storage(), expAvg.layout().offset(), expAvgSq.storage(), expAvgSq.layout().offset());
    }

    private static void requireOperand(String op, String name, Tensor t, Tensor param, boolean written) {
        if (t.dtype() != DType.F32) {
            throw new DTypeException(op + ": " + name + " is " + t.dtype() + ", needs F32");
        }
        if (!t.device().equals(param.device())) {
            throw new DeviceMismatchException(op + " (" + name + ")", param.device(), t.device());
        }
        if (!t.shape().equals(param.shape())) {
            throw new ShapeException(op + ": " + name + " has shape " + t.shape() + " but the parameter has " + param.shape());
        }
        if (written && !t.isContiguous()) {
            throw new ShapeException(op + ": " + name + " is written in place and must be contiguous, got " + t.layout());
        }
    }
}

package dev.shears.nn;

import dev.shears.autograd.Var;
import dev.shears.autograd.ops.MatmulFunctions;
import dev.shears.tensor.DType;
import dev.shears.tensor.ShapeException;
import dev.shears.tensor.Tensor;

/**
 * Stateless layer functions and losses (mean reduction, PyTorch semantics). Classes lie along the
 * last axis of the logits.
 */
public final class Functional {
    private Functional() {}

    /** y = x·wᵀ + b for x [.., in], w [out, in] and b [out] (null: no bias), as one graph op. */
    public static Var linear(Var x, Var weight, Var bias) {
        return MatmulFunctions.linear(x, weight, bias);
    }

    /** {@link #crossEntropy(Var, Tensor, float)} without label smoothing. */
    public static Var crossEntropy(Var logits, Tensor labels) {
        return crossEntropy(logits, labels, 0f);
    }

    /**
     * Mean cross-entropy of {@code logits} [..., C] against integer {@code labels} (I32, one per
     * row: shape [...] or [..., 1]) with label smoothing ε: the target is (1-ε)·onehot + ε/C, as
     * torch.nn.functional.cross_entropy(label_smoothing = ε). One fused op: the forward uses a
     * stable log-softmax (finite for logits of any magnitude, e.g. ±1e4) and the gradient is
     * (softmax - target) / N.
     *
     * @throws IllegalArgumentException if a label is out of [0, C) or ε is outside [0, 1]
     */
    public static Var crossEntropy(Var logits, Tensor labels, float labelSmoothing) {
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
            throw new IllegalArgumentException("crossEntropy: label smoothing " + labelSmoothing + " must be in [0, 1]");
        }
        if (logits.rank() < 1) {
            throw new ShapeException("crossEntropy: logits must have rank >= 1 (classes last), got " + logits.shape());
        }
        if (labels.dtype() != DType.I32) {
            throw new IllegalArgumentException("crossEntropy: labels are " + labels.dtype() + ", need I32 class indices");
        }
        int c = logits.dim(-1);
        int n = logits.numel() / c;
        if (labels.numel() != n) {
            throw new ShapeException("crossEntropy: " + labels.numel() + " labels (shape " + labels.shape() + ") for "
                    + n + " rows of logits " + logits.shape());
        }
        int[] y = labels.contiguous().toIntArray();
        float off = labelSmoothing / c;
        float on = 1f - labelSmoothing + off;
        float[] q = new float[n * c];
        java.util.Arrays.fill(q, off);
        for (int i = 0; i < n; i++) {
            if (y[i] < 0 || y[i] >= c) {
                throw new IllegalArgumentException("crossEntropy: label " + y[i] + " at row " + i + " is outside [0, " + c + ")");
            }
            q[i * c + y[i]] = on;
        }
        Tensor target = Tensor.of(q, n, c);
        Tensor logp = logits.value().reshape(n, c).logSoftmax(1);
        float loss = -logp.mul(target).sum().item() / n;
        int[] shape = logits.shape().dims();
        return Var.result("crossEntropy", Tensor.scalar(loss), g -> {
            Tensor grad = logp.exp().sub(target).mul(g.item() / n);
            return new Tensor[] {grad.reshape(shape)};
        }, logits);
    }

    /** Mean squared error (mean over all elements). */
    public static Var mse(Var prediction, Var target) {
        if (!prediction.shape().equals(target.shape())) {
            throw new ShapeException("mse: prediction " + prediction.shape() + " and target " + target.shape() + " differ");
        }
        return prediction.sub(target).square().mean();
    }

    public static Var mse(Var prediction, Tensor target) {
        return mse(prediction, Var.constant(target));
    }

    /** {@link #klDiv(Var, Tensor, float)} at temperature 1. */
    public static Var klDiv(Var studentLogits, Tensor teacherLogits) {
        return klDiv(studentLogits, teacherLogits, 1f);
    }

    /**
     * Knowledge-distillation loss T²·KL(softmax(teacher/T) ‖ softmax(student/T)), averaged over
     * rows (batchmean; classes along the last axis). The teacher is a constant. Equals
     * torch's {@code kl_div(log_softmax(s/T), softmax(t/T), reduction='batchmean') * T*T}.
     */
    public static Var klDiv(Var studentLogits, Tensor teacherLogits, float temperature) {
        if (!(temperature > 0f)) {
            throw new IllegalArgumentException("klDiv: temperature " + temperature + " must be > 0");
        }
        if (!studentLogits.shape().equals(teacherLogits.shape())) {
            throw new ShapeException("klDiv: student " + studentLogits.shape() + " and teacher " + teacherLogits.shape()
                    + " differ");
        }
        int axis = studentLogits.rank() - 1;
        int rows = studentLogits.numel() / studentLogits.dim(axis);
        Tensor teacherLogP = teacherLogits.div(temperature).logSoftmax(axis);
        Tensor teacherP = teacherLogP.exp();
        Var studentLogQ = studentLogits.div(temperature).logSoftmax(axis);
        Var kl = Var.constant(teacherP).mul(Var.constant(teacherLogP).sub(studentLogQ)).sum();
        return kl.mul(temperature * temperature / rows);
    }
}

package dev.shears.train;

import dev.shears.autograd.Autograd;
import dev.shears.autograd.Var;
import dev.shears.data.Batch;
import dev.shears.data.DataLoader;
import dev.shears.nn.Functional;
import dev.shears.nn.Layer;

/** Held-out evaluation of a classifier: mean cross-entropy and accuracy, without building a graph. */
public final class Evaluation {
    private Evaluation() {}

    /** The outcome of one evaluation pass. */
    public record Metrics(double loss, double accuracy, long samples) {}

    /**
     * Runs {@code model} in eval mode over {@code loader} (logits [batch, classes] against integer
     * labels) and puts it back into the mode it was in.
     */
    public static Metrics classification(Layer model, DataLoader loader) {
        boolean wasTraining = model.isTraining();
        model.eval();
        double lossSum = 0;
        long correct = 0;
        long total = 0;
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            for (Batch b : loader) {
                Var logits = model.forward(Var.constant(b.inputs()));
                int n = b.size();
                lossSum += Functional.crossEntropy(logits, b.labels()).item() * (double) n;
                int[] predicted = logits.value().argmax(-1, false).toIntArray();
                int[] labels = b.labels().toIntArray();
                for (int i = 0; i < n; i++) {
                    if (predicted[i] == labels[i]) {
                        correct++;
                    }
                }
                total += n;
            }
        } finally {
            model.train(wasTraining);
        }
        return total == 0 ? new Metrics(Double.NaN, Double.NaN, 0)
                : new Metrics(lossSum / total, (double) correct / total, total);
    }
}

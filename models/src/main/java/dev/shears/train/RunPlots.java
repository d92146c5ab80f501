package dev.shears.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The standard plots of a training run folder: {@code loss.png} (training loss per step from
 * {@code log.csv}, test loss per epoch) and {@code accuracy.png} (test accuracy per epoch), both
 * against epochs. Read back from the folder, so a resumed run plots its whole history.
 */
public final class RunPlots {
    private RunPlots() {}

    /** Writes the plots of {@code runDir}, whose finished epochs are {@code epochs}. */
    public static void write(RunDir runDir, List<Trainer.EpochResult> epochs) {
        double[] epochX = epochs.stream().mapToDouble(Trainer.EpochResult::epoch).toArray();
        double[] testLoss = epochs.stream().mapToDouble(Trainer.EpochResult::testLoss).toArray();
        double[] testAcc = epochs.stream().mapToDouble(e -> 100 * e.testAccuracy()).toArray();
        double[] trainLoss = epochs.stream().mapToDouble(Trainer.EpochResult::trainLoss).toArray();

        Plot loss = Plot.line("Loss").xLabel("epoch").yLabel("cross-entropy").logY();
        StepLog steps = StepLog.read(runDir.path().resolve("log.csv"));
        if (steps != null) {
            int window = Math.max(1, Math.min(50, steps.losses.length / 40));
            loss.series("train (mean of " + window + " steps)", steps.epochs, trailingMean(steps.losses, window));
        } else {
            loss.series("train (epoch mean)", epochX, trainLoss);
        }
        if (epochs.stream().anyMatch(e -> !Double.isNaN(e.testLoss()))) {
            loss.series("test", epochX, testLoss);
            runDir.writePlot("accuracy.png", Plot.line("Test accuracy").xLabel("epoch").yLabel("accuracy (%)")
                    .markers(true).series("test", epochX, testAcc));
        }
        runDir.writePlot("loss.png", loss);
    }

    /** Mean of each value and the up to {@code window - 1} before it (NaNs, the skipped zeros, left out). */
    static double[] trailingMean(double[] v, int window) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            double sum = 0;
            int n = 0;
            for (int j = Math.max(0, i - window + 1); j <= i; j++) {
                if (!Double.isNaN(v[j])) {
                    sum += v[j];
                    n++;
                }
            }
            out[i] = n == 0 ? Double.NaN : sum / n;
        }
        return out;
    }

    /** Per-step losses from log.csv, with x in epochs: epoch - 1 + step / steps in that epoch. */
    private record StepLog(double[] epochs, double[] losses) {
        static StepLog read(Path csv) {
            if (!Files.isRegularFile(csv)) {
                return null;
            }
            try {
                List<String[]> rows = Files.readAllLines(csv).stream().skip(1).map(l -> l.split(",")).toList();
                if (rows.isEmpty()) {
                    return null;
                }
                int[] stepsInEpoch = new int[rows.stream().mapToInt(r -> Integer.parseInt(r[0])).max().orElse(0) + 1];
                for (String[] r : rows) {
                    int e = Integer.parseInt(r[0]);
                    stepsInEpoch[e] = Math.max(stepsInEpoch[e], Integer.parseInt(r[1]));
                }
                double[] x = new double[rows.size()];
                double[] y = new double[rows.size()];
                for (int i = 0; i < rows.size(); i++) {
                    String[] r = rows.get(i);
                    int e = Integer.parseInt(r[0]);
                    x[i] = e - 1 + Double.parseDouble(r[1]) / stepsInEpoch[e];
                    double l = Double.parseDouble(r[3]);
                    y[i] = l > 0 ? l : Double.NaN; // the log axis skips an exact zero
                }
                return new StepLog(x, y);
            } catch (IOException e) {
                throw new UncheckedIOException("RunPlots: cannot read " + csv + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                throw new IllegalStateException("RunPlots: " + csv + " is not a Trainer log (epoch,step,global_step,loss,...): "
                        + e.getMessage(), e);
            }
        }
    }
}

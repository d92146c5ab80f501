package dev.shears.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Line-based training progress: one line every {@code interval} steps (and at the last step of each epoch),
 * <pre>epoch 1/5 | step 200/469 | loss 0.2345 | lr 1.0e-3 | 3.2 ms/step | 40k img/s | eta 12s</pre>
 * The loss shown is the mean over the steps since the previous line; ms/step and throughput likewise.
 * On a terminal the line is redrawn in place ({@link Sink#console}); elsewhere (CI logs, files)
 * every line stays.
 */
public final class ProgressLog {

    /** Where progress goes: transient progress lines and permanent lines. */
    public interface Sink {
        /** A progress line, replaced by the next one where the output allows. */
        void progress(String line);

        /** A line that stays (epoch summaries, results). */
        void println(String line);

        /** Every line kept, one per call: for logs, pipes and tests. */
        static Sink lines(PrintStream out) {
            return new Sink() {
                @Override
                public void progress(String line) {
                    out.println(line);
                }

                @Override
                public void println(String line) {
                    out.println(line);
                }
            };
        }

        /** Redraws progress lines in place when {@code System.console()} is a terminal, else {@link #lines}. */
        static Sink console(PrintStream out) {
            java.io.Console console = System.console();
            return console != null && console.isTerminal() ? new Redrawing(out) : lines(out);
        }
    }

    /** Progress lines overwrite each other with a carriage return; a permanent line clears the last one first. */
    private static final class Redrawing implements Sink {
        private final PrintStream out;
        private int shown;

        Redrawing(PrintStream out) {
            this.out = out;
        }

        @Override
        public void progress(String line) {
            out.print("\r" + line + " ".repeat(Math.max(0, shown - line.length())));
            out.flush();
            shown = line.length();
        }

        @Override
        public void println(String line) {
            if (shown > 0) {
                out.print("\r" + " ".repeat(shown) + "\r");
                shown = 0;
            }
            out.println(line);
        }
    }

    private final Sink out;
    private final int epochs;
    private final int stepsPerEpoch;
    private final int interval;
    private final String unit;

    private double lossSum;
    private long nanosSum;
    private long itemsSum;
    private int count;
    private long totalStepsDone;

    /**
     * @param out           where lines go (normally {@code Sink.console(System.out)})
     * @param epochs        total epochs
     * @param stepsPerEpoch steps in each epoch
     * @param interval      steps between lines (at least 1)
     * @param unit          what one item is, for the throughput ("img", "tok")
     */
    public ProgressLog(Sink out, int epochs, int stepsPerEpoch, int interval, String unit) {
        if (epochs < 1 || stepsPerEpoch < 1 || interval < 1) {
            throw new IllegalArgumentException("ProgressLog: epochs = " + epochs + ", stepsPerEpoch = " + stepsPerEpoch
                    + ", interval = " + interval + " must all be at least 1");
        }
        this.out = out;
        this.epochs = epochs;
        this.stepsPerEpoch = stepsPerEpoch;
        this.interval = interval;
        this.unit = unit;
    }

    /**
     * Records one finished step and prints a line when due.
     *
     * @param epoch zero-based epoch
     * @param step  zero-based step within the epoch
     * @param loss  this step's loss
     * @param lr    learning rate used
     * @param nanos wall time of the step
     * @param items items (images, tokens) processed in the step
     * @return the printed line, or {@code null} when none was due
     */
    public String step(int epoch, int step, double loss, double lr, long nanos, int items) {
        lossSum += loss;
        nanosSum += nanos;
        itemsSum += items;
        count++;
        totalStepsDone++;
        boolean last = step + 1 == stepsPerEpoch;
        if ((step + 1) % interval != 0 && !last) {
            return null;
        }
        double msPerStep = nanosSum / 1e6 / count;
        double perSecond = nanosSum == 0 ? 0 : itemsSum / (nanosSum / 1e9);
        long remaining = (long) epochs * stepsPerEpoch - totalStepsDone;
        String line = String.format(Locale.ROOT, "epoch %d/%d | step %d/%d | loss %.4f | lr %s | %.1f ms/step | %s %s/s | eta %s",
                epoch + 1, epochs, step + 1, stepsPerEpoch, lossSum / count, scientific(lr), msPerStep, compact(perSecond), unit,
                duration(remaining * msPerStep / 1e3));
        out.progress(line);
        lossSum = 0;
        nanosSum = 0;
        itemsSum = 0;
        count = 0;
        return line;
    }

    /** {@code 1.0e-3}, {@code 3.0e-4}: one decimal, exponent without padding. */
    public static String scientific(double v) {
        String s = String.format(Locale.ROOT, "%.1e", v); // 1.0e-03
        int e = s.indexOf('e');
        return s.substring(0, e + 1) + Integer.parseInt(s.substring(e + 1).replace("+", ""));
    }

    /** {@code 950}, {@code 40k}, {@code 1.2M}. */
    public static String compact(double v) {
        if (v >= 1e6) {
            return String.format(Locale.ROOT, "%.1fM", v / 1e6);
        }
        if (v >= 1e4) {
            return String.format(Locale.ROOT, "%.0fk", v / 1e3);
        }
        if (v >= 1e3) {
            return String.format(Locale.ROOT, "%.1fk", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", v);
    }

    /** {@code 12s}, {@code 4m10s}, {@code 1h02m}. */
    public static String duration(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s";
        }
        return (s / 3600) + "h" + String.format(Locale.ROOT, "%02d", (s % 3600) / 60) + "m";
    }
}

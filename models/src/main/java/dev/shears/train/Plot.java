package dev.shears.train;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A line chart written as a PNG, for run folders (loss and accuracy curves, accuracy vs % weights remaining).
 * <pre>{@code
 * Plot.line("Training loss").xLabel("step").yLabel("loss")
 *     .series("train", steps, losses)
 *     .series("test", evalSteps, evalLosses)
 *     .writePng(run.path().resolve("loss.png"));
 * }</pre>
 * <ul>
 *   <li>Data: each series is an x and a y {@code double[]} of the same, non-zero length (copied when added).
 *       A point whose x or y is NaN or infinite is <b>skipped</b> (a missing value, e.g. a step without
 *       evaluation, or a diverged loss), so plotting at the end of a run never fails on its data; a series
 *       with no finite point left is rejected.</li>
 *   <li>Log axes ({@link #logX()}, {@link #logY()}): every drawn value on that axis must be positive
 *       (checked when the chart is written, with the series and index named).</li>
 *   <li>Style: white background, light grid, Tableau-10 colours, 2 px lines; the legend is shown when there is
 *       more than one series (outside on the right unless {@link #legend} says otherwise).</li>
 *   <li>Rendering is headless: unless {@code java.awt.headless} was set explicitly, loading this class sets it to
 *       {@code true} (before any AWT use here), so no display is needed. Text needs fontconfig and one font
 *       installed (e.g. {@code fonts-dejavu-core}).</li>
 * </ul>
 * Invalid input throws {@link IllegalArgumentException} naming the plot, the series and the problem.
 * A Plot is a mutable builder, not thread-safe; {@link #writePng} can be called more than once.
 */
public final class Plot {

    static {
        // Must run before anything here touches AWT: GraphicsEnvironment reads the property once and caches it.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Where the legend goes (it is only drawn when there is more than one series). */
    public enum Legend {
        OUTSIDE_RIGHT(Styler.LegendPosition.OutsideE),
        OUTSIDE_BOTTOM(Styler.LegendPosition.OutsideS),
        INSIDE_TOP_RIGHT(Styler.LegendPosition.InsideNE),
        INSIDE_TOP_LEFT(Styler.LegendPosition.InsideNW),
        INSIDE_BOTTOM_RIGHT(Styler.LegendPosition.InsideSE),
        INSIDE_BOTTOM_LEFT(Styler.LegendPosition.InsideSW),
        HIDDEN(null);

        private final Styler.LegendPosition position;

        Legend(Styler.LegendPosition position) {
            this.position = position;
        }
    }

    /** Smallest and largest accepted width or height, in pixels. */
    public static final int MIN_SIZE = 100;
    public static final int MAX_SIZE = 10_000;

    /** Tableau 10 (matplotlib's default cycle): distinct, and readable in print. */
    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf),
    };
    private static final Marker[] MARKERS = {
        SeriesMarkers.CIRCLE, SeriesMarkers.SQUARE, SeriesMarkers.DIAMOND, SeriesMarkers.TRIANGLE_UP,
        SeriesMarkers.TRIANGLE_DOWN, SeriesMarkers.CROSS, SeriesMarkers.PLUS,
    };
    private static final String FONT = Font.SANS_SERIF;

    private record Series(String name, double[] xs, double[] ys) {
    }

    private final String title;
    private final List<Series> series = new ArrayList<>();
    private String xLabel;
    private String yLabel;
    private boolean logX;
    private boolean logY;
    private Double yMin;
    private Double yMax;
    private boolean markers;
    private Legend legend = Legend.OUTSIDE_RIGHT;
    private int width = 800;
    private int height = 500;

    private Plot(String title) {
        this.title = title;
    }

    /** A line chart titled {@code title} (empty: no title). */
    public static Plot line(String title) {
        Objects.requireNonNull(title, "Plot.line: title is null (use \"\" for no title)");
        return new Plot(title);
    }

    /** The x-axis title. */
    public Plot xLabel(String label) {
        this.xLabel = label;
        return this;
    }

    /** The y-axis title. */
    public Plot yLabel(String label) {
        this.yLabel = label;
        return this;
    }

    /**
     * Adds a series drawn as a line through {@code (xs[i], ys[i])} in order. Points with a NaN or infinite x or y
     * are skipped.
     *
     * @throws IllegalArgumentException for a blank or repeated name, arrays of different or zero length, or no
     *                                  finite point
     */
    public Plot series(String name, double[] xs, double[] ys) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(where() + "a series needs a non-blank name, got " + quote(name));
        }
        String s = where() + "series '" + name + "': ";
        for (Series other : series) {
            if (other.name.equals(name)) {
                throw new IllegalArgumentException(s + "a series with this name was already added");
            }
        }
        if (xs == null || ys == null) {
            throw new IllegalArgumentException(s + (xs == null ? "xs" : "ys") + " is null");
        }
        if (xs.length != ys.length) {
            throw new IllegalArgumentException(s + "xs and ys differ in length (xs.length = " + xs.length
                    + ", ys.length = " + ys.length + ")");
        }
        if (xs.length == 0) {
            throw new IllegalArgumentException(s + "empty (xs and ys have length 0)");
        }
        int kept = 0;
        for (int i = 0; i < xs.length; i++) {
            if (finite(xs[i], ys[i])) {
                kept++;
            }
        }
        if (kept == 0) {
            throw new IllegalArgumentException(s + "no point to draw: all " + xs.length + " points have a NaN or infinite x or y");
        }
        series.add(new Series(name, xs.clone(), ys.clone()));
        return this;
    }

    /** Logarithmic x-axis (e.g. % weights remaining); all x must then be positive. */
    public Plot logX() {
        this.logX = true;
        return this;
    }

    /** Logarithmic y-axis; all y must then be positive. */
    public Plot logY() {
        this.logY = true;
        return this;
    }

    /** Fixes the y-axis range to {@code [min, max]} instead of fitting the data (points outside are clipped). */
    public Plot yRange(double min, double max) {
        if (!Double.isFinite(min) || !Double.isFinite(max) || min >= max) {
            throw new IllegalArgumentException(where() + "yRange needs finite min < max, got [" + min + ", " + max + "]");
        }
        this.yMin = min;
        this.yMax = max;
        return this;
    }

    /** Draws a marker at every point (a different shape per series); off by default. */
    public Plot markers(boolean on) {
        this.markers = on;
        return this;
    }

    /** Where the legend goes when there is more than one series; {@link Legend#OUTSIDE_RIGHT} by default. */
    public Plot legend(Legend position) {
        this.legend = Objects.requireNonNull(position, "Plot.legend: position is null");
        return this;
    }

    /** Image size in pixels (default 800 x 500). */
    public Plot size(int width, int height) {
        if (width < MIN_SIZE || width > MAX_SIZE || height < MIN_SIZE || height > MAX_SIZE) {
            throw new IllegalArgumentException(where() + "size " + width + " x " + height + " is outside ["
                    + MIN_SIZE + ", " + MAX_SIZE + "] pixels per side");
        }
        this.width = width;
        this.height = height;
        return this;
    }

    /**
     * Renders the chart and writes it to {@code file} (which must end with {@code .png}) atomically: to a temporary
     * file in the same folder first, then moved into place, so a reader never sees a half-written PNG. Missing
     * parent folders are created.
     *
     * @return {@code file}
     * @throws IllegalArgumentException for a bad file name, no series, or data a log axis cannot show
     * @throws UncheckedIOException     if the file cannot be written
     */
    public Path writePng(Path file) {
        Objects.requireNonNull(file, "Plot.writePng: file is null");
        Path name = file.getFileName();
        checkPngName(name == null ? "" : name.toString(), "Plot.writePng");
        BufferedImage image = render();
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        try {
            Files.createDirectories(dir);
            // To a File, not a stream: ImageIO would otherwise buffer the stream through a cache file in java.io.tmpdir.
            AtomicFile.write(target, tmp -> {
                if (!javax.imageio.ImageIO.write(image, "png", tmp.toFile())) {
                    throw new IllegalStateException("Plot.writePng: this JDK has no PNG writer");
                }
            });
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(where() + "cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** Throws unless {@code fileName} is a plain file name ending with {@code .png} (any case). */
    static void checkPngName(String fileName, String who) {
        if (fileName == null || fileName.contains("/") || fileName.contains("\\")
                || !fileName.toLowerCase(Locale.ROOT).endsWith(".png") || fileName.length() == ".png".length()) {
            throw new IllegalArgumentException(who + ": file name " + quote(fileName)
                    + " must end with .png and have no path separators");
        }
    }

    // ---- rendering -----------------------------------------------------------------------------

    private BufferedImage render() {
        if (series.isEmpty()) {
            throw new IllegalArgumentException(where() + "no series to draw; add one with series(name, xs, ys)");
        }
        checkLogAxes();
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title)
                .xAxisTitle(xLabel == null ? "" : xLabel).yAxisTitle(yLabel == null ? "" : yLabel).build();
        style(chart.getStyler());
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            double[][] xy = finitePoints(s);
            XYSeries drawn = chart.addSeries(s.name, xy[0], xy[1]);
            drawn.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            drawn.setLineColor(PALETTE[k % PALETTE.length]);
            drawn.setMarkerColor(PALETTE[k % PALETTE.length]);
            drawn.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            drawn.setMarker(markers ? MARKERS[k % MARKERS.length] : SeriesMarkers.NONE);
        }
        addTickSpacer(chart);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            chart.paint(g, width, height);
        } catch (RuntimeException | LinkageError e) {
            if (mentionsFonts(e)) {
                throw new IllegalStateException(where() + "cannot draw text (" + e
                        + "); headless AWT needs fontconfig and at least one font, e.g. apt-get install fontconfig fonts-dejavu-core", e);
            }
            throw e;
        } finally {
            g.dispose();
        }
        return image;
    }

    private void style(XYStyler st) {
        st.setLocale(Locale.ROOT);
        st.setAntiAlias(true);
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setChartFontColor(Color.BLACK);
        st.setChartPadding(12);
        st.setChartTitleVisible(!title.isBlank());
        st.setChartTitleBoxVisible(false);
        st.setChartTitleFont(new Font(FONT, Font.BOLD, 16));
        st.setAxisTitleFont(new Font(FONT, Font.PLAIN, 14));
        st.setAxisTickLabelsFont(new Font(FONT, Font.PLAIN, 12));
        st.setAxisTickLabelsColor(new Color(0x333333));
        st.setAxisTickMarksColor(new Color(0x666666));
        st.setYAxisLabelAlignment(AxesChartStyler.TextAlignment.Right);
        st.setXAxisTickMarkSpacingHint(90);
        st.setYAxisTickMarkSpacingHint(45);
        st.setXAxisTitleVisible(xLabel != null && !xLabel.isBlank());
        st.setYAxisTitleVisible(yLabel != null && !yLabel.isBlank());
        st.setPlotBorderVisible(true);
        st.setPlotBorderColor(new Color(0x999999));
        st.setPlotGridLinesVisible(true);
        st.setPlotGridLinesColor(new Color(0xe6e6e6));
        st.setPlotGridLinesStroke(new BasicStroke(1f));
        st.setPlotMargin(4);
        st.setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        st.setSeriesColors(PALETTE);
        st.setMarkerSize(7);
        st.setToolTipsEnabled(false);
        st.setXAxisLogarithmic(logX);
        st.setYAxisLogarithmic(logY);
        st.setXAxisLogarithmicDecadeOnly(decadeLabelsOnly(true));
        st.setYAxisLogarithmicDecadeOnly(decadeLabelsOnly(false));
        if (yMin != null) {
            st.setYAxisMin(yMin);
            st.setYAxisMax(yMax);
        }
        boolean showLegend = series.size() > 1 && legend != Legend.HIDDEN;
        st.setLegendVisible(showLegend);
        if (showLegend) {
            st.setLegendPosition(legend.position);
            st.setLegendLayout(legend == Legend.OUTSIDE_BOTTOM ? Styler.LegendLayout.Horizontal : Styler.LegendLayout.Vertical);
            st.setLegendFont(new Font(FONT, Font.PLAIN, 12));
            st.setLegendBackgroundColor(Color.WHITE);
            st.setLegendBorderColor(new Color(0xcccccc));
            st.setLegendPadding(6);
            st.setLegendSeriesLineLength(24);
        }
    }

    /**
     * Works around XChart 3.8 packing tick labels edge to edge when an axis' data values are equally spaced
     * (steps 1..n, or just two values; knowm/XChart#731): it then puts ticks on the data values and ignores the
     * tick spacing hint. A disabled, unlisted one-point series off that grid makes it use its ordinary round-number
     * ticks; a disabled series is neither drawn nor counted in the axis ranges.
     */
    private void addTickSpacer(XYChart chart) {
        double minX = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.xs.length; i++) {
                if (finite(s.xs[i], s.ys[i])) {
                    minX = Math.min(minX, s.xs[i]);
                    maxX = Math.max(maxX, s.xs[i]);
                    minY = Math.min(minY, s.ys[i]);
                    maxY = Math.max(maxY, s.ys[i]);
                }
            }
        }
        XYSeries spacer = chart.addSeries("\u0000tick-spacer",
                new double[] {minX + (maxX - minX) / Math.PI}, new double[] {minY + (maxY - minY) / Math.PI});
        spacer.setMarker(SeriesMarkers.NONE);
        spacer.setShowInLegend(false);
        spacer.setEnabled(false);
    }

    private void checkLogAxes() {
        if (logY && yMin != null && yMin <= 0) {
            throw new IllegalArgumentException(where() + "yRange [" + yMin + ", " + yMax
                    + "] includes values <= 0, but the y-axis is logarithmic");
        }
        for (Series s : series) {
            for (int i = 0; i < s.xs.length; i++) {
                double x = s.xs[i];
                double y = s.ys[i];
                if (!finite(x, y)) {
                    continue;
                }
                if (logX && x <= 0) {
                    throw new IllegalArgumentException(where() + "series '" + s.name + "' has x = " + x + " at index " + i
                            + ", but the x-axis is logarithmic (every x must be > 0)");
                }
                if (logY && y <= 0) {
                    throw new IllegalArgumentException(where() + "series '" + s.name + "' has y = " + y + " at index " + i
                            + ", but the y-axis is logarithmic (every y must be > 0)");
                }
            }
        }
    }

    /**
     * Whether a log axis labels only powers of ten. Labelling 2..9 in every decade as well reads better over a short
     * range (a loss falling from 2.3 to 0.4 otherwise gets one label), but XChart does not thin labels, so that is
     * only done when a decade has room for all nine: about 480 px across (the 90..100 gap is 4.6% of it) or 300 px
     * up (labels are shorter than wide). Plot sizes are estimated from the image size.
     */
    private boolean decadeLabelsOnly(boolean x) {
        double d = decades(x);
        if (d <= 0) {
            return true;
        }
        boolean legendRight = series.size() > 1 && legend == Legend.OUTSIDE_RIGHT;
        double pixels = x ? width - 140 - (legendRight ? 150 : 0) : height - 110;
        return pixels / d < (x ? 480 : 300);
    }

    /** How many decades the finite data span on the x (or y) axis; 0 unless all values are positive. */
    private double decades(boolean x) {
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (Series s : series) {
            double[] v = x ? s.xs : s.ys;
            for (int i = 0; i < v.length; i++) {
                if (finite(s.xs[i], s.ys[i])) {
                    min = Math.min(min, v[i]);
                    max = Math.max(max, v[i]);
                }
            }
        }
        if (!x && yMin != null) {
            min = yMin;
            max = yMax;
        }
        return min > 0 && max > min ? Math.log10(max / min) : 0;
    }

    private static boolean finite(double x, double y) {
        return Double.isFinite(x) && Double.isFinite(y);
    }

    private static double[][] finitePoints(Series s) {
        int n = 0;
        double[] xs = new double[s.xs.length];
        double[] ys = new double[s.ys.length];
        for (int i = 0; i < s.xs.length; i++) {
            if (finite(s.xs[i], s.ys[i])) {
                xs[n] = s.xs[i];
                ys[n] = s.ys[i];
                n++;
            }
        }
        return new double[][] {Arrays.copyOf(xs, n), Arrays.copyOf(ys, n)};
    }

    private static boolean mentionsFonts(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && m.toLowerCase(Locale.ROOT).contains("font")) {
                return true;
            }
        }
        return false;
    }

    private String where() {
        return "Plot '" + title + "': ";
    }

    private static String quote(String s) {
        return s == null ? "null" : "'" + s + "'";
    }
}

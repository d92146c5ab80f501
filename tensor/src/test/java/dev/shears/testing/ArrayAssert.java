package dev.shears.testing;

import static org.junit.jupiter.api.Assertions.fail;

/** Element-wise closeness of float arrays, reporting the worst element, both values and a context string. */
public final class ArrayAssert {
    private ArrayAssert() {}

    /**
     * Asserts |expected[i] - actual[i]| <= atol + rtol * |expected[i]| for every i; NaN matches only NaN.
     *
     * @param context shown on failure (shape, seed, kernel): enough to replay the case
     */
    public static void assertClose(double[] expected, float[] actual, double rtol, double atol, String context) {
        if (expected.length != actual.length) {
            fail(context + ": length " + actual.length + " != expected " + expected.length);
        }
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            if (Double.isNaN(e) || Double.isNaN(a)) {
                if (Double.isNaN(e) != Double.isNaN(a)) {
                    fail(context + ": at index " + i + " expected " + e + " but was " + a);
                }
                continue;
            }
            if (Double.isInfinite(e) || Double.isInfinite(a)) {
                if (e != a) {
                    fail(context + ": at index " + i + " expected " + e + " but was " + a);
                }
                continue;
            }
            double excess = Math.abs(e - a) - (atol + rtol * Math.abs(e));
            if (excess > worstExcess) {
                worstExcess = excess;
                worst = i;
            }
        }
        if (worst >= 0) {
            fail(context + ": worst mismatch at index " + worst + " of " + expected.length + ": expected "
                    + expected[worst] + " but was " + actual[worst] + " (rtol " + rtol + ", atol " + atol + ")");
        }
    }

    /** {@link #assertClose(double[], float[], double, double, String)} with a float expectation. */
    public static void assertClose(float[] expected, float[] actual, double rtol, double atol, String context) {
        double[] e = new double[expected.length];
        for (int i = 0; i < e.length; i++) {
            e[i] = expected[i];
        }
        assertClose(e, actual, rtol, atol, context);
    }
    /**
     * Asserts |expected[i] - actual[i]| <= tol[i] for every i (a per-element error bound, e.g.
     * proportional to Σ|terms| for a sum); NaN matches only NaN, infinities must be equal.
     */
    public static void assertWithin(double[] expected, double[] tol, float[] actual, String context) {
        if (expected.length != actual.length) {
            fail(context + ": length " + actual.length + " != expected " + expected.length);
        }
        int worst = -1;
        double worstRatio = 1;
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            if (Double.isNaN(e) || Double.isNaN(a) || Double.isInfinite(e) || Double.isInfinite(a)) {
                if (!(Double.isNaN(e) && Double.isNaN(a)) && e != a) {
                    fail(context + ": at index " + i + " expected " + e + " but was " + a);
                }
                continue;
            }
            double err = Math.abs(e - a);
            double ratio = tol[i] > 0 ? err / tol[i] : (err > 0 ? Double.POSITIVE_INFINITY : 0);
            if (ratio > worstRatio) {
                worstRatio = ratio;
                worst = i;
            }
        }
        if (worst >= 0) {
            fail(context + ": worst mismatch at index " + worst + " of " + expected.length + ": expected "
                    + expected[worst] + " but was " + actual[worst] + " (error " + Math.abs(expected[worst] - actual[worst])
                    + " > bound " + tol[worst] + ")");
        }
    }
}

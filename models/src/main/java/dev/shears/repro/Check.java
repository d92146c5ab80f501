package dev.shears.repro;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One machine-parsable claim check of a reproduction (methods.md §0.2):
 * {@code CHECK <name> key=value ... verdict=PASS|FAIL|INCONCLUSIVE}. Keys keep their insertion
 * order; numbers are formatted by the caller or by {@link Builder#value(String, double, int)}.
 *
 * @param name   the check's name ({@code lth}, {@code gmp}, ...)
 * @param fields the measured figures, in print order
 */
public record Check(String name, Map<String, String> fields, Verdict verdict) {

    /** The outcome of a claim. */
    public enum Verdict {
        PASS, FAIL, INCONCLUSIVE;

        public static Verdict of(boolean pass) {
            return pass ? PASS : FAIL;
        }
    }

    public Check {
        Objects.requireNonNull(name, "name");
        fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** Starts a check line. */
    public static Builder named(String name) {
        if (name == null || name.isBlank() || name.contains(" ")) {
            throw new IllegalArgumentException("Check: bad name '" + name + "'");
        }
        return new Builder(name);
    }

    /** The line as printed: {@code CHECK name k=v ... [verdict=V]} (no verdict for a data-only line). */
    public String line() {
        StringBuilder sb = new StringBuilder("CHECK ").append(name);
        fields.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        if (verdict != null) {
            sb.append(" verdict=").append(verdict);
        }
        return sb.toString();
    }

    /** Collects the fields of a {@link Check}. */
    public static final class Builder {
        private final String name;
        private final Map<String, String> fields = new LinkedHashMap<>();

        private Builder(String name) {
            this.name = name;
        }

        public Builder value(String key, Object value) {
            if (key.contains(" ") || key.contains("=")) {
                throw new IllegalArgumentException("Check " + name + ": bad key '" + key + "'");
            }
            fields.put(key, String.valueOf(value).replace(' ', '_'));
            return this;
        }

        /** A number with {@code decimals} digits after the point (NaN prints as {@code nan}). */
        public Builder value(String key, double value, int decimals) {
            return value(key, Double.isNaN(value) ? "nan" : String.format(Locale.ROOT, "%." + decimals + "f", value));
        }

        /** A line that only reports figures (a per-level line, for example). */
        public Check data() {
            return new Check(name, fields, null);
        }

        public Check verdict(Verdict verdict) {
            return new Check(name, fields, Objects.requireNonNull(verdict, "verdict"));
        }
    }
}

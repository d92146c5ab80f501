package dev.shears.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A results table with fixed columns, written as markdown ({@code results.md}), CSV and
 * JSON-ready rows. Cells are strings, formatted by the caller, so all three show the same figures.
 *
 * <pre>{@code
 * ResultTable t = new ResultTable("level", "remaining %", "accuracy %");
 * t.row("3", "51.2", "98.10");
 * runDir.writeText("levels.csv", t.csv());
 * }</pre>
 */
public final class ResultTable {
    private final List<String> columns;
    private final List<List<String>> rows = new ArrayList<>();

    public ResultTable(String... columns) {
        if (columns.length == 0) {
            throw new IllegalArgumentException("ResultTable: no columns");
        }
        this.columns = List.of(columns);
    }

    /** Appends a row; {@code cells} are turned into strings with {@link String#valueOf}. */
    public ResultTable row(Object... cells) {
        if (cells.length != columns.size()) {
            throw new IllegalArgumentException("ResultTable: row of " + cells.length + " cells for " + columns.size()
                    + " columns " + columns);
        }
        List<String> row = new ArrayList<>(cells.length);
        for (Object c : cells) {
            row.add(String.valueOf(c));
        }
        rows.add(List.copyOf(row));
        return this;
    }

    public List<String> columns() {
        return columns;
    }

    public int size() {
        return rows.size();
    }

    /** A GitHub-flavoured markdown table, numbers right-aligned (a column whose every cell parses as one, or is {@code -} for a missing figure). */
    public String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append('|');
        for (String c : columns) {
            sb.append(' ').append(escape(c)).append(" |");
        }
        sb.append("\n|");
        for (int j = 0; j < columns.size(); j++) {
            sb.append(numericColumn(j) ? "---:|" : "---|");
        }
        sb.append('\n');
        for (List<String> r : rows) {
            sb.append('|');
            for (String cell : r) {
                sb.append(' ').append(escape(cell)).append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** RFC-4180 CSV with a header row; cells holding a comma, quote or line break are quoted. */
    public String csv() {
        StringBuilder sb = new StringBuilder();
        csvLine(sb, columns);
        for (List<String> r : rows) {
            csvLine(sb, r);
        }
        return sb.toString();
    }

    /** The rows as column → cell maps, in column order (for {@code results.json}). */
    public List<Map<String, String>> records() {
        List<Map<String, String>> out = new ArrayList<>();
        for (List<String> r : rows) {
            Map<String, String> m = new LinkedHashMap<>();
            for (int j = 0; j < columns.size(); j++) {
                m.put(columns.get(j), r.get(j));
            }
            out.add(m);
        }
        return out;
    }

    private boolean numericColumn(int j) {
        boolean any = false;
        for (List<String> r : rows) {
            String cell = r.get(j).replace("%", "").replace("x", "");
            if (cell.isEmpty() || cell.equals("-")) {
                continue; // a missing figure
            }
            any = true;
            try {
                Double.parseDouble(cell);
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return any;
    }

    private static String escape(String cell) {
        return cell.replace("|", "\\|").replace("\n", " ");
    }

    private static void csvLine(StringBuilder sb, List<String> cells) {
        for (int j = 0; j < cells.size(); j++) {
            if (j > 0) {
                sb.append(',');
            }
            String c = cells.get(j);
            if (c.contains(",") || c.contains("\"") || c.contains("\n") || c.contains("\r")) {
                sb.append('"').append(c.replace("\"", "\"\"")).append('"');
            } else {
                sb.append(c);
            }
        }
        sb.append('\n');
    }
}

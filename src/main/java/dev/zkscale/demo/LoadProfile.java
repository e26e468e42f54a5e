package dev.zkscale.demo;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The workload's CPU demand over the story, one value per pass, as a fraction of the story's peak (the peak pass is
 * 1.0). Either the built-in curve (steady, a ramp, a spike around the middle, a fall) or a trace file of
 * {@code seconds,value} rows whose whole span is compressed into the story: each pass gets the mean of the rows in
 * its slice of the trace.
 */
final class LoadProfile {
    /** The built-in curve: (fraction of the story, fraction of the peak), joined by straight lines. */
    private static final double[][] BUILT_IN = {
        {0.00, 0.20},
        {0.08, 0.20},
        {0.35, 0.55},
        {0.45, 0.55},
        {0.53, 1.00},
        {0.62, 1.00},
        {0.72, 0.30},
        {0.85, 0.15},
        {1.00, 0.15}
    };

    private final double[] fractions;
    private final String description;

    private LoadProfile(double[] fractions, String description) {
        this.fractions = fractions;
        this.description = description;
    }

    /** The built-in story: steady, a ramp up, a spike around the middle, a fall. */
    static LoadProfile builtIn(int passes) {
        double[] values = new double[passes];
        for (int i = 0; i < passes; i++) {
            double u = (i + 0.5) / passes;
            for (int k = 1; k < BUILT_IN.length; k++) {
                if (u <= BUILT_IN[k][0]) {
                    double[] a = BUILT_IN[k - 1];
                    double[] b = BUILT_IN[k];
                    values[i] = a[1] + (b[1] - a[1]) * (u - a[0]) / (b[0] - a[0]);
                    break;
                }
            }
        }
        return new LoadProfile(normalized(values), "built-in: steady, a ramp up, a spike mid-way, a fall");
    }

    /**
     * A trace file: an optional header naming the columns {@code seconds} and {@code value} (other columns are
     * ignored), then rows of numbers with increasing seconds. Without a header the first two columns are taken.
     * Blank lines and lines starting with {@code #} are skipped.
     *
     * @throws DemoException naming the file, the line and what is wrong
     */
    static LoadProfile trace(Path file, int passes) throws DemoException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new DemoException(
                    "cannot read trace " + file + ": no such file; give a CSV file of seconds,value " + "rows");
        } catch (AccessDeniedException e) {
            throw new DemoException("cannot read trace " + file + ": permission denied");
        } catch (MalformedInputException e) {
            throw new DemoException(
                    "cannot read trace " + file + ": not UTF-8 text; give a CSV file of " + "seconds,value rows");
        } catch (IOException e) {
            throw new DemoException("cannot read trace " + file + ": " + e.getMessage());
        }
        int secondsColumn = 0;
        int valueColumn = 1;
        boolean headerSeen = false;
        List<double[]> rows = new ArrayList<>();
        for (int n = 1; n <= lines.size(); n++) {
            String line = lines.get(n - 1).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] cells = line.split(",", -1);
            if (!headerSeen && rows.isEmpty() && !numeric(cells[0])) {
                headerSeen = true;
                secondsColumn = column(cells, "seconds");
                valueColumn = column(cells, "value");
                if (secondsColumn < 0 || valueColumn < 0) {
                    throw new DemoException("trace " + file + " line " + n + ": the header must name the columns "
                            + "seconds and value, got \"" + line + "\"");
                }
                continue;
            }
            if (cells.length <= Math.max(secondsColumn, valueColumn)) {
                throw new DemoException(
                        "trace " + file + " line " + n + ": expected seconds,value, got \"" + line + "\"");
            }
            double seconds = number(file, n, "seconds", cells[secondsColumn]);
            double value = number(file, n, "value", cells[valueColumn]);
            if (seconds < 0 || value < 0) {
                throw new DemoException(
                        "trace " + file + " line " + n + ": seconds and value must be >= 0, got \"" + line + "\"");
            }
            if (!rows.isEmpty() && seconds <= rows.get(rows.size() - 1)[0]) {
                throw new DemoException("trace " + file + " line " + n + ": seconds must increase, got "
                        + cells[secondsColumn].strip() + " after " + format(rows.get(rows.size() - 1)[0]));
            }
            rows.add(new double[] {seconds, value});
        }
        if (rows.size() < 2) {
            throw new DemoException(
                    "trace " + file + ": needs at least two rows of seconds,value, found " + rows.size());
        }
        double first = rows.get(0)[0];
        double span = rows.get(rows.size() - 1)[0] - first;
        double[] values = new double[passes];
        int row = 0;
        for (int i = 0; i < passes; i++) {
            double from = first + span * i / passes;
            double to = first + span * (i + 1) / passes;
            double sum = 0;
            int count = 0;
            boolean last = i == passes - 1;
            while (row < rows.size() && (rows.get(row)[0] < to || last)) {
                if (rows.get(row)[0] >= from) {
                    sum += rows.get(row)[1];
                    count++;
                }
                row++;
            }
            values[i] = count > 0 ? sum / count : interpolate(rows, (from + to) / 2);
        }
        if (java.util.Arrays.stream(values).max().orElse(0) <= 0) {
            throw new DemoException("trace " + file + ": every value is 0; there is no load to scale on");
        }
        return new LoadProfile(
                normalized(values),
                "trace " + file.getFileName() + ": " + rows.size() + " rows, " + duration(span)
                        + " compressed into the story");
    }

    /** The demand during pass {@code pass}, as a fraction of the peak. */
    double at(int pass) {
        return fractions[pass];
    }

    String description() {
        return description;
    }

    private static double[] normalized(double[] values) {
        double max = java.util.Arrays.stream(values).max().orElse(1);
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = max > 0 ? values[i] / max : 0;
        }
        return out;
    }

    private static double interpolate(List<double[]> rows, double at) {
        for (int k = 1; k < rows.size(); k++) {
            double[] a = rows.get(k - 1);
            double[] b = rows.get(k);
            if (at <= b[0]) {
                return a[1] + (b[1] - a[1]) * (at - a[0]) / (b[0] - a[0]);
            }
        }
        return rows.get(rows.size() - 1)[1];
    }

    private static int column(String[] header, String name) {
        for (int i = 0; i < header.length; i++) {
            if (header[i].strip().replace("\"", "").equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean numeric(String cell) {
        try {
            Double.parseDouble(cell.strip());
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static double number(Path file, int line, String column, String cell) throws DemoException {
        try {
            double value = Double.parseDouble(cell.strip());
            if (Double.isFinite(value)) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new DemoException(
                "trace " + file + " line " + line + ": " + column + " \"" + cell.strip() + "\" is not a number");
    }

    private static String format(double seconds) {
        return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : Double.toString(seconds);
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s >= 86400) {
            return String.format(Locale.ROOT, "%.1f days", s / 86400.0);
        }
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%.1f hours", s / 3600.0);
        }
        return s + " s";
    }
}

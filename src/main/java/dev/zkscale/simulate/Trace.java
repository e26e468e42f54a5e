package dev.zkscale.simulate;

import dev.zkscale.codec.InvalidInputException;
import dev.zkscale.codec.LineReader;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * A load trace: rows of {@code seconds,value}, seconds strictly ascending, values at least 0. Between two rows the
 * value is the earlier row's (step hold); before the first row it is the first row's.
 */
public final class Trace {
    /** A longer line is refused without being held (a file with no line end must not take the heap). */
    static final int MAX_LINE_BYTES = 1024 * 1024;

    private final String name;
    private final double[] seconds;
    private final double[] values;
    private final double max;

    Trace(String name, double[] seconds, double[] values) {
        this.name = name;
        this.seconds = seconds;
        this.values = values;
        this.max = Arrays.stream(values).max().orElse(0);
    }

    /**
     * Reads CSV rows {@code seconds,value}. A first line that is not two numbers is a header, which must name the
     * columns {@code seconds} and {@code value} (in any order); other columns are ignored, and so are blank lines and
     * a UTF-8 byte order mark. Each line is decoded on its own, so a byte that is not UTF-8 is reported with its line.
     *
     * @param name the file's name, for messages
     * @throws InvalidInputException naming the file and the line of the first malformed row
     */
    public static Trace csv(String name, InputStream input) throws InvalidInputException, IOException {
        LineReader in = new LineReader(input, MAX_LINE_BYTES);
        Rows rows = new Rows();
        int secondsColumn = 0;
        int valueColumn = 1;
        boolean first = true;
        while (true) {
            String line;
            try {
                line = in.next();
            } catch (InvalidInputException e) {
                throw new InvalidInputException(name + ": line " + in.number() + ": " + e.getMessage());
            }
            if (line == null) {
                break;
            }
            int number = in.number();
            if (line.isBlank()) {
                continue;
            }
            String[] fields = line.split(",", -1);
            if (first) {
                first = false;
                if (!isNumber(fields[0]) || fields.length < 2 || !isNumber(fields[1])) {
                    secondsColumn = column(fields, "seconds");
                    valueColumn = column(fields, "value");
                    if (secondsColumn < 0 || valueColumn < 0) {
                        throw new InvalidInputException(name + ": line " + number + ": not a row of two numbers "
                                + "(seconds,value) nor a header naming the columns seconds and value: \""
                                + abbreviate(line) + "\"");
                    }
                    continue;
                }
            }
            String where = name + ": line " + number + ": ";
            if (fields.length <= Math.max(secondsColumn, valueColumn)) {
                throw new InvalidInputException(where + "expected " + (Math.max(secondsColumn, valueColumn) + 1)
                        + " columns, got " + fields.length + ": \"" + abbreviate(line) + "\"");
            }
            double second = number(where, "seconds", fields[secondsColumn]);
            double value = number(where, "value", fields[valueColumn]);
            if (value < 0) {
                throw new InvalidInputException(where + "value: must be >= 0, got " + fields[valueColumn].trim());
            }
            if (rows.size > 0 && second <= rows.seconds[rows.size - 1]) {
                throw new InvalidInputException(where + "seconds: must be ascending, got "
                        + fields[secondsColumn].trim() + " after " + format(rows.seconds[rows.size - 1]));
            }
            rows.add(second, value);
        }
        if (rows.size == 0) {
            throw new InvalidInputException(name + ": no rows (seconds,value)");
        }
        return rows.trace(name);
    }

    /** The rows with {@code from <= seconds <= to} (either bound may be null); at least one must remain. */
    public Trace cut(Double from, Double to) throws InvalidInputException {
        int start = 0;
        while (start < seconds.length && from != null && seconds[start] < from) {
            start++;
        }
        int end = seconds.length;
        while (end > start && to != null && seconds[end - 1] > to) {
            end--;
        }
        if (start == end) {
            throw new InvalidInputException(name + ": no rows between --from " + (from == null ? "-" : format(from))
                    + " and --to " + (to == null ? "-" : format(to)) + " (the trace runs from " + format(seconds[0])
                    + " to " + format(seconds[seconds.length - 1]) + ")");
        }
        if (start == 0 && end == seconds.length) {
            return this;
        }
        return new Trace(name, Arrays.copyOfRange(seconds, start, end), Arrays.copyOfRange(values, start, end));
    }

    /** The value at {@code t}: the last row's at or before it, the first row's before the first. */
    public double valueAt(double t) {
        int i = Arrays.binarySearch(seconds, t);
        if (i < 0) {
            i = Math.max(0, -i - 2);
        }
        return values[i];
    }

    public String name() {
        return name;
    }

    public int rows() {
        return seconds.length;
    }

    public double first() {
        return seconds[0];
    }

    public double last() {
        return seconds[seconds.length - 1];
    }

    /** The highest value (0 for a trace of zeros). */
    public double max() {
        return max;
    }

    /** A number of seconds as a person writes it: {@code 60}, {@code 0.5}. */
    static String format(double seconds) {
        return seconds == Math.rint(seconds) && Math.abs(seconds) < 1e15
                ? Long.toString((long) seconds)
                : Double.toString(seconds);
    }

    private static int column(String[] header, String column) {
        for (int i = 0; i < header.length; i++) {
            if (unquote(header[i]).toLowerCase(Locale.ROOT).equals(column)) {
                return i;
            }
        }
        return -1;
    }

    private static String unquote(String field) {
        String f = field.trim();
        return f.length() >= 2 && f.startsWith("\"") && f.endsWith("\"")
                ? f.substring(1, f.length() - 1).trim()
                : f;
    }

    private static boolean isNumber(String field) {
        try {
            return Double.isFinite(Double.parseDouble(unquote(field)));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static double number(String where, String column, String field) throws InvalidInputException {
        String text = unquote(field);
        try {
            double number = Double.parseDouble(text);
            if (Double.isFinite(number) && !text.endsWith("d") && !text.endsWith("f")) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidInputException(where + column + ": not a number: \"" + abbreviate(field) + "\"");
    }

    private static String abbreviate(String text) {
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }

    /** Rows as they are read, in growing arrays. */
    static final class Rows {
        private double[] seconds = new double[1024];
        private double[] values = new double[1024];
        private int size;

        void add(double second, double value) {
            if (size == seconds.length) {
                seconds = Arrays.copyOf(seconds, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            seconds[size] = second;
            values[size] = value;
            size++;
        }

        int size() {
            return size;
        }

        double lastSecond() {
            return seconds[size - 1];
        }

        Trace trace(String name) {
            return new Trace(name, Arrays.copyOf(seconds, size), Arrays.copyOf(values, size));
        }
    }
}

package dev.zkscale.codec;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Typed, validated reads of one JSON object's fields. Every failure names the field by its path
 * ({@code config.behavior.scaleUp.policies[0].value}) and the rule broken. A JSON {@code null} reads as absent.
 */
final class Fields {
    private final JsonNode node;
    private final String path;

    private Fields(JsonNode node, String path) {
        this.node = node;
        this.path = path;
    }

    static Fields of(JsonNode node, String path) throws InvalidInputException {
        if (node == null || !node.isObject()) {
            throw new InvalidInputException(path + ": must be a JSON object, got " + describe(node));
        }
        return new Fields(node, path);
    }

    /** Rejects every field not named. */
    Fields only(Set<String> names) throws InvalidInputException {
        Iterator<String> it = node.fieldNames();
        while (it.hasNext()) {
            String name = it.next();
            if (!names.contains(name)) {
                throw new InvalidInputException(at(name) + ": unknown field");
            }
        }
        return this;
    }

    String at(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    boolean has(String name) {
        JsonNode value = node.get(name);
        return value != null && !value.isNull();
    }

    JsonNode raw(String name) {
        return node.get(name);
    }

    Fields object(String name) throws InvalidInputException {
        return has(name) ? of(node.get(name), at(name)) : null;
    }

    long integer(String name, Long fallback, long min, long max) throws InvalidInputException {
        if (!has(name)) {
            if (fallback == null) {
                throw new InvalidInputException(at(name) + ": required");
            }
            return fallback;
        }
        JsonNode value = node.get(name);
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            long number = value.longValue();
            if (number < min || number > max) {
                throw new InvalidInputException(at(name) + ": must be " + range(min, max) + ", got " + value);
            }
            return number;
        }
        if (!value.isIntegralNumber() && !(value.isNumber() && isWhole(value.decimalValue()))) {
            throw new InvalidInputException(at(name) + ": must be an integer, got " + describe(value));
        }
        BigDecimal number = value.decimalValue();
        if (number.compareTo(BigDecimal.valueOf(min)) < 0 || number.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw new InvalidInputException(at(name) + ": must be " + range(min, max) + ", got " + value);
        }
        return number.longValueExact();
    }

    Long optionalInteger(String name, long min, long max) throws InvalidInputException {
        return has(name) ? integer(name, null, min, max) : null;
    }

    BigDecimal decimal(String name, BigDecimal min) throws InvalidInputException {
        JsonNode value = node.get(name);
        if (!value.isNumber()) {
            throw new InvalidInputException(at(name) + ": must be a number, got " + describe(value));
        }
        return atLeast(name, value.decimalValue(), min);
    }

    BigDecimal atLeast(String name, BigDecimal number, BigDecimal min) throws InvalidInputException {
        if (number.compareTo(min) < 0) {
            throw new InvalidInputException(at(name) + ": must be >= " + min.toPlainString() + ", got " + number);
        }
        return number;
    }

    String string(String name, String fallback) throws InvalidInputException {
        if (!has(name)) {
            if (fallback == null) {
                throw new InvalidInputException(at(name) + ": required");
            }
            return fallback;
        }
        JsonNode value = node.get(name);
        if (!value.isTextual() || value.asText().isEmpty()) {
            throw new InvalidInputException(at(name) + ": must be a non-empty string, got " + describe(value));
        }
        return value.asText();
    }

    String optionalString(String name) throws InvalidInputException {
        return has(name) ? string(name, null) : null;
    }

    <E extends Enum<E>> E choice(String name, Class<E> type, E fallback) throws InvalidInputException {
        String text = string(name, fallback == null ? null : fallback.name());
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(text)) {
                return constant;
            }
        }
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            names.add(constant.name());
        }
        throw new InvalidInputException(at(name) + ": must be one of " + String.join(", ", names) + ", got \"" + text
                + "\"");
    }

    boolean bool(String name, boolean fallback) throws InvalidInputException {
        if (!has(name)) {
            return fallback;
        }
        JsonNode value = node.get(name);
        if (!value.isBoolean()) {
            throw new InvalidInputException(at(name) + ": must be true or false, got " + describe(value));
        }
        return value.booleanValue();
    }

    /** An RFC 3339 time, or null when absent. */
    Instant time(String name) throws InvalidInputException {
        if (!has(name)) {
            return null;
        }
        JsonNode value = node.get(name);
        try {
            if (value.isTextual()) {
                return parseTime(value.asText());
            }
        } catch (DateTimeException e) {
            // reported below
        }
        throw new InvalidInputException(at(name) + ": must be an RFC 3339 UTC time like 2026-01-01T00:00:00Z, got "
                + describe(value));
    }

    /** The elements of an array field, each required to be an object; an absent field is an empty list. */
    List<Fields> objects(String name) throws InvalidInputException {
        List<Fields> items = new ArrayList<>();
        if (!has(name)) {
            return items;
        }
        JsonNode value = node.get(name);
        if (!value.isArray()) {
            throw new InvalidInputException(at(name) + ": must be an array, got " + describe(value));
        }
        for (int i = 0; i < value.size(); i++) {
            items.add(of(value.get(i), at(name) + "[" + i + "]"));
        }
        return items;
    }

    /**
     * RFC 3339. The common form {@code 2026-01-01T00:10:00Z} is read directly: {@code Instant.parse} builds a
     * formatter per call, which dominated reading a snapshot.
     */
    static Instant parseTime(String text) {
        if (text.length() == 20 && text.charAt(4) == '-' && text.charAt(7) == '-' && text.charAt(10) == 'T'
                && text.charAt(13) == ':' && text.charAt(16) == ':' && text.charAt(19) == 'Z') {
            LocalDateTime time = LocalDateTime.of(digits(text, 0, 4), digits(text, 5, 7), digits(text, 8, 10),
                    digits(text, 11, 13), digits(text, 14, 16), digits(text, 17, 19));
            return time.toInstant(ZoneOffset.UTC);
        }
        return Instant.parse(text);
    }

    /**
     * The text {@link Instant#toString()} gives ({@code 2026-01-01T00:10:00Z}, with 3, 6 or 9 digits of fraction
     * when there is one), written directly for years 1970 to 9999: {@code Instant.toString} goes through a formatter
     * and allocates about 2 KB a call, most of what writing a decision record entry allocated.
     */
    static String formatTime(Instant time) {
        long seconds = time.getEpochSecond();
        if (seconds < 0 || seconds >= 253_402_300_800L) {
            return time.toString();
        }
        LocalDate date = LocalDate.ofEpochDay(seconds / 86_400);
        int ofDay = (int) (seconds % 86_400);
        int nanos = time.getNano();
        int fraction = nanos == 0 ? 0 : nanos % 1_000_000 == 0 ? 3 : nanos % 1_000 == 0 ? 6 : 9;
        char[] out = new char[20 + (fraction == 0 ? 0 : fraction + 1)];
        put(out, 0, date.getYear(), 4);
        out[4] = '-';
        put(out, 5, date.getMonthValue(), 2);
        out[7] = '-';
        put(out, 8, date.getDayOfMonth(), 2);
        out[10] = 'T';
        put(out, 11, ofDay / 3600, 2);
        out[13] = ':';
        put(out, 14, ofDay / 60 % 60, 2);
        out[16] = ':';
        put(out, 17, ofDay % 60, 2);
        if (fraction > 0) {
            out[19] = '.';
            put(out, 20, nanos / (int) Math.pow(10, 9 - fraction), fraction);
        }
        out[out.length - 1] = 'Z';
        return new String(out);
    }

    private static void put(char[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new DateTimeException("not a digit at " + i);
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isWhole(BigDecimal number) {
        return number.signum() == 0 || number.stripTrailingZeros().scale() <= 0;
    }

    private static String range(long min, long max) {
        if (max == Long.MAX_VALUE || max == Integer.MAX_VALUE) {
            return ">= " + min;
        }
        return "between " + min + " and " + max;
    }

    static String describe(JsonNode value) {
        if (value == null || value.isMissingNode()) {
            return "nothing";
        }
        String text = value.toString();
        return text.length() > 40 ? text.substring(0, 37) + "..." : text;
    }
}

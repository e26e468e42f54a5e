package dev.zkscale.codec;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
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
        throw new InvalidInputException(
                at(name) + ": must be one of " + String.join(", ", names) + ", got \"" + text + "\"");
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
                return Rfc3339.parse(value.asText());
            }
        } catch (DateTimeException e) {
            // reported below
        }
        throw new InvalidInputException(
                at(name) + ": must be an RFC 3339 UTC time like 2026-01-01T00:00:00Z, got " + describe(value));
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

package dev.zkscale.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Typed, validated reads of one JSON object's fields. Every failure names the field by its path
 * ({@code config.behavior.scaleUp.policies[0].value}) and the rule broken, on one line. A JSON {@code null} reads as
 * absent.
 */
final class Fields {
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final JsonNode node;
    private final String path;
    /** The path of the field read last, shared by every {@code Fields} of one {@link #read}. */
    private final String[] cursor;

    private Fields(JsonNode node, String path, String[] cursor) {
        this.node = node;
        this.path = path;
        this.cursor = cursor;
    }

    /** A document's reader. */
    @FunctionalInterface
    interface Reader<T> {
        T read(Fields f) throws InvalidInputException;
    }

    /**
     * Reads the object {@code node} at {@code path} with {@code reader}. Anything the reader throws besides the
     * validation error (an arithmetic corner no rule foresaw) becomes one, naming the field being read: no input makes
     * a reader fail in any other way.
     */
    static <T> T read(JsonNode node, String path, Reader<T> reader) throws InvalidInputException {
        Fields f = of(node, path, new String[] {path});
        try {
            return reader.read(f);
        } catch (RuntimeException e) {
            String field = f.cursor[0].isEmpty() ? "(the document)" : f.cursor[0];
            throw new InvalidInputException(
                    field + ": cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static Fields of(JsonNode node, String path, String[] cursor) throws InvalidInputException {
        if (node == null || !node.isObject()) {
            throw new InvalidInputException(path + ": must be a JSON object, got " + describe(node));
        }
        return new Fields(node, path, cursor);
    }

    /** A field's name as messages give it: as it is when plain, else quoted and escaped (never a line break). */
    static String name(String name) {
        if (PLAIN_NAME.matcher(name).matches()) {
            return name;
        }
        int end = name.length() <= 40 ? name.length() : name.offsetByCodePoints(0, 37);
        return TextNode.valueOf(end == name.length() ? name : name.substring(0, end) + "...")
                .toString();
    }

    /** The value of a field, noting it as the one being read. */
    private JsonNode value(String name) {
        cursor[0] = at(name);
        return node.get(name);
    }

    /** Rejects every field not named. */
    Fields only(Set<String> names) throws InvalidInputException {
        Iterator<String> it = node.fieldNames();
        while (it.hasNext()) {
            String name = it.next();
            if (!names.contains(name)) {
                throw new InvalidInputException(at(name(name)) + ": unknown field");
            }
        }
        return this;
    }

    String at(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    boolean has(String name) {
        JsonNode value = value(name);
        return value != null && !value.isNull();
    }

    JsonNode raw(String name) {
        return value(name);
    }

    Fields object(String name) throws InvalidInputException {
        return has(name) ? of(value(name), at(name), cursor) : null;
    }

    long integer(String name, Long fallback, long min, long max) throws InvalidInputException {
        if (!has(name)) {
            if (fallback == null) {
                throw new InvalidInputException(at(name) + ": required");
            }
            return fallback;
        }
        JsonNode value = value(name);
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            long number = value.longValue();
            if (number < min || number > max) {
                throw new InvalidInputException(
                        at(name) + ": must be " + range(min, max, number > max) + ", got " + value);
            }
            return number;
        }
        if (!value.isIntegralNumber() && !(value.isNumber() && isWhole(value.decimalValue()))) {
            throw new InvalidInputException(at(name) + ": must be an integer, got " + describe(value));
        }
        BigDecimal number = value.decimalValue();
        boolean above = number.compareTo(BigDecimal.valueOf(max)) > 0;
        if (above || number.compareTo(BigDecimal.valueOf(min)) < 0) {
            throw new InvalidInputException(at(name) + ": must be " + range(min, max, above) + ", got " + value);
        }
        return number.longValueExact();
    }

    Long optionalInteger(String name, long min, long max) throws InvalidInputException {
        return has(name) ? integer(name, null, min, max) : null;
    }

    BigDecimal decimal(String name, BigDecimal min, BigDecimal max) throws InvalidInputException {
        JsonNode value = value(name);
        if (!value.isNumber()) {
            throw new InvalidInputException(at(name) + ": must be a number, got " + describe(value));
        }
        return within(name, value.decimalValue(), min, max);
    }

    BigDecimal within(String name, BigDecimal number, BigDecimal min, BigDecimal max) throws InvalidInputException {
        if (number.compareTo(min) < 0) {
            throw new InvalidInputException(at(name) + ": must be >= " + min.toPlainString() + ", got " + number);
        }
        if (number.compareTo(max) > 0) {
            throw new InvalidInputException(at(name) + ": must be <= " + max.toPlainString() + ", got " + number);
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
        JsonNode value = value(name);
        if (!value.isTextual() || value.asText().isEmpty()) {
            throw new InvalidInputException(at(name) + ": must be a non-empty string, got " + describe(value));
        }
        return value.asText();
    }

    String optionalString(String name) throws InvalidInputException {
        return has(name) ? string(name, null) : null;
    }

    /** A Kubernetes name: a DNS-1123 label ({@code subdomain} false) or subdomain, or {@code fallback} if absent. */
    String kubernetesName(String name, String fallback, boolean subdomain) throws InvalidInputException {
        String text = string(name, fallback);
        if (!(subdomain ? KubernetesNames.isSubdomain(text) : KubernetesNames.isLabel(text))) {
            throw new InvalidInputException(at(name) + ": must be "
                    + (subdomain ? KubernetesNames.SUBDOMAIN_RULE : KubernetesNames.LABEL_RULE) + ", got "
                    + describe(TextNode.valueOf(text)));
        }
        return text;
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
        throw new InvalidInputException(at(name) + ": must be one of " + String.join(", ", names) + ", got "
                + describe(TextNode.valueOf(text)));
    }

    boolean bool(String name, boolean fallback) throws InvalidInputException {
        if (!has(name)) {
            return fallback;
        }
        JsonNode value = value(name);
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
        JsonNode value = value(name);
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
        JsonNode value = value(name);
        if (!value.isArray()) {
            throw new InvalidInputException(at(name) + ": must be an array, got " + describe(value));
        }
        for (int i = 0; i < value.size(); i++) {
            cursor[0] = at(name) + "[" + i + "]";
            items.add(of(value.get(i), cursor[0], cursor));
        }
        return items;
    }

    private static boolean isWhole(BigDecimal number) {
        return number.signum() == 0 || number.stripTrailingZeros().scale() <= 0;
    }

    /** The rule a value broke: an unbounded side (a Java type's limit) is left out unless it is the one broken. */
    private static String range(long min, long max, boolean above) {
        if (max == Long.MAX_VALUE || max == Integer.MAX_VALUE) {
            return above ? "<= " + max : ">= " + min;
        }
        return "between " + min + " and " + max;
    }

    static String describe(JsonNode value) {
        if (value == null || value.isMissingNode()) {
            return "nothing";
        }
        String text = value.toString();
        if (text.length() <= 40) {
            return text;
        }
        // Never half of a surrogate pair.
        int end = Character.isHighSurrogate(text.charAt(36)) ? 36 : 37;
        return text.substring(0, end) + "...";
    }
}

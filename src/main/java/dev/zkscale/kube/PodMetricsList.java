package dev.zkscale.kube;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.zkscale.core.Pod;
import dev.zkscale.core.PodMetrics;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code metrics.k8s.io/v1beta1} PodMetricsList read with Jackson's streaming parser into exactly what the loop
 * needs of each item: its pod's name and labels, {@code timestamp}, {@code window} and each container's
 * {@code usage.cpu}. Nothing else of the list is kept (memory usage, managed fields, other metadata are skipped token
 * by token), and no object model is built: at 15,000 items a namespace the fabric8 model costs several times the
 * parse.
 *
 * <p>A missing field takes Go's zero value, as the HPA would decode it. An item whose fields are present but cannot
 * be read (a window that is not a duration, a CPU that is not a quantity, a field of the wrong JSON type, no name) is
 * left out and counted: it harms only its own pod, which the decision then sees without metrics. Text that is not
 * JSON fails the whole list, as no item after it can be trusted.
 */
final class PodMetricsList {
    private static final JsonFactory JSON = new JsonFactory();

    /**
     * The readable items, and how many were not.
     *
     * @param items the readable items with their labels, in list order
     * @param unreadable how many items were left out
     * @param firstError why the first left-out item was, or null when none was
     */
    record Parsed(List<Item> items, int unreadable, String firstError) {}

    /** One readable item and its pod's labels (metrics-server copies them from the pod). */
    record Item(Map<String, String> labels, PodMetrics metrics) {}

    private PodMetricsList() {}

    /**
     * Parses a PodMetricsList response body.
     *
     * @throws IOException when the body is not JSON, or not a JSON object
     */
    static Parsed parse(byte[] body) throws IOException {
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("the response is not a JSON object");
            }
            List<Item> items = new ArrayList<>();
            Errors errors = new Errors();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("items") && value == JsonToken.START_ARRAY) {
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        item(p, items, errors);
                    }
                } else {
                    p.skipChildren();
                }
            }
            return new Parsed(List.copyOf(items), errors.count, errors.first);
        }
    }

    /**
     * What one list's parse remembers: what was left out, and why the first was; the last timestamp and window read
     * (metrics-server stamps the pods of a node alike, and every window is the same), so that each distinct text is
     * parsed once.
     */
    private static final class Errors {
        int count;
        String first;
        String timestampText;
        Instant timestamp;
        String windowText;
        long window;

        void add(String name, String why) {
            if (count++ == 0) {
                first = "item " + (name == null ? "without a name" : name) + ": " + why;
            }
        }
    }

    /** One item, the parser at its first token; on return, at its last. */
    private static void item(JsonParser p, List<Item> items, Errors errors) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            errors.add(null, "not a JSON object");
            return;
        }
        Fields f = new Fields();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "metadata" -> metadata(p, f);
                case "timestamp" -> f.timestamp = text(p, f, "timestamp");
                case "window" -> f.window = text(p, f, "window");
                case "containers" -> containers(p, f);
                default -> p.skipChildren();
            }
        }
        if (f.name == null && f.error == null) {
            f.error = "no metadata.name";
        }
        Instant at = Pod.VERY_OLD;
        if (f.timestamp != null && f.timestamp.equals(errors.timestampText)) {
            at = errors.timestamp;
        } else if (f.timestamp != null) {
            try {
                at = Conversions.instant(f.timestamp);
                errors.timestampText = f.timestamp;
                errors.timestamp = at;
            } catch (DateTimeException e) {
                f.fail("timestamp \"" + f.timestamp + "\" is not an RFC 3339 time");
            }
        }
        long window = 0;
        if (f.window != null && f.window.equals(errors.windowText)) {
            window = errors.window;
        } else if (f.window != null) {
            try {
                window = GoDuration.seconds(f.window);
                errors.windowText = f.window;
                errors.window = window;
            } catch (IllegalArgumentException e) {
                f.fail("window: " + e.getMessage());
            }
        }
        if (f.error == null) {
            items.add(new Item(f.labels, new PodMetrics(f.name, at, window, f.usages)));
        } else {
            errors.add(f.name, f.error);
        }
    }

    /** What an item says, as read so far; {@code error} is the first field that could not be read. */
    private static final class Fields {
        String name;
        Map<String, String> labels = Map.of();
        String timestamp;
        String window;
        final List<PodMetrics.Usage> usages = new ArrayList<>(2);
        String error;

        void fail(String why) {
            if (error == null) {
                error = why;
            }
        }
    }

    private static void metadata(JsonParser p, Fields f) throws IOException {
        if (!object(p, f, "metadata")) {
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            if (field.equals("name")) {
                f.name = text(p, f, "metadata.name");
            } else if (field.equals("labels") && object(p, f, "metadata.labels")) {
                Map<String, String> labels = new HashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    p.nextToken();
                    String value = text(p, f, "label " + key);
                    if (value != null) {
                        labels.put(key, value);
                    }
                }
                f.labels = labels;
            } else {
                p.skipChildren();
            }
        }
    }

    private static void containers(JsonParser p, Fields f) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return;
        }
        if (p.currentToken() != JsonToken.START_ARRAY) {
            p.skipChildren();
            f.fail("containers is not a list");
            return;
        }
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (!object(p, f, "containers[] entry")) {
                continue;
            }
            String name = "";
            Long cpu = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("name")) {
                    String text = text(p, f, "container name");
                    name = text == null ? "" : text;
                } else if (field.equals("usage") && object(p, f, "usage")) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String resource = p.currentName();
                        p.nextToken();
                        if (resource.equals("cpu")) {
                            cpu = milli(p, f);
                        } else {
                            p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
            f.usages.add(new PodMetrics.Usage(name, cpu));
        }
    }

    /** The CPU quantity in millicores, or null when absent or unreadable (then the item fails). */
    private static Long milli(JsonParser p, Fields f) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.VALUE_STRING && t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
            p.skipChildren();
            f.fail("usage.cpu is not a quantity");
            return null;
        }
        String text = p.getText();
        try {
            // A negative usage would pull the average down; a huge one would overflow the sums.
            return Conversions.cpu(Conversions.milli(text), text);
        } catch (IllegalArgumentException e) {
            f.fail("usage.cpu: " + e.getMessage());
            return null;
        }
    }

    /** The string value at the parser, null for JSON null; any other type fails the item (and is skipped). */
    private static String text(JsonParser p, Fields f, String what) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (t != JsonToken.VALUE_NULL) {
            p.skipChildren();
            f.fail(what + " is not a string");
        }
        return null;
    }

    /** True when the parser is at an object's start; JSON null is false, any other type fails the item. */
    private static boolean object(JsonParser p, Fields f, String what) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            return true;
        }
        if (t != JsonToken.VALUE_NULL) {
            p.skipChildren();
            f.fail(what + " is not an object");
        }
        return false;
    }
}

package dev.zkscale.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.zkscale.core.Decider;
import dev.zkscale.core.Pod;
import dev.zkscale.core.ScalingRules;
import dev.zkscale.core.Snapshot;
import dev.zkscale.core.TargetConfig;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Thousands of malformed configs and snapshots, made by mutating valid ones with a seeded generator (the same inputs
 * each run): numbers with huge or tiny exponents or thousands of digits, wrong types, names Kubernetes refuses,
 * control characters and emoji, impossible years, fields given twice, data after the object, truncation, bytes that
 * are not UTF-8, deep nesting. Whatever the input, the readers either accept a config or snapshot that keeps every
 * rule, or throw the validation error, whose one line names the field (or, for text that is not JSON, the line and
 * column or the byte). Nothing else escapes.
 */
class MalformedInputFuzzTest {
    private static final int CASES = 2000;
    private static final ObjectMapper PLAIN = new ObjectMapper();

    static final String CONFIG =
            "{\"scaleTargetRef\":{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"name\":\"web\"},"
                    + "\"minReplicas\":2,\"maxReplicas\":20,\"targetCPUUtilizationPercentage\":60,"
                    + "\"container\":\"app\","
                    + "\"tolerance\":0.1,\"downscaleStabilizationSeconds\":300,\"cpuInitializationPeriodSeconds\":300,"
                    + "\"initialReadinessDelaySeconds\":30,\"behavior\":{\"scaleUp\":{\"stabilizationWindowSeconds\":0,"
                    + "\"selectPolicy\":\"Max\",\"policies\":[{\"type\":\"Pods\",\"value\":4,\"periodSeconds\":15},"
                    + "{\"type\":\"Percent\",\"value\":100,\"periodSeconds\":15}],\"tolerance\":\"50m\"},"
                    + "\"scaleDown\":{\"stabilizationWindowSeconds\":300,\"selectPolicy\":\"Min\",\"policies\":"
                    + "[{\"type\":\"Percent\",\"value\":10,\"periodSeconds\":60}],\"tolerance\":0.05}},"
                    + "\"mode\":\"Active\"}";

    static final String SNAPSHOT =
            "{\"now\":\"2026-01-01T00:10:00Z\",\"target\":{\"namespace\":\"shop\",\"name\":\"web\"},"
                    + "\"config\":" + CONFIG + ",\"scale\":{\"specReplicas\":3,\"statusReplicas\":3},"
                    + "\"pods\":[" + pod("web-1") + "," + pod("web-2") + "],"
                    + "\"podMetrics\":[" + usage("web-1") + "," + usage("web-2") + "],"
                    + "\"history\":{\"recommendations\":[{\"time\":\"2026-01-01T00:09:00Z\",\"replicas\":3}],"
                    + "\"scaleUpEvents\":[],\"scaleDownEvents\":[{\"time\":\"2026-01-01T00:05:00Z\",\"replicas\":1}]}}";

    private static String pod(String name) {
        return "{\"name\":\"" + name + "\",\"phase\":\"Running\",\"ready\":true,\"deleting\":false,"
                + "\"startTime\":\"2026-01-01T00:00:00Z\",\"readyTransitionTime\":\"2026-01-01T00:00:30Z\","
                + "\"containers\":[{\"name\":\"app\",\"requestMilliCpu\":500,\"restartableInit\":false}]}";
    }

    private static String usage(String pod) {
        return "{\"pod\":\"" + pod + "\",\"timestamp\":\"2026-01-01T00:09:45Z\",\"windowSeconds\":30,"
                + "\"containers\":[{\"name\":\"app\",\"usageMilliCpu\":450}]}";
    }

    /** Raw JSON text (or not quite JSON) put where a value was. */
    private static final List<String> POISONS = List.of(
            "1e99999999999",
            "1e2147483648",
            "1e-2147483648",
            "1e2147483647",
            "-1e2147483647",
            "1e-2147483647",
            "1e400",
            "-1e400",
            "1e-400",
            "1001",
            "\"1e400\"",
            "\"1e99999999999\"",
            "\"1e2147483648\"",
            "\"1e-2147483648\"",
            "\"1e2147483647m\"",
            "\"1001\"",
            "\"-0.5\"",
            "9".repeat(2001),
            "0." + "0".repeat(1500) + "1",
            "-0",
            "0.5",
            "1.5e3",
            "9223372036854775808",
            "-9223372036854775809",
            "2147483648",
            "NaN",
            "Infinity",
            "-Infinity",
            "\"NaN\"",
            "\"Infinity\"",
            "true",
            "null",
            "[]",
            "{}",
            "\"\"",
            "[1,2]",
            "{\"a\":1}",
            "\"a/b\"",
            "\"../../x\"",
            "\"Web\"",
            "\"" + "a".repeat(300) + "\"",
            "\"" + "a".repeat(64) + "\"",
            "\"" + ("a".repeat(63) + ".").repeat(4) + "a\"",
            "\"a\\u0000b\"",
            "\"web\u0000\"",
            "\"\uD83D\uDE00\"",
            "\"\\ud800\"",
            "\"-web\"",
            "\"web-\"",
            "\"a..b\"",
            "\"a\\nb\"",
            "\"a\u0085b\u007f\"",
            "\"0000-01-01T00:00:00Z\"",
            "\"+999999999-01-01T00:00:00Z\"",
            "\"10000-01-01T00:00:00Z\"",
            "\"-0001-01-01T00:00:00Z\"",
            "\"2026-13-01T00:00:00Z\"",
            "\"2026-01-01T24:00:00Z\"",
            "\"2026-01-01\"",
            "\"0001-01-01T00:00:00+01:00\"",
            "\"9999-12-31T23:59:59.999999999Z\"",
            "[".repeat(2000) + "]".repeat(2000),
            "{\"a\":".repeat(600) + "1" + "}".repeat(600));

    private static final List<String> ODD_KEYS =
            List.of("maxReplicas ", "a\u0000", "a\u0085", "\uD83D\uDE00", "a\nb", "", "x".repeat(200));

    private static final List<byte[]> BAD_BYTES = List.of(
            new byte[] {(byte) 0xff},
            new byte[] {(byte) 0xc0, (byte) 0x80},
            new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
            new byte[] {(byte) 0x80},
            new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
            new byte[] {0});

    /** A message naming a field: a path (names, quoted names, indices) then ": ". */
    private static final Pattern NAMES_FIELD =
            Pattern.compile("(\"[^\"]*\"|[A-Za-z][A-Za-z0-9]*)(\\[[0-9]+\\]|\\.(\"[^\"]*\"|[A-Za-z0-9_-]+))*: .+");
    /** A message about the whole text, saying where when it is not JSON. */
    private static final Pattern NAMES_PLACE = Pattern.compile(
            "not valid JSON: .+ \\(line [0-9]+, column [0-9]+\\)|not valid UTF-8 text \\(byte [0-9]+\\)|empty"
                    + "|must be a JSON object, got [a-z]+");

    private final Map<String, Integer> counts = new TreeMap<>();
    private final List<String> failures = new ArrayList<>();

    @Test
    @DisplayName("no malformed config escapes as anything but a validation error naming its field")
    void configs() throws Exception {
        Random random = new Random(13);
        ObjectNode defaults = ConfigNodes.defaults((byte[]) null);
        ConfigNodes.target(defaults, CONFIG.getBytes(StandardCharsets.UTF_8), "web");
        for (int i = 0; i < CASES; i++) {
            byte[] data = mutate(CONFIG, random);
            check("target", data, d -> invariants(ConfigNodes.target(defaults, d, "web")));
            check("defaults", data, d -> ConfigNodes.defaults(d));
        }
        report("configs");
    }

    @Test
    @DisplayName("no malformed snapshot escapes as anything but a validation error naming its field")
    void snapshots() throws Exception {
        Random random = new Random(31);
        SnapshotCodec.read(SNAPSHOT, 1000);
        for (int i = 0; i < CASES; i++) {
            byte[] data = mutate(SNAPSHOT, random);
            check("snapshot", data, d -> {
                Snapshot s = SnapshotCodec.read(StrictJson.decode(d), 1000);
                invariants(s);
                SnapshotCodec.write(Decider.decide(s));
            });
        }
        report("snapshots");
    }

    @FunctionalInterface
    private interface Reader {
        void read(byte[] data) throws InvalidInputException;
    }

    private void check(String kind, byte[] data, Reader reader) {
        String outcome;
        try {
            reader.read(data);
            outcome = "accepted";
        } catch (InvalidInputException e) {
            String m = e.getMessage();
            boolean oneLine = m.length() <= 500 && m.codePoints().noneMatch(Character::isISOControl);
            if (NAMES_FIELD.matcher(m).matches() && oneLine) {
                outcome = "rejected naming a field";
            } else if (NAMES_PLACE.matcher(m).matches() && oneLine) {
                outcome = "rejected naming a place";
            } else {
                outcome = "rejected without saying where";
                failures.add(kind + ": " + m + " <- " + excerpt(data));
            }
        } catch (AssertionError | RuntimeException | StackOverflowError e) {
            outcome = "escaped";
            failures.add(kind + ": " + e + " <- " + excerpt(data));
        }
        counts.merge(kind + " " + outcome, 1, Integer::sum);
    }

    private void report(String what) {
        System.out.println("fuzz " + what + ": " + counts);
        assertEquals(List.of(), failures.subList(0, Math.min(5, failures.size())), failures.size() + " failures");
    }

    private static String excerpt(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }

    /** What an accepted config must keep: Kubernetes names, finite tolerances within bounds. */
    private static void invariants(TargetConfig c) {
        assertTrue(KubernetesNames.isSubdomain(c.workloadName()), c.workloadName());
        assertTrue(c.container() == null || KubernetesNames.isLabel(c.container()), c.container());
        assertTrue(c.minReplicas() >= 1 && c.minReplicas() <= c.maxReplicas(), c.toString());
        tolerance(c.tolerance());
        if (c.behavior() != null) {
            for (ScalingRules rules :
                    List.of(c.behavior().scaleUp(), c.behavior().scaleDown())) {
                if (rules.tolerance() != null) {
                    tolerance(rules.tolerance());
                }
            }
        }
    }

    private static void tolerance(double t) {
        assertTrue(Double.isFinite(t) && t >= 0 && t <= 1000, "tolerance " + t);
    }

    private static void invariants(Snapshot s) {
        invariants(s.config());
        assertTrue(KubernetesNames.isLabel(s.target().namespace()), s.target().namespace());
        assertTrue(KubernetesNames.isSubdomain(s.target().name()), s.target().name());
        year(s.now());
        for (Pod p : s.pods()) {
            assertTrue(KubernetesNames.isSubdomain(p.name()), p.name());
            year(p.startTime());
            year(p.readyTransitionTime());
        }
    }

    private static void year(Instant time) {
        if (time != null) {
            String text = time.toString();
            assertTrue(text.length() > 4 && text.charAt(4) == '-' && !text.startsWith("0000"), text);
        }
    }

    /** One to three mutations of the document, then perhaps one of its bytes. */
    private static byte[] mutate(String seed, Random random) throws Exception {
        JsonNode tree = PLAIN.readTree(seed);
        Map<String, String> raw = new TreeMap<>();
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            List<Consumer<String>> slots = new ArrayList<>();
            List<ObjectNode> objects = new ArrayList<>();
            collect(tree, slots, objects);
            String placeholder = "\u0001P" + i + "\u0001";
            String key = "\u0001K" + i + "\u0001";
            ObjectNode o = objects.get(random.nextInt(objects.size()));
            List<String> keys = new ArrayList<>();
            o.fieldNames().forEachRemaining(keys::add);
            switch (random.nextInt(5)) {
                case 0, 1 -> {
                    slots.get(random.nextInt(slots.size())).accept(placeholder);
                    raw.put(placeholder, POISONS.get(random.nextInt(POISONS.size())));
                }
                case 2 -> {
                    // The same field twice.
                    if (!keys.isEmpty()) {
                        o.put(key, 1);
                        raw.put(
                                key,
                                TextNode.valueOf(keys.get(random.nextInt(keys.size())))
                                        .toString());
                    }
                }
                case 3 -> {
                    if (!keys.isEmpty()) {
                        o.remove(keys.get(random.nextInt(keys.size())));
                    }
                }
                default -> o.put(ODD_KEYS.get(random.nextInt(ODD_KEYS.size())), 1);
            }
        }
        String text = PLAIN.writeValueAsString(tree);
        for (Map.Entry<String, String> r : raw.entrySet()) {
            text = text.replace(PLAIN.writeValueAsString(r.getKey()), r.getValue());
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return switch (random.nextInt(8)) {
            case 0 -> Arrays.copyOf(bytes, random.nextInt(bytes.length));
            case 1 ->
                concat(
                        bytes,
                        List.of(" {}", " x", ",1", "\n{}", "]")
                                .get(random.nextInt(5))
                                .getBytes());
            case 2 -> insert(bytes, random.nextInt(bytes.length), BAD_BYTES.get(random.nextInt(BAD_BYTES.size())));
            default -> bytes;
        };
    }

    /** Every value (a setter to replace it) and every object in the tree. */
    private static void collect(JsonNode node, List<Consumer<String>> slots, List<ObjectNode> objects) {
        if (node instanceof ObjectNode o) {
            objects.add(o);
            o.fieldNames().forEachRemaining(name -> slots.add(v -> o.put(name, v)));
            o.elements().forEachRemaining(child -> collect(child, slots, objects));
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                int index = i;
                slots.add(v -> a.set(index, TextNode.valueOf(v)));
                collect(a.get(i), slots, objects);
            }
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        return insert(a, a.length, b);
    }

    private static byte[] insert(byte[] data, int at, byte[] extra) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(data, 0, at);
        out.write(extra, 0, extra.length);
        out.write(data, at, data.length - at);
        return out.toByteArray();
    }
}

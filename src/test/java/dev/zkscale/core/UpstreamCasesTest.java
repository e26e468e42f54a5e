package dev.zkscale.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscale.codec.SnapshotCodec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The scenarios of the upstream HPA tests ({@code replica_calculator_test.go}, {@code horizontal_test.go}), written
 * as our own snapshots with the outcome upstream asserts, in {@code src/test/resources/hpa-cases/*.jsonl}. Only the
 * fields a case's {@code expect} names are checked.
 */
class UpstreamCasesTest {
    private static final List<String> FILES = List.of("replica-calculator.jsonl", "horizontal.jsonl");

    static List<Arguments> cases() throws IOException {
        List<Arguments> cases = new ArrayList<>();
        for (String file : FILES) {
            try (InputStream in = UpstreamCasesTest.class.getResourceAsStream("/hpa-cases/" + file)) {
                if (in == null) {
                    continue;
                }
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    if (!line.isBlank()) {
                        JsonNode c = SnapshotCodec.MAPPER.readTree(line);
                        cases.add(Arguments.of(
                                Named.of(file + ": " + c.get("name").asText(), c)));
                    }
                }
            }
        }
        return cases;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void decidesAsUpstream(JsonNode c) throws Exception {
        JsonNode decision = SnapshotCodec.write(Decider.decide(SnapshotCodec.read(c.get("snapshot"), 1000)));
        Iterator<Map.Entry<String, JsonNode>> expectations = c.get("expect").fields();
        while (expectations.hasNext()) {
            Map.Entry<String, JsonNode> e = expectations.next();
            JsonNode expected = e.getValue();
            switch (e.getKey()) {
                case "errorContains" -> {
                    assertNotNull(decision.get("error").textValue(), "expected an error containing " + expected);
                    assertTrue(
                            decision.get("error").asText().contains(expected.asText()),
                            "error \"" + decision.get("error").asText() + "\" should contain " + expected);
                }
                case "error" -> assertNull(decision.get("error").textValue(), "error");
                case "conditions" -> assertConditions(expected, decision.get("conditions"));
                default -> assertSame(expected, decision.get(e.getKey()), e.getKey() + " in " + decision);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    @DisplayName("a snapshot written back to JSON (as the decision record keeps it) replays to the same decision")
    void replaysFromTheRecord(JsonNode c) throws Exception {
        Snapshot snapshot = SnapshotCodec.read(c.get("snapshot"), 1000);
        Snapshot recorded = SnapshotCodec.read(
                SnapshotCodec.MAPPER.readTree(SnapshotCodec.MAPPER.writeValueAsString(SnapshotCodec.write(snapshot))),
                1000);
        assertEquals(snapshot, recorded);
        assertEquals(Decider.decide(snapshot), Decider.decide(recorded));
    }

    /** JSON equality where numbers compare by value (an int 5 equals a long 5). */
    private static void assertSame(JsonNode expected, JsonNode actual, String what) {
        Comparator<JsonNode> numbersByValue = (a, b) ->
                a.isNumber() && b.isNumber() ? a.decimalValue().compareTo(b.decimalValue()) : a.equals(b) ? 0 : 1;
        assertTrue(expected.equals(numbersByValue, actual), what + ": expected " + expected + " but was " + actual);
    }

    private static void assertConditions(JsonNode expected, JsonNode actual) {
        assertEquals(expected.size(), actual.size(), "conditions " + actual);
        for (int i = 0; i < expected.size(); i++) {
            Iterator<Map.Entry<String, JsonNode>> fields = expected.get(i).fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                assertSame(
                        f.getValue(),
                        actual.get(i).get(f.getKey()),
                        "conditions[" + i + "]." + f.getKey() + " in " + actual);
            }
        }
    }
}

package dev.zkscale.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.zkscale.core.TargetConfig;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The rules for a config ZNode's content, no ZooKeeper: what is refused, and how a target merges over defaults. */
class ConfigNodesTest {

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static Stream<Arguments> notObjects() {
        byte[] big = new byte[ConfigNodes.MAX_CONFIG_BYTES + 1];
        Arrays.fill(big, (byte) ' ');
        return Stream.of(
                bad("no data", null, "empty"),
                bad("zero bytes", new byte[0], "empty"),
                bad("only blanks", bytes(" \n\t"), "empty"),
                bad("only a UTF-8 byte order mark", bytes("\uFEFF"), "empty"),
                bad("a byte order mark before an array", bytes("\uFEFF[1]"), "must be a JSON object, got array"),
                bad("too large", big, "too large: 65537 bytes, the limit is 65536"),
                bad("not UTF-8", new byte[] {'{', (byte) 0xff, '}'}, "not valid UTF-8 text (byte 2)"),
                bad("an array", bytes("[1]"), "must be a JSON object, got array"),
                bad("a number", bytes("3"), "must be a JSON object, got number"),
                bad(
                        "data after the object",
                        bytes("{} {}"),
                        "not valid JSON: more data after the JSON value (line 1, column 4)"),
                bad(
                        "a field given twice",
                        bytes("{\"maxReplicas\": 3,\n \"maxReplicas\": 4}"),
                        "not valid JSON: Duplicate field 'maxReplicas' (line 2, column 15)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notObjects")
    @DisplayName("a config is one JSON object of UTF-8 text within the size limit, or it is refused saying why")
    void object(byte[] data, String expected) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ConfigNodes.object(data));
        assertEquals(expected, e.getMessage());
    }

    static Stream<Arguments> badDefaults() {
        return Stream.of(
                bad("an unknown field", bytes("{\"maxReplica\": 4}"), "maxReplica: unknown field"),
                bad(
                        "a workload name",
                        bytes("{\"scaleTargetRef\": {\"name\": \"web\"}}"),
                        "scaleTargetRef.name: not allowed in the defaults "
                                + "(every target would scale that one workload)"),
                bad("an out-of-range value", bytes("{\"tolerance\": -1}"), "tolerance: must be >= 0, got -1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badDefaults")
    @DisplayName("the defaults are a partial config: maxReplicas may be absent, anything wrong is refused")
    void defaults(byte[] data, String expected) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ConfigNodes.defaults(data));
        assertEquals(expected, e.getMessage());
    }

    static Stream<Arguments> merges() {
        return Stream.of(
                merge("no defaults", null, "{\"maxReplicas\": 4}", "web min 1 max 4 cpu 80 behavior false"),
                merge(
                        "the defaults fill what the target leaves out",
                        "{\"minReplicas\": 2, \"targetCPUUtilizationPercentage\": 60}",
                        "{\"maxReplicas\": 4}",
                        "web min 2 max 4 cpu 60 behavior false"),
                merge(
                        "the target's values win",
                        "{\"minReplicas\": 2, \"maxReplicas\": 10}",
                        "{\"maxReplicas\": 4, \"minReplicas\": 3}",
                        "web min 3 max 4 cpu 80 behavior false"),
                merge(
                        "a null in the target removes the default",
                        "{\"minReplicas\": 2, \"behavior\": {}}",
                        "{\"maxReplicas\": 4, \"behavior\": null}",
                        "web min 2 max 4 cpu 80 behavior false"),
                merge(
                        "objects merge field by field",
                        "{\"scaleTargetRef\": {\"kind\": \"StatefulSet\"}, \"maxReplicas\": 4}",
                        "{\"scaleTargetRef\": {\"name\": \"db\"}}",
                        "StatefulSet db min 1 max 4 cpu 80 behavior false"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("merges")
    @DisplayName("a target's config is its data merged over the defaults")
    void target(String defaults, String target, String expected) throws InvalidInputException {
        TargetConfig c = ConfigNodes.target(
                ConfigNodes.defaults(defaults == null ? null : bytes(defaults)), bytes(target), "web");
        assertEquals(
                expected,
                (c.kind().equals("Deployment") ? "" : c.kind() + " ") + c.workloadName() + " min " + c.minReplicas()
                        + " max " + c.maxReplicas() + " cpu " + c.targetCPUUtilizationPercentage() + " behavior "
                        + (c.behavior() != null));
    }

    private static Arguments bad(String name, byte[] data, String expected) {
        return Arguments.of(Named.of(name, data), expected);
    }

    private static Arguments merge(String name, String defaults, String target, String expected) {
        return Arguments.of(Named.of(name, defaults), target, expected);
    }
}

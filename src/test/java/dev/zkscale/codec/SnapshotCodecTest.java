package dev.zkscale.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.zkscale.core.Pod;
import dev.zkscale.core.Snapshot;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SnapshotCodecTest {
    private static final String BASE =
            "\"now\":\"2026-01-01T00:10:00Z\",\"target\":{\"namespace\":\"shop\",\"name\":\"web\"},"
                    + "\"config\":{\"maxReplicas\":5},\"scale\":{\"specReplicas\":2}";

    private static Snapshot read(String rest) throws Exception {
        return SnapshotCodec.read(SnapshotCodec.MAPPER.readTree("{" + BASE + rest + "}"), 1000);
    }

    @Test
    @DisplayName("optional snapshot fields read as upstream's zero values; history absent means a never-seen target")
    void lenientDefaults() throws Exception {
        Snapshot s = read(",\"pods\":[{\"name\":\"p\",\"containers\":[{\"name\":\"app\"}]}],"
                + "\"podMetrics\":[{\"pod\":\"p\",\"containers\":[]}]");
        Pod p = s.pods().get(0);
        assertEquals("", p.phase());
        assertEquals(Pod.Readiness.NONE, p.ready());
        assertNull(p.startTime());
        assertEquals(Pod.VERY_OLD, p.readyTransitionTime());
        assertNull(p.containers().get(0).requestMilliCpu());
        assertEquals(Pod.VERY_OLD, s.podMetrics().get(0).timestamp());
        assertEquals(2, s.statusReplicas());
        assertNull(s.history());
    }

    @ParameterizedTest(name = "{0}")
    @DisplayName("invalid snapshots are refused with the field's path")
    @CsvSource(
            delimiter = '|',
            value = {
                ",\"extra\":1|snapshot.extra: unknown field",
                ",\"pods\":{}|snapshot.pods: must be an array, got {}",
                ",\"pods\":[{\"name\":\"p\"},{\"name\":\"p\"}]|snapshot.pods[1].name: \"p\" is listed twice",
                ",\"pods\":[{\"name\":\"p\",\"ready\":\"yes\"}]|"
                        + "snapshot.pods[0].ready: must be true, false, \"Unknown\" or null, got \"yes\"",
                ",\"pods\":[{\"name\":\"p\",\"startTime\":\"yesterday\"}]|"
                        + "snapshot.pods[0].startTime: must be an RFC 3339 UTC time like 2026-01-01T00:00:00Z, "
                        + "got \"yesterday\"",
                ",\"pods\":[{\"name\":\"p\",\"containers\":[{\"name\":\"a\",\"requestMilliCpu\":-5}]}]|"
                        + "snapshot.pods[0].containers[0].requestMilliCpu: must be between 0 and 1000000000000, got -5",
                ",\"podMetrics\":[{\"containers\":[]}]|snapshot.podMetrics[0].pod: required",
                ",\"history\":{\"recommendations\":[{\"replicas\":2}]}|"
                        + "snapshot.history.recommendations[0].time: required",
                ",\"pods\":[{\"name\":\"p\",\"startTime\":\"+999999999-01-01T00:00:00Z\"}]|"
                        + "snapshot.pods[0].startTime: must be an RFC 3339 UTC time like 2026-01-01T00:00:00Z, "
                        + "got \"+999999999-01-01T00:00:00Z\"",
                ",\"pods\":[{\"name\":\"p\",\"startTime\":\"0000-12-31T00:00:00Z\"}]|"
                        + "snapshot.pods[0].startTime: must be an RFC 3339 UTC time like 2026-01-01T00:00:00Z, "
                        + "got \"0000-12-31T00:00:00Z\"",
                ",\"pods\":[{\"name\":\"P_1\"}]|snapshot.pods[0].name: must be a DNS-1123 subdomain: at most 253 "
                        + "lower-case letters, digits, '-' and '.', each part starting and ending with a letter or "
                        + "digit, got \"P_1\""
            })
    void refused(String rest, String message) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> read(rest));
        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @DisplayName("a snapshot line is read strictly, and a number no BigDecimal holds names its field")
    @CsvSource(
            delimiter = '|',
            value = {
                "a field twice|,\"now\":\"2026-01-01T00:10:00Z\"|"
                        + "not valid JSON: Duplicate field 'now' (line 1, column 133)",
                "data after the object|} {|not valid JSON: more data after the JSON value (line 1, column 129)",
                "an exponent too large|,\"pods\":[{\"name\":\"p\",\"containers\":[{\"name\":\"a\","
                        + "\"requestMilliCpu\":1e2147483648}]}]|"
                        + "snapshot.pods[0].containers[0].requestMilliCpu: number out of range (line 1, column 192)"
            })
    void strictLines(String name, String rest, String message) {
        InvalidInputException e =
                assertThrows(InvalidInputException.class, () -> SnapshotCodec.read("{" + BASE + rest + "}", 1000));
        assertEquals(message, e.getMessage());
    }

    @Test
    @DisplayName("a number of 2001 digits is refused naming its field, not only Jackson's limit")
    void longNumber() {
        String line = "{\"now\":\"2026-01-01T00:10:00Z\",\"scale\":{\"specReplicas\":1" + "0".repeat(2000) + "}}";
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> SnapshotCodec.read(line, 1000));
        assertEquals(
                "snapshot.scale.specReplicas: not valid JSON: Number value length (2001) exceeds the maximum allowed "
                        + "(1000) (line 1, column 40)",
                e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @DisplayName("RFC 3339 times read as Instant.parse reads them")
    @CsvSource({
        "2026-01-01T00:10:00Z",
        "0001-01-01T00:00:00Z",
        "2026-02-28T23:59:59Z",
        "2026-01-01T00:10:00.250Z",
        "2026-01-01T01:10:00+01:00"
    })
    void times(String time) {
        assertEquals(java.time.Instant.parse(time), Rfc3339.parse(time));
    }

    @ParameterizedTest(name = "{0}")
    @DisplayName("impossible times, and years outside 0001 to 9999, are refused")
    @CsvSource({
        "2026-13-01T00:00:00Z",
        "2026-02-30T00:00:00Z",
        "2026-01-01T24:00:00Z",
        "2026-0a-01T00:00:00Z",
        "0000-01-01T00:00:00Z",
        "10000-01-01T00:00:00Z",
        "+10000-01-01T00:00:00Z",
        "-0001-01-01T00:00:00Z",
        "0001-01-01T00:00:00+01:00"
    })
    void impossibleTimes(String time) {
        assertThrows(java.time.DateTimeException.class, () -> Rfc3339.parse(time));
    }

    @Test
    @DisplayName("a missing config or scale is named")
    void requiredParts() {
        assertEquals(
                "snapshot.config: required",
                assertThrows(
                                InvalidInputException.class,
                                () -> SnapshotCodec.read(
                                        SnapshotCodec.MAPPER.readTree("{\"now\":\"2026-01-01T00:10:00Z\","
                                                + "\"target\":{\"namespace\":\"a\",\"name\":\"b\"}}"),
                                        1000))
                        .getMessage());
        assertEquals(
                "snapshot.scale: required",
                assertThrows(
                                InvalidInputException.class,
                                () -> SnapshotCodec.read(
                                        SnapshotCodec.MAPPER.readTree("{\"now\":\"2026-01-01T00:10:00Z\","
                                                + "\"target\":{\"namespace\":\"a\",\"name\":\"b\"},"
                                                + "\"config\":{\"maxReplicas\":3}}"),
                                        1000))
                        .getMessage());
    }
}

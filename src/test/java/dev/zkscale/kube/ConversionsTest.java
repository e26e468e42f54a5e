package dev.zkscale.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.zkscale.core.Pod;
import dev.zkscale.loop.Selector;
import dev.zkscale.loop.Workload;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The unit conversions the decision depends on, checked against what Kubernetes and Go compute. */
class ConversionsTest {

    @Test
    @DisplayName("the pods of a workload share their cached labels, namespace and containers, and keep what is read")
    void podsShare() {
        // Equal but distinct copies, as two pods read from the API server carry them.
        io.fabric8.kubernetes.api.model.Pod a = Fixtures.runningPod(
                new String("shop"), "web-1", new HashMap<>(Map.of("app", "web", "hash", "5d8f")), "500m");
        io.fabric8.kubernetes.api.model.Pod b = Fixtures.runningPod(
                new String("shop"), "web-2", new HashMap<>(Map.of("app", "web", "hash", "5d8f")), "500m");
        a.getMetadata().setResourceVersion("7");
        a.getMetadata().setUid("u-1");
        a.getMetadata().setDeletionTimestamp("2026-01-01T00:01:00Z");

        ObjectMeta kept = Conversions.identity(a.getMetadata());
        assertSame(kept.getLabels(), Conversions.identity(b.getMetadata()).getLabels());
        assertSame(kept.getNamespace(), Conversions.identity(b.getMetadata()).getNamespace());
        assertSame(Conversions.pod(a).containers(), Conversions.pod(b).containers());
        assertEquals(
                List.of("web-1", "shop", "7", "2026-01-01T00:01:00Z", Map.of("app", "web", "hash", "5d8f")),
                Arrays.asList(
                        kept.getName(),
                        kept.getNamespace(),
                        kept.getResourceVersion(),
                        kept.getDeletionTimestamp(),
                        kept.getLabels()));
        assertEquals(Conversions.pod(b), Conversions.pod(Fixtures.runningPod("shop", "web-2", Map.of(), "500m")));
    }

    @ParameterizedTest(name = "a cpu request of {0}: {1}")
    @DisplayName("a container's cpu request is kept within 0 to a billion cores, else taken as none (the HPA refuses)")
    @CsvSource(
            nullValues = "none",
            value = {"500m, 500", "1e9, 1000000000000", "1000000001, none", "9e15, none", "1e400, none", "-1, none"})
    void cpuRequestBounds(String request, Long milli) {
        Pod pod = Conversions.pod(Fixtures.runningPod("shop", "web-1", Map.of(), request));

        assertEquals(milli, pod.containers().get(0).requestMilliCpu());
    }

    @ParameterizedTest(name = "{0} is {1} millicores")
    @DisplayName("CPU quantities become millicores rounded up, as Quantity.MilliValue()")
    @CsvSource({
        "1, 1000",
        "0.5, 500",
        "100m, 100",
        "1.0001, 1001",
        "250m, 250",
        "123456789n, 124",
        "1u, 1",
        "0, 0",
        "2k, 2000000",
        "1e-3, 1",
        "0.0001, 1",
        "3.9999m, 4"
    })
    void millicores(String quantity, long expected) {
        assertEquals(expected, Conversions.milli(quantity));
    }

    @ParameterizedTest(name = "{0} is {1} millicores, as BigDecimal arithmetic says")
    @DisplayName("the integer fast path for plain, m, u and n quantities agrees with the exact conversion")
    @CsvSource({
        "500m, 500",
        "7, 7000",
        "999u, 1",
        "1000u, 1",
        "1001u, 2",
        "1000000n, 1",
        "1000001n, 2",
        "0n, 0",
        "0m, 0",
        "999999999999999m, 999999999999999",
        "999999999999999, 999999999999999000",
        " 250m , 250",
        "1000000000000000m, 1000000000000000",
        "+5m, 5",
        "1Ki, 1024000",
        "1M, 1000000000"
    })
    void fastMillicores(String quantity, long expected) {
        assertEquals(expected, Conversions.milli(quantity));
        assertEquals(
                expected,
                Quantity.parse(quantity.trim())
                        .getNumericalAmount()
                        .movePointRight(3)
                        .setScale(0, RoundingMode.CEILING)
                        .longValueExact());
    }

    @ParameterizedTest(name = "{0}")
    @DisplayName("RFC 3339 times: the API server's form read directly, the others parsed, the bad ones refused")
    @CsvSource({
        "2026-01-01T00:00:30Z, 2026-01-01T00:00:30Z", "2024-02-29T23:59:59Z, 2024-02-29T23:59:59Z",
        "2026-01-01T00:00:30.5Z, 2026-01-01T00:00:30.500Z", "2026-01-01T01:00:30+01:00, 2026-01-01T00:00:30Z",
        "0001-01-01T00:00:00Z, 0001-01-01T00:00:00Z"
    })
    void times(String text, String expected) {
        assertEquals(Instant.parse(expected), Conversions.instant(text));
        assertEquals(OffsetDateTime.parse(text).toInstant(), Conversions.instant(text));
    }

    @ParameterizedTest(name = "\"{0}\" is refused")
    @DisplayName("times that are not RFC 3339, or not a real date, are refused, not guessed")
    @ValueSource(
            strings = {
                "2026-13-01T00:00:00Z",
                "2025-02-29T00:00:00Z",
                "2026-01-01T24:00:00Z",
                "2026-01-01 00:00:00Z",
                "2026-01-01T00:00:0xZ",
                "yesterday"
            })
    void badTimes(String text) {
        assertThrows(DateTimeException.class, () -> Conversions.instant(text));
        assertNull(Conversions.time(text, "pod", "field"));
    }

    @ParameterizedTest(name = "{0} is {1} s")
    @DisplayName("Go durations (as metrics-server writes windows) become whole seconds, rounded down")
    @CsvSource({
        "30s, 30",
        "1m0s, 60",
        "15.5s, 15",
        "1h2m3.5s, 3723",
        "500ms, 0",
        "1500ms, 1",
        "0, 0",
        "0s, 0",
        "2m30.999s, 150",
        "1.5m, 90",
        "90000000000ns, 90",
        "20us, 0",
        ".5m, 30"
    })
    void windows(String text, long seconds) {
        assertEquals(seconds, GoDuration.seconds(text));
    }

    @ParameterizedTest(name = "\"{0}\" is rejected")
    @DisplayName("text that is not a Go duration is rejected, not guessed")
    @ValueSource(strings = {"", "soon", "30", "1x", "s", "1..5s", "-", "1d"})
    void badWindows(String text) {
        assertThrows(IllegalArgumentException.class, () -> GoDuration.seconds(text));
    }

    @Test
    @DisplayName("the epoch annotation's key is escaped as a JSON pointer token")
    void pointer() {
        assertEquals("zkscale.dev~1leader-epoch", KubeScaleWriter.pointerToken(KubeCluster.EPOCH_ANNOTATION));
        assertEquals("a~0b~1c", KubeScaleWriter.pointerToken("a~b/c"));
    }

    static Stream<Arguments> patches() {
        String test = "{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\",\"value\":\"7\"},";
        String replace = "{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":5},";
        String epochPath = "/metadata/annotations/zkscale.dev~1leader-epoch";
        return Stream.of(
                Arguments.of(
                        "no annotations: the map is added",
                        null,
                        false,
                        "[" + test + replace + "{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":"
                                + "{\"zkscale.dev/leader-epoch\":\"3\"}}]"),
                Arguments.of(
                        "other annotations, no epoch: the epoch is added",
                        null,
                        true,
                        "[" + test + replace + "{\"op\":\"add\",\"path\":\"" + epochPath + "\",\"value\":\"3\"}]"),
                Arguments.of(
                        "an epoch as read is tested, then replaced",
                        "2",
                        true,
                        "[" + test + "{\"op\":\"test\",\"path\":\"" + epochPath + "\",\"value\":\"2\"}," + replace
                                + "{\"op\":\"add\",\"path\":\"" + epochPath + "\",\"value\":\"3\"}]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("patches")
    @DisplayName("the scale patch tests what the pass read (resourceVersion, epoch annotation) before it writes")
    void scalePatch(String name, String epochAnnotation, boolean annotated, String expected) {
        Workload web = new Workload(
                "shop",
                "Deployment",
                "web",
                2,
                2,
                new Selector(Map.of("app", "web"), List.of()),
                epochAnnotation == null ? 0 : Long.parseLong(epochAnnotation),
                "7",
                epochAnnotation,
                annotated);
        assertEquals(expected, KubeScaleWriter.patch(web, 5, 3));
    }
}

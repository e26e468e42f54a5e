package dev.zkscale.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zkscale.codec.SnapshotCodec;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The edge cases the upstream tables do not cover: boundaries of the tolerance band and the stabilization windows,
 * quantity tolerances, per-direction tolerance, readiness edge cases, ContainerResource gaps, select policies, the
 * history slots and arithmetic limits. Each row: a name, a snapshot, and the decision's expected fields.
 */
class DecisionRulesTest {
    private static final String NOW = "2026-01-01T00:10:00Z";
    static final String LONG_AGO = "2025-12-01T00:00:00Z";

    static Stream<Arguments> rows() {
        return Stream.of(
                row(
                        "tolerance band is inclusive: ratio exactly 1.1 keeps the size",
                        snapshot(
                                "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":100}",
                                3,
                                List.of(pod("p", 1000)),
                                List.of(metric("p", 1100)),
                                "{}"),
                        "recommendedReplicas",
                        3,
                        "utilizationPercent",
                        110),
                row(
                        "a ratio just above the band scales",
                        snapshot(
                                "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":100}",
                                1,
                                List.of(pod("p", 1000)),
                                List.of(metric("p", 1110)),
                                "{}"),
                        "recommendedReplicas",
                        2,
                        "desiredReplicas",
                        2),
                row(
                        "tolerance band is inclusive: ratio exactly 0.9 keeps the size",
                        snapshot(
                                "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":100}",
                                3,
                                List.of(pod("p", 1000)),
                                List.of(metric("p", 900)),
                                "{}"),
                        "recommendedReplicas",
                        3),
                row(
                        "a scale-down tolerance in behavior widens only the lower side",
                        snapshot(
                                "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":100,"
                                        + "\"behavior\":{\"scaleDown\":{\"tolerance\":\"0.5\"}}}",
                                3,
                                List.of(pod("p", 1000)),
                                List.of(metric("p", 600)),
                                "{}"),
                        "recommendedReplicas",
                        3),
                row(
                        "the upper side keeps the top-level tolerance when only scaleDown sets one",
                        snapshot(
                                "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":100,"
                                        + "\"behavior\":{\"scaleDown\":{\"tolerance\":\"0.5\"}}}",
                                1,
                                List.of(pod("p", 1000)),
                                List.of(metric("p", 1200)),
                                "{}"),
                        "recommendedReplicas",
                        2),
                row(
                        "a quantity tolerance \"50m\" is 0.05",
                        snapshot(
                                "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":100,"
                                        + "\"behavior\":{\"scaleUp\":{\"tolerance\":\"50m\"}}}",
                                1,
                                List.of(pod("p", 1000)),
                                List.of(metric("p", 1060)),
                                "{}"),
                        "recommendedReplicas",
                        2),
                row(
                        "no metrics at all: no decision, the size is kept, never read as zero load",
                        snapshot("{\"maxReplicas\":10}", 4, List.of(pod("p", 1000)), List.of(), "{}"),
                        "desiredReplicas",
                        4,
                        "recommendedReplicas",
                        null,
                        "error",
                        "failed to get cpu utilization: unable to get metrics for resource cpu: "
                                + "no metrics returned from resource metrics API",
                        "conditions",
                        "AbleToScale/SucceededGetScale,ScalingActive/FailedGetResourceMetric"),
                row(
                        "a pod without a start time is unready",
                        snapshot(
                                "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":100}",
                                2,
                                List.of(
                                        pod("p", 1000),
                                        pod("q", 1000)
                                                .replace("\"startTime\":\"" + LONG_AGO + "\"", "\"startTime\":null")),
                                List.of(metric("p", 500), metric("q", 2000)),
                                "{}"),
                        "readyPods",
                        1,
                        "unreadyPods",
                        "q",
                        "utilizationPercent",
                        50),
                row(
                        "a pod without a Ready condition is unready",
                        snapshot(
                                "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":100}",
                                2,
                                List.of(pod("p", 1000), pod("q", 1000).replace("\"ready\":true", "\"ready\":null")),
                                List.of(metric("p", 500), metric("q", 2000)),
                                "{}"),
                        "readyPods",
                        1,
                        "unreadyPods",
                        "q"),
                row(
                        "within the initialization period, a missing transition time reads as very old: the "
                                + "sample is fresh",
                        snapshot(
                                "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":100}",
                                1,
                                List.of(pod("p", 1000)
                                        .replace(LONG_AGO, "2026-01-01T00:09:00Z")
                                        .replace(",\"readyTransitionTime\":\"2026-01-01T00:09:00Z\"", "")),
                                List.of(metric("p", 2000)),
                                "{}"),
                        "readyPods",
                        1,
                        "recommendedReplicas",
                        2),
                row(
                        "ContainerResource: a pod whose metrics lack the container is missing, not an error",
                        snapshot(
                                "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":100,\"container\":\"app\"}",
                                2,
                                List.of(pod("p", 1000), pod("q", 1000)),
                                List.of(metric("p", 1000), metric("q", 1000).replace("\"app\"", "\"other\"")),
                                "{}"),
                        "missingPods",
                        "q",
                        "error",
                        null,
                        "recommendedReplicas",
                        2),
                row(
                        "ContainerResource: a pod without that container is an error",
                        snapshot(
                                "{\"maxReplicas\":10,\"container\":\"web\"}",
                                2,
                                List.of(pod("p", 1000)),
                                List.of(metric("p", 1000)),
                                "{}"),
                        "desiredReplicas",
                        2,
                        "error",
                        "failed to get cpu utilization: did not receive metrics for targeted pods "
                                + "(pods might be unready)",
                        "conditions",
                        "AbleToScale/SucceededGetScale,ScalingActive/FailedGetContainerResourceMetric"),
                row(
                        "selectPolicy Disabled on scale-up holds the size",
                        snapshot(
                                "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":100,"
                                        + "\"behavior\":{\"scaleUp\":{\"selectPolicy\":\"Disabled\"}}}",
                                1,
                                List.of(pod("p", 1000)),
                                List.of(metric("p", 3000)),
                                "{}"),
                        "recommendedReplicas",
                        3,
                        "desiredReplicas",
                        1,
                        "conditions",
                        "AbleToScale/ReadyForNewScale,ScalingActive/ValidMetricFound," + "ScalingLimited/ScaleUpLimit"),
                row(
                        "selectPolicy Min on scale-down takes the policy allowing the least change",
                        snapshot(
                                "{\"maxReplicas\":20,\"targetCPUUtilizationPercentage\":100,"
                                        + "\"behavior\":{\"scaleDown\":"
                                        + "{\"stabilizationWindowSeconds\":0,\"selectPolicy\":\"Min\",\"policies\":["
                                        + "{\"type\":\"Pods\",\"value\":2,\"periodSeconds\":60},"
                                        + "{\"type\":\"Percent\",\"value\":50,\"periodSeconds\":60}]}}}",
                                10,
                                List.of(pod("p", 1000), pod("q", 1000)),
                                List.of(metric("p", 100), metric("q", 100)),
                                "{}"),
                        "recommendedReplicas",
                        1,
                        "desiredReplicas",
                        8,
                        "conditions",
                        "AbleToScale/SucceededRescale,ScalingActive/ValidMetricFound,"
                                + "ScalingLimited/ScaleDownLimit"),
                row(
                        "behavior: a recommendation exactly at the window edge is outside the window",
                        snapshot(
                                "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":100,"
                                        + "\"behavior\":{\"scaleDown\":{\"stabilizationWindowSeconds\":60}}}",
                                4,
                                List.of(pod("p", 1000)),
                                List.of(metric("p", 2000)),
                                history("{\"time\":\"2026-01-01T00:09:00Z\",\"replicas\":4}", "", "")),
                        "recommendedReplicas",
                        2,
                        "desiredReplicas",
                        2),
                row(
                        "legacy: a recommendation exactly at the window edge is inside the window",
                        snapshot(
                                "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":100,"
                                        + "\"downscaleStabilizationSeconds\":60}",
                                4,
                                List.of(pod("p", 1000)),
                                List.of(metric("p", 2000)),
                                history("{\"time\":\"2026-01-01T00:09:00Z\",\"replicas\":4}", "", "")),
                        "recommendedReplicas",
                        2,
                        "desiredReplicas",
                        4,
                        "conditions",
                        "AbleToScale/ScaleDownStabilized,ScalingActive/ValidMetricFound,"
                                + "ScalingLimited/DesiredWithinRange"),
                row(
                        "legacy: the new recommendation takes the slot of the last expired one",
                        snapshot(
                                "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":100,"
                                        + "\"downscaleStabilizationSeconds\":60}",
                                2,
                                List.of(pod("p", 1000)),
                                List.of(metric("p", 2000)),
                                history(
                                        "{\"time\":\"2026-01-01T00:01:00Z\",\"replicas\":7},"
                                                + "{\"time\":\"2026-01-01T00:02:00Z\",\"replicas\":8},"
                                                + "{\"time\":\"2026-01-01T00:09:30Z\",\"replicas\":2}",
                                        "",
                                        "")),
                        "recommendations",
                        "7@2026-01-01T00:01:00Z,2@" + NOW + ",2@2026-01-01T00:09:30Z"),
                row(
                        "above maxReplicas with behavior: straight to max, and the scale-down is recorded",
                        snapshot(
                                "{\"maxReplicas\":5,\"behavior\":{}}",
                                8,
                                List.of(pod("p", 1000)),
                                List.of(metric("p", 1000)),
                                "{}"),
                        "desiredReplicas",
                        5,
                        "recommendedReplicas",
                        null,
                        "utilizationPercent",
                        null,
                        "conditions",
                        "AbleToScale/SucceededRescale",
                        "scaleDownEvents",
                        "3@" + NOW),
                row(
                        "rate limit: scale-ups already made in the period count against it",
                        snapshot(
                                "{\"maxReplicas\":100,\"targetCPUUtilizationPercentage\":100,\"behavior\":{\"scaleUp\":"
                                        + "{\"policies\":[{\"type\":\"Pods\",\"value\":4,\"periodSeconds\":60}]}}}",
                                6,
                                List.of(pod("p", 1000)),
                                List.of(metric("p", 20000)),
                                history("", "{\"time\":\"2026-01-01T00:09:30Z\",\"replicas\":3}", "")),
                        "desiredReplicas",
                        7,
                        "scaleUpEvents",
                        "3@2026-01-01T00:09:30Z,1@" + NOW),
                row(
                        "utilization beyond what 32 bits hold saturates instead of wrapping negative",
                        snapshot(
                                "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":100}",
                                2,
                                List.of(pod("p", 1)),
                                List.of(metric("p", 1_000_000_000L)),
                                "{}"),
                        "utilizationPercent",
                        Integer.MAX_VALUE,
                        "desiredReplicas",
                        4));
    }

    @ParameterizedTest
    @MethodSource("rows")
    void decides(String snapshot, List<Object> expected) throws Exception {
        Decision d = Decider.decide(SnapshotCodec.read(SnapshotCodec.MAPPER.readTree(snapshot), 1000));
        for (int i = 0; i < expected.size(); i += 2) {
            String field = (String) expected.get(i);
            Object want = expected.get(i + 1);
            Object got = switch (field) {
                case "desiredReplicas" -> d.desiredReplicas();
                case "recommendedReplicas" -> d.recommendedReplicas();
                case "utilizationPercent" -> d.utilizationPercent();
                case "readyPods" -> d.readyPods();
                case "unreadyPods" -> String.join(",", d.unreadyPods());
                case "missingPods" -> String.join(",", d.missingPods());
                case "error" -> d.error();
                case "conditions" ->
                    d.conditions().stream()
                            .map(c -> c.type() + "/" + c.reason())
                            .collect(Collectors.joining(","));
                case "recommendations" -> entries(d.historyAfterWrite().recommendations());
                case "scaleUpEvents" -> entries(d.historyAfterWrite().scaleUpEvents());
                case "scaleDownEvents" -> entries(d.historyAfterWrite().scaleDownEvents());
                default -> throw new IllegalArgumentException(field);
            };
            assertEquals(want, got, field + " in " + SnapshotCodec.write(d));
        }
    }

    private static String entries(List<History.Entry> entries) {
        return entries.stream().map(e -> e.replicas() + "@" + e.time()).collect(Collectors.joining(","));
    }

    private static Arguments row(String name, String snapshot, Object... expected) {
        return Arguments.of(Named.of(name, snapshot), Arrays.asList(expected));
    }

    static String snapshot(String config, int spec, List<String> pods, List<String> metrics, String history) {
        return "{\"now\":\"" + NOW + "\",\"target\":{\"namespace\":\"shop\",\"name\":\"web\"},\"config\":" + config
                + ",\"scale\":{\"specReplicas\":" + spec + "},\"pods\":[" + String.join(",", pods)
                + "],\"podMetrics\":[" + String.join(",", metrics) + "],\"history\":" + history + "}";
    }

    /** A Running, Ready pod with one container "app" requesting {@code request} millicores, started long ago. */
    static String pod(String name, long request) {
        return "{\"name\":\"" + name + "\",\"phase\":\"Running\",\"ready\":true,\"startTime\":\"" + LONG_AGO
                + "\",\"readyTransitionTime\":\"" + LONG_AGO
                + "\",\"containers\":[{\"name\":\"app\",\"requestMilliCpu\":"
                + request + "}]}";
    }

    /** A fresh 30-second sample of container "app". */
    static String metric(String pod, long usage) {
        return "{\"pod\":\"" + pod + "\",\"timestamp\":\"" + NOW + "\",\"windowSeconds\":30,\"containers\":"
                + "[{\"name\":\"app\",\"usageMilliCpu\":" + usage + "}]}";
    }

    static String history(String recommendations, String up, String down) {
        return "{\"recommendations\":[" + recommendations + "],\"scaleUpEvents\":[" + up + "],\"scaleDownEvents\":["
                + down + "]}";
    }
}

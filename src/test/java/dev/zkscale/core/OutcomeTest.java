package dev.zkscale.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.core.Outcome.Action;
import dev.zkscale.core.Outcome.Reason;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every word of {@link Outcome} from a real decision: each row is the README's example snapshot (3 pods requesting
 * 500m, a 50% target, min 2, max 10) with one change, decided by {@link Decider}.
 */
class OutcomeTest {
    private static final String BASE = """
            {"now": "2026-01-01T00:10:00Z", "target": {"namespace": "shop", "name": "web"},
             "config": {"minReplicas": 2, "maxReplicas": 10, "targetCPUUtilizationPercentage": 50},
             "scale": {"specReplicas": 3, "statusReplicas": 3},
             "pods": [%s], "podMetrics": [%s],
             "history": {"recommendations": [], "scaleUpEvents": [], "scaleDownEvents": []}}""";
    private static final String POD = """
            {"name": "web-%d", "phase": "Running", "ready": true, "deleting": false,
             "startTime": "2026-01-01T00:00:00Z", "readyTransitionTime": "2026-01-01T00:00:40Z",
             "containers": [{"name": "app", "requestMilliCpu": %s, "restartableInit": false}]}""";
    private static final String SAMPLE = """
            {"pod": "web-%d", "timestamp": "2026-01-01T00:09:45Z", "windowSeconds": 30,
             "containers": [{"name": "app", "usageMilliCpu": %d}]}""";

    /** The base snapshot with every pod using {@code milliCpu} (of 500m requested), then {@code changes} applied. */
    private static Decision decide(int milliCpu, String changes) throws Exception {
        return decide(milliCpu, "500", changes);
    }

    private static Decision decide(int milliCpu, String request, String changes) throws Exception {
        StringBuilder pods = new StringBuilder();
        StringBuilder samples = new StringBuilder();
        for (int i = 1; i <= 3; i++) {
            pods.append(i > 1 ? "," : "").append(POD.formatted(i, request));
            samples.append(i > 1 ? "," : "").append(SAMPLE.formatted(i, milliCpu));
        }
        ObjectNode snapshot = (ObjectNode) SnapshotCodec.MAPPER.readTree(BASE.formatted(pods, samples));
        merge(snapshot, (ObjectNode) SnapshotCodec.MAPPER.readTree(changes));
        return Decider.decide(SnapshotCodec.read(snapshot, 1000));
    }

    private static void merge(ObjectNode base, ObjectNode top) {
        top.fields().forEachRemaining(f -> {
            JsonNode below = base.get(f.getKey());
            if (below instanceof ObjectNode b && f.getValue() instanceof ObjectNode t) {
                merge(b, t);
            } else {
                base.set(f.getKey(), f.getValue());
            }
        });
    }

    static Stream<Arguments> rows() {
        return Stream.of(
                Arguments.of("87% of a 50% target scales up", 435, "{}", Action.UP, Reason.CPU_ABOVE_TARGET),
                Arguments.of("20% of a 50% target scales down", 100, "{}", Action.DOWN, Reason.CPU_BELOW_TARGET),
                Arguments.of(
                        "50% of a 50% target keeps the size", 250, "{}", Action.NONE, Reason.NO_CHANGE_RECOMMENDED),
                Arguments.of(
                        "more wanted at maxReplicas",
                        435,
                        "{\"config\": {\"maxReplicas\": 3}}",
                        Action.NONE,
                        Reason.AT_MAX_REPLICAS),
                Arguments.of(
                        "fewer wanted at minReplicas",
                        100,
                        "{\"config\": {\"minReplicas\": 3}}",
                        Action.NONE,
                        Reason.AT_MIN_REPLICAS),
                Arguments.of(
                        "a recent higher recommendation holds the size",
                        100,
                        "{\"history\": {\"recommendations\": [{\"time\": \"2026-01-01T00:09:00Z\", \"replicas\": 3}]}}",
                        Action.NONE,
                        Reason.STABILIZED),
                Arguments.of(
                        "a recent higher recommendation raises the size",
                        250,
                        "{\"history\": {\"recommendations\": [{\"time\": \"2026-01-01T00:09:00Z\", \"replicas\": 5}]}}",
                        Action.UP,
                        Reason.STABILIZED),
                Arguments.of(
                        "a used-up scale-up policy holds the size",
                        435,
                        "{\"config\": {\"behavior\": {\"scaleUp\": {\"policies\": [{\"type\": \"Pods\", \"value\": 1,"
                                + " \"periodSeconds\": 60}]}}}, \"history\": {\"scaleUpEvents\": [{\"time\":"
                                + " \"2026-01-01T00:09:50Z\", \"replicas\": 1}]}}",
                        Action.NONE,
                        Reason.RATE_LIMITED),
                Arguments.of(
                        "above maxReplicas goes down to it",
                        250,
                        "{\"scale\": {\"specReplicas\": 12}}",
                        Action.DOWN,
                        Reason.ABOVE_MAX_REPLICAS),
                Arguments.of(
                        "below minReplicas goes up to it",
                        250,
                        "{\"scale\": {\"specReplicas\": 1}}",
                        Action.UP,
                        Reason.BELOW_MIN_REPLICAS),
                Arguments.of(
                        "zero replicas switch scaling off",
                        250,
                        "{\"scale\": {\"specReplicas\": 0}}",
                        Action.NONE,
                        Reason.SCALING_DISABLED),
                Arguments.of(
                        "the metrics API is down",
                        250,
                        "{\"metricsError\": \"connection refused\"}",
                        Action.NONE,
                        Reason.METRICS_API_UNAVAILABLE),
                Arguments.of("no sample at all", 250, "{\"podMetrics\": []}", Action.NONE, Reason.NO_METRICS));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void classifies(String name, int milliCpu, String changes, Action action, Reason reason) throws Exception {
        Decision d = decide(milliCpu, changes);
        assertEquals(new Outcome(action, reason), d.outcome(), d.toString());
        assertTrue(Outcome.ALL.contains(d.outcome()), "ALL lacks " + d.outcome());
    }

    @Test
    @DisplayName("a container without a CPU request is its own reason")
    void missingRequest() throws Exception {
        assertEquals(
                Outcome.none(Reason.MISSING_CPU_REQUEST),
                decide(250, "null", "{}").outcome());
    }

    @Test
    @DisplayName("every reason appears in ALL, and every failure is a no-change outcome")
    void closedSets() {
        Set<Reason> listed = new HashSet<>();
        Outcome.ALL.forEach(o -> listed.add(o.reason()));
        assertEquals(Set.of(Reason.values()), listed);
        for (Reason failure : Outcome.FAILURES) {
            assertTrue(Outcome.ALL.contains(Outcome.none(failure)), failure.label());
        }
    }
}

package dev.zkscale.core;

import static dev.zkscale.core.DecisionRulesTest.metric;
import static dev.zkscale.core.DecisionRulesTest.pod;
import static dev.zkscale.core.DecisionRulesTest.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.zkscale.codec.SnapshotCodec;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Forecast policy inside the decision: what binds it (bounds, the ceiling, behavior's rate limits, no data), what
 * it changes (a scale-up ahead of demand, a sooner scale-down), and shadow mode. Each row: a name, the ceiling, a
 * snapshot whose history carries a forecast state, the size decided and the policy's own recommendation.
 */
class ForecastPolicyTest {
    private static final String POLICY = "\"policy\":{\"type\":\"Forecast\"}";
    private static final String SHADOW = "\"policy\":{\"type\":\"Forecast\",\"shadow\":true}";

    static Stream<Arguments> rows() {
        String rateLimits = "\"behavior\":{\"scaleUp\":{\"policies\":[{\"type\":\"Pods\",\"value\":100,"
                + "\"periodSeconds\":15}]}}";
        String free = config(20, rateLimits + "," + POLICY);
        String high = forecast(8, 0.25, 4);
        return Stream.of(
                row(
                        "a forecast above the current size scales up before the HPA would",
                        free,
                        1000,
                        2,
                        1000,
                        high,
                        "[]",
                        9,
                        9),
                row(
                        "the legacy scale-up limit binds it (twice the size, at least 4)",
                        config(20, POLICY),
                        1000,
                        2,
                        1000,
                        high,
                        "[]",
                        4,
                        9),
                row(
                        "behavior's rate limit binds it",
                        "{\"maxReplicas\":20,\"targetCPUUtilizationPercentage\":100,\"behavior\":{\"scaleUp\":"
                                + "{\"policies\":[{\"type\":\"Pods\",\"value\":1,\"periodSeconds\":60}]}}," + POLICY
                                + "}",
                        1000,
                        2,
                        1000,
                        high,
                        "[]",
                        3,
                        9),
                row(
                        "maxReplicas binds it",
                        config(5, rateLimits + "," + POLICY),
                        1000,
                        2,
                        1000,
                        forecast(50, 0.25, 4),
                        "[]",
                        5,
                        46),
                row(
                        "the controller's ceiling binds it",
                        config(50, rateLimits + "," + POLICY),
                        6,
                        2,
                        1000,
                        forecast(50, 0.25, 4),
                        "[]",
                        6,
                        46),
                row(
                        "minReplicas binds it",
                        "{\"minReplicas\":3,\"maxReplicas\":20,\"targetCPUUtilizationPercentage\":100," + POLICY + "}",
                        1000,
                        4,
                        10,
                        forecast(0, 0.01, 4),
                        "[]",
                        3,
                        1),
                row(
                        "it releases pods as soon as its upper bound is low: no window of its own",
                        config(20, POLICY),
                        1000,
                        6,
                        200,
                        forecast(1.2, 0.01, 4),
                        "{\"time\":\"2026-01-01T00:09:45Z\",\"replicas\":6}",
                        2,
                        2),
                row(
                        "the HPA alone holds that peak for 5 minutes",
                        "{\"maxReplicas\":20,\"targetCPUUtilizationPercentage\":100}",
                        1000,
                        6,
                        200,
                        "null",
                        "{\"time\":\"2026-01-01T00:09:45Z\",\"replicas\":6}",
                        6,
                        null),
                row(
                        "the HPA's scale-up is a floor: the metrics call for 4, the forecast for 2",
                        free,
                        1000,
                        2,
                        2000,
                        forecast(1.2, 0.01, 4),
                        "[]",
                        4,
                        4),
                row(
                        "that floor holds for a horizon after it, until the pods it added serve",
                        free,
                        1000,
                        6,
                        200,
                        withFloor(forecast(1.2, 0.01, 4), 6, "2026-01-01T00:10:30Z"),
                        "[]",
                        6,
                        6),
                row(
                        "an expired floor no longer holds",
                        free,
                        1000,
                        6,
                        200,
                        withFloor(forecast(1.2, 0.01, 4), 6, "2026-01-01T00:10:00Z"),
                        "[]",
                        2,
                        2),
                row(
                        "a burst over for minutes widens the bound only a little: the geometric mean of the errors",
                        free,
                        1000,
                        2,
                        600,
                        forecast(1.2, 4, 0.01, 4),
                        "[]",
                        3,
                        3),
                row(
                        "while errors stay large the bound covers them (1.2 pods + 2.33 x 2, the quantile 0.99's)",
                        free,
                        1000,
                        2,
                        600,
                        forecast(1.2, 4, 4, 4),
                        "[]",
                        6,
                        6),
                row(
                        "a coverage calibrated down to 1 error sizes it with fewer pods (1.2 + 1 x 2)",
                        free,
                        1000,
                        2,
                        600,
                        withCoverage(forecast(1.2, 4, 4, 4), 1, "[]"),
                        "[]",
                        3,
                        3),
                row(
                        "a negative coverage (a hand-edited state) counts as none: the forecast itself",
                        free,
                        1000,
                        2,
                        600,
                        withCoverage(forecast(1.2, 4, 4, 4), -5, "[]"),
                        "[]",
                        2,
                        2),
                row(
                        "a coverage never exceeds the quantile's",
                        free,
                        1000,
                        2,
                        600,
                        withCoverage(forecast(1.2, 4, 4, 4), 5, "[]"),
                        "[]",
                        6,
                        6),
                row("while warming up it follows the HPA", free, 1000, 2, 1000, forecast(8, 0.25, 2), "[]", 2, 2),
                row(
                        "in shadow the HPA decides and the policy's recommendation is only recorded",
                        config(20, rateLimits + "," + SHADOW),
                        1000,
                        2,
                        1000,
                        high,
                        "[]",
                        2,
                        9));
    }

    @ParameterizedTest
    @MethodSource("rows")
    void decides(String snapshot, int ceiling, int desired, Integer policyReplicas) throws Exception {
        Decision d = Decider.decide(SnapshotCodec.read(SnapshotCodec.MAPPER.readTree(snapshot), ceiling));
        String json = SnapshotCodec.write(d).toString();
        assertEquals(desired, d.desiredReplicas(), json);
        assertEquals(policyReplicas, d.policy() == null ? null : d.policy().replicas(), json);
    }

    static Stream<Arguments> calibration() {
        String heldSix = "[{\"time\":\"2026-01-01T00:08:00Z\",\"replicas\":6}]";
        String heldOne = "[{\"time\":\"2026-01-01T00:08:00Z\",\"replicas\":1}]";
        return Stream.of(
                Arguments.of(
                        Named.of("over target itself (4 pods of demand on 2), the HPA's rule holding 6: up a step", 2),
                        2000L,
                        heldSix,
                        1.05),
                Arguments.of(
                        Named.of("not over target itself, the HPA's rule holding 1 pod for 1.2 pods: down", 2),
                        600L,
                        heldOne,
                        1 - 0.05 * Forecaster.OVER_TARGET_SHARE),
                Arguments.of(Named.of("neither over target: unchanged", 2), 600L, heldSix, 1.0));
    }

    @ParameterizedTest
    @MethodSource("calibration")
    void calibratesCoverageAgainstTheHpasRule(int spec, long usagePerPod, String hpaProposals, double coverage)
            throws Exception {
        List<String> metrics = new java.util.ArrayList<>();
        for (int i = 0; i < spec; i++) {
            metrics.add(metric("p" + i, usagePerPod));
        }
        String forecast = withCoverage(forecast(1.2, 0.01, 4), 1, hpaProposals);
        String snapshot = snapshot(config(20, POLICY), spec, pods(spec), metrics, history(forecast, "[]"));
        Decision d = Decider.decide(SnapshotCodec.read(SnapshotCodec.MAPPER.readTree(snapshot), 1000));
        assertEquals(coverage, d.historyAfterWrite().forecast().coverage(), 1e-12);
    }

    static Stream<Arguments> costGuard() {
        // Demand 1.2 pods on 2; the HPA's rule held 1 pod (over target there) and proposes 2 now.
        String heldOne = "[{\"time\":\"2026-01-01T00:08:00Z\",\"replicas\":1}]";
        String heldSix = "[{\"time\":\"2026-01-01T00:08:00Z\",\"replicas\":6}]";
        double step = Forecaster.TRUST_STEP;
        return Stream.of(
                Arguments.of(
                        Named.of("costing 1.5 times the rule's, over target more often: the trust falls a step", 1.2),
                        heldOne,
                        ledger(3, 2, 0.02, 0.01, 0.5),
                        0.5 - step,
                        2),
                Arguments.of(
                        Named.of("costing 1.05 times the rule's for half its passes over target: the trust rises", 1.2),
                        heldOne,
                        ledger(2.1, 2, 0.005, 0.01, 0.5),
                        0.5 + step,
                        2),
                Arguments.of(
                        Named.of(
                                "costing 1.5 times the rule's for half its passes over target, too dear: it falls",
                                1.2),
                        heldOne,
                        ledger(3, 2, 0.005, 0.01, 0.5),
                        0.5 - step,
                        2),
                Arguments.of(
                        Named.of("costing no more than 1.02 times the rule's: the trust rises, to 1 at most", 1.2),
                        heldOne,
                        ledger(2.02, 2, 0.02, 0.01, 1),
                        1.0,
                        2),
                Arguments.of(
                        Named.of(
                                "a hand-edited ledger out of range starts afresh at trust 1, less this pass's step"
                                        + " (twice the rule's pods for none of its passes over target)",
                                1.2),
                        heldOne,
                        ledger(3, 2, 0.02, 0.01, 2),
                        1.0 - step,
                        2),
                Arguments.of(
                        Named.of("no trust left: it recommends the size the HPA's rule holds, not its forecast's", 8.0),
                        heldSix,
                        ledger(10, 1, 1, 0, 0),
                        0.0,
                        6));
    }

    @ParameterizedTest
    @MethodSource("costGuard")
    void guardsItsCostAgainstTheHpasRule(
            double level, String hpaProposals, String ledger, double trust, int policyReplicas) throws Exception {
        String forecast = withCoverage(forecast(level, 0.01, 4), 1, hpaProposals);
        forecast = forecast.substring(0, forecast.length() - 1) + ",\"ledger\":" + ledger + "}";
        List<String> metrics = List.of(metric("p0", 600), metric("p1", 600));
        String snapshot = snapshot(config(20, POLICY), 2, pods(2), metrics, history(forecast, "[]"));
        Decision d = Decider.decide(SnapshotCodec.read(SnapshotCodec.MAPPER.readTree(snapshot), 1000));
        String json = SnapshotCodec.write(d).toString();
        assertEquals(trust, d.historyAfterWrite().forecast().ledger().trust(), 1e-12, json);
        assertEquals(policyReplicas, d.policy().replicas(), json);
    }

    static Stream<Arguments> hpaRule() {
        String heldTwo = "{\"time\":\"2026-01-01T00:04:00Z\",\"replicas\":2}";
        String raisedToSix = "{\"time\":\"2026-01-01T00:09:15Z\",\"replicas\":6}";
        return Stream.of(
                Arguments.of(
                        Named.of("all its pods counted: the demand (3 pods on 2) rounded up", "[" + heldTwo + "]"),
                        1500L,
                        3),
                Arguments.of(
                        Named.of(
                                "its 4 added pods serve but are not counted yet (Ready less than a metrics window):"
                                        + " a scale-up counts them idle, 9 pods of demand on 6 read as below target,"
                                        + " it holds 6",
                                "[" + heldTwo + "," + raisedToSix + "]"),
                        4500L,
                        6),
                Arguments.of(
                        Named.of(
                                "the same at 3 pods of demand: below target, the counted pods' share rounded up",
                                "[" + heldTwo + "," + raisedToSix + "]"),
                        1500L,
                        1));
    }

    /** The HPA's rule the policy follows treats the pods it added as the HPA's formula treats unready pods. */
    @ParameterizedTest
    @MethodSource("hpaRule")
    void followsTheHpasRuleOnItsOwnPods(String hpaProposals, long usagePerPod, int proposal) throws Exception {
        String forecast = withCoverage(forecast(1.2, 0.01, 4), 1, hpaProposals);
        List<String> metrics = List.of(metric("p0", usagePerPod), metric("p1", usagePerPod));
        String snapshot = snapshot(config(20, POLICY), 2, pods(2), metrics, history(forecast, "[]"));
        Decision d = Decider.decide(SnapshotCodec.read(SnapshotCodec.MAPPER.readTree(snapshot), 1000));
        List<History.Entry> proposals = d.historyAfterWrite().forecast().hpaProposals();
        assertEquals(proposal, proposals.get(proposals.size() - 1).replicas(), proposals.toString());
    }

    static Stream<Arguments> serving() {
        String fresh = pod("p2", 1000)
                .replace("\"startTime\":\"" + DecisionRulesTest.LONG_AGO, "\"startTime\":\"2026-01-01T00:09:00Z");
        return Stream.of(
                Arguments.of(
                        Named.of(
                                "a pod Ready 10 s before its sample serves: in the demand, though the formula leaves it"
                                        + " out for a metrics window",
                                fresh.replace(
                                        "\"readyTransitionTime\":\"" + DecisionRulesTest.LONG_AGO,
                                        "\"readyTransitionTime\":\"2026-01-01T00:09:50Z")),
                        1.8),
                Arguments.of(
                        Named.of(
                                "a pod Running, not Ready yet, does not serve",
                                fresh.replace("\"ready\":true", "\"ready\":false")
                                        .replace(
                                                "\"readyTransitionTime\":\"" + DecisionRulesTest.LONG_AGO,
                                                "\"readyTransitionTime\":\"2026-01-01T00:09:00Z")),
                        1.2));
    }

    /** The demand is the formula's utilization over every pod that served when the samples were taken. */
    @ParameterizedTest
    @MethodSource("serving")
    void measuresDemandOnThePodsServing(String third, double demand) throws Exception {
        List<String> pods = List.of(pod("p0", 1000), pod("p1", 1000), third);
        List<String> metrics = List.of(metric("p0", 600), metric("p1", 600), metric("p2", 100));
        String snapshot = snapshot(config(20, POLICY), 3, pods, metrics, "null");
        Decision d = Decider.decide(SnapshotCodec.read(SnapshotCodec.MAPPER.readTree(snapshot), 1000));
        String json = SnapshotCodec.write(d).toString();
        assertEquals(2, d.readyPods(), json);
        assertEquals(demand, d.policy().forecastReplicas(), 1e-12, json);
    }

    private static String ledger(double cost, double hpaCost, double overTarget, double hpaOverTarget, double trust) {
        return "{\"cost\":" + cost + ",\"hpaCost\":" + hpaCost + ",\"overTarget\":" + overTarget + ",\"hpaOverTarget\":"
                + hpaOverTarget + ",\"trust\":" + trust + "}";
    }

    static Stream<Arguments> noData() {
        String config = config(20, POLICY);
        String history = history(forecast(0, 0.01, 4), "[]");
        return Stream.of(
                Arguments.of(Named.of("no metrics", snapshot(config, 6, pods(6), List.of(), history))),
                Arguments.of(Named.of(
                        "the metrics API failed",
                        snapshot(config, 6, pods(6), List.of(metric("p0", 10)), history)
                                .replace("\"history\":", "\"metricsError\":\"timeout\",\"history\":"))),
                Arguments.of(Named.of(
                        "no ready pod has a sample",
                        snapshot(config, 6, pods(6), List.of(metric("gone", 10)), history))));
    }

    @ParameterizedTest
    @MethodSource("noData")
    void noDataIsNoChange(String snapshot) throws Exception {
        Snapshot s = SnapshotCodec.read(SnapshotCodec.MAPPER.readTree(snapshot), 1000);
        Decision d = Decider.decide(s);
        assertEquals(6, d.desiredReplicas(), "a forecast of zero load never scales down without data");
        assertNull(d.policy());
        assertSame(s.history().forecast(), d.historyAfterWrite().forecast(), "the policy's state is kept as it was");
    }

    private static Arguments row(
            String name,
            String config,
            int ceiling,
            int spec,
            long usagePerPod,
            String forecast,
            String recommendations,
            int desired,
            Integer policyReplicas) {
        List<String> metrics = new java.util.ArrayList<>();
        for (int i = 0; i < spec; i++) {
            metrics.add(metric("p" + i, usagePerPod));
        }
        String snapshot = snapshot(config, spec, pods(spec), metrics, history(forecast, recommendations));
        return Arguments.of(Named.of(name, snapshot), ceiling, desired, policyReplicas);
    }

    private static List<String> pods(int count) {
        List<String> pods = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            pods.add(pod("p" + i, 1000));
        }
        return pods;
    }

    private static String config(int maxReplicas, String fields) {
        return "{\"maxReplicas\":" + maxReplicas + ",\"targetCPUUtilizationPercentage\":100," + fields + "}";
    }

    /** A warmed-up state: every model at {@code level} pods, no trend, that error variance; a pass 15 s ago. */
    static String forecast(double level, double variance, int checked) {
        return forecast(level, variance, variance, checked);
    }

    /** The same with a long-memory and a recent error variance. */
    static String forecast(double level, double variance, double recentVariance, int checked) {
        String model = "{\"level\":" + level + ",\"trend\":0,\"errorVariance\":" + variance + ",\"recentVariance\":"
                + recentVariance + "}";
        return "{\"time\":\"2026-01-01T00:09:45Z\",\"models\":["
                + String.join(",", Collections.nCopies(Forecaster.MODELS, model)) + "],\"checked\":" + checked
                + ",\"pending\":[]}";
    }

    /** The state {@code forecast} with a calibrated {@code coverage} and the HPA rule's {@code proposals}. */
    private static String withCoverage(String forecast, double coverage, String proposals) {
        return forecast.substring(0, forecast.length() - 1) + ",\"coverage\":" + coverage + ",\"hpaProposals\":"
                + proposals + "}";
    }

    /** The state {@code forecast} with a floor of {@code replicas} held until {@code until}. */
    private static String withFloor(String forecast, int replicas, String until) {
        return forecast.substring(0, forecast.length() - 1) + ",\"floor\":{\"replicas\":" + replicas + ",\"until\":\""
                + until + "\"}}";
    }

    private static String history(String forecast, String recommendations) {
        String recs = recommendations.startsWith("[") ? recommendations : "[" + recommendations + "]";
        return "{\"recommendations\":" + recs + ",\"scaleUpEvents\":[],\"scaleDownEvents\":[],\"forecast\":" + forecast
                + "}";
    }
}

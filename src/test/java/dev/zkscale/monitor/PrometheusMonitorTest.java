package dev.zkscale.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.core.Decider;
import dev.zkscale.core.Decision;
import dev.zkscale.core.Outcome;
import dev.zkscale.core.PodMetrics;
import dev.zkscale.core.Snapshot;
import dev.zkscale.core.TargetRef;
import dev.zkscale.demo.SteppedClock;
import dev.zkscale.loop.FakeLeadership;
import dev.zkscale.loop.ScaleWriter.WriteResult.Result;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The meters {@link PrometheusMonitor} registers, read from the Prometheus text a scrape returns. */
class PrometheusMonitorTest {
    private static final TargetRef WEB = new TargetRef("shop", "web");
    private static final String WEB_LABELS = "namespace=\"shop\",target=\"web\"";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final SteppedClock clock = new SteppedClock(Instant.parse("2026-01-01T00:10:00Z"));
    private final PrometheusMonitor monitor = new PrometheusMonitor(registry, FakeLeadership.at(7), clock);

    /** The README's example snapshot (87% of a 50% target on 3 pods, samples taken at 00:09:45) and its decision. */
    private static Snapshot example() throws Exception {
        String line = Files.readAllLines(Path.of("examples", "snapshots.jsonl")).get(0);
        return SnapshotCodec.read(SnapshotCodec.MAPPER.readTree(line), 1000);
    }

    /** The value of the one sample whose name and labels start as given, or NaN; fails when there is none. */
    private double value(String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + "(?:[,{][^ ]*)? (\\S+)$")
                .matcher(registry.scrape());
        assertTrue(m.find(), series + " not in\n" + registry.scrape());
        return Double.parseDouble(m.group(1));
    }

    @Test
    @DisplayName("counters whose labels are known exist at zero before their first increment")
    void countersStartAtZero() {
        String scrape = registry.scrape();
        for (String reason : List.of(
                "tuning_unavailable",
                "workload_missing",
                "selector_missing",
                "metrics_api_unavailable",
                "no_metrics",
                "no_pods",
                "no_ready_pod_metrics",
                "missing_cpu_request",
                "container_not_found",
                "metrics_match_no_pods",
                "other")) {
            assertTrue(scrape.contains("zkscale_metrics_errors_total{reason=\"" + reason + "\",} 0.0"), reason);
        }
        for (Outcome o : Outcome.ALL) {
            assertTrue(
                    scrape.contains("zkscale_decisions_total{action=\""
                            + o.action().label() + "\",reason=\"" + o.reason().label() + "\",} 0.0"),
                    o.toString());
        }
        assertEquals(1, value("zkscale_leader"));
        assertEquals(7, value("zkscale_leader_epoch"));
        assertEquals(1, value("zkscale_zookeeper_connected"));
    }

    @Test
    @DisplayName("a policy's recommendation, even in shadow, is exported beside the HPA's, labelled by algorithm")
    void policyRecommendation() throws Exception {
        String line = Files.readAllLines(Path.of("examples", "snapshots.jsonl")).get(0);
        String shadow =
                line.replace("\"config\": {", "\"config\": {\"policy\":{\"type\":\"Forecast\",\"shadow\":true},");
        Snapshot s = SnapshotCodec.read(SnapshotCodec.MAPPER.readTree(shadow), 1000);
        Decision d = Decider.decide(s);
        monitor.decided(s, d);

        assertEquals(6, value("zkscale_target_recommended_replicas{algorithm=\"HPA\"," + WEB_LABELS));
        assertEquals(
                d.policy().replicas(),
                value("zkscale_target_recommended_replicas{algorithm=\"Forecast\"," + WEB_LABELS));
        assertEquals(6, value("zkscale_target_desired_replicas{" + WEB_LABELS));
    }

    @Test
    @DisplayName("a decision sets the target's gauges, creates its six write counters at zero, and names its outcome")
    void decision() throws Exception {
        Snapshot s = example();
        Decision d = Decider.decide(s);
        monitor.configRead(WEB, false);
        monitor.decided(s, d);

        assertEquals(3, value("zkscale_target_current_replicas{" + WEB_LABELS));
        assertEquals(6, value("zkscale_target_desired_replicas{" + WEB_LABELS));
        assertEquals(6, value("zkscale_target_recommended_replicas{algorithm=\"HPA\"," + WEB_LABELS));
        assertFalse(registry.scrape().contains("algorithm=\"Forecast\""), "no policy, no policy series");
        assertEquals(87, value("zkscale_target_cpu_utilization_percent{" + WEB_LABELS));
        assertEquals(50, value("zkscale_target_cpu_target_percent{" + WEB_LABELS));
        assertEquals(2, value("zkscale_target_min_replicas{" + WEB_LABELS));
        assertEquals(10, value("zkscale_target_max_replicas{" + WEB_LABELS));
        assertEquals(15, value("zkscale_target_cpu_sample_age_seconds{" + WEB_LABELS));
        assertEquals(0, value("zkscale_target_config_rejected{" + WEB_LABELS));
        assertEquals(0, value("zkscale_config_rejected_total{" + WEB_LABELS));
        assertEquals(
                1,
                value("zkscale_target_last_decision{action=\"up\",namespace=\"shop\","
                        + "reason=\"cpu_above_target\",target=\"web\""));
        assertEquals(1, value("zkscale_decisions_total{action=\"up\",reason=\"cpu_above_target\""));
        for (String direction : List.of("up", "down")) {
            for (String result : List.of("success", "failure", "fenced")) {
                assertEquals(
                        0,
                        value("zkscale_scale_operations_total{direction=\"" + direction + "\",namespace=\"shop\""
                                + ",result=\"" + result + "\",target=\"web\""));
            }
        }
        monitor.scaleWrite(WEB, true, Result.FENCED);
        assertEquals(1, value("zkscale_scale_operations_total{direction=\"up\",namespace=\"shop\",result=\"fenced\""));
    }

    @Test
    @DisplayName("one last-decision series per target, moved when the outcome changes")
    void lastDecisionMoves() throws Exception {
        monitor.skipped(WEB, Outcome.none(Outcome.Reason.PAUSED));
        monitor.skipped(WEB, Outcome.none(Outcome.Reason.WORKLOAD_MISSING));
        monitor.skipped(WEB, Outcome.none(Outcome.Reason.WORKLOAD_MISSING));

        String scrape = registry.scrape();
        assertEquals(
                1,
                scrape.lines()
                        .filter(l -> l.startsWith("zkscale_target_last_decision{"))
                        .count(),
                scrape);
        assertEquals(
                1,
                value("zkscale_target_last_decision{action=\"none\",namespace=\"shop\","
                        + "reason=\"workload_missing\",target=\"web\""));
        assertEquals(2, value("zkscale_decisions_total{action=\"none\",reason=\"workload_missing\""));
        assertEquals(1, value("zkscale_decisions_total{action=\"none\",reason=\"paused\""));
        assertFalse(scrape.contains("zkscale_target_current_replicas{"), "no sizes without a decision");
    }

    @Test
    @DisplayName("the CPU sample age grows with the clock and keeps the last sample through a pass without any")
    void sampleAge() throws Exception {
        Snapshot s = example();
        monitor.decided(s, Decider.decide(s));
        clock.advance(Duration.ofSeconds(100));
        assertEquals(115, value("zkscale_target_cpu_sample_age_seconds{" + WEB_LABELS));

        // The metrics API goes down: no samples in the snapshot
        Snapshot down = new Snapshot(
                clock.instant(),
                s.target(),
                s.config(),
                3,
                3,
                s.pods(),
                List.<PodMetrics>of(),
                "connection refused",
                null);
        monitor.decided(down, Decider.decide(down));
        assertEquals(115, value("zkscale_target_cpu_sample_age_seconds{" + WEB_LABELS));
        assertTrue(Double.isNaN(value("zkscale_target_cpu_utilization_percent{" + WEB_LABELS)));
        assertEquals(
                1,
                value("zkscale_target_last_decision{action=\"none\",namespace=\"shop\","
                        + "reason=\"metrics_api_unavailable\",target=\"web\""));
    }

    @Test
    @DisplayName("a rejected ZNode: the state gauge follows the ZNode, the counter counts rejections")
    void rejectedConfig() {
        monitor.configRead(WEB, true);
        monitor.configRejected(WEB);
        assertEquals(1, value("zkscale_target_config_rejected{" + WEB_LABELS));
        assertEquals(1, value("zkscale_config_rejected_total{" + WEB_LABELS));
        monitor.configRead(WEB, false);
        assertEquals(0, value("zkscale_target_config_rejected{" + WEB_LABELS));
        assertEquals(1, value("zkscale_config_rejected_total{" + WEB_LABELS));
    }

    @Test
    @DisplayName("forget removes every series of the target; close removes every meter")
    void forgetAndClose() throws Exception {
        Snapshot s = example();
        monitor.configRead(WEB, false);
        monitor.decided(s, Decider.decide(s));
        monitor.scaleWrite(WEB, true, Result.SUCCESS);
        TargetRef other = new TargetRef("shop", "cart");
        monitor.configRead(other, true);

        monitor.forget(WEB);
        assertFalse(registry.scrape().contains("target=\"web\""), registry.scrape());
        assertTrue(registry.scrape().contains("target=\"cart\""));

        monitor.close();
        assertTrue(registry.getMeters().isEmpty(), registry.getMeters().toString());
        assertFalse(registry.scrape().contains("target=\""), "no target's series after close");
        monitor.configRead(WEB, true);
        assertTrue(registry.getMeters().isEmpty(), "nothing registers after close");
    }

    @Test
    @DisplayName("monitors sharing a registry (the demo's two controllers) write each family once, with their common"
            + " tags; one that closes takes only its own series")
    void sharedRegistry() throws Exception {
        Snapshot s = example();
        List<PrometheusMonitor> monitors = new ArrayList<>();
        for (String controller : List.of("a", "b")) {
            CompositeMeterRegistry tagged = new CompositeMeterRegistry();
            tagged.config().commonTags("controller", controller);
            tagged.add(registry);
            PrometheusMonitor m = new PrometheusMonitor(tagged, FakeLeadership.at(7), clock);
            m.decided(s, Decider.decide(s));
            monitors.add(m);
        }
        monitors.get(1).scaleWrite(WEB, false, Result.SUCCESS);

        String scrape = registry.scrape();
        assertEquals(
                1,
                scrape.lines()
                        .filter(l -> l.equals("# TYPE zkscale_target_desired_replicas gauge"))
                        .count(),
                scrape);
        for (String controller : List.of("a", "b")) {
            assertEquals(6, value("zkscale_target_desired_replicas{controller=\"" + controller + "\"," + WEB_LABELS));
        }
        assertEquals(
                1,
                value("zkscale_scale_operations_total{controller=\"b\",direction=\"down\",namespace=\"shop\","
                        + "result=\"success\""));
        monitors.get(1).close();
        assertFalse(registry.scrape().contains("controller=\"b\",namespace"), registry.scrape());
        assertEquals(6, value("zkscale_target_desired_replicas{controller=\"a\"," + WEB_LABELS));
        monitors.get(0).close();
        assertFalse(registry.scrape().contains("zkscale_target_"), registry.scrape());
    }
}

package dev.zkscale.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PrometheusRule of {@code k8s/monitoring/} as Prometheus' own tool sees it: {@code promtool check rules} on its
 * rules, and {@code promtool test rules} on {@code prometheusrule.test.yaml}. That the expressions run against a real
 * zkscale is {@code PrometheusScrapeTest}'s part.
 */
class AlertRulesTest {
    @TempDir
    Path dir;

    private record Run(int code, String output) {}

    private static Run promtool(Path workDir, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(PrometheusServer.binary("promtool")));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool did not end");
        return new Run(p.exitValue(), out);
    }

    @Test
    @DisplayName("promtool check rules accepts the PrometheusRule's rules")
    void checkRules() throws Exception {
        Path rules = MonitoringFiles.extractRules(dir);
        Run r = promtool(dir, "check", "rules", rules.toString());
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().contains("SUCCESS"), r.output());
    }

    @Test
    @DisplayName("promtool test rules: each alert fires when it should and stays quiet when it should")
    void testRules() throws Exception {
        MonitoringFiles.extractRules(dir);
        Files.copy(MonitoringFiles.ALERT_TESTS, dir.resolve("tests.yaml"));
        Run r = promtool(dir, "test", "rules", "tests.yaml");
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().contains("SUCCESS"), r.output());
    }

    @Test
    @DisplayName("every alert has a severity, a summary and a description, and a promtool test")
    void everyAlertIsDescribedAndTested() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        Set<String> alerts = new TreeSet<>();
        for (JsonNode group :
                yaml.readTree(MonitoringFiles.ALERTS.toFile()).path("spec").path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String name = rule.path("alert").asText();
                alerts.add(name);
                assertTrue(
                        Set.of("critical", "warning", "info")
                                .contains(rule.path("labels").path("severity").asText()),
                        name + ": severity");
                assertFalse(rule.path("annotations").path("summary").asText().isBlank(), name + ": summary");
                assertFalse(
                        rule.path("annotations").path("description").asText().isBlank(), name + ": description");
            }
        }
        Set<String> tested = new HashSet<>();
        for (JsonNode test : yaml.readTree(MonitoringFiles.ALERT_TESTS.toFile()).path("tests")) {
            test.path("alert_rule_test").forEach(t -> {
                if (!t.path("exp_alerts").isEmpty()) {
                    tested.add(t.path("alertname").asText());
                }
            });
        }
        assertEquals(alerts, new TreeSet<>(tested), "alerts without a firing test case");
        assertTrue(
                alerts.containsAll(Set.of(
                        "ZkscaleNoLeader",
                        "ZkscaleZooKeeperDisconnected",
                        "ZkscaleTargetAtMaxReplicas",
                        "ZkscaleMetricErrors",
                        "ZkscaleConfigRejected",
                        "ZkscaleScaleWritesFailing",
                        "ZkscaleFencedWrite")),
                alerts.toString());
    }

    @Test
    @DisplayName("the metric names of a PromQL expression: not functions, keywords, labels or durations")
    void metricNamesOfAnExpression() {
        assertEquals(
                Set.of("zkscale_decision_duration_seconds_bucket"),
                MonitoringFiles.metricNames("histogram_quantile(0.99, sum by (le) "
                        + "(rate(zkscale_decision_duration_seconds_bucket{job=~\".*\"}[5m])))"));
        assertEquals(Set.of("zkscale_leader"), MonitoringFiles.metricNames("(sum(zkscale_leader) or vector(0)) < 1"));
        assertEquals(
                Set.of("a_total", "b"),
                MonitoringFiles.metricNames("max by (namespace, target) (a_total offset 5m) >= on (x) group_left (y) "
                        + "b{reason=~\"no_metrics|other\"} > 1e3"));
    }
}

package dev.zkscale.app;

import static dev.zkscale.kube.Fixtures.deployment;
import static dev.zkscale.kube.Fixtures.map;
import static dev.zkscale.kube.Fixtures.podMetrics;
import static dev.zkscale.kube.Fixtures.runningPod;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscale.coordination.ZooKeeperClients;
import dev.zkscale.kube.KubeCluster;
import dev.zkscale.monitor.MonitoringFiles;
import dev.zkscale.monitor.PrometheusServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoublePredicate;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * zkscale as Quarkus runs it, scraped by a real Prometheus (see {@link PrometheusServer}) that also loads the alert
 * rules of {@code k8s/monitoring/}. The first test to run scales the target {@code obs/api} once, from a steady state
 * that Prometheus has seen; the tests then read what Prometheus holds through its HTTP API.
 */
@QuarkusTest
@QuarkusTestResource(ClusterResource.class)
class PrometheusScrapeTest {
    private static final String NS = "obs";
    private static final String API = "namespace=\"" + NS + "\",target=\"api\"";
    /** Wide enough to hold the whole test run, so that increase() and rate() see the scale. */
    private static final String RATE_INTERVAL = "5m";
    /** The label names zkscale's own series may carry (plus those Prometheus adds): a closed set. */
    private static final Set<String> LABELS = Set.of(
            "__name__",
            "job",
            "instance",
            "namespace",
            "target",
            "direction",
            "result",
            "reason",
            "action",
            "le",
            "algorithm",
            "kind",
            "outcome");

    private static PrometheusServer prometheus;
    private static Path dir;

    @TestHTTPResource(value = "/", management = true)
    URI management;

    /** Starts Prometheus and scales obs/api from 1 to 2 replicas, once for the class. */
    private synchronized PrometheusServer scaled() throws Exception {
        if (prometheus != null) {
            return prometheus;
        }
        dir = Files.createTempDirectory("prometheus");
        prometheus = PrometheusServer.start(
                dir,
                management.getHost() + ":" + management.getPort(),
                "/q/metrics",
                List.of(MonitoringFiles.extractRules(dir)));
        prometheus.awaitUp();

        // Given obs/api, one pod at its target (50% of 50%): managed, steady, and seen so by Prometheus. (One pod,
        // so that a load change is one PodMetrics update, never seen half done.)
        KubernetesClient admin = ClusterResource.api.newClient();
        admin.apps()
                .deployments()
                .inNamespace(NS)
                .resource(deployment(NS, "api", 1, Map.of("app", "api"), Map.of()))
                .createOr(r -> r.update());
        admin.pods()
                .inNamespace(NS)
                .resource(runningPod(NS, "api-0", Map.of("app", "api"), "500m"))
                .createOr(r -> r.update());
        load(admin, "250m");
        config("/zkscale/targets/obs/api", "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":50}");
        awaitValue(
                "zkscale_target_last_decision{" + API + ",action=\"none\",reason=\"no_change_recommended\"}",
                v -> v == 1);
        awaitValue("zkscale_scale_operations_total{" + API + ",direction=\"up\",result=\"success\"}", v -> v == 0);

        // When the load rises to 90%: ceil(1 x 90/50) = 2, where it stays (the mock starts no pod)
        load(admin, "450m");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> admin.apps()
                                .deployments()
                                .inNamespace(NS)
                                .withName("api")
                                .get()
                                .getSpec()
                                .getReplicas()
                        == 2);
        awaitValue("zkscale_target_current_replicas{" + API + "}", v -> v == 2);
        return prometheus;
    }

    private static void load(KubernetesClient admin, String usage) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        admin.genericKubernetesResources(KubeCluster.POD_METRICS)
                .inNamespace(NS)
                .resource(podMetrics(NS, "api-0", Map.of("app", "api"), now, "30s", map("app", usage)))
                .createOr(r -> r.update());
    }

    private static void config(String path, String json) throws Exception {
        try (CuratorFramework curator = ZooKeeperClients.start(
                ClusterResource.zk.getConnectString(), Duration.ofSeconds(3), Duration.ofSeconds(3))) {
            if (json == null) {
                curator.delete().forPath(path);
            } else if (curator.checkExists().forPath(path) == null) {
                curator.create().creatingParentsIfNeeded().forPath(path, json.getBytes(StandardCharsets.UTF_8));
            } else {
                curator.setData().forPath(path, json.getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static void awaitValue(String promql, DoublePredicate expected) {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> {
                    double v = prometheus.value(promql);
                    assertTrue(expected.test(v), promql + " = " + v);
                });
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.close();
            prometheus = null;
        }
    }

    @Test
    @DisplayName("after a scale Prometheus holds the target's replicas, utilization, bounds, operations and reasons")
    void perTargetSeries() throws Exception {
        PrometheusServer p = scaled();
        awaitValue("zkscale_target_desired_replicas{" + API + "}", v -> v == 2);
        assertEquals(2, p.value("zkscale_target_current_replicas{" + API + "}"));
        assertEquals(2, p.value("zkscale_target_recommended_replicas{" + API + "}"));
        assertEquals(90, p.value("zkscale_target_cpu_utilization_percent{" + API + "}"));
        assertEquals(50, p.value("zkscale_target_cpu_target_percent{" + API + "}"));
        assertEquals(1, p.value("zkscale_target_min_replicas{" + API + "}"));
        assertEquals(10, p.value("zkscale_target_max_replicas{" + API + "}"));
        assertEquals(0, p.value("zkscale_target_config_rejected{" + API + "}"));
        assertEquals(0, p.value("zkscale_config_rejected_total{" + API + "}"));
        double age = p.value("zkscale_target_cpu_sample_age_seconds{" + API + "}");
        assertTrue(age >= 0 && age < 300, "sample age " + age);

        // One successful write up; every other direction and result exists, at zero
        JsonNode writes = p.query("zkscale_scale_operations_total{" + API + "}");
        assertEquals(6, writes.size(), writes.toString());
        for (JsonNode w : writes) {
            boolean upSuccess = w.path("metric").path("direction").asText().equals("up")
                    && w.path("metric").path("result").asText().equals("success");
            assertEquals(upSuccess ? 1.0 : 0.0, w.path("value").get(1).asDouble(), w.toString());
        }
        assertTrue(
                p.value("increase(zkscale_scale_operations_total{" + API + ",direction=\"up\",result=\"success\"}["
                                + RATE_INTERVAL + "])")
                        > 0.5,
                "increase() sees the first write");

        // Why: it scaled up on CPU, and now holds with nothing to change
        assertTrue(p.value("zkscale_decisions_total{action=\"up\",reason=\"cpu_above_target\"}") >= 1);
        awaitValue(
                "zkscale_target_last_decision{" + API + ",action=\"none\",reason=\"no_change_recommended\"}",
                v -> v == 1);
        assertEquals(1, p.query("zkscale_target_last_decision{" + API + "}").size(), "one series per target");

        // The instance leads, with a connected session and an epoch; the loop runs
        assertEquals(1, p.value("zkscale_leader"));
        assertEquals(1, p.value("zkscale_zookeeper_connected"));
        assertTrue(p.value("zkscale_leader_epoch") >= 1);
        assertTrue(p.value("zkscale_decision_duration_seconds_count") > 5);
        double p99 = p.value("histogram_quantile(0.99, sum by (le) (rate(zkscale_decision_duration_seconds_bucket["
                + RATE_INTERVAL + "])))");
        assertTrue(p99 > 0 && p99 < 10, "p99 " + p99);
    }

    @Test
    @DisplayName("zkscale's series carry closed label sets only: never a pod name")
    void closedLabels() throws Exception {
        PrometheusServer p = scaled();
        JsonNode series = p.query("{__name__=~\"zkscale_.+\"}");
        assertTrue(series.size() > 20, series.toString());
        for (JsonNode s : series) {
            Iterator<String> labels = s.path("metric").fieldNames();
            while (labels.hasNext()) {
                String label = labels.next();
                assertTrue(LABELS.contains(label), "label " + label + " on " + s.path("metric"));
                assertTrue(!s.path("metric").path(label).asText().startsWith("api-"), "a pod name in " + s);
            }
        }
    }

    @Test
    @DisplayName("every PromQL expression of the Grafana dashboard runs, reads only exported metrics, and has data")
    void dashboardQueries() throws Exception {
        PrometheusServer p = scaled();
        Set<String> exported = p.metricNames();
        List<String> problems = new ArrayList<>();
        List<MonitoringFiles.Query> queries = MonitoringFiles.dashboardQueries(RATE_INTERVAL);
        assertTrue(queries.size() >= 15, "dashboard queries: " + queries.size());
        for (MonitoringFiles.Query q : queries) {
            for (String name : MonitoringFiles.metricNames(q.expr())) {
                if (!exported.contains(name)) {
                    problems.add(q.where() + ": " + name + " is not exported");
                }
            }
            try {
                if (p.query(q.expr()).isEmpty()) {
                    problems.add(q.where() + ": no data: " + q.expr());
                }
            } catch (AssertionError e) {
                problems.add(q.where() + ": " + e.getMessage());
            }
        }
        for (String[] v : MonitoringFiles.variableQueries()) {
            for (String name : MonitoringFiles.metricNames(v[0])) {
                if (!exported.contains(name)) {
                    problems.add("variable label_values(" + v[0] + ", " + v[1] + "): " + name + " is not exported");
                }
            }
            JsonNode series = p.query(v[0]);
            if (series.isEmpty() || !series.get(0).path("metric").has(v[1])) {
                problems.add("variable label_values(" + v[0] + ", " + v[1] + "): no value");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    @DisplayName("Prometheus evaluates every alert rule without error, on metrics zkscale exports; none fires")
    void alertRules() throws Exception {
        PrometheusServer p = scaled();
        Set<String> exported = p.metricNames();
        for (MonitoringFiles.Query q : MonitoringFiles.alertQueries()) {
            for (String name : MonitoringFiles.metricNames(q.expr())) {
                assertTrue(exported.contains(name), q.where() + ": " + name + " is not exported");
            }
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<JsonNode> rules = p.rules();
            assertEquals(MonitoringFiles.alertQueries().size(), rules.size(), rules.toString());
            for (JsonNode rule : rules) {
                assertEquals("ok", rule.path("health").asText(), rule.toString());
                assertEquals("", rule.path("lastError").asText(""), rule.toString());
            }
        });
        // With a leader, a connected session and valid configs, the state-based alerts stay inactive
        for (JsonNode rule : p.rules()) {
            String name = rule.path("name").asText();
            if (Set.of(
                            "ZkscaleNoLeader",
                            "ZkscaleSeveralLeaders",
                            "ZkscaleZooKeeperDisconnected",
                            "ZkscaleConfigRejected",
                            "ZkscaleTargetAtMaxReplicas")
                    .contains(name)) {
                assertEquals("inactive", rule.path("state").asText(), rule.toString());
            }
        }
    }

    @Test
    @DisplayName("a target whose ZNode is deleted disappears from Prometheus; a rejected ZNode shows while rejected")
    void seriesFollowTheTarget() throws Exception {
        PrometheusServer p = scaled();
        String gone = "namespace=\"" + NS + "\",target=\"gone\"";
        // A target whose ZNode never was valid: unmanaged, but its rejection is visible
        config("/zkscale/targets/obs/gone", "{\"maxReplicas\": 0}");
        awaitValue("zkscale_target_config_rejected{" + gone + "}", v -> v == 1);
        awaitValue("zkscale_config_rejected_total{" + gone + "}", v -> v == 1);
        // Fixed: no longer rejected
        config("/zkscale/targets/obs/gone", "{\"maxReplicas\": 3}");
        awaitValue("zkscale_target_config_rejected{" + gone + "}", v -> v == 0);
        awaitValue("zkscale_target_last_decision{" + gone + ",reason=\"workload_missing\"}", v -> v == 1);

        // When the ZNode is deleted, every series of the target goes (Prometheus marks them stale)
        config("/zkscale/targets/obs/gone", null);
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertEquals(
                        0, p.query("{__name__=~\"zkscale_.+\"," + gone + "}").size()));
        assertTrue(p.query("{__name__=~\"zkscale_.+\"," + API + "}").size() > 10, "obs/api stays");
    }
}

package dev.zkscale.app;

import static dev.zkscale.kube.Fixtures.deployment;
import static dev.zkscale.kube.Fixtures.failure;
import static dev.zkscale.kube.Fixtures.map;
import static dev.zkscale.kube.Fixtures.podMetrics;
import static dev.zkscale.kube.Fixtures.runningPod;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscale.coordination.ConfigStore;
import dev.zkscale.coordination.Credentials;
import dev.zkscale.coordination.ZooKeeperClients;
import dev.zkscale.core.TargetRef;
import dev.zkscale.kube.KubeCluster;
import dev.zkscale.loop.TuningSource.Target;
import dev.zkscale.loop.TuningSource.TuningUnavailableException;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real controllers (Curator latch, ZooKeeper config, fabric8 caches and fenced writes) against a real ZooKeeper
 * server and a mock API server in CRUD mode, driven pass by pass.
 */
class ControllerTest {
    private static final String NS = "shop";
    private static final String WEB_PATH = "/apis/apps/v1/namespaces/shop/deployments/web";

    @RegisterExtension
    final ControllerRig rig = new ControllerRig();

    private KubernetesClient admin;
    private CuratorFramework curator;

    @BeforeEach
    void start() {
        admin = rig.api().newClient();
        curator = ZooKeeperClients.start(rig.zk().getConnectString(), Duration.ofSeconds(3), Duration.ofSeconds(3));
    }

    @AfterEach
    void stop() {
        curator.close();
    }

    /** A Deployment "name" of {@code replicas}, {@code pods} ready pods requesting 500m, each using {@code usage}. */
    private void workload(String name, int replicas, int pods, String usage) {
        admin.apps()
                .deployments()
                .inNamespace(NS)
                .resource(deployment(NS, name, replicas, Map.of("app", name), Map.of()))
                .createOr(r -> r.update());
        for (int i = 0; i < pods; i++) {
            admin.pods()
                    .inNamespace(NS)
                    .resource(runningPod(NS, name + "-" + i, Map.of("app", name), "500m"))
                    .createOr(r -> r.update());
        }
        load(name, pods, usage);
    }

    /** Every one of the workload's first {@code pods} pods now uses {@code usage}. */
    private void load(String name, int pods, String usage) {
        for (int i = 0; i < pods; i++) {
            admin.genericKubernetesResources(KubeCluster.POD_METRICS)
                    .inNamespace(NS)
                    .resource(podMetrics(
                            NS,
                            name + "-" + i,
                            Map.of("app", name),
                            rig.clock.instant().toString(),
                            "30s",
                            map("app", usage)))
                    .createOr(r -> r.update());
        }
    }

    private void config(String name, String json) throws Exception {
        String path = "/zkscale/targets/" + NS + "/" + name;
        if (curator.checkExists().forPath(path) == null) {
            curator.create().creatingParentsIfNeeded().forPath(path, json.getBytes(StandardCharsets.UTF_8));
        } else {
            curator.setData().forPath(path, json.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A started controller whose config source has loaded (it loads in the background). */
    private Controller controller(ZkscaleSettings settings, PrometheusMeterRegistry registry) {
        Controller c = rig.start(settings, registry);
        tunings(c, t -> true);
        return c;
    }

    /** The controller's view of the config ZNodes once it satisfies {@code until} (it follows ZooKeeper closely). */
    private static List<Target> tunings(Controller c, Predicate<List<Target>> until) {
        return await().ignoreException(TuningUnavailableException.class).until(c.tuning()::targets, until);
    }

    private Controller controller(String id) {
        return controller(
                TestSettings.of(rig.zk().getConnectString(), id),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    private Deployment web() {
        return admin.apps().deployments().inNamespace(NS).withName("web").get();
    }

    private long writtenEpoch() {
        return Long.parseLong(web().getMetadata().getAnnotations().get(KubeCluster.EPOCH_ANNOTATION));
    }

    private int patches(int mark) {
        return webPatches(mark).size();
    }

    /** The JSON Patches of web since {@code mark} that scale it (the others are takeover stamps). */
    private int scaleWrites(int mark) {
        return (int) webPatches(mark).stream()
                .filter(body -> body.contains("/spec/replicas"))
                .count();
    }

    private List<String> webPatches(int mark) {
        return rig.api()
                .bodies(mark, r -> r.method().equals("PATCH") && r.path().startsWith(WEB_PATH));
    }

    /** The Events of that reason once there are {@code count} (they are sent in the background). */
    private List<Event> events(String reason, int count) {
        return await().until(() -> events(reason), l -> l.size() == count);
    }

    private List<Event> events(String reason) {
        return admin.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason()))
                .toList();
    }

    /** The leader and the standby of {@link #leaderWroteOnce}, and the epoch the leader wrote with. */
    private record FirstWrite(Controller first, Controller second, long firstEpoch) {}

    /**
     * Two controllers on "web" (2 pods at 90% of a 50% target, maxReplicas 20), after the leader's first pass: it has
     * written with its epoch, the other stands by.
     */
    private FirstWrite leaderWroteOnce() throws Exception {
        workload("web", 2, 2, "450m");
        config("web", "{\"maxReplicas\":20,\"targetCPUUtilizationPercentage\":50}");
        Controller a = controller("a");
        Controller b = controller("b");
        Controller leader = leader(a, b);
        leader.loop().pass();
        return new FirstWrite(leader, leader == a ? b : a, writtenEpoch());
    }

    /** One leading controller with these settings, on a target "web" with this config. */
    private Controller leading(ZkscaleSettings settings, PrometheusMeterRegistry registry, String webConfig)
            throws Exception {
        config("web", webConfig);
        Controller c = controller(settings, registry);
        await().until(() -> c.leadership().epoch().isPresent());
        return c;
    }

    private Controller leading(PrometheusMeterRegistry registry, String webConfig) throws Exception {
        return leading(TestSettings.of(rig.zk().getConnectString(), "a"), registry, webConfig);
    }

    private Controller leading(ZkscaleSettings settings, String webConfig) throws Exception {
        return leading(settings, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), webConfig);
    }

    private Controller leading(String webConfig) throws Exception {
        return leading(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), webConfig);
    }

    private static Controller leader(Controller a, Controller b) {
        await().until(() ->
                a.leadership().epoch().isPresent() || b.leadership().epoch().isPresent());
        return a.leadership().epoch().isPresent() ? a : b;
    }

    /** Runs passes until the controller's cache shows the workload at {@code replicas}. */
    private static void awaitCached(Controller c, int replicas) {
        await().until(() -> {
            c.loop().pass();
            return c.record()
                    .latest(new TargetRef(NS, "web"))
                    .map(e -> e.snapshot().specReplicas() == replicas)
                    .orElse(false);
        });
    }

    @Test
    @DisplayName("only the leader decides and writes, and its write carries its epoch")
    void onlyTheLeaderWrites() throws Exception {
        // Given two pods at 90% of a 50% target and two controllers
        workload("web", 2, 2, "450m");
        config("web", "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":50}");
        Controller a = controller("a");
        Controller b = controller("b");
        Controller leader = leader(a, b);
        Controller follower = leader == a ? b : a;

        // When both run a pass
        int mark = rig.api().mark();
        follower.loop().pass();
        leader.loop().pass();

        // Then the leader alone wrote: ceil(1.8 x 2) = 4, with its epoch; the write fenced web, so no stamp
        assertEquals(4, web().getSpec().getReplicas());
        assertEquals(leader.leadership().epoch().getAsLong(), writtenEpoch());
        assertEquals(1, patches(mark), "the write alone");
        assertEquals(1, scaleWrites(mark));
        assertTrue(follower.record().targets().isEmpty());
        events("SuccessfulRescale", 1);
        assertEquals(
                "New size: 4; reason: cpu resource utilization (percentage of request) above target",
                events("SuccessfulRescale").get(0).getMessage());
    }

    @Test
    @DisplayName("closing the leader hands over: the standby's writes carry a greater epoch")
    void handover() throws Exception {
        FirstWrite pair = leaderWroteOnce();
        Controller first = pair.first();
        Controller second = pair.second();

        // When the leader shuts down and the load doubles
        first.close();
        await().until(() -> second.leadership().epoch().isPresent());
        load("web", 2, "900m");
        awaitCached(second, 8);

        // Then the standby scaled (180% of 50% on 2 pods: 8, within the legacy limit of 2 x 4) with a newer epoch
        assertEquals(8, web().getSpec().getReplicas());
        assertTrue(writtenEpoch() > pair.firstEpoch());
    }

    @Test
    @DisplayName("a standby that takes over passes at once (stamping its epoch), without waiting for the next tick")
    void passAtTakeover() throws Exception {
        FirstWrite pair = leaderWroteOnce();
        Controller second = pair.second();
        second.passAtEachTerm();

        // When the leader shuts down, and the test runs no pass
        pair.first().close();

        // Then the new leader's first pass fences web with its epoch
        await().until(() -> writtenEpoch() > pair.firstEpoch());
        assertEquals(second.leadership().epoch().getAsLong(), writtenEpoch());
    }

    @Test
    @DisplayName("a leader whose ZooKeeper session is lost stops writing before the standby starts")
    void sessionLoss() throws Exception {
        FirstWrite pair = leaderWroteOnce();
        Controller first = pair.first();
        Controller second = pair.second();
        load("web", 2, "900m");

        // When the leader's session expires
        first.curator().getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();

        // Then its passes write nothing, even before the standby leads
        int mark = rig.api().mark();
        first.loop().pass();
        assertEquals(0, patches(mark));
        await().until(() -> second.leadership().epoch().isPresent());
        awaitCached(second, 8);
        assertTrue(writtenEpoch() > pair.firstEpoch());
    }

    @Test
    @DisplayName(
            "the metrics API down: no decision, no scale-down, a FailedGetResourceMetric event and a counted error")
    void metricsDown() throws Exception {
        workload("web", 4, 4, "50m");
        rig.api()
                .server
                .expect()
                .get()
                .withPath("/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods")
                .andReturn(503, failure(503, null, null))
                .always();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Controller c = leading(
                registry,
                "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":50,\"downscaleStabilizationSeconds\":0}");

        int mark = rig.api().mark();
        c.loop().pass();
        c.loop().pass();

        assertEquals(4, web().getSpec().getReplicas());
        assertEquals(0, scaleWrites(mark));
        assertEquals(1, patches(mark), "the takeover stamp only");
        String error = c.record()
                .decisions(new TargetRef(NS, "web"))
                .get(1)
                .at("/decision/error")
                .asText();
        assertTrue(error.contains("unable to fetch metrics from resource metrics API"), error);
        // One Event per distinct failure, not per pass
        events("FailedGetResourceMetric", 1);
        assertTrue(
                registry.scrape().contains("zkscale_metrics_errors_total{reason=\"metrics_api_unavailable\",} 2.0"),
                registry.scrape());
        assertTrue(registry.scrape()
                .contains("zkscale_target_cpu_utilization_percent{namespace=\"shop\",target=\"web\",} NaN"));
    }

    @Test
    @DisplayName("pods without metrics count as using their request on the way down, never as zero load")
    void missingMetrics() throws Exception {
        // Four pods, two reporting 10% and two silent: as zero load the HPA would go to 1; upstream keeps 4
        workload("web", 4, 4, "50m");
        admin.genericKubernetesResources(KubeCluster.POD_METRICS)
                .inNamespace(NS)
                .withName("web-2")
                .delete();
        admin.genericKubernetesResources(KubeCluster.POD_METRICS)
                .inNamespace(NS)
                .withName("web-3")
                .delete();
        Controller c = leading(
                "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":50,\"downscaleStabilizationSeconds\":0}");

        c.loop().pass();

        assertEquals(4, web().getSpec().getReplicas());
        assertEquals(
                "[\"web-2\",\"web-3\"]",
                c.record()
                        .decisions(new TargetRef(NS, "web"))
                        .get(0)
                        .at("/decision/missingPods")
                        .toString());
    }

    @Test
    @DisplayName("a target whose Deployment does not exist is reported and skipped; the others still scale")
    void vanishedWorkload() throws Exception {
        workload("web", 2, 2, "450m");
        config("gone", "{\"maxReplicas\":10}");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Controller c = leading(registry, "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":50}");

        c.loop().pass();

        assertEquals(4, web().getSpec().getReplicas());
        List<Event> failed = events("FailedGetScale", 1);
        assertEquals("gone", failed.get(0).getInvolvedObject().getName());
        assertEquals("deployments.apps \"gone\" not found", failed.get(0).getMessage());
        assertTrue(registry.scrape().contains("zkscale_metrics_errors_total{reason=\"workload_missing\",} 1.0"));
    }

    @Test
    @DisplayName("an API error on the write is counted, reported, and retried on the next pass")
    void writeRetried() throws Exception {
        // Given a leader that has stamped web in a pass that did not need to scale it
        workload("web", 2, 2, "250m");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Controller c = leading(registry, "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":50}");
        int mark = rig.api().mark();
        c.loop().pass();
        assertEquals(1, patches(mark), "the takeover stamp");
        // Once the controller's cache shows the stamp, a pass sends nothing
        await().until(() -> {
            int before = rig.api().mark();
            c.loop().pass();
            return patches(before) == 0;
        });
        rig.api()
                .server
                .expect()
                .patch()
                .withPath(WEB_PATH)
                .andReturn(503, failure(503, null, null))
                .once();
        load("web", 2, "450m");

        c.loop().pass();
        assertEquals(2, web().getSpec().getReplicas());
        events("FailedRescale", 1);
        c.loop().pass();

        assertEquals(4, web().getSpec().getReplicas());
        String scrape = registry.scrape();
        assertTrue(
                scrape.contains("zkscale_scale_operations_total{direction=\"up\",namespace=\"shop\",result=\"failure\","
                        + "target=\"web\",} 1.0"),
                scrape);
        assertTrue(
                scrape.contains("zkscale_scale_operations_total{direction=\"up\",namespace=\"shop\",result=\"success\","
                        + "target=\"web\",} 1.0"),
                scrape);
    }

    @Test
    @DisplayName(
            "a target of a foreign epoch (counter reset: it carries 42, the counter is at 3): the leader advances to"
                    + " 43, says so, and writes")
    void foreignEpochAdvanced() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Controller c = foreignEpoch(registry);

        c.loop().pass();

        assertEquals(4, web().getSpec().getReplicas());
        assertEquals(43, writtenEpoch());
        assertEquals(OptionalLong.of(43), c.leadership().epoch());
        assertEquals(1, events("EpochAdvanced").size());
        assertTrue(
                registry.scrape().contains("zkscale_foreign_epochs_total{outcome=\"advanced\",} 1.0"),
                registry.scrape());
    }

    @Test
    @DisplayName("a target of a foreign epoch when the counter has moved past the leader's: deposed, it writes nothing")
    void foreignEpochDeposed() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Controller c = foreignEpoch(registry);
        curator.setData().forPath("/zkscale/epoch", "10".getBytes(StandardCharsets.UTF_8));

        int mark = rig.api().mark();
        c.loop().pass();

        assertEquals(0, patches(mark));
        assertEquals(42, writtenEpoch());
        assertTrue(c.leadership().epoch().orElse(0) != 3, "epoch 3 is void");
        assertTrue(events("EpochAdvanced").isEmpty());
        assertTrue(
                registry.scrape().contains("zkscale_foreign_epochs_total{outcome=\"deposed\",} 1.0"),
                registry.scrape());
    }

    /** A leader at epoch 3 (the counter was at 2) and web at 2 replicas carrying epoch 42, under load to scale to 4. */
    private Controller foreignEpoch(PrometheusMeterRegistry registry) throws Exception {
        curator.create().creatingParentsIfNeeded().forPath("/zkscale/epoch", "2".getBytes(StandardCharsets.UTF_8));
        workload("web", 2, 2, "450m");
        admin.apps().deployments().inNamespace(NS).withName("web").edit(d -> {
            d.getMetadata().setAnnotations(Map.of(KubeCluster.EPOCH_ANNOTATION, "42"));
            return d;
        });
        Controller c = leading(registry, "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":50}");
        // Its caches were filled at start, after the edit
        assertEquals(OptionalLong.of(3), c.leadership().epoch());
        return c;
    }

    @Test
    @DisplayName("DryRun and Paused targets, and a dry-run controller, never write")
    void modes() throws Exception {
        workload("web", 2, 2, "450m");
        Controller c = leading("{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":50,\"mode\":\"DryRun\"}");
        int mark = rig.api().mark();

        c.loop().pass();
        JsonNode dry = c.record().decisions(new TargetRef(NS, "web")).get(0);
        assertEquals(4, dry.at("/decision/desiredReplicas").asInt());
        assertEquals("dry run: not written", dry.get("write").asText());

        config("web", "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":50,\"mode\":\"Paused\"}");
        tunings(c, t -> t.get(0).config().mode() == dev.zkscale.core.Mode.Paused);
        c.loop().pass();
        assertEquals(1, c.record().decisions(new TargetRef(NS, "web")).size(), "a paused target is not decided");

        assertEquals(0, patches(mark));
        assertEquals(2, web().getSpec().getReplicas());
    }

    @Test
    @DisplayName("a global dry run decides and records but never writes")
    void globalDryRun() throws Exception {
        workload("web", 2, 2, "450m");
        Controller c = leading(
                TestSettings.of(rig.zk().getConnectString(), "a", Map.of("zkscale.dry-run", "true")),
                "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":50}");
        int mark = rig.api().mark();

        c.loop().pass();

        assertEquals(0, patches(mark));
        assertEquals(
                4,
                c.record()
                        .decisions(new TargetRef(NS, "web"))
                        .get(0)
                        .at("/decision/desiredReplicas")
                        .asInt());
    }

    @Test
    @DisplayName("a rejected config keeps the last good one, with an InvalidConfig event and a counted rejection")
    void rejectedConfig() throws Exception {
        workload("web", 2, 2, "450m");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Controller c = leading(registry, "{\"maxReplicas\":3,\"targetCPUUtilizationPercentage\":50}");
        c.loop().pass();
        assertEquals(3, web().getSpec().getReplicas());

        // When the ZNode turns invalid and the load doubles
        config("web", "{\"maxReplicas\":\"ten\"}");
        tunings(c, t -> t.get(0).rejected() != null);
        load("web", 2, "900m");
        awaitCached(c, 3);
        c.loop().pass();

        // Then the last good config (max 3) still rules
        assertEquals(3, web().getSpec().getReplicas());
        assertTrue(c.record()
                .decisions(new TargetRef(NS, "web"))
                .get(1)
                .at("/decision/error")
                .isNull());
        events("InvalidConfig", 1);
        assertTrue(
                events("InvalidConfig").get(0).getMessage().contains("maxReplicas: must be an integer"),
                events("InvalidConfig").get(0).getMessage());
        assertTrue(registry.scrape().contains("zkscale_config_rejected_total{namespace=\"shop\",target=\"web\",} 1.0"));
    }

    @Test
    @DisplayName("zkscale.max-replicas-ceiling caps every write")
    void ceiling() throws Exception {
        workload("web", 2, 2, "450m");
        Controller c = leading(
                TestSettings.of(rig.zk().getConnectString(), "a", Map.of("zkscale.max-replicas-ceiling", "3")),
                "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":50}");

        c.loop().pass();

        assertEquals(3, web().getSpec().getReplicas());
        assertFalse(c.record().decisions(new TargetRef(NS, "web")).isEmpty());
    }

    @Test
    @DisplayName("a deleted config ZNode stops management: the record and the series go, the replicas stay")
    void deletedTarget() throws Exception {
        workload("web", 2, 2, "450m");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Controller c = leading(registry, "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":50}");
        c.loop().pass();
        assertTrue(
                registry.scrape().contains("zkscale_target_desired_replicas{namespace=\"shop\",target=\"web\",} 4.0"));

        curator.delete().forPath("/zkscale/targets/shop/web");
        tunings(c, List::isEmpty);
        c.loop().pass();

        assertTrue(c.record().targets().isEmpty());
        assertFalse(registry.scrape().contains("target=\"web\""), registry.scrape());
        assertEquals(4, web().getSpec().getReplicas());
    }

    @Test
    @DisplayName("a changed config takes effect on the next pass, without a restart: a ConfigApplied event with its "
            + "version, and the version gauge")
    void liveChange() throws Exception {
        // Two pods at 90% of a 50% target ask for 4, but maxReplicas is 3
        workload("web", 2, 2, "450m");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Controller c = leading(registry, "{\"maxReplicas\":3,\"targetCPUUtilizationPercentage\":50}");
        c.loop().pass();
        assertEquals(3, web().getSpec().getReplicas());
        assertEquals(
                List.of("config version 0 applied (/zkscale/targets/shop/web version 0): minReplicas 1, "
                        + "maxReplicas 3, targetCPUUtilizationPercentage 50, mode Active"),
                events("ConfigApplied", 1).stream().map(Event::getMessage).toList());
        assertEquals("Normal", events("ConfigApplied").get(0).getType());
        assertTrue(registry.scrape().contains("zkscale_config_version{namespace=\"shop\",target=\"web\",} 0.0"));
        awaitCached(c, 3);

        // When maxReplicas is raised, and the controller's view has it
        config("web", "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":50}");
        tunings(c, t -> t.get(0).inForce().version() == 1);
        c.loop().pass();

        // Then that one pass scaled to 4, and said which config it used, once
        assertEquals(4, web().getSpec().getReplicas());
        events("ConfigApplied", 2);
        assertTrue(
                events("ConfigApplied").stream().anyMatch(e -> e.getMessage().startsWith("config version 1 applied")));
        assertTrue(registry.scrape().contains("zkscale_config_version{namespace=\"shop\",target=\"web\",} 1.0"));
    }

    @Test
    @DisplayName("with the ACLs set, a controller whose identity (from a Secret file) may only read config still "
            + "loads it, leads and scales")
    void readOnlyIdentity(@TempDir Path dir) throws Exception {
        workload("web", 2, 2, "450m");
        Path adminFile = Files.writeString(dir.resolve("admin"), "admin:admin-secret\n");
        Path controllerFile = Files.writeString(dir.resolve("controller"), "controller:controller-secret\n");
        Credentials admin = Credentials.read(adminFile);
        try (CuratorFramework adminClient = ZooKeeperClients.start(
                rig.zk().getConnectString(), Duration.ofSeconds(3), Duration.ofSeconds(3), admin)) {
            assertTrue(adminClient.blockUntilConnected(30, TimeUnit.SECONDS));
            ConfigStore store = new ConfigStore(adminClient, "/zkscale", Optional.of(admin), 100);
            store.init(Credentials.read(controllerFile).digestId());
            store.set(
                    ConfigStore.Key.parse("shop/web"),
                    "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":50}".getBytes(StandardCharsets.UTF_8),
                    OptionalInt.empty());
        }

        Controller c = controller(
                TestSettings.of(
                        rig.zk().getConnectString(),
                        "a",
                        Map.of("zkscale.zookeeper.auth-file", controllerFile.toString())),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        await().until(() -> c.leadership().epoch().isPresent());
        c.loop().pass();

        assertEquals(4, web().getSpec().getReplicas());
        assertEquals(1, writtenEpoch(), "the epoch counter init created, advanced by the controller's identity");
    }

    @Test
    @DisplayName("leadership lost and won back: the per-target series, config version included, come back with the "
            + "next pass, and the unchanged config is not announced again")
    void leadershipRegained() throws Exception {
        workload("web", 2, 2, "450m");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Controller c = leading(registry, "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":50}");
        long first = c.leadership().epoch().getAsLong();
        c.loop().pass();
        String version = "zkscale_config_version{namespace=\"shop\",target=\"web\",} 0.0";
        assertTrue(registry.scrape().contains(version));

        c.curator().getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
        c.loop().pass();
        assertFalse(registry.scrape().contains("target=\"web\""), "a follower shows no per-target series");

        await().until(() ->
                c.leadership().epoch().isPresent() && c.leadership().epoch().getAsLong() > first);
        tunings(c, t -> !t.isEmpty());
        c.loop().pass();
        assertTrue(registry.scrape().contains(version), registry.scrape());
        events("ConfigApplied", 1);
    }
}

package dev.zkscale.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zkscale.coordination.ZkDecisionState;
import dev.zkscale.coordination.ZooKeeperClients;
import dev.zkscale.core.History;
import dev.zkscale.core.TargetRef;
import dev.zkscale.loop.TuningSource.TuningUnavailableException;
import dev.zkscale.monitor.DecisionRecord;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Warm failover with two real controllers (ZooKeeper server, mock API server with the API-server-like dispatcher): the
 * leader dies as under kill -9 (its ZooKeeper session expires without it releasing anything, in process: the process
 * test {@link FailoverIT} covers the latch, not decisions), and the standby continues its stabilization window.
 */
class WarmFailoverTest {
    private static final String NS = "shop";
    private static final TargetRef WEB = new TargetRef(NS, "web");
    private static final String STATE = "/zkscale/state/shop/web";
    private static final Duration PERIOD = Duration.ofSeconds(15);

    @RegisterExtension
    final ControllerRig rig = new ControllerRig();

    private KubernetesClient admin;
    private CuratorFramework curator;
    /** What each pod uses at the next pass. */
    private String currentUsage = "250m";

    @BeforeEach
    void start() throws Exception {
        admin = rig.api().newClient();
        curator = ZooKeeperClients.start(rig.zk().getConnectString(), Duration.ofSeconds(3), Duration.ofSeconds(3));
        // 4 pods at 50% of a 50% target: 4 is right; a 60 s scale-down window.
        Shop.deploy(admin, "web", 4);
        load("250m");
        Shop.configure(
                rig.zk().getConnectString(),
                "web",
                "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":50,\"downscaleStabilizationSeconds\":60}");
    }

    @AfterEach
    void stop() {
        curator.close();
    }

    private void load(String usage) {
        Shop.load(admin, "web", 4, rig.clock.instant().toString(), usage);
    }

    private Controller controller(String id, boolean warm, PrometheusMeterRegistry registry) {
        Controller c = rig.start(
                TestSettings.of(
                        rig.zk().getConnectString(), id, Map.of("zkscale.warm-failover", Boolean.toString(warm))),
                registry);
        await().ignoreException(TuningUnavailableException.class)
                .until(() -> !c.tuning().targets().isEmpty());
        return c;
    }

    private Controller controller(String id, boolean warm) {
        return controller(id, warm, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /** One pass of {@code c} at the clock's time, then the clock moves on a sync period; the pass's decision. */
    private DecisionRecord.Entry pass(Controller c) {
        load(currentUsage);
        c.loop().pass();
        DecisionRecord.Entry entry = c.record().latest(WEB).orElseThrow();
        assertEquals(rig.clock.instant(), entry.snapshot().now());
        rig.clock.advance(PERIOD);
        return entry;
    }

    /** The saved state, as the current term loads it (null when there is none). */
    private History saved() throws Exception {
        long epoch = Long.parseLong(new String(curator.getData().forPath("/zkscale/epoch"), StandardCharsets.UTF_8));
        return new ZkDecisionState(curator, "/zkscale")
                .load(epoch, Set.of(WEB))
                .histories()
                .get(WEB);
    }

    /** Waits until the saved state holds the recommendation made at {@code time} (saving runs after the pass). */
    private void awaitSaved(Instant time) {
        await().until(() -> {
            History saved = saved();
            return saved != null
                    && saved.recommendations().stream().map(History.Entry::time).anyMatch(time::equals);
        });
    }

    /** Leader "a" at 4 replicas for a pass, then the load falls: 2 passes held at 4 by the window; then a dies. */
    private Controller leaderDiesMidWindow(boolean warm, PrometheusMeterRegistry standbyRegistry) throws Exception {
        Controller a = controller("a", warm);
        await().until(() -> a.leadership().epoch().isPresent());
        Controller b = controller("b", warm, standbyRegistry);
        assertEquals(4, pass(a).decision().desiredReplicas());
        currentUsage = "25m";
        for (int i = 0; i < 2; i++) {
            assertEquals(4, pass(a).decision().desiredReplicas(), "held by the window");
        }
        if (warm) {
            awaitSaved(rig.clock.instant().minus(PERIOD));
        }
        a.curator().getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
        await().until(() -> b.leadership().epoch().isPresent());
        return b;
    }

    @Test
    @DisplayName("kill -9 mid window: the new leader scales down when the old one would have, not a window later")
    void warmScaleDownOnTime() throws Exception {
        Controller b = leaderDiesMidWindow(true, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));

        // The recommendation of 4 was made at t0; the window of 60 s holds it through t60, as one leader would.
        DecisionRecord.Entry first = pass(b);
        assertNotNull(first.snapshot().history(), "the new leader continues the old one's history");
        assertEquals(4, first.decision().desiredReplicas());
        assertEquals(4, pass(b).decision().desiredReplicas());
        DecisionRecord.Entry t75 = pass(b);
        assertEquals(Instant.parse("2026-06-01T00:01:15Z"), t75.snapshot().now());
        assertEquals(1, t75.decision().desiredReplicas());
        assertEquals(1, Shop.replicas(admin, "web"));
    }

    @Test
    @DisplayName("warm-failover=false: the new leader starts cold, as upstream, and holds the size a window longer")
    void coldWhenDisabled() throws Exception {
        Controller b = leaderDiesMidWindow(false, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));

        assertNull(curator.checkExists().forPath("/zkscale/state"), "nothing saved");
        DecisionRecord.Entry first = pass(b);
        assertNull(first.snapshot().history(), "the new leader knows nothing of the target");
        for (int i = 0; i < 4; i++) {
            assertEquals(4, pass(b).decision().desiredReplicas(), "its own window, seeded at takeover, holds 4");
        }
        DecisionRecord.Entry t120 = pass(b);
        assertEquals(Instant.parse("2026-06-01T00:02:00Z"), t120.snapshot().now(), "45 s later than one leader");
        assertEquals(1, t120.decision().desiredReplicas());
    }

    @Test
    @DisplayName("a corrupt state ZNode: that target starts cold, with a log line and a metric, and the pass goes on")
    void corruptStartsCold() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Controller a = controller("a", true);
        await().until(() -> a.leadership().epoch().isPresent());
        Controller b = controller("b", true, registry);
        pass(a);
        awaitSaved(rig.clock.instant().minus(PERIOD));
        curator.setData().forPath(STATE, "{\"recommendations\": [{\"time\": 1".getBytes(StandardCharsets.UTF_8));

        a.curator().getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
        await().until(() -> b.leadership().epoch().isPresent());
        DecisionRecord.Entry first = pass(b);

        assertNull(first.snapshot().history());
        assertEquals(4, first.decision().desiredReplicas());
        String scrape = registry.scrape();
        assertTrue(scrape.contains("zkscale_state_load_failures_total{reason=\"corrupt\",} 1.0"), scrape);
        awaitSaved(first.snapshot().now());
        History.Entry seeded = new History.Entry(first.snapshot().now(), 4);
        assertEquals(
                List.of(seeded, seeded), saved().recommendations(), "its fresh history replaced the corrupt state");
    }
}

package dev.zkscale.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zkscale.kube.Fixtures;
import dev.zkscale.kube.MockApi;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Failover between two {@code zkscale run} processes (the packaged jar, through {@code bin/zkscale}), against a
 * ZooKeeper server in a third process and a mock Kubernetes API server in this JVM. What a user of two replicas relies
 * on: exactly one of them scales, its writes carry its epoch, and when it dies ({@code kill -9}) or is stopped
 * ({@code SIGTERM}) the other takes over and scales with a strictly greater epoch.
 *
 * <p>Every process's output is kept in {@code target/failover-it/}. Durations are printed as {@code [measured]} lines,
 * and asserted only where the difference is one of kind (a graceful stop must not wait for the session to expire).
 */
class FailoverIT {
    private static final Path OUT = Path.of("target", "failover-it");
    private static final String NS = "shop";
    private static final String NAME = "web";
    private static final Map<String, String> WEB = Map.of("app", "web");
    private static final String EPOCH_ANNOTATION = "zkscale.dev/leader-epoch";
    private static final Duration PATIENCE = Duration.ofSeconds(40);
    private static final Duration POLL = Duration.ofMillis(50);

    private static ZooKeeperProcess zookeeper;
    private static CuratorFramework zk;

    private final List<ZkscaleProcess> processes = new ArrayList<>();
    private final List<ZkscaleProcess> stopped = new ArrayList<>();
    private MockApi api;
    private KubernetesClient admin;
    private Path logs;
    private String root;

    @BeforeAll
    static void startZooKeeper() throws Exception {
        zookeeper = ZooKeeperProcess.start(OUT, Duration.ofSeconds(30));
        zk = CuratorFrameworkFactory.newClient(
                zookeeper.connectString(), 30_000, 5_000, new ExponentialBackoffRetry(100, 3));
        zk.start();
        assertTrue(zk.blockUntilConnected(10, TimeUnit.SECONDS), "ZooKeeper is not serving");
    }

    @AfterAll
    static void stopZooKeeper() throws Exception {
        if (zk != null) {
            zk.close();
        }
        if (zookeeper != null) {
            zookeeper.close();
        }
    }

    /**
     * A deployment of 2 replicas with 2 ready pods requesting 500m each and using 600m each: 120% against a target of
     * 80% asks for ceil(2 x 120 / 80) = 3 replicas. The mock API server runs no controller, so the pods stay 2 and 3
     * stays the answer on every later pass; at 1000m each (200%) it becomes ceil(2 x 200 / 80) = 5.
     */
    @BeforeEach
    void seed(TestInfo test) throws Exception {
        String name = test.getTestMethod().orElseThrow().getName();
        logs = OUT.resolve(name);
        root = "/zkscale-" + name;
        api = MockApi.start();
        admin = api.newClient();
        Fixtures.createWorkload(admin, NS, NAME, WEB, 2, 2, "500m");
        load("600m");
        zk.create()
                .creatingParentsIfNeeded()
                .forPath(
                        root + "/targets/" + NS + "/" + NAME,
                        "{\"maxReplicas\": 10, \"targetCPUUtilizationPercentage\": 80}"
                                .getBytes(StandardCharsets.UTF_8));
    }

    @AfterEach
    void stopAll() throws Exception {
        for (ZkscaleProcess p : processes) {
            p.close();
        }
        if (api != null) {
            api.close();
        }
    }

    @Test
    @DisplayName("kill -9 of the leader: after its session expires the standby leads and scales with a greater epoch")
    void killedLeader() throws Exception {
        Duration session = Duration.ofSeconds(3);
        Pair pair = startPair(session);
        long first = pair.leader().epoch();
        awaitScaled(3, first);
        // The Event follows the write: wait for it, or the kill can come between the two.
        awaitRescaleEvents(1);

        long killed = System.nanoTime();
        stopped.add(pair.leader());
        pair.leader().kill();
        pair.leader().awaitExit();
        load("1000m");

        long second = awaitLeader(pair.standby(), first);
        long led = System.nanoTime();
        awaitScaled(5, second);
        long scaled = System.nanoTime();
        measured("kill -9", session, killed, led, scaled);
        awaitRescaleEvents(2);
        assertEquals(0, pair.leader().metrics().size(), "the killed leader is gone");
    }

    @Test
    @DisplayName("SIGTERM of the leader: it gives up the latch on the way out, the standby leads at once")
    void stoppedLeader() throws Exception {
        // A long session: a takeover that waited for it to expire would show, and fail the bound below.
        Duration session = Duration.ofSeconds(20);
        Pair pair = startPair(session);
        long first = pair.leader().epoch();
        awaitScaled(3, first);

        long stopping = System.nanoTime();
        stopped.add(pair.leader());
        pair.leader().stop();
        load("1000m");

        long second = awaitLeader(pair.standby(), first);
        long led = System.nanoTime();
        int exit = pair.leader().awaitExit();
        awaitScaled(5, second);
        long scaled = System.nanoTime();
        measured("SIGTERM", session, stopping, led, scaled);
        assertTrue(
                Duration.ofNanos(led - stopping).compareTo(session.dividedBy(2)) < 0,
                "the standby should lead well before the stopped leader's session would expire; it took "
                        + Duration.ofNanos(led - stopping).toMillis() + " ms");
        String log = Files.readString(pair.leader().log());
        assertTrue(log.contains("no longer leader (closed"), "the stopped leader closes its latch:\n" + log);
        assertTrue(exit == 0 || exit == 143, "exit status after SIGTERM: " + exit);
    }

    /** Waits for {@code count} SuccessfulRescale Events on web or more (a leader may scale more than once). */
    private void awaitRescaleEvents(int count) {
        await(count + " SuccessfulRescale Events on web")
                .atMost(PATIENCE)
                .pollInterval(POLL)
                .until(() -> admin.v1().events().inNamespace(NS).list().getItems().stream()
                                .filter(e -> "SuccessfulRescale".equals(e.getReason())
                                        && NAME.equals(e.getInvolvedObject().getName()))
                                .count()
                        >= count);
    }

    private record Pair(ZkscaleProcess leader, ZkscaleProcess standby) {}

    /** Starts instances a and b, waits until exactly one leads and has scaled the deployment, and says which. */
    private Pair startPair(Duration session) throws Exception {
        Map<String, String> settings = Map.of(
                "zkscale.zookeeper.connect",
                zookeeper.connectString(),
                "zkscale.zookeeper.root",
                root,
                "zkscale.zookeeper.session-timeout",
                session.toMillis() + "ms",
                "zkscale.sync-period",
                "1s",
                "quarkus.kubernetes-client.api-server-url",
                api.server.url("/"),
                "quarkus.kubernetes-client.request-timeout",
                "1s");
        long starting = System.nanoTime();
        ZkscaleProcess a = ZkscaleProcess.start("a", logs, settings);
        processes.add(a);
        ZkscaleProcess b = ZkscaleProcess.start("b", logs, settings);
        processes.add(b);
        await("exactly one of a and b leads")
                .atMost(PATIENCE)
                .pollInterval(POLL)
                .until(() -> {
                    alive(a, b);
                    double la = a.metric("zkscale_leader").orElse(-1);
                    double lb = b.metric("zkscale_leader").orElse(-1);
                    return la >= 0 && lb >= 0 && la + lb == 1;
                });
        System.out.printf(
                "[measured] two zkscale run processes started, one leading, after %d ms%n",
                Duration.ofNanos(System.nanoTime() - starting).toMillis());
        Pair pair = a.metric("zkscale_leader").orElse(0) == 1 ? new Pair(a, b) : new Pair(b, a);
        assertEquals(0, pair.standby().epoch(), "the standby has no epoch");
        assertTrue(pair.leader().epoch() > 0, "the leader has an epoch");
        return pair;
    }

    /** Waits until {@code p} leads with an epoch greater than {@code previous}, and returns it. */
    private long awaitLeader(ZkscaleProcess p, long previous) {
        await(p.id() + " leads with an epoch > " + previous)
                .atMost(PATIENCE)
                .pollInterval(POLL)
                .until(() -> {
                    alive(p);
                    return p.epoch() > previous && p.metric("zkscale_leader").orElse(0) == 1;
                });
        return p.epoch();
    }

    /**
     * Waits until the deployment has {@code replicas} and carries {@code epoch}, the epoch of the leader that wrote.
     */
    private void awaitScaled(int replicas, long epoch) {
        await("web scaled to " + replicas + " at epoch " + epoch)
                .atMost(PATIENCE)
                .pollInterval(POLL)
                .until(() -> {
                    alive(processes.toArray(ZkscaleProcess[]::new));
                    Deployment d = admin.apps()
                            .deployments()
                            .inNamespace(NS)
                            .withName(NAME)
                            .get();
                    Map<String, String> annotations = d.getMetadata().getAnnotations();
                    return d.getSpec().getReplicas() == replicas
                            && annotations != null
                            && Long.toString(epoch).equals(annotations.get(EPOCH_ANNOTATION));
                });
    }

    /** Fails at once, with its log, if a process that was not stopped on purpose has exited. */
    private void alive(ZkscaleProcess... ps) {
        for (ZkscaleProcess p : ps) {
            if (!p.alive() && !stopped.contains(p)) {
                throw new AssertionError(
                        p + " exited with " + p.process().exitValue() + ":\n" + ZooKeeperProcess.tail(p.log(), 40));
            }
        }
    }

    /** Every pod of web uses {@code cpu} (metrics-server's view, stamped now). */
    private void load(String cpu) {
        Fixtures.publishUsage(admin, NS, NAME, WEB, 2, cpu);
    }

    private static void measured(String how, Duration session, long stopped, long led, long scaled) {
        System.out.printf(
                "[measured] failover after %s, session timeout %d s, sync period 1 s: standby leads after "
                        + "%d ms, scaled after %d ms%n",
                how,
                session.toSeconds(),
                Duration.ofNanos(led - stopped).toMillis(),
                Duration.ofNanos(scaled - stopped).toMillis());
    }
}

package dev.zkscale.coordination;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zkscale.demo.TcpRelay;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.TestingCluster;
import org.apache.zookeeper.util.ServiceUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Leadership against a real ZooKeeper server (curator-test), with a 3 s session timeout. Orderings are asserted from
 * an {@link EpochRecorder}'s log, which reads the old leader before the standby in each pass, as a loop that checks
 * "does anyone else lead yet?" would; how long things took is printed as {@code [measured]} lines, never asserted.
 */
class ZkLeadershipTest {
    private static final String ROOT = "/zkscale";
    private static final Duration SESSION = Duration.ofSeconds(3);
    private static final Duration CONNECTION = Duration.ofSeconds(1);
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @RegisterExtension
    final ZooKeeperPerTest zk = new ZooKeeperPerTest();

    @BeforeAll
    static void serversMustNotExitTheTestJvm() {
        // A ZooKeeper server that fails (a port taken meanwhile by another process) calls System.exit by default,
        // which kills the whole test run; logged instead, the test fails on its own.
        ServiceUtils.setSystemExitProcedure(ServiceUtils.LOG_ONLY);
    }

    @Test
    @DisplayName("of two instances, exactly one has an epoch")
    void exactlyOneLeader() {
        ZkLeadership a = leadership(client(), "a");
        ZkLeadership b = leadership(client(), "b");

        awaitAnyEpoch(a, b);

        assertNotEquals(a.epoch().isPresent(), b.epoch().isPresent(), "exactly one leader with an epoch");
        assertNotEquals(a.holdsLatch(), b.holdsLatch(), "exactly one holds the latch");
        assertTrue(a.connected() && b.connected());
    }

    @Test
    @DisplayName("closing the leader hands over to the standby, whose epoch is greater")
    void closeHandsOver() throws Exception {
        ZkLeadership a = leadership(client(), "a");
        long first = awaitEpoch(a);
        ZkLeadership b = leadership(client(), "b");
        await().atMost(PATIENCE).until(b::connected);

        try (EpochRecorder recorder = new EpochRecorder(List.of(Map.entry("a", a), Map.entry("b", b)))) {
            long closing = System.nanoTime();
            a.close();
            long second = awaitEpoch(b);

            assertTrue(second > first, "new epoch " + second + " must be greater than " + first);
            assertEquals(OptionalLong.empty(), a.epoch());
            // The recorder polls: it may log b's epoch a moment after the await above saw it.
            int bLeads = await().atMost(PATIENCE).until(() -> recorder.indexOfAnyEpoch("b", 0), i -> i >= 0);
            measured(
                    "handover after close(): standby's epoch %.1f ms after close() began",
                    (recorder.nanosAt(bLeads) - closing) / 1e6);
        }
    }

    @Test
    @DisplayName("repeated handovers give strictly increasing epochs")
    void repeatedHandovers() {
        List<Long> epochs = new ArrayList<>();
        ZkLeadership leader = leadership(client(), "i0");
        epochs.add(awaitEpoch(leader));
        for (int i = 1; i <= 5; i++) {
            ZkLeadership standby = leadership(client(), "i" + i);
            await().atMost(PATIENCE).until(standby::connected);
            leader.close();
            epochs.add(awaitEpoch(standby));
            leader = standby;
        }

        for (int i = 1; i < epochs.size(); i++) {
            assertTrue(epochs.get(i) > epochs.get(i - 1), "epochs must strictly increase: " + epochs);
        }
    }

    @Test
    @DisplayName("the epoch counter survives restarts of every instance")
    void counterSurvivesRestarts() throws Exception {
        CuratorFramework aClient = client();
        CuratorFramework bClient = client();
        ZkLeadership a = leadership(aClient, "a");
        ZkLeadership b = leadership(bClient, "b");
        long before = awaitAnyEpoch(a, b);
        a.close();
        b.close();
        aClient.close();
        bClient.close();

        long after = awaitAnyEpoch(leadership(client(), "a"), leadership(client(), "b"));

        assertTrue(after > before, "epochs continue: " + after + " after " + before);
    }

    @Test
    @DisplayName("an expired session empties the old leader's epoch before the standby has one, and the old epoch "
            + "never comes back")
    void expiredSession() throws Exception {
        CuratorFramework aClient = client();
        // Nothing to undo: the client comes back by itself, with a new session.
        Failover f = failover(
                aClient,
                "session expiry",
                () -> aClient.getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration(),
                () -> {});
        assertEquals(OptionalLong.empty(), f.a().epoch());
    }

    @Test
    @DisplayName("a leader cut off from ZooKeeper stops before the new leader starts, and never writes with its old "
            + "epoch after the network heals")
    void partitionedLeader() throws Exception {
        TcpRelay proxy = zk.open(TcpRelay.open(zk.server().getPort(), "test"));
        // No ensemble tracker: it would learn the server's real address and bypass the proxy.
        CuratorFramework aClient = zk.open(CuratorFrameworkFactory.builder()
                .connectString(proxy.connectString())
                .sessionTimeoutMs((int) SESSION.toMillis())
                .connectionTimeoutMs((int) CONNECTION.toMillis())
                .retryPolicy(new ExponentialBackoffRetry(100, 3))
                .ensembleTracker(false)
                .build());
        aClient.start();
        Failover f = failover(aClient, "partition", proxy::partition, proxy::heal);
        assertEquals(OptionalLong.of(f.next()), f.b().epoch(), "b keeps leading after a is back");
    }

    @Test
    @DisplayName("while ZooKeeper is down no instance has an epoch; once it is back, the leader has a greater one")
    void serverDown() throws Exception {
        ZkLeadership a = leadership(client(), "a");
        ZkLeadership b = leadership(client(), "b");
        await().atMost(PATIENCE).until(() -> a.epoch().isPresent() || b.epoch().isPresent());
        String leader = a.epoch().isPresent() ? "a" : "b";
        long old = (leader.equals("a") ? a : b).epoch().getAsLong();

        try (EpochRecorder recorder = new EpochRecorder(List.of(Map.entry("a", a), Map.entry("b", b)))) {
            long stopping = System.nanoTime();
            zk.server().stop();
            await().atMost(PATIENCE).until(() -> !a.connected() && !b.connected());
            assertEquals(OptionalLong.empty(), a.epoch());
            assertEquals(OptionalLong.empty(), b.epoch());
            await().atMost(PATIENCE).until(() -> recorder.indexOf(leader, OptionalLong.empty(), 0) >= 0);
            int emptied = recorder.indexOf(leader, OptionalLong.empty(), 0);
            long emptiedAt = recorder.nanosAt(emptied);

            zk.server().restart();
            await().atMost(PATIENCE)
                    .until(() -> a.epoch().orElse(0) > old || b.epoch().orElse(0) > old);
            assertFalse(a.epoch().isPresent() && b.epoch().isPresent(), "one leader");
            measured("server stop: epochs empty %.1f ms after stop() began", (emptiedAt - stopping) / 1e6);
            List<Long> all = new ArrayList<>(recorder.epochsOf("a", emptied));
            all.addAll(recorder.epochsOf("b", emptied));
            assertFalse(all.contains(old), "the old epoch is never reported again: " + recorder.changes());
        }
    }

    @Test
    @DisplayName("when the ensemble member a leader uses dies, it stops writing and leads on only with a greater epoch")
    void ensembleMemberDies() throws Exception {
        TestingCluster cluster = zk.open(new TestingCluster(3));
        cluster.start();
        CuratorFramework aClient = zk.open(ZooKeeperClients.start(cluster.getConnectString(), SESSION, CONNECTION));
        ZkLeadership a = leadership(aClient, "a");
        long old = awaitEpoch(a);
        ZkLeadership b =
                leadership(zk.open(ZooKeeperClients.start(cluster.getConnectString(), SESSION, CONNECTION)), "b");
        await().atMost(PATIENCE).until(b::connected);

        try (EpochRecorder recorder = new EpochRecorder(List.of(Map.entry("a", a), Map.entry("b", b)))) {
            long killing = System.nanoTime();
            cluster.killServer(
                    cluster.findConnectionInstance(aClient.getZookeeperClient().getZooKeeper()));
            await().atMost(PATIENCE)
                    .until(() -> a.epoch().orElse(0) > old || b.epoch().orElse(0) > old);
            recorder.close();

            int aStops = recorder.indexOf("a", OptionalLong.empty(), 0);
            assertTrue(aStops >= 0, "a stopped writing: " + recorder.changes());
            List<Long> later = new ArrayList<>(recorder.epochsOf("a", aStops));
            later.addAll(recorder.epochsOf("b", aStops));
            assertFalse(later.contains(old), "the old epoch is never reported again: " + recorder.changes());
            assertFalse(a.epoch().isPresent() && b.epoch().isPresent(), "one leader");
            int next = recorder.indexOfEpochAbove(old, aStops);
            measured(
                    "ensemble member killed: old epoch void after %.1f ms, a greater epoch after %.1f ms (%s)",
                    (recorder.nanosAt(aStops) - killing) / 1e6,
                    (recorder.nanosAt(next) - killing) / 1e6,
                    recorder.changes().get(next).who());
        }
    }

    @Test
    @DisplayName("an epoch whose leadership ended while it was being taken is never published")
    void staleEpochNeverPublished() throws Exception {
        CountDownLatch taken = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicLong paused = new AtomicLong();
        LongConsumer pauseOnFirst = epoch -> {
            if (paused.compareAndSet(0, epoch)) {
                taken.countDown();
                try {
                    release.await(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        ZkLeadership a = zk.open(new ZkLeadership(client(), ROOT, "a", () -> {}, pauseOnFirst));
        a.start();
        assertTrue(taken.await(PATIENCE.toSeconds(), TimeUnit.SECONDS), "an epoch was taken");

        try (EpochRecorder recorder = new EpochRecorder(List.of(Map.entry("a", a)))) {
            // Leadership ends (and comes back) while the taken epoch waits to be published.
            zk.server().stop();
            await().atMost(PATIENCE).until(() -> !a.connected());
            zk.server().restart();
            await().atMost(PATIENCE).until(() -> a.connected() && a.holdsLatch());
            release.countDown();

            long next = awaitEpoch(a);
            recorder.close();
            assertTrue(next > paused.get(), "a new epoch " + next + " after the stale " + paused.get());
            assertEquals(List.of(next), recorder.epochsOf("a"), "only the new epoch was ever reported");
        }
    }

    @Test
    @DisplayName("an instance whose latch node is gone takes no epoch: it joins the election again and takes one then")
    void latchNodeGone() throws Exception {
        CuratorFramework admin = client();
        AtomicInteger tries = new AtomicInteger();
        Runnable deleteOurNodeOnce = () -> {
            if (tries.getAndIncrement() == 0) {
                try {
                    for (String node : admin.getChildren().forPath(ROOT + "/leader")) {
                        admin.delete().forPath(ROOT + "/leader/" + node);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        };
        ZkLeadership a = zk.open(new ZkLeadership(client(), ROOT, "a", deleteOurNodeOnce, epoch -> {}));
        a.start();

        long epoch = awaitEpoch(a);

        assertTrue(tries.get() >= 2, "a second try, after joining again: " + tries.get());
        assertEquals(1, epoch, "the try without a latch node wrote nothing");
        assertEquals("1", counter(admin));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "not a number        | seven",
                "negative            | -1",
                "at its maximum      | 9223372036854775807",
            })
    @DisplayName(
            "an unusable epoch counter is counted on each try, and after a few the instance gives up its latch node")
    void unusableCounter(String name, String value) throws Exception {
        CuratorFramework admin = client();
        admin.create().creatingParentsIfNeeded().forPath(ROOT + "/epoch", value.getBytes(StandardCharsets.UTF_8));
        ZkLeadership a = leadership(client(), "a");
        String firstNode = await().atMost(PATIENCE)
                .until(() -> latchNodes(admin), nodes -> nodes.size() == 1)
                .get(0);

        await().atMost(PATIENCE)
                .until(() -> a.counterErrors() >= ZkLeadership.UNUSABLE_TRIES
                        && !latchNodes(admin).contains(firstNode));

        assertEquals(OptionalLong.empty(), a.epoch());
        assertEquals(value, counter(admin), "the counter is left as it is");
    }

    @Test
    @DisplayName("a leader that cannot use the epoch counter lets another instance lead, which takes an epoch once the "
            + "counter is fixed")
    void unusableCounterHandsOver() throws Exception {
        CuratorFramework admin = client();
        admin.create().creatingParentsIfNeeded().forPath(ROOT + "/epoch", "seven".getBytes(StandardCharsets.UTF_8));
        ZkLeadership a = leadership(client(), "a");
        await().atMost(PATIENCE).until(a::holdsLatch);
        ZkLeadership b = leadership(client(), "b");

        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(5)).until(b::holdsLatch);
        admin.setData().forPath(ROOT + "/epoch", "7".getBytes(StandardCharsets.UTF_8));

        assertEquals(8, awaitAnyEpoch(a, b));
        assertTrue(a.counterErrors() >= ZkLeadership.UNUSABLE_TRIES, "a counted " + a.counterErrors());
    }

    @Test
    @DisplayName(
            "a foreign epoch above the counter (a counter reset): the counter is advanced past it and the term goes"
                    + " on with the new epoch")
    void advancePastForeignEpoch() throws Exception {
        CuratorFramework admin = client();
        ZkLeadership a = leaderAtEpoch3(admin);

        assertEquals(OptionalLong.of(43), a.advancePast(3, 42));

        assertEquals(OptionalLong.of(43), a.epoch());
        assertEquals("43", counter(admin));
    }

    @Test
    @DisplayName("a counter above this term's epoch means another instance took one since: the instance steps down, and"
            + " leads again only with a new epoch")
    void advanceFindsItselfDeposed() throws Exception {
        CuratorFramework admin = client();
        ZkLeadership a = leaderAtEpoch3(admin);
        admin.setData().forPath(ROOT + "/epoch", "10".getBytes(StandardCharsets.UTF_8));

        assertEquals(OptionalLong.empty(), a.advancePast(3, 42));

        assertTrue(a.epoch().orElse(0) != 3, "epoch 3 is void");
        assertEquals(11, awaitEpoch(a), "alone in the election, a leads again with a new epoch");
    }

    /** Instance "a", leading at epoch 3: the counter was at 2. */
    private ZkLeadership leaderAtEpoch3(CuratorFramework admin) throws Exception {
        admin.create().creatingParentsIfNeeded().forPath(ROOT + "/epoch", "2".getBytes(StandardCharsets.UTF_8));
        ZkLeadership a = leadership(client(), "a");
        assertEquals(3, awaitEpoch(a));
        return a;
    }

    private static String counter(CuratorFramework admin) throws Exception {
        return new String(admin.getData().forPath(ROOT + "/epoch"), StandardCharsets.UTF_8);
    }

    private static List<String> latchNodes(CuratorFramework admin) throws Exception {
        return admin.getChildren().forPath(ROOT + "/leader");
    }

    /** What {@link #failover} saw: the old leader "a", the standby "b", and b's epoch. */
    private record Failover(ZkLeadership a, ZkLeadership b, long next) {}

    /** One step of a failover, which may throw. */
    private interface Step {
        void run() throws Exception;
    }

    /**
     * "a" leads on {@code aClient} and "b" stands by; {@code cut} takes a away from ZooKeeper and, once b has an epoch,
     * {@code rejoin} lets a back. Asserts, from the recorder's log, that a stopped before b led, that b's epoch is
     * greater, and that a never reported an epoch again; prints how long each took, as {@code what}.
     */
    private Failover failover(CuratorFramework aClient, String what, Step cut, Step rejoin) throws Exception {
        ZkLeadership a = leadership(aClient, "a");
        long old = awaitEpoch(a);
        CuratorFramework bClient = client();
        ZkLeadership b = leadership(bClient, "b");
        await().atMost(PATIENCE).until(b::connected);

        try (EpochRecorder recorder = new EpochRecorder(List.of(Map.entry("a", a), Map.entry("b", b)))) {
            long cutAt = System.nanoTime();
            cut.run();
            long next = awaitEpoch(b);
            rejoin.run();
            // a is back and has re-joined the election behind b.
            await().atMost(PATIENCE).until(() -> a.connected() && participants(bClient) == 2);
            recorder.close();

            int aStops = recorder.indexOf("a", OptionalLong.empty(), 0);
            int bLeads = recorder.indexOfAnyEpoch("b", 0);
            assertTrue(aStops >= 0 && aStops < bLeads, "a must stop before b leads: " + recorder.changes());
            assertTrue(next > old);
            assertEquals(List.of(old), recorder.epochsOf("a"), "a never reports an epoch again while b leads");
            measured(
                    what + ": old leader empty after %.1f ms, standby's epoch after %.1f ms",
                    (recorder.nanosAt(aStops) - cutAt) / 1e6,
                    (recorder.nanosAt(bLeads) - cutAt) / 1e6);
            return new Failover(a, b, next);
        }
    }

    private CuratorFramework client() {
        return zk.open(ZooKeeperClients.start(zk.server().getConnectString(), SESSION, CONNECTION));
    }

    private ZkLeadership leadership(CuratorFramework client, String id) {
        ZkLeadership leadership = zk.open(new ZkLeadership(client, ROOT, id));
        leadership.start();
        return leadership;
    }

    private static long awaitEpoch(ZkLeadership leadership) {
        await().atMost(PATIENCE)
                .pollInterval(Duration.ofMillis(5))
                .until(() -> leadership.epoch().isPresent());
        return leadership.epoch().getAsLong();
    }

    private static long awaitAnyEpoch(ZkLeadership a, ZkLeadership b) {
        await().atMost(PATIENCE)
                .pollInterval(Duration.ofMillis(5))
                .until(() -> a.epoch().isPresent() || b.epoch().isPresent());
        return a.epoch().isPresent() ? a.epoch().getAsLong() : b.epoch().getAsLong();
    }

    private static int participants(CuratorFramework client) throws Exception {
        return client.getChildren().forPath(ROOT + "/leader").size();
    }

    private static void measured(String format, Object... args) {
        System.out.printf("[measured] " + format + "%n", args);
    }
}

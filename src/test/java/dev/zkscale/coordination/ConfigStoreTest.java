package dev.zkscale.coordination;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zkscale.codec.ConfigNodes;
import dev.zkscale.coordination.ConfigStore.Action;
import dev.zkscale.coordination.ConfigStore.Change;
import dev.zkscale.coordination.ConfigStore.Key;
import dev.zkscale.coordination.ConfigStore.Written;
import dev.zkscale.coordination.ConfigStoreException.Kind;
import dev.zkscale.demo.EmbeddedZooKeeper;
import dev.zkscale.loop.TuningSource.Target;
import dev.zkscale.loop.TuningSource.TuningUnavailableException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code zkscale config}'s ZooKeeper side against a real server; each test works under a root of its own. */
class ConfigStoreTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final Key WEB = new Key("shop", "web");
    private static final OptionalInt ANY = OptionalInt.empty();

    @RegisterExtension
    static final SharedZooKeeper zk = new SharedZooKeeper("/config");

    private String root;
    private ConfigStore store;

    @BeforeEach
    void freshRoot() {
        root = zk.freshRoot();
        store = new ConfigStore(zk.client(), root);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String max(int n) {
        return "{\"maxReplicas\": " + n + "}";
    }

    @Test
    @DisplayName("set creates, then changes with a new version; writing the same data changes nothing; get and history "
            + "show each change, when and by whom")
    void setGetHistory() throws Exception {
        Written created = store.set(WEB, bytes(max(4)), ANY);
        Written changed = store.set(WEB, bytes(max(6)), ANY);
        Written same = store.set(WEB, bytes(max(6)), ANY);

        assertEquals(new Written(WEB, root + "/targets/shop/web", null, 0, true), created);
        assertEquals(new Written(WEB, root + "/targets/shop/web", 0, 1, true), changed);
        assertEquals(new Written(WEB, root + "/targets/shop/web", 1, 1, false), same);
        ConfigStore.Versioned now = store.get(WEB).orElseThrow();
        assertEquals(max(6), now.text());
        assertEquals(1, now.version());

        List<Change> history = store.history(WEB);
        assertEquals(2, history.size());
        Change first = history.get(0);
        assertEquals(Action.CREATE, first.action());
        assertEquals("anonymous", first.identity());
        assertNull(first.fromVersion());
        assertEquals(0, first.toVersion());
        assertEquals(max(4), first.to());
        Change second = history.get(1);
        assertEquals(Action.SET, second.action());
        assertEquals(List.of(0, 1), List.of(second.fromVersion(), second.toVersion()));
        assertEquals(List.of(max(4), max(6)), List.of(second.from(), second.to()));
        assertFalse(second.time().isBefore(first.time()));
        assertTrue(second.zxid() > first.zxid());
    }

    static Stream<Arguments> invalid() {
        byte[] big = new byte[ConfigNodes.MAX_CONFIG_BYTES + 1];
        Arrays.fill(big, (byte) ' ');
        big[0] = '{';
        big[big.length - 1] = '}';
        return Stream.of(
                bad("invalid JSON", bytes("{\"maxReplicas\": 3,"), "not valid JSON: "),
                bad("binary garbage", new byte[] {0, 1, 2, (byte) 0xff}, "not valid UTF-8 text"),
                bad("unknown field", bytes("{\"maxReplicas\": 3, \"maxReplica\": 4}"), "maxReplica: unknown field"),
                bad("wrong type", bytes("{\"maxReplicas\": \"ten\"}"), "maxReplicas: must be an integer, got \"ten\""),
                bad(
                        "out of range",
                        bytes("{\"maxReplicas\": 3, \"tolerance\": -1}"),
                        "tolerance: must be >= 0, got -1"),
                bad(
                        "min above max",
                        bytes("{\"minReplicas\": 5, \"maxReplicas\": 3}"),
                        "maxReplicas: must be >= minReplicas (5), got 3"),
                bad("too large", big, "too large: 65537 bytes, the limit is 65536"),
                bad("empty", new byte[0], "empty"));
    }

    private static Arguments bad(String name, byte[] data, String expected) {
        return Arguments.of(Named.of(name, data), expected);
    }

    @ParameterizedTest
    @MethodSource("invalid")
    @DisplayName("invalid input is refused with the controller's words and nothing changes")
    void invalidRefused(byte[] data, String expected) throws Exception {
        store.set(WEB, bytes(max(4)), ANY);

        ConfigStoreException e = assertThrows(ConfigStoreException.class, () -> store.set(WEB, data, ANY));

        assertEquals(Kind.INVALID, e.kind());
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
        assertEquals(0, store.get(WEB).orElseThrow().version());
        assertEquals(1, store.history(WEB).size());
    }

    @Test
    @DisplayName("the words of a refusal are the controller's, which names the ZNode before them")
    void sameWordsAsTheController() throws Exception {
        byte[] bad = bytes("{\"maxReplicas\": 3, \"behavior\": {\"scaleUp\": {\"policies\": [{\"type\": \"Pods\", "
                + "\"value\": 0, \"periodSeconds\": 15}]}}}");
        String refused = assertThrows(ConfigStoreException.class, () -> store.set(WEB, bad, ANY))
                .getMessage();

        zk.client().create().creatingParentsIfNeeded().forPath(root + "/targets/shop/web", bad);
        try (ZkTuningSource source = new ZkTuningSource(zk.client(), root, 1000)) {
            source.start();
            List<Target> tunings = await().atMost(PATIENCE)
                    .ignoreException(TuningUnavailableException.class)
                    .until(source::targets, t -> !t.isEmpty());
            assertEquals(
                    root + "/targets/shop/web: " + refused,
                    tunings.get(0).rejected().error());
        }
        assertEquals("behavior.scaleUp.policies[0].value: must be >= 1, got 0", refused);
    }

    @Test
    @DisplayName("an expected version that is not the ZNode's is a conflict and nothing changes")
    void expectedVersion() throws Exception {
        store.set(WEB, bytes(max(4)), ANY);
        store.set(WEB, bytes(max(5)), OptionalInt.of(0));

        ConfigStoreException stale =
                assertThrows(ConfigStoreException.class, () -> store.set(WEB, bytes(max(6)), OptionalInt.of(0)));
        ConfigStoreException absent = assertThrows(
                ConfigStoreException.class, () -> store.set(new Key("shop", "api"), bytes(max(6)), OptionalInt.of(0)));
        ConfigStoreException any =
                assertThrows(ConfigStoreException.class, () -> store.set(WEB, bytes(max(6)), OptionalInt.of(-1)));
        ConfigStoreException staleDelete =
                assertThrows(ConfigStoreException.class, () -> store.delete(WEB, OptionalInt.of(0)));

        assertEquals(Kind.CONFLICT, stale.kind());
        assertEquals(
                root + "/targets/shop/web is at version 1, not 0 as expected: another writer changed it; nothing "
                        + "changed",
                stale.getMessage());
        assertEquals(Kind.CONFLICT, absent.kind());
        assertEquals(Kind.INVALID, any.kind());
        assertEquals(Kind.CONFLICT, staleDelete.kind());
        assertEquals(max(5), store.get(WEB).orElseThrow().text());
        assertEquals(2, store.history(WEB).size());
    }

    @Test
    @DisplayName("two writers with the same expected version: exactly one wins, the other is told and changes nothing")
    void concurrentWriters() throws Exception {
        store.set(WEB, bytes(max(4)), ANY);
        try (CuratorFramework other =
                ZooKeeperClients.start(zk.server().getConnectString(), Duration.ofSeconds(3), Duration.ofSeconds(1))) {
            ConfigStore second = new ConfigStore(other, root);
            for (int round = 0; round < 5; round++) {
                int version = store.get(WEB).orElseThrow().version();
                CyclicBarrier start = new CyclicBarrier(2);
                int a = 10 + 2 * round;
                int b = a + 1;
                CompletableFuture<Object> one = CompletableFuture.supplyAsync(() -> attempt(store, start, a, version));
                CompletableFuture<Object> two = CompletableFuture.supplyAsync(() -> attempt(second, start, b, version));
                List<Object> outcomes = List.of(one.get(30, TimeUnit.SECONDS), two.get(30, TimeUnit.SECONDS));

                List<Object> won =
                        outcomes.stream().filter(o -> o instanceof Written).toList();
                List<Object> lost = outcomes.stream()
                        .filter(o -> o instanceof ConfigStoreException)
                        .toList();
                assertEquals(1, won.size(), outcomes.toString());
                assertEquals(1, lost.size(), outcomes.toString());
                assertEquals(Kind.CONFLICT, ((ConfigStoreException) lost.get(0)).kind());
                int winner = outcomes.get(0) instanceof Written ? a : b;
                assertEquals(max(winner), store.get(WEB).orElseThrow().text());
                assertEquals(version + 1, store.get(WEB).orElseThrow().version());
            }
            assertEquals(6, store.history(WEB).size(), "one entry per accepted change, none for a refused one");
        }
    }

    private static Object attempt(ConfigStore s, CyclicBarrier start, int maxReplicas, int version) {
        try {
            start.await(30, TimeUnit.SECONDS);
            return s.set(WEB, bytes(max(maxReplicas)), OptionalInt.of(version));
        } catch (ConfigStoreException e) {
            return e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    @DisplayName("rollback writes an earlier version again as a new one; a deleted target is restored the same way")
    void rollbackAndDelete() throws Exception {
        store.set(WEB, bytes(max(4)), ANY);
        store.set(WEB, bytes(max(6)), ANY);
        store.set(WEB, bytes(max(8)), ANY);

        assertEquals(new Written(WEB, root + "/targets/shop/web", 2, 3, true), store.rollback(WEB, 0, ANY));
        assertEquals(max(4), store.get(WEB).orElseThrow().text());
        assertEquals(new Written(WEB, root + "/targets/shop/web", 3, 3, false), store.rollback(WEB, 3, ANY));

        assertEquals(new Written(WEB, root + "/targets/shop/web", 3, null, true), store.delete(WEB, ANY));
        assertTrue(store.get(WEB).isEmpty());
        assertEquals(
                Kind.NOT_FOUND,
                assertThrows(ConfigStoreException.class, () -> store.delete(WEB, ANY))
                        .kind());

        assertEquals(new Written(WEB, root + "/targets/shop/web", null, 0, true), store.rollback(WEB, 1, ANY));
        assertEquals(max(6), store.get(WEB).orElseThrow().text());
        ConfigStoreException missing = assertThrows(ConfigStoreException.class, () -> store.rollback(WEB, 42, ANY));
        assertEquals(Kind.NOT_FOUND, missing.kind());
        assertEquals(
                "version 42 of shop/web is not in its history (zkscale config history shop/web lists the versions "
                        + "kept)",
                missing.getMessage());

        List<Change> history = store.history(WEB);
        assertEquals(
                List.of(Action.CREATE, Action.SET, Action.SET, Action.ROLLBACK, Action.DELETE, Action.ROLLBACK),
                history.stream().map(Change::action).toList());
        assertEquals(0, history.get(3).rollbackTo());
        assertEquals(max(4), history.get(4).from(), "a delete keeps the content it removed");
        assertEquals(1, history.get(5).rollbackTo());
    }

    @Test
    @DisplayName("a target is validated over the current defaults, and defaults that would invalidate a valid target "
            + "are refused")
    void defaults() throws Exception {
        store.set(Key.DEFAULTS, bytes("{\"maxReplicas\": 10, \"minReplicas\": 2}"), ANY);
        store.set(WEB, bytes("{\"targetCPUUtilizationPercentage\": 60}"), ANY);

        ConfigStoreException target =
                assertThrows(ConfigStoreException.class, () -> store.set(new Key("shop", "api"), bytes(max(1)), ANY));
        ConfigStoreException defaults = assertThrows(
                ConfigStoreException.class, () -> store.set(Key.DEFAULTS, bytes("{\"minReplicas\": 2}"), ANY));
        ConfigStoreException named = assertThrows(
                ConfigStoreException.class,
                () -> store.set(Key.DEFAULTS, bytes("{\"scaleTargetRef\": {\"name\": \"db\"}}"), ANY));

        assertEquals("maxReplicas: must be >= minReplicas (2), got 1", target.getMessage());
        assertEquals(
                "these defaults would make " + root + "/targets/shop/web invalid: maxReplicas: required",
                defaults.getMessage());
        assertTrue(
                named.getMessage().startsWith("scaleTargetRef.name: not allowed in the defaults"), named.getMessage());
        assertEquals(0, store.get(Key.DEFAULTS).orElseThrow().version());
    }

    @Test
    @DisplayName("list judges every config ZNode as the controller does, including one written by another tool")
    void list() throws Exception {
        store.set(Key.DEFAULTS, bytes("{\"minReplicas\": 2}"), ANY);
        store.set(WEB, bytes(max(4)), ANY);
        zk.client().create().creatingParentsIfNeeded().forPath(root + "/targets/ops/batch", bytes(max(1)));

        assertEquals(
                List.of(
                        new ConfigStore.Listed(Key.DEFAULTS, 0, null),
                        new ConfigStore.Listed(
                                new Key("ops", "batch"), 0, "maxReplicas: must be >= minReplicas (2), got 1"),
                        new ConfigStore.Listed(WEB, 0, null)),
                store.list());
    }

    @Test
    @DisplayName("names that are not Kubernetes names are refused before anything is read")
    void keys() throws Exception {
        assertEquals(WEB, Key.parse("shop/web"));
        assertEquals(Key.DEFAULTS, Key.parse("defaults"));
        assertEquals(new Key("shop", "web.v2"), Key.parse("shop/web.v2"));
        for (String bad : List.of("web", "Shop/web", "shop/web/x", "shop/../x", "/shop/web", "shop/", "shop/-web")) {
            assertEquals(
                    Kind.INVALID,
                    assertThrows(ConfigStoreException.class, () -> Key.parse(bad))
                            .kind(),
                    bad);
        }
    }

    @Test
    @DisplayName("the history keeps the newest changes up to its limit")
    void historyLimit() throws Exception {
        ConfigStore small = new ConfigStore(zk.client(), root, Optional.empty(), 3);
        for (int n = 1; n <= 6; n++) {
            small.set(WEB, bytes(max(n)), ANY);
        }
        List<Change> history = small.history(WEB);
        assertEquals(List.of(3, 4, 5), history.stream().map(Change::toVersion).toList());
    }

    @Test
    @DisplayName("ZooKeeper's 32-bit counters at their wrap: writes go on, the history stays in order, version -1 is "
            + "stepped over, and a version from before the wrap can be restored")
    void wrap() throws Exception {
        try (EmbeddedZooKeeper embedded = EmbeddedZooKeeper.start();
                CuratorFramework c = SharedZooKeeper.connected(embedded.connectString(), null)) {
            ConfigStore s = new ConfigStore(c, "/zkscale");
            s.set(WEB, bytes(max(1)), ANY);
            String path = "/zkscale/targets/shop/web";
            String history = "/zkscale/history/targets/shop/web";
            setVersion(embedded, path, Integer.MAX_VALUE - 1);
            setCversion(embedded, history, Integer.MAX_VALUE - 1);

            List<Integer> versions = new ArrayList<>();
            for (int n = 2; n <= 4; n++) {
                versions.add(s.set(WEB, bytes(max(n)), ANY).version());
            }
            // ZooKeeper's own counters have wrapped: the data version went negative, and the history's child counter
            // stuck at 2^31-1 (where a sequential create would now fail for ever).
            assertEquals(List.of(Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MIN_VALUE + 1), versions);
            String probe = c.create().withMode(CreateMode.PERSISTENT_SEQUENTIAL).forPath(history + "/probe-");
            assertEquals(history + "/probe-2147483647", probe);
            assertThrows(
                    KeeperException.NodeExistsException.class,
                    () -> c.create().withMode(CreateMode.PERSISTENT_SEQUENTIAL).forPath(history + "/probe-"),
                    "a sequential name here is stuck: a history built on them would refuse every change from now on");

            setVersion(embedded, path, -3);
            versions.add(s.set(WEB, bytes(max(5)), ANY).version());
            versions.add(s.set(WEB, bytes(max(6)), OptionalInt.of(-2)).version());
            assertEquals(List.of(-2, 0), versions.subList(3, 5), "from -2 the write steps over -1 to 0");
            assertEquals(0, c.checkExists().forPath(path).getVersion());

            List<Change> changes = s.history(WEB);
            assertEquals(
                    List.of(1, 2, 3, 4, 5, 6),
                    changes.stream()
                            .map(ch -> Integer.parseInt(ch.to().replaceAll("[^0-9]", "")))
                            .toList(),
                    "in the order the changes were made");
            assertEquals(new Written(WEB, path, 0, 1, true), s.rollback(WEB, Integer.MAX_VALUE, ANY));
            assertEquals(max(2), s.get(WEB).orElseThrow().text(), "version 2147483647, from before the wrap, restored");
        }
    }

    @Test
    @DisplayName("a ZNode left at version -1 by another tool is refused: ZooKeeper would read -1 as any version")
    void versionMinusOne() throws Exception {
        try (EmbeddedZooKeeper embedded = EmbeddedZooKeeper.start();
                CuratorFramework c = SharedZooKeeper.connected(embedded.connectString(), null)) {
            ConfigStore s = new ConfigStore(c, "/zkscale");
            s.set(WEB, bytes(max(1)), ANY);
            setVersion(embedded, "/zkscale/targets/shop/web", -2);
            c.setData().forPath("/zkscale/targets/shop/web", bytes(max(2)));

            ConfigStoreException e = assertThrows(ConfigStoreException.class, () -> s.set(WEB, bytes(max(3)), ANY));

            assertEquals(Kind.FAILED, e.kind());
            assertTrue(
                    e.getMessage()
                            .startsWith("/zkscale/targets/shop/web is at data version -1, which ZooKeeper "
                                    + "reads as \"any version\""),
                    e.getMessage());
            assertEquals(max(2), s.get(WEB).orElseThrow().text());
        }
    }

    /** Sets the data version of the ZNode at {@code path}: its next write makes it {@code version + 1}. */
    private static void setVersion(EmbeddedZooKeeper zk, String path, int version) {
        zk.dataTree().getNode(path).stat.setVersion(version);
    }

    /** Sets the child version of {@code path}: its next sequential child is numbered {@code cversion}. */
    private static void setCversion(EmbeddedZooKeeper zk, String path, int cversion) {
        zk.dataTree().getNode(path).stat.setCversion(cversion);
    }
}

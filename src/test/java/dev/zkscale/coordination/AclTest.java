package dev.zkscale.coordination;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zkscale.coordination.ConfigStore.Key;
import dev.zkscale.coordination.ConfigStoreException.Kind;
import dev.zkscale.core.History;
import dev.zkscale.core.TargetRef;
import dev.zkscale.loop.TuningSource.Target;
import dev.zkscale.loop.TuningSource.TuningUnavailableException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Digest identities and the ACLs {@code zkscale config init} sets, on a real ZooKeeper server: the admin changes
 * config, the controller reads it and writes only its own ZNodes, anyone else is refused. Each test works under a
 * root of its own, initialised afresh.
 */
class AclTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final AtomicInteger ROOTS = new AtomicInteger();
    private static final Key WEB = new Key("shop", "web");
    private static final OptionalInt ANY = OptionalInt.empty();
    private static final byte[] GOOD = "{\"maxReplicas\": 4}".getBytes(StandardCharsets.UTF_8);

    private static final Credentials ADMIN = credentials("admin:admin-secret");
    private static final Credentials CONTROLLER = credentials("controller:controller-secret");
    private static final Credentials OTHER = credentials("mallory:guess");

    private static TestingServer server;
    private static CuratorFramework admin;
    private static CuratorFramework controller;
    private static CuratorFramework anonymous;
    private static CuratorFramework other;
    private String root;
    private ConfigStore adminStore;

    private static Credentials credentials(String text) {
        return Credentials.fromSettings(Optional.of(text), Optional.empty()).orElseThrow();
    }

    @BeforeAll
    static void start() throws Exception {
        server = new TestingServer(true);
        admin = client(ADMIN);
        controller = client(CONTROLLER);
        anonymous = client(null);
        other = client(OTHER);
    }

    private static CuratorFramework client(Credentials credentials) throws InterruptedException {
        return SharedZooKeeper.connected(server.getConnectString(), credentials);
    }

    @AfterAll
    static void stop() throws Exception {
        for (CuratorFramework c : List.of(other, anonymous, controller, admin)) {
            c.close();
        }
        server.close();
    }

    @BeforeEach
    void init() throws Exception {
        root = "/acl" + ROOTS.incrementAndGet();
        adminStore = new ConfigStore(admin, root, Optional.of(ADMIN), 100);
        adminStore.set(WEB, GOOD, ANY);
        List<String> done = adminStore.init(CONTROLLER.digestId());
        assertEquals(
                List.of(
                        "4 config ZNodes (" + root + ", " + root + "/targets/**, " + root
                                + "/defaults): admin admin all, " + "controller controller read",
                        root + "/leader, " + root + "/epoch: admin admin all, controller controller all",
                        "1 decision state ZNodes (" + root + "/state/**): admin admin all, controller controller all",
                        "5 history ZNodes (" + root + "/history/**): admin admin all, nobody else"),
                done);
    }

    @Test
    @DisplayName("the admin changes config after init; what it creates inherits the policy; the history names it")
    void adminWrites() throws Exception {
        adminStore.set(new Key("ops", "batch"), GOOD, ANY);
        adminStore.set(Key.DEFAULTS, "{\"minReplicas\": 1}".getBytes(StandardCharsets.UTF_8), ANY);

        List<ACL> expected = List.of(
                new ACL(ZooDefs.Perms.ALL, ADMIN.digestId()), new ACL(ZooDefs.Perms.READ, CONTROLLER.digestId()));
        assertEquals(expected, admin.getACL().forPath(root + "/targets/ops"));
        assertEquals(expected, admin.getACL().forPath(root + "/targets/ops/batch"));
        assertEquals(expected, admin.getACL().forPath(root + "/defaults"));
        assertEquals(
                List.of(new ACL(ZooDefs.Perms.ALL, ADMIN.digestId())),
                admin.getACL().forPath(root + "/history/targets/ops/batch"));
        assertEquals("admin", adminStore.history(Key.parse("ops/batch")).get(0).identity());
    }

    @Test
    @DisplayName("the controller's identity reads the config and leads, but cannot change config or read its history")
    void controllerReadsOnly() throws Exception {
        try (ZkTuningSource source = new ZkTuningSource(controller, root, 1000);
                ZkLeadership leadership = new ZkLeadership(controller, root, "c")) {
            source.start();
            List<Target> tunings = await().atMost(PATIENCE)
                    .ignoreException(TuningUnavailableException.class)
                    .until(source::targets, t -> true);
            assertEquals(4, tunings.get(0).config().maxReplicas());
            leadership.start();
            await().atMost(PATIENCE).until(() -> leadership.epoch().isPresent());
            assertEquals(1, leadership.epoch().getAsLong());

            // It keeps its decision state; what it creates there gets the policy of <root>/state
            ZkDecisionState state = new ZkDecisionState(controller, root);
            TargetRef web = new TargetRef("shop", "web");
            History history = new History(List.of(), List.of(), List.of(), null);
            assertEquals(Set.of(web), state.save(1, Map.of(web, history), Set.of()));
            assertEquals(Map.of(web, history), state.load(1, Set.of(web)).histories());
            List<ACL> internal = List.of(
                    new ACL(ZooDefs.Perms.ALL, ADMIN.digestId()), new ACL(ZooDefs.Perms.ALL, CONTROLLER.digestId()));
            assertEquals(internal, admin.getACL().forPath(root + "/state/shop"));
            assertEquals(internal, admin.getACL().forPath(root + "/state/shop/web"));
            assertThrows(
                    KeeperException.NoAuthException.class,
                    () -> anonymous.getData().forPath(root + "/state/shop/web"));
        }

        ConfigStore store = new ConfigStore(controller, root, Optional.of(CONTROLLER), 100);
        ConfigStoreException set = assertThrows(
                ConfigStoreException.class,
                () -> store.set(WEB, "{\"maxReplicas\": 400}".getBytes(StandardCharsets.UTF_8), ANY));
        assertEquals(Kind.NOT_AUTHORIZED, set.kind());
        assertEquals(
                "not authorized to write " + root + "/targets/shop/web as identity \"controller\": changing "
                        + "config needs the admin identity (zkscale.zookeeper.auth-file); nothing changed",
                set.getMessage());
        assertEquals(
                Kind.NOT_AUTHORIZED,
                assertThrows(ConfigStoreException.class, () -> store.delete(WEB, ANY))
                        .kind());
        assertEquals(
                Kind.NOT_AUTHORIZED,
                assertThrows(ConfigStoreException.class, () -> store.history(WEB))
                        .kind());
        assertEquals(
                Kind.NOT_AUTHORIZED,
                assertThrows(ConfigStoreException.class, () -> store.init(OTHER.digestId()))
                        .kind());
        assertThrows(
                KeeperException.NoAuthException.class,
                () -> controller.create().forPath(root + "/defaults", GOOD),
                "not even a missing config ZNode");
        assertEquals("{\"maxReplicas\": 4}", adminStore.get(WEB).orElseThrow().text());
    }

    @Test
    @DisplayName("anyone else is refused, and a controller that cannot read a config ZNode says which instead of "
            + "dropping it")
    void othersRefused() throws Exception {
        for (CuratorFramework c : List.of(anonymous, other)) {
            ConfigStore store = new ConfigStore(c, root, Optional.empty(), 100);
            ConfigStoreException e = assertThrows(ConfigStoreException.class, () -> store.get(WEB));
            assertEquals(Kind.NOT_AUTHORIZED, e.kind());
            assertTrue(
                    e.getMessage()
                            .startsWith("not authorized to read " + root + "/targets/shop/web as an anonymous "
                                    + "client: reading config needs the admin or the controller identity"),
                    e.getMessage());
        }

        // A target created with another tool and an ACL that leaves the controller out
        admin.create()
                .withACL(List.of(new ACL(ZooDefs.Perms.ALL, ADMIN.digestId())))
                .forPath(root + "/targets/shop/hidden", GOOD);
        try (ZkTuningSource source = new ZkTuningSource(controller, root, 1000)) {
            source.start();
            AtomicReference<String> why = new AtomicReference<>();
            await().atMost(PATIENCE).until(() -> {
                try {
                    source.targets();
                    return false;
                } catch (TuningUnavailableException e) {
                    why.set(e.getMessage());
                    return e.getMessage().startsWith("not authorized");
                }
            });
            assertEquals(
                    "not authorized to read " + root + "/targets/shop/hidden: the controller's identity "
                            + "(zkscale.zookeeper.auth-file) needs READ on every config ZNode "
                            + "(see zkscale config init)",
                    why.get());
        }
    }
}

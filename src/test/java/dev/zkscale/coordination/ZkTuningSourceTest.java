package dev.zkscale.coordination;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zkscale.core.ScalingPolicy;
import dev.zkscale.core.ScalingRules;
import dev.zkscale.core.TargetConfig;
import dev.zkscale.core.TargetRef;
import dev.zkscale.demo.TcpRelay;
import dev.zkscale.loop.TuningSource.ConfigInForce;
import dev.zkscale.loop.TuningSource.Target;
import dev.zkscale.loop.TuningSource.TuningUnavailableException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Config ZNodes watched on a real ZooKeeper server; each test works under a root of its own. A source is started after
 * the ZNodes are written and asked once it has loaded, or it is asked until a change shows (the view is eventually
 * consistent, milliseconds behind).
 */
class ZkTuningSourceTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String GOOD = "{\"maxReplicas\": 4}";

    @RegisterExtension
    static final SharedZooKeeper zk = new SharedZooKeeper("/zkscale");

    private String root;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void freshRoot() {
        root = zk.freshRoot();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    @DisplayName("each target's JSON is merged over the defaults, field by field, the target's values winning")
    void defaultsMerged() throws Exception {
        put("defaults", """
                {"minReplicas": 2, "targetCPUUtilizationPercentage": 60,
                 "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60,
                                            "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]}}}""");
        put("targets/shop/web", "{\"maxReplicas\": 10, \"behavior\": {\"scaleDown\": {\"selectPolicy\": \"Min\"}}}");
        put("targets/shop/web", "{\"maxReplicas\": 12, \"behavior\": {\"scaleDown\": {\"selectPolicy\": \"Min\"}}}");
        put("targets/shop/api", "{\"maxReplicas\": 5, \"minReplicas\": 1, \"targetCPUUtilizationPercentage\": 90}");
        put("targets/ops/batch", "{\"maxReplicas\": 3, \"behavior\": null}");

        List<Target> tunings = loaded(source(1000));

        assertEquals(
                List.of(new TargetRef("ops", "batch"), new TargetRef("shop", "api"), new TargetRef("shop", "web")),
                tunings.stream().map(Target::target).toList());
        tunings.forEach(t -> assertNull(t.rejected(), String.valueOf(t.rejected())));
        TargetConfig batch = tunings.get(0).config();
        assertEquals(2, batch.minReplicas());
        assertNull(batch.behavior(), "a null in the target removes the default");
        TargetConfig api = tunings.get(1).config();
        assertEquals(1, api.minReplicas());
        assertEquals(90, api.targetCPUUtilizationPercentage());
        TargetConfig web = tunings.get(2).config();
        assertEquals(2, web.minReplicas());
        assertEquals(12, web.maxReplicas());
        assertEquals(60, web.targetCPUUtilizationPercentage());
        assertEquals("web", web.workloadName());
        ScalingRules down = web.behavior().scaleDown();
        assertEquals(60, down.stabilizationWindowSeconds());
        assertEquals(ScalingRules.SelectPolicy.Min, down.selectPolicy());
        assertEquals(List.of(new ScalingPolicy(ScalingPolicy.Type.Pods, 1, 60)), down.policies());
        assertEquals(1, tunings.get(2).inForce().version(), "the ZNode's data version");
    }

    @Test
    @DisplayName("without a defaults ZNode a target's own JSON is its config")
    void noDefaults() throws Exception {
        put("targets/shop/web", GOOD);

        Target web = only(loaded(source(1000)));

        assertEquals(4, web.config().maxReplicas());
        assertEquals(1, web.config().minReplicas());
        assertEquals(80, web.config().targetCPUUtilizationPercentage());
    }

    @Test
    @DisplayName("maxReplicas above the controller's ceiling is capped at it")
    void capped() throws Exception {
        put("targets/shop/web", "{\"minReplicas\": 60, \"maxReplicas\": 200}");

        Target web = only(loaded(source(50)));

        assertEquals(50, web.config().maxReplicas());
        assertEquals(50, web.config().minReplicas());
    }

    static Stream<Arguments> badTargets() {
        byte[] big = new byte[1024 * 1024 - 1024];
        Arrays.fill(big, (byte) ' ');
        big[0] = '{';
        big[big.length - 1] = '}';
        return Stream.of(
                bad("invalid JSON", "{\"maxReplicas\": 3,", "not valid JSON: "),
                bad(
                        "text after the object",
                        "{\"maxReplicas\": 3} {}",
                        "not valid JSON: more data after the JSON value"),
                bad(
                        "a field given twice",
                        "{\"maxReplicas\": 3, \"maxReplicas\": 300}",
                        "not valid JSON: Duplicate field 'maxReplicas'"),
                bad("binary garbage", new byte[] {0, 1, 2, 3, 4, 5}, "not valid JSON: "),
                bad(
                        "invalid UTF-8",
                        "{\"maxReplicas\": 3, \"container\": \"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1),
                        "not valid UTF-8 text"),
                bad("unknown field", "{\"maxReplicas\": 3, \"maxReplica\": 4}", "maxReplica: unknown field"),
                bad("wrong type", "{\"maxReplicas\": \"ten\"}", "maxReplicas: must be an integer, got \"ten\""),
                bad(
                        "out of range",
                        "{\"maxReplicas\": 3, \"targetCPUUtilizationPercentage\": 0}",
                        "targetCPUUtilizationPercentage: must be between 1 and 1000, got 0"),
                bad(
                        "out of range, nested",
                        "{\"maxReplicas\": 3, \"behavior\": {\"scaleUp\": {\"policies\": "
                                + "[{\"type\": \"Pods\", \"value\": 0, \"periodSeconds\": 15}]}}}",
                        "behavior.scaleUp.policies[0].value: must be >= 1, got 0"),
                bad(
                        "minReplicas above maxReplicas",
                        "{\"minReplicas\": 5, \"maxReplicas\": 3}",
                        "maxReplicas: must be >= minReplicas (5), got 3"),
                bad("maxReplicas missing", "{\"minReplicas\": 2}", "maxReplicas: required"),
                bad("not an object", "[1, 2]", "must be a JSON object, got array"),
                bad("JSON null", "null", "must be a JSON object, got null"),
                bad("empty", "", "empty"),
                bad("only whitespace", " \n", "empty"),
                bad("1 MiB", big, "too large: 1047552 bytes, the limit is 65536"),
                bad(
                        "a tolerance quantity beyond any BigDecimal",
                        "{\"maxReplicas\": 3, \"behavior\": {\"scaleUp\": {\"tolerance\": \"1e99999999999\"}}}",
                        "behavior.scaleUp.tolerance: exponent out of range, got \"1e99999999999\""),
                bad(
                        "a tolerance number beyond any BigDecimal",
                        "{\"maxReplicas\": 3, \"behavior\": {\"scaleUp\": {\"tolerance\": 1e-2147483648}}}",
                        "behavior.scaleUp.tolerance: number out of range (line 1, column 58)"),
                bad(
                        "a number of 2001 digits",
                        "{\"maxReplicas\": 3" + "0".repeat(2000) + "}",
                        "maxReplicas: not valid JSON: Number value length (2001) exceeds the maximum allowed (1000)"),
                bad(
                        "an infinite tolerance",
                        "{\"maxReplicas\": 3, \"tolerance\": 1e400}",
                        "tolerance: must be <= 1000"),
                bad(
                        "a workload name that is no Kubernetes name",
                        "{\"maxReplicas\": 3, \"scaleTargetRef\": {\"name\": \"../../x\"}}",
                        "scaleTargetRef.name: must be a DNS-1123 subdomain"));
    }

    @ParameterizedTest
    @MethodSource("badTargets")
    @DisplayName("a bad target ZNode is reported by path, field and rule, and its neighbours are unaffected")
    void badTarget(byte[] data, String expected) throws Exception {
        put("targets/shop/a-good", GOOD);
        put("targets/shop/bad", data);
        put("targets/shop/z-good", GOOD);

        List<Target> tunings = loaded(source(1000));

        assertEquals(3, tunings.size());
        Target bad = tunings.get(1);
        assertEquals(new TargetRef("shop", "bad"), bad.target());
        assertNull(bad.config(), "never valid: unmanaged");
        assertRejected(bad, root + "/targets/shop/bad: " + expected);
        assertEquals(4, tunings.get(0).config().maxReplicas());
        assertEquals(4, tunings.get(2).config().maxReplicas());
    }

    /** {@code t} was rejected, with an error that starts with {@code prefix}. */
    private static void assertRejected(Target t, String prefix) {
        assertNotNull(t.rejected(), "not rejected");
        assertTrue(
                t.rejected().error().startsWith(prefix),
                "expected \"" + prefix + "...\", got \"" + t.rejected().error() + "\"");
    }

    static Stream<Arguments> badDefaults() {
        return Stream.of(
                bad("invalid JSON", "{", "not valid JSON: "),
                bad("unknown field", "{\"minReplica\": 2}", "minReplica: unknown field"),
                bad("out of range", "{\"minReplicas\": 0}", "minReplicas: must be >= 1, got 0"),
                bad(
                        "minReplicas above its own maxReplicas",
                        "{\"minReplicas\": 5, \"maxReplicas\": 3}",
                        "maxReplicas: must be >= minReplicas (5), got 3"),
                bad(
                        "a workload name",
                        "{\"scaleTargetRef\": {\"kind\": \"StatefulSet\", \"name\": \"db\"}}",
                        "scaleTargetRef.name: not allowed in the defaults"),
                bad("empty", "", "empty"),
                bad(
                        "a tolerance beyond any BigDecimal",
                        "{\"tolerance\": 1e2147483648}",
                        "tolerance: number out of range (line 1, column 15)"));
    }

    @ParameterizedTest
    @MethodSource("badDefaults")
    @DisplayName("an invalid defaults ZNode rejects every target, naming the defaults ZNode")
    void badDefaults(byte[] data, String expected) throws Exception {
        put("defaults", data);
        put("targets/shop/web", GOOD);
        put("targets/ops/batch", GOOD);

        List<Target> tunings = loaded(source(1000));

        assertEquals(2, tunings.size());
        for (Target t : tunings) {
            assertNull(t.config());
            assertRejected(t, root + "/defaults: " + expected);
        }
    }

    @Test
    @DisplayName("a workload kind in the defaults applies to every target, each keeping its own name")
    void defaultKind() throws Exception {
        put("defaults", "{\"scaleTargetRef\": {\"kind\": \"StatefulSet\"}}");
        put("targets/data/db", GOOD);

        TargetConfig db = only(loaded(source(1000))).config();

        assertEquals("StatefulSet", db.kind());
        assertEquals("db", db.workloadName());
    }

    @Test
    @DisplayName("a target that conflicts with the defaults is that target's error")
    void conflictWithDefaults() throws Exception {
        put("defaults", "{\"minReplicas\": 5}");
        put("targets/shop/web", "{\"maxReplicas\": 3}");

        Target web = only(loaded(source(1000)));

        assertEquals(
                root + "/targets/shop/web: maxReplicas: must be >= minReplicas (5), got 3",
                web.rejected().error());
    }

    @Test
    @DisplayName("no targets ZNode, or namespaces without targets, give no targets and no error")
    void nothingManaged() throws Exception {
        assertEquals(List.of(), loaded(source(1000)));

        put("targets/empty", new byte[0]);
        put("targets/also-empty", "{}");

        assertEquals(List.of(), loaded(source(1000)));
    }

    @Test
    @DisplayName("a change takes effect without a restart; a bad change keeps the config in force; a good one "
            + "replaces it")
    void liveChanges() throws Exception {
        put("targets/shop/web", "{\"maxReplicas\": 4}");
        ZkTuningSource source = source(1000);
        ConfigInForce first = only(loaded(source)).inForce();
        assertEquals(0, first.version());
        assertEquals(root + "/targets/shop/web version 0", first.origin());

        put("targets/shop/web", "{\"maxReplicas\": \"ten\"}");
        Target bad = only(until(source, t -> t.get(0).rejected() != null));
        assertEquals(first, bad.inForce(), "the config in force stays");
        assertEquals(1, bad.rejected().version());
        assertEquals(
                root + "/targets/shop/web: maxReplicas: must be an integer, got \"ten\"",
                bad.rejected().error());

        long writing = System.nanoTime();
        put("targets/shop/web", "{\"maxReplicas\": 6}");
        Target good = only(until(source, t -> version(t, "shop", "web") == 2));
        measured("a change is in the source's view %.1f ms after the write began", (System.nanoTime() - writing) / 1e6);
        assertNull(good.rejected());
        assertEquals(6, good.config().maxReplicas());
    }

    @Test
    @DisplayName("a poisoned ZNode (whatever its parser throws) rejects that ZNode alone: its config in force stays, "
            + "its neighbour is untouched, the source stays available")
    void poisonedChanges() throws Exception {
        put("targets/shop/web", GOOD);
        put("targets/shop/api", "{\"maxReplicas\": 5}");
        ZkTuningSource source = source(1000);
        ConfigInForce web = find(loaded(source), "shop", "web").inForce();

        put("targets/shop/web", "{\"maxReplicas\": 3, \"behavior\": {\"scaleUp\": {\"tolerance\": \"1e2147483648\"}}}");
        List<Target> poisoned = until(source, t -> find(t, "shop", "web").rejected() != null);
        assertEquals(
                root + "/targets/shop/web: behavior.scaleUp.tolerance: exponent out of range, got \"1e2147483648\"",
                find(poisoned, "shop", "web").rejected().error());
        assertEquals(web, find(poisoned, "shop", "web").inForce(), "the config in force stays");
        assertNull(find(poisoned, "shop", "api").rejected());
        assertEquals(5, find(poisoned, "shop", "api").config().maxReplicas());

        put("defaults", "{\"tolerance\": 1e-2147483648}");
        List<Target> badDefaults = until(source, t -> find(t, "shop", "api").rejected() != null);
        assertEquals(
                root + "/defaults: tolerance: number out of range (line 1, column 15)",
                find(badDefaults, "shop", "api").rejected().error());
        assertEquals(5, find(badDefaults, "shop", "api").config().maxReplicas(), "the config in force stays");

        put("defaults", "{}");
        put("targets/shop/web", "{\"maxReplicas\": 7}");
        List<Target> healed = until(
                source,
                t -> version(t, "shop", "web") == 2 && find(t, "shop", "api").rejected() == null);
        assertEquals(7, find(healed, "shop", "web").config().maxReplicas());
        assertEquals(5, find(healed, "shop", "api").config().maxReplicas());
    }

    @Test
    @DisplayName("creating a target's ZNode starts managing it, deleting it stops; created again, it starts afresh")
    void createAndDelete() throws Exception {
        put("targets/shop/web", GOOD);
        ZkTuningSource source = source(1000);
        loaded(source);

        put("targets/shop/api", GOOD);
        until(source, t -> t.size() == 2);
        zk.client().delete().forPath(root + "/targets/shop/web");
        assertEquals(
                new TargetRef("shop", "api"),
                only(until(source, t -> t.size() == 1)).target());

        // Created again with a bad config: the config in force before the deletion does not come back.
        put("targets/shop/web", "{\"maxReplicas\": 0}");
        Target web = find(until(source, t -> t.size() == 2), "shop", "web");
        assertNull(web.inForce());
        assertEquals(
                root + "/targets/shop/web: maxReplicas: must be >= 1, got 0",
                web.rejected().error());
    }

    @Test
    @DisplayName("a defaults change re-evaluates every target; defaults turned invalid keep each config in force")
    void defaultsChange() throws Exception {
        put("defaults", "{\"targetCPUUtilizationPercentage\": 60}");
        put("targets/shop/web", GOOD);
        put("targets/shop/api", "{\"maxReplicas\": 4, \"targetCPUUtilizationPercentage\": 90}");
        ZkTuningSource source = source(1000);
        List<Target> before = loaded(source);
        assertEquals(60, find(before, "shop", "web").config().targetCPUUtilizationPercentage());

        put("defaults", "{\"targetCPUUtilizationPercentage\": 70}");
        List<Target> after = until(source, t -> find(t, "shop", "web").config().targetCPUUtilizationPercentage() == 70);
        assertEquals(
                root + "/targets/shop/web version 0 over " + root + "/defaults version 1",
                find(after, "shop", "web").inForce().origin());
        assertEquals(
                find(before, "shop", "api").inForce(),
                find(after, "shop", "api").inForce(),
                "a target whose config the change leaves as it was keeps it in force: no new config");

        put("defaults", "{\"minReplicas\": 0}");
        List<Target> rejected =
                until(source, t -> t.get(0).rejected() != null && t.get(1).rejected() != null);
        for (Target t : rejected) {
            assertEquals(
                    root + "/defaults: minReplicas: must be >= 1, got 0",
                    t.rejected().error());
        }
        assertEquals(70, find(rejected, "shop", "web").config().targetCPUUtilizationPercentage());
        assertEquals(90, find(rejected, "shop", "api").config().targetCPUUtilizationPercentage());
    }

    @Test
    @DisplayName("cut off from ZooKeeper the source is unavailable; after the reconnect it answers only once "
            + "re-synced, and then with every change made meanwhile")
    void partition() throws Exception {
        put("targets/shop/web", GOOD);
        put("targets/shop/gone", GOOD);
        TcpRelay proxy = opened(TcpRelay.open(zk.server().getPort(), "test"));
        // No ensemble tracker: it would learn the server's real address and bypass the proxy.
        CuratorFramework cut = opened(CuratorFrameworkFactory.builder()
                .connectString(proxy.connectString())
                .sessionTimeoutMs(3000)
                .connectionTimeoutMs(1000)
                .retryPolicy(new ExponentialBackoffRetry(100, 3))
                .ensembleTracker(false)
                .build());
        cut.start();
        ZkTuningSource source = source(cut, root, 1000);
        assertEquals(2, loaded(source).size());

        proxy.partition();
        await().atMost(PATIENCE).until(() -> unavailable(source));
        put("targets/shop/web", "{\"maxReplicas\": 9}");
        zk.client().delete().forPath(root + "/targets/shop/gone");
        put("targets/ops/new", GOOD);
        long healing = System.nanoTime();
        proxy.heal();

        // The first answer after the reconnect has every change: no pass decides on the view from before.
        List<Target> first = loaded(source);
        measured(
                "after a partition heals, the first answer (re-synced) %.1f ms later",
                (System.nanoTime() - healing) / 1e6);
        assertEquals(
                List.of(new TargetRef("ops", "new"), new TargetRef("shop", "web")),
                first.stream().map(Target::target).toList());
        assertEquals(9, find(first, "shop", "web").config().maxReplicas());
        put("targets/shop/web", "{\"maxReplicas\": 7}");
        until(source, t -> find(t, "shop", "web").config().maxReplicas() == 7);
    }

    @Test
    @DisplayName("across a ZooKeeper server restart the source is unavailable, then re-syncs and watches again")
    void serverRestart() throws Exception {
        try (TestingServer own = new TestingServer(true);
                CuratorFramework ownClient = SharedZooKeeper.connected(own.getConnectString(), null)) {
            ownClient.create().creatingParentsIfNeeded().forPath("/zkscale/targets/shop/web", GOOD.getBytes());
            ZkTuningSource source = source(ownClient, "/zkscale", 1000);
            assertEquals(1, loaded(source).size());

            own.stop();
            await().atMost(PATIENCE).until(() -> unavailable(source));
            long restarting = System.nanoTime();
            own.restart();

            assertEquals(4, only(loaded(source)).config().maxReplicas());
            measured(
                    "after a server restart, the first answer (re-synced) %.1f ms after restart() began",
                    (System.nanoTime() - restarting) / 1e6);
            ownClient.setData().forPath("/zkscale/targets/shop/web", "{\"maxReplicas\": 5}".getBytes());
            until(source, t -> t.get(0).config().maxReplicas() == 5);
            source.close();
        }
    }

    private static boolean unavailable(ZkTuningSource source) {
        try {
            source.targets();
            return false;
        } catch (TuningUnavailableException e) {
            return true;
        }
    }

    private ZkTuningSource source(int ceiling) {
        return source(zk.client(), root, ceiling);
    }

    private ZkTuningSource source(CuratorFramework c, String r, int ceiling) {
        ZkTuningSource source = new ZkTuningSource(c, r, ceiling);
        open.add(source);
        source.start();
        return source;
    }

    /** The source's targets once it has loaded. */
    private static List<Target> loaded(ZkTuningSource source) {
        return until(source, t -> true);
    }

    /** The source's targets once they satisfy {@code until} (asked every millisecond: some tests measure). */
    private static List<Target> until(ZkTuningSource source, java.util.function.Predicate<List<Target>> until) {
        return await().atMost(PATIENCE)
                .pollInterval(Duration.ofMillis(1))
                .ignoreException(TuningUnavailableException.class)
                .until(source::targets, until);
    }

    private static void measured(String format, Object... args) {
        System.out.printf("[measured] " + format + "%n", args);
    }

    private static Target find(List<Target> tunings, String namespace, String name) {
        return tunings.stream()
                .filter(t -> t.target().equals(new TargetRef(namespace, name)))
                .findFirst()
                .orElse(null);
    }

    private static int version(List<Target> tunings, String namespace, String name) {
        Target t = find(tunings, namespace, name);
        return t == null || t.inForce() == null ? -99 : t.inForce().version();
    }

    private <T extends AutoCloseable> T opened(T closeable) {
        open.add(closeable);
        return closeable;
    }

    private static Target only(List<Target> tunings) {
        assertEquals(1, tunings.size(), String.valueOf(tunings));
        return tunings.get(0);
    }

    private void put(String relative, String data) throws Exception {
        put(relative, data.getBytes(StandardCharsets.UTF_8));
    }

    private void put(String relative, byte[] data) throws Exception {
        zk.client().create().orSetData().creatingParentsIfNeeded().forPath(root + "/" + relative, data);
    }

    private static Arguments bad(String name, String data, String expected) {
        return bad(name, data.getBytes(StandardCharsets.UTF_8), expected);
    }

    private static Arguments bad(String name, byte[] data, String expected) {
        return Arguments.of(Named.of(name, data), expected);
    }
}

package dev.zkscale.coordination;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zkscale.core.ScalingPolicy;
import dev.zkscale.core.ScalingRules;
import dev.zkscale.core.TargetConfig;
import dev.zkscale.core.TargetRef;
import dev.zkscale.loop.TuningSource.Tuning;
import dev.zkscale.loop.TuningSource.TuningUnavailableException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Config ZNodes read from a real ZooKeeper server; each test works under a root of its own. */
class ZkTuningSourceTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final AtomicInteger ROOTS = new AtomicInteger();
    private static final String GOOD = "{\"maxReplicas\": 4}";

    private static TestingServer server;
    private static CuratorFramework client;
    private String root;

    @BeforeAll
    static void startServer() throws Exception {
        server = new TestingServer(true);
        client = ZooKeeperClients.start(server.getConnectString(), Duration.ofSeconds(3), Duration.ofSeconds(1));
        assertTrue(client.blockUntilConnected(30, TimeUnit.SECONDS));
    }

    @AfterAll
    static void stopServer() throws Exception {
        client.close();
        server.close();
    }

    @BeforeEach
    void freshRoot() {
        root = "/zkscale" + ROOTS.incrementAndGet();
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

        List<Tuning> tunings = source(1000).targets();

        assertEquals(List.of(new TargetRef("ops", "batch"), new TargetRef("shop", "api"), new TargetRef("shop", "web")),
                tunings.stream().map(Tuning::target).toList());
        tunings.forEach(t -> assertNull(t.error(), t.error()));
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
        assertEquals(1, tunings.get(2).version(), "the ZNode's data version");
    }

    @Test
    @DisplayName("without a defaults ZNode a target's own JSON is its config")
    void noDefaults() throws Exception {
        put("targets/shop/web", GOOD);

        Tuning web = only(source(1000).targets());

        assertEquals(4, web.config().maxReplicas());
        assertEquals(1, web.config().minReplicas());
        assertEquals(80, web.config().targetCPUUtilizationPercentage());
    }

    @Test
    @DisplayName("maxReplicas above the controller's ceiling is capped at it")
    void capped() throws Exception {
        put("targets/shop/web", "{\"minReplicas\": 60, \"maxReplicas\": 200}");

        Tuning web = only(source(50).targets());

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
                bad("text after the object", "{\"maxReplicas\": 3} {}",
                        "not valid JSON: more data after the JSON value"),
                bad("a field given twice", "{\"maxReplicas\": 3, \"maxReplicas\": 300}",
                        "not valid JSON: Duplicate field 'maxReplicas'"),
                bad("binary garbage", new byte[] {0, 1, 2, 3, 4, 5}, "not valid JSON: "),
                bad("invalid UTF-8", "{\"maxReplicas\": 3, \"container\": \"caf\u00e9\"}"
                        .getBytes(StandardCharsets.ISO_8859_1), "not valid UTF-8 text"),
                bad("unknown field", "{\"maxReplicas\": 3, \"maxReplica\": 4}", "maxReplica: unknown field"),
                bad("wrong type", "{\"maxReplicas\": \"ten\"}", "maxReplicas: must be an integer, got \"ten\""),
                bad("out of range", "{\"maxReplicas\": 3, \"targetCPUUtilizationPercentage\": 0}",
                        "targetCPUUtilizationPercentage: must be between 1 and 1000, got 0"),
                bad("out of range, nested", "{\"maxReplicas\": 3, \"behavior\": {\"scaleUp\": {\"policies\": "
                        + "[{\"type\": \"Pods\", \"value\": 0, \"periodSeconds\": 15}]}}}",
                        "behavior.scaleUp.policies[0].value: must be >= 1, got 0"),
                bad("minReplicas above maxReplicas", "{\"minReplicas\": 5, \"maxReplicas\": 3}",
                        "maxReplicas: must be >= minReplicas (5), got 3"),
                bad("maxReplicas missing", "{\"minReplicas\": 2}", "maxReplicas: required"),
                bad("not an object", "[1, 2]", "must be a JSON object, got array"),
                bad("JSON null", "null", "must be a JSON object, got null"),
                bad("empty", "", "empty"),
                bad("only whitespace", " \n", "empty"),
                bad("1 MiB", big, "too large: 1047552 bytes, the limit is 65536"));
    }

    @ParameterizedTest
    @MethodSource("badTargets")
    @DisplayName("a bad target ZNode is reported by path, field and rule, and its neighbours are unaffected")
    void badTarget(byte[] data, String expected) throws Exception {
        put("targets/shop/a-good", GOOD);
        put("targets/shop/bad", data);
        put("targets/shop/z-good", GOOD);

        List<Tuning> tunings = source(1000).targets();

        assertEquals(3, tunings.size());
        Tuning bad = tunings.get(1);
        assertEquals(new TargetRef("shop", "bad"), bad.target());
        assertNull(bad.config());
        assertNotNull(bad.error());
        String prefix = root + "/targets/shop/bad: " + expected;
        assertTrue(bad.error().startsWith(prefix), "expected \"" + prefix + "...\", got \"" + bad.error() + "\"");
        assertEquals(4, tunings.get(0).config().maxReplicas());
        assertEquals(4, tunings.get(2).config().maxReplicas());
    }

    static Stream<Arguments> badDefaults() {
        return Stream.of(
                bad("invalid JSON", "{", "not valid JSON: "),
                bad("unknown field", "{\"minReplica\": 2}", "minReplica: unknown field"),
                bad("out of range", "{\"minReplicas\": 0}", "minReplicas: must be >= 1, got 0"),
                bad("minReplicas above its own maxReplicas", "{\"minReplicas\": 5, \"maxReplicas\": 3}",
                        "maxReplicas: must be >= minReplicas (5), got 3"),
                bad("a workload name", "{\"scaleTargetRef\": {\"kind\": \"StatefulSet\", \"name\": \"db\"}}",
                        "scaleTargetRef.name: not allowed in the defaults"),
                bad("empty", "", "empty"));
    }

    @ParameterizedTest
    @MethodSource("badDefaults")
    @DisplayName("an invalid defaults ZNode rejects every target, naming the defaults ZNode")
    void badDefaults(byte[] data, String expected) throws Exception {
        put("defaults", data);
        put("targets/shop/web", GOOD);
        put("targets/ops/batch", GOOD);

        List<Tuning> tunings = source(1000).targets();

        assertEquals(2, tunings.size());
        for (Tuning t : tunings) {
            assertNull(t.config());
            String prefix = root + "/defaults: " + expected;
            assertTrue(t.error().startsWith(prefix), "expected \"" + prefix + "...\", got \"" + t.error() + "\"");
        }
    }

    @Test
    @DisplayName("a workload kind in the defaults applies to every target, each keeping its own name")
    void defaultKind() throws Exception {
        put("defaults", "{\"scaleTargetRef\": {\"kind\": \"StatefulSet\"}}");
        put("targets/data/db", GOOD);

        TargetConfig db = only(source(1000).targets()).config();

        assertEquals("StatefulSet", db.kind());
        assertEquals("db", db.workloadName());
    }

    @Test
    @DisplayName("a target that conflicts with the defaults is that target's error")
    void conflictWithDefaults() throws Exception {
        put("defaults", "{\"minReplicas\": 5}");
        put("targets/shop/web", "{\"maxReplicas\": 3}");

        Tuning web = only(source(1000).targets());

        assertEquals(root + "/targets/shop/web: maxReplicas: must be >= minReplicas (5), got 3", web.error());
    }

    @Test
    @DisplayName("no targets ZNode, or namespaces without targets, give no targets and no error")
    void nothingManaged() throws Exception {
        assertEquals(List.of(), source(1000).targets());

        put("targets/empty", new byte[0]);
        put("targets/also-empty", "{}");

        assertEquals(List.of(), source(1000).targets());
    }

    @Test
    @DisplayName("with ZooKeeper unreachable the source says it is unavailable; once it is back, targets are read "
            + "again")
    void unreachable() throws Exception {
        try (TestingServer own = new TestingServer(true);
                CuratorFramework ownClient = ZooKeeperClients.start(own.getConnectString(), Duration.ofSeconds(3),
                        Duration.ofSeconds(1))) {
            assertTrue(ownClient.blockUntilConnected(30, TimeUnit.SECONDS));
            ownClient.create().creatingParentsIfNeeded().forPath("/zkscale/targets/shop/web", GOOD.getBytes());
            ZkTuningSource source = new ZkTuningSource(ownClient, "/zkscale", 1000);
            assertEquals(1, source.targets().size());

            own.stop();
            await().atMost(PATIENCE).until(() -> !ownClient.getZookeeperClient().isConnected());
            assertThrows(TuningUnavailableException.class, source::targets);

            own.restart();
            await().atMost(PATIENCE).ignoreException(TuningUnavailableException.class)
                    .until(() -> source.targets().size() == 1);
        }
    }

    private ZkTuningSource source(int ceiling) {
        return new ZkTuningSource(client, root, ceiling);
    }

    private static Tuning only(List<Tuning> tunings) {
        assertEquals(1, tunings.size(), String.valueOf(tunings));
        return tunings.get(0);
    }

    private void put(String relative, String data) throws Exception {
        put(relative, data.getBytes(StandardCharsets.UTF_8));
    }

    private void put(String relative, byte[] data) throws Exception {
        client.create().orSetData().creatingParentsIfNeeded().forPath(root + "/" + relative, data);
    }

    private static Arguments bad(String name, String data, String expected) {
        return bad(name, data.getBytes(StandardCharsets.UTF_8), expected);
    }

    private static Arguments bad(String name, byte[] data, String expected) {
        return Arguments.of(Named.of(name, data), expected);
    }
}

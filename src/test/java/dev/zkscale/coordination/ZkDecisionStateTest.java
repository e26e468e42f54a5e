package dev.zkscale.coordination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zkscale.codec.HistoryCodec;
import dev.zkscale.codec.InvalidInputException;
import dev.zkscale.core.ForecastState;
import dev.zkscale.core.History;
import dev.zkscale.core.Mode;
import dev.zkscale.core.TargetConfig;
import dev.zkscale.core.TargetRef;
import dev.zkscale.loop.DecisionMemory;
import dev.zkscale.loop.DecisionState.Failure;
import dev.zkscale.loop.DecisionState.Loaded;
import dev.zkscale.loop.DecisionState.StateException;
import dev.zkscale.loop.Monitor;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The decision state in a real ZooKeeper server: batches, the epoch guard, and what a new term finds. */
class ZkDecisionStateTest {
    @RegisterExtension
    static final SharedZooKeeper ZK = new SharedZooKeeper("/state");

    private static final Instant T0 = Instant.parse("2026-06-01T00:00:00Z");
    private static final TargetRef WEB = new TargetRef("shop", "web");
    private static final TargetRef API = new TargetRef("shop", "api");
    private static final TargetRef BATCH = new TargetRef("ops", "batch");

    private String root;
    private CuratorFramework client;

    @BeforeEach
    void root() throws Exception {
        root = ZK.freshRoot();
        client = ZK.client();
        epoch(7);
    }

    /** Sets the epoch counter, as a leader taking {@code epoch} would. */
    private void epoch(long epoch) throws Exception {
        byte[] data = Long.toString(epoch).getBytes(StandardCharsets.UTF_8);
        if (client.checkExists().forPath(root + "/epoch") == null) {
            client.create().creatingParentsIfNeeded().forPath(root + "/epoch", data);
        } else {
            client.setData().forPath(root + "/epoch", data);
        }
    }

    private static History history(int replicas, int entries) {
        List<History.Entry> recs = new java.util.ArrayList<>();
        for (int i = 0; i < entries; i++) {
            recs.add(new History.Entry(T0.plusSeconds(15L * i), replicas));
        }
        ForecastState forecast = new ForecastState(
                T0,
                List.of(new ForecastState.Model(2.5, 0.01, Double.NaN, 0.5)),
                1,
                List.of(new ForecastState.Pending(T0.plusSeconds(60), List.of(2.25))),
                new ForecastState.Floor(replicas, T0.plusSeconds(60)),
                1.5,
                List.of(new History.Entry(T0, replicas)),
                new ForecastState.Ledger(2.5, 2.25, 0.01, 0.02, 0.75));
        return new History(recs, List.of(new History.Entry(T0, 2)), List.of(), forecast);
    }

    @Test
    @DisplayName("saved histories load back in the next term; gone targets are deleted; what has state is listed")
    void roundTrip() throws Exception {
        ZkDecisionState leader = new ZkDecisionState(client, root);
        leader.load(7, Set.of(WEB, API, BATCH));
        Set<TargetRef> written =
                leader.save(7, Map.of(WEB, history(3, 2), API, history(4, 1), BATCH, history(5, 3)), Set.of());
        assertEquals(Set.of(WEB, API, BATCH), written);
        assertEquals(Set.of(API), leader.save(7, Map.of(), Set.of(API)));
        assertEquals(Set.of(WEB), leader.save(7, Map.of(WEB, history(6, 4)), Set.of()), "an update");

        epoch(8);
        Loaded next = new ZkDecisionState(client, root).load(8, Set.of(WEB, API));
        assertEquals(Map.of(WEB, history(6, 4)), next.histories());
        assertEquals(Map.of(), next.unreadable());
        assertEquals(Set.of(WEB, BATCH), next.stored(), "batch has state though it was not asked for");
    }

    @Test
    @DisplayName("through the memory, a pass rewrites only the ZNodes of histories that changed, in a new term too")
    void unchangedNotRewritten() throws Exception {
        TargetConfig config =
                new TargetConfig("Deployment", "web", 1, 10, 80, null, 0.1, 300, 300, 30, null, Mode.Active, null);
        Monitor none = (Monitor) Proxy.newProxyInstance(
                Monitor.class.getClassLoader(), new Class<?>[] {Monitor.class}, (proxy, method, args) -> null);
        Instant now = T0.plusSeconds(60);
        DecisionMemory memory = new DecisionMemory(new ZkDecisionState(client, root), none, Runnable::run);
        memory.takeOver(7, Set.of(WEB, API));
        memory.passed(7, now, Map.of(WEB, kept(history(3, 2), config), API, kept(history(4, 2), config)));
        assertEquals(List.of(0, 0), List.of(version(WEB), version(API)), "both created");

        memory.passed(7, now, Map.of(WEB, kept(history(5, 2), config), API, kept(history(4, 2), config)));
        assertEquals(List.of(1, 0), List.of(version(WEB), version(API)), "only web rewritten");

        epoch(8);
        DecisionMemory next = new DecisionMemory(new ZkDecisionState(client, root), none, Runnable::run);
        next.takeOver(8, Set.of(WEB, API));
        next.passed(8, now, Map.of(WEB, kept(history(5, 2), config), API, kept(history(6, 2), config)));
        assertEquals(List.of(1, 1), List.of(version(WEB), version(API)), "the new term rewrites only api");
    }

    private static DecisionMemory.Kept kept(History history, TargetConfig config) {
        return new DecisionMemory.Kept(history, config);
    }

    /** The data version of the target's state ZNode: how many times it was written since its creation. */
    private int version(TargetRef target) throws Exception {
        return client.checkExists()
                .forPath(new ZkDecisionState(client, root).path(target))
                .getVersion();
    }

    @Test
    @DisplayName("many targets go in several multi requests, each under the size limit, and all land")
    void batches() throws Exception {
        ZkDecisionState leader = new ZkDecisionState(client, root, 1024);
        Map<TargetRef, History> many = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            many.put(new TargetRef("ns" + i % 3, "t" + i), history(i, 5));
        }
        assertEquals(many.keySet(), leader.save(7, many, Set.of()));
        assertTrue(HistoryCodec.compress(history(1, 5)).length * 200 > 10 * 1024, "so there were many batches");

        assertEquals(
                many, new ZkDecisionState(client, root).load(7, many.keySet()).histories());
    }

    @Test
    @DisplayName("a deposed leader's save is refused as a whole: a newer epoch moved the counter")
    void deposedSaveRefused() throws Exception {
        ZkDecisionState old = new ZkDecisionState(client, root);
        old.save(7, Map.of(WEB, history(3, 1)), Set.of());

        epoch(8);
        ZkDecisionState newer = new ZkDecisionState(client, root);
        newer.load(8, Set.of(WEB));
        newer.save(8, Map.of(WEB, history(9, 2)), Set.of());

        StateException refused = assertThrows(
                StateException.class, () -> old.save(7, Map.of(WEB, history(1, 1), API, history(1, 1)), Set.of()));
        assertEquals(Failure.DEPOSED, refused.failure());
        assertEquals(history(9, 2), HistoryCodec.decompress(client.getData().forPath(root + "/state/shop/web")));
        assertNull(client.checkExists().forPath(root + "/state/shop/api"), "nothing of the refused batch landed");
        assertEquals(
                Failure.DEPOSED,
                assertThrows(StateException.class, () -> new ZkDecisionState(client, root).load(7, Set.of(WEB)))
                        .failure(),
                "an outdated term loads nothing either");
    }

    @Test
    @DisplayName("stored compressed, about a fifth of the JSON; plain JSON (written by hand) reads too")
    void encoding() throws Exception {
        History history = history(3, 21);
        byte[] json = HistoryCodec.toBytes(history);
        byte[] stored = HistoryCodec.compress(history);

        assertTrue(stored.length * 4 < json.length, stored.length + " of " + json.length);
        assertEquals(history, HistoryCodec.decompress(stored));
        assertEquals(history, HistoryCodec.decompress(json));
        assertThrows(InvalidInputException.class, () -> HistoryCodec.decompress(new byte[] {1, 2, 3}));
        assertThrows(InvalidInputException.class, () -> HistoryCodec.decompress(new byte[0]));
    }

    @Test
    @DisplayName("unreadable state is reported per target; the others load")
    void corrupt() throws Exception {
        ZkDecisionState leader = new ZkDecisionState(client, root);
        leader.save(7, Map.of(WEB, history(3, 1), API, history(4, 1), BATCH, history(5, 1)), Set.of());
        client.setData().forPath(root + "/state/shop/api", "{\"recommendations\": 3}".getBytes(StandardCharsets.UTF_8));
        byte[] cut = client.getData().forPath(root + "/state/ops/batch");
        client.setData().forPath(root + "/state/ops/batch", Arrays.copyOf(cut, cut.length / 2));

        Loaded loaded = new ZkDecisionState(client, root).load(7, Set.of(WEB, API, BATCH));

        assertEquals(Map.of(WEB, history(3, 1)), loaded.histories());
        assertEquals(
                Map.of(
                        API,
                        root + "/state/shop/api: history.recommendations: must be an array, got 3",
                        BATCH,
                        root + "/state/ops/batch: neither JSON nor complete zlib-compressed JSON"),
                loaded.unreadable());
        assertEquals(Set.of(WEB, API, BATCH), loaded.stored());
    }

    @Test
    @DisplayName("state created or deleted behind the leader's back: the batch is corrected and sent again")
    void changedBehindItsBack() throws Exception {
        ZkDecisionState leader = new ZkDecisionState(client, root);
        leader.load(7, Set.of(WEB, API));
        leader.save(7, Map.of(WEB, history(3, 1)), Set.of());
        client.delete().forPath(root + "/state/shop/web");
        client.create().forPath(root + "/state/shop/api", new byte[] {1});
        client.create().creatingParentsIfNeeded().forPath(root + "/state/ops/batch", new byte[] {1});
        client.delete().forPath(root + "/state/ops/batch");

        assertEquals(
                Set.of(WEB, API, BATCH), leader.save(7, Map.of(WEB, history(4, 1), API, history(5, 1)), Set.of(BATCH)));

        assertEquals(history(4, 1), HistoryCodec.decompress(client.getData().forPath(root + "/state/shop/web")));
        assertEquals(history(5, 1), HistoryCodec.decompress(client.getData().forPath(root + "/state/shop/api")));
    }
}

package dev.zkscale.coordination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zkscale.codec.HistoryCodec;
import dev.zkscale.codec.InvalidInputException;
import dev.zkscale.core.ForecastState;
import dev.zkscale.core.History;
import dev.zkscale.core.TargetRef;
import dev.zkscale.loop.DecisionState.Failure;
import dev.zkscale.loop.DecisionState.Loaded;
import dev.zkscale.loop.DecisionState.StateException;
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
                List.of(new History.Entry(T0, replicas)));
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

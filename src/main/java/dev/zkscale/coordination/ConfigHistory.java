package dev.zkscale.coordination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.coordination.ConfigStore.Action;
import dev.zkscale.coordination.ConfigStore.Change;
import dev.zkscale.coordination.ConfigStore.Key;
import dev.zkscale.coordination.ConfigStore.Versioned;
import dev.zkscale.coordination.ConfigStoreException.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;

/**
 * The history of each config ZNode: one entry ZNode per accepted change, holding the content replaced and the content
 * written with their data versions, the action and the identity; ZooKeeper stamps its creation time and zxid.
 *
 * <p>ZooKeeper's 32-bit counters wrap: a ZNode's data version goes from 2147483647 to -2147483648, and a parent's child
 * counter, which numbers sequential ZNodes, sticks at 2147483647 so that every sequential create after it fails. So an
 * entry's name is unique without a counter (its creation time and a random suffix, for people listing them), and
 * entries are ordered by their creation zxid, ZooKeeper's 64-bit transaction id, which only grows. The oldest entries
 * beyond the limit are deleted, best effort.
 */
final class ConfigHistory {
    private static final String ENTRY_PREFIX = "change-";

    private final ZkCalls zk;
    private final ConfigPaths paths;
    private final int limit;

    /** @param limit changes kept per config ZNode, at least 1 */
    ConfigHistory(ZkCalls zk, ConfigPaths paths, int limit) {
        this.zk = zk;
        this.paths = paths;
        this.limit = limit;
    }

    /**
     * The entry of a change, as an operation for the transaction that makes the change; its parent must exist.
     *
     * @param from the content replaced, null for a create
     * @param to the content written, null for a delete
     * @param rollbackTo for a rollback, the version restored
     */
    CuratorOp entry(Key key, Action action, Versioned from, byte[] to, Integer toVersion, Integer rollbackTo)
            throws ConfigStoreException {
        ObjectNode json = SnapshotCodec.MAPPER.createObjectNode();
        json.put("action", action.json()).put("identity", zk.identity());
        if (from != null) {
            json.put("fromVersion", from.version()).put("from", from.text());
        }
        if (to != null) {
            json.put("toVersion", toVersion).put("to", new String(to, StandardCharsets.UTF_8));
        }
        if (rollbackTo != null) {
            json.put("rollbackTo", rollbackTo);
        }
        byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
        String history = paths.history(key);
        List<ACL> acl = zk.aclOf(history);
        String entry = ZKPaths.makePath(
                history,
                String.format(
                        Locale.ROOT,
                        "%s%013d-%016x",
                        ENTRY_PREFIX,
                        System.currentTimeMillis(),
                        ThreadLocalRandom.current().nextLong()));
        CuratorFramework client = zk.client();
        return zk.call(
                "write",
                entry,
                () -> client.transactionOp()
                        .create()
                        .withMode(CreateMode.PERSISTENT)
                        .withACL(acl)
                        .forPath(entry, bytes));
    }

    /**
     * The accepted changes of {@code key}, oldest first (ordered by zxid, so wrapped versions and sequence numbers do
     * not disorder them). Entries that cannot be read or parsed are left out.
     */
    List<Change> changes(Key key) throws ConfigStoreException {
        String history = paths.history(key);
        List<Change> changes = new ArrayList<>();
        for (String name : zk.children(history)) {
            String entryPath = ZKPaths.makePath(history, name);
            Stat stat = new Stat();
            byte[] data;
            try {
                data = zk.call(
                        "read",
                        entryPath,
                        () -> zk.client().getData().storingStatIn(stat).forPath(entryPath));
            } catch (ConfigStoreException e) {
                if (e.getCause() instanceof KeeperException.NoNodeException) {
                    continue; // pruned meanwhile
                }
                throw e;
            }
            Change change = change(stat, data);
            if (change != null) {
                changes.add(change);
            }
        }
        changes.sort(Comparator.comparingLong(Change::zxid));
        return changes;
    }

    /**
     * The content {@code key} had at {@code version}: the newest occurrence of that version if the counter has wrapped.
     *
     * @throws ConfigStoreException {@link Kind#NOT_FOUND} when no change kept wrote or replaced that version
     */
    byte[] content(Key key, int version) throws ConfigStoreException {
        List<Change> changes = changes(key);
        String content = null;
        for (int i = changes.size() - 1; i >= 0 && content == null; i--) {
            Change c = changes.get(i);
            if (c.toVersion() != null && c.toVersion() == version) {
                content = c.to();
            } else if (c.fromVersion() != null && c.fromVersion() == version) {
                content = c.from();
            }
        }
        if (content == null) {
            throw new ConfigStoreException(
                    Kind.NOT_FOUND,
                    "version " + version + " of " + key + " is not in its history (zkscale config history " + key
                            + " lists the versions kept)");
        }
        return content.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Deletes {@code key}'s oldest entries (by zxid) beyond the limit. Best effort: a change is never refused for this.
     */
    void prune(Key key) {
        String history = paths.history(key);
        CuratorFramework client = zk.client();
        try {
            List<String> names = client.getChildren().forPath(history);
            if (names.size() <= limit) {
                return;
            }
            List<long[]> order = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                Stat stat = client.checkExists().forPath(ZKPaths.makePath(history, names.get(i)));
                if (stat != null) {
                    order.add(new long[] {stat.getCzxid(), i});
                }
            }
            order.sort(Comparator.comparingLong(o -> o[0]));
            for (int i = 0; i < order.size() - limit; i++) {
                try {
                    client.delete().forPath(ZKPaths.makePath(history, names.get((int) order.get(i)[1])));
                } catch (KeeperException.NoNodeException gone) {
                    // pruned by another writer
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Left for the next change to prune.
        }
    }

    private static Change change(Stat stat, byte[] data) {
        try {
            JsonNode json = SnapshotCodec.MAPPER.readTree(data);
            Action action = Action.valueOf(json.path("action").asText().toUpperCase(Locale.ROOT));
            return new Change(
                    stat.getCzxid(),
                    Instant.ofEpochMilli(stat.getCtime()),
                    json.path("identity").asText(),
                    action,
                    integer(json, "fromVersion"),
                    text(json, "from"),
                    integer(json, "toVersion"),
                    text(json, "to"),
                    integer(json, "rollbackTo"));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Integer integer(JsonNode json, String field) {
        return json.hasNonNull(field) ? json.get(field).intValue() : null;
    }

    private static String text(JsonNode json, String field) {
        return json.hasNonNull(field) ? json.get(field).asText() : null;
    }
}

package dev.zkscale.coordination;

import dev.zkscale.coordination.ConfigStore.Action;
import dev.zkscale.coordination.ConfigStore.Key;
import dev.zkscale.coordination.ConfigStore.Versioned;
import dev.zkscale.coordination.ConfigStore.Written;
import dev.zkscale.coordination.ConfigStoreException.Kind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.ACL;

/**
 * The changes to config ZNodes: each validated first ({@link StoredConfigs}), a compare-and-set on the data version
 * read (or the one the caller expects), and recorded in the {@link ConfigHistory} in the same ZooKeeper transaction,
 * so a change and its history entry exist together or not at all. Of two writers with the same expected version, one
 * fails with {@link Kind#CONFLICT}.
 *
 * <p>Version -1: ZooKeeper reads an expected version of -1 as "any version", so a ZNode at version -1 cannot be
 * compare-and-set. A write from version -2 therefore writes the data twice in its transaction and lands on 0; a ZNode
 * left at -1 by another tool is refused, with how to move it on.
 *
 * <p>A ZNode created here gets the ACL of its parent, so that the policy {@link RootAcls} sets applies to it.
 */
final class ConfigWriter {
    private final ZkCalls zk;
    private final ConfigPaths paths;
    private final StoredConfigs configs;
    private final ConfigHistory history;

    ConfigWriter(ZkCalls zk, ConfigPaths paths, StoredConfigs configs, ConfigHistory history) {
        this.zk = zk;
        this.paths = paths;
        this.configs = configs;
        this.history = history;
    }

    /** See {@link ConfigStore#set}. */
    Written set(Key key, byte[] data, OptionalInt expectedVersion) throws ConfigStoreException {
        try {
            Versioned current = zk.read(key);
            return write(key, current, data, expectedVersion, Action.SET, null);
        } catch (ConfigStoreException e) {
            throw zk.asWriteRefusal(e, "write", paths.path(key));
        }
    }

    /** See {@link ConfigStore#delete}. */
    Written delete(Key key, OptionalInt expectedVersion) throws ConfigStoreException {
        String path = paths.path(key);
        Versioned current;
        try {
            current = zk.read(key);
        } catch (ConfigStoreException e) {
            throw zk.asWriteRefusal(e, "delete", path);
        }
        if (current == null) {
            throw new ConfigStoreException(Kind.NOT_FOUND, "no config ZNode " + path);
        }
        checkExpected(path, current, expectedVersion);
        CuratorFramework client = zk.client();
        try {
            zk.ensure(paths.history(key));
            CuratorOp delete = zk.call(
                    "delete",
                    path,
                    () -> client.transactionOp()
                            .delete()
                            .withVersion(current.version())
                            .forPath(path));
            commit(
                    key,
                    current,
                    List.of(delete, history.entry(key, Action.DELETE, current, null, null, null)),
                    null,
                    null);
        } catch (ConfigStoreException e) {
            throw zk.asWriteRefusal(e, "delete", path);
        }
        if (!key.isDefaults()) {
            zk.deleteIfEmpty(ZKPaths.getPathAndNode(path).getPath());
        }
        history.prune(key);
        return new Written(key, path, current.version(), null, true);
    }

    /** See {@link ConfigStore#rollback}. */
    Written rollback(Key key, int version, OptionalInt expectedVersion) throws ConfigStoreException {
        try {
            return restore(key, version, expectedVersion);
        } catch (ConfigStoreException e) {
            throw zk.asWriteRefusal(e, "write", paths.path(key));
        }
    }

    private Written restore(Key key, int version, OptionalInt expectedVersion) throws ConfigStoreException {
        Versioned current = zk.read(key);
        if (current != null && current.version() == version) {
            checkExpected(paths.path(key), current, expectedVersion);
            return new Written(key, paths.path(key), version, version, false);
        }
        byte[] content = history.content(key, version);
        try {
            return write(key, current, content, expectedVersion, Action.ROLLBACK, version);
        } catch (ConfigStoreException e) {
            if (e.kind() == Kind.INVALID) {
                throw new ConfigStoreException(
                        Kind.INVALID, "version " + version + " of " + key + " cannot be restored: " + e.getMessage());
            }
            throw e;
        }
    }

    private Written write(
            Key key, Versioned current, byte[] data, OptionalInt expectedVersion, Action action, Integer rollbackTo)
            throws ConfigStoreException {
        configs.validate(key, data);
        String path = paths.path(key);
        checkExpected(path, current, expectedVersion);
        if (current != null && Arrays.equals(current.data(), data)) {
            return new Written(key, path, current.version(), current.version(), false);
        }
        zk.ensure(ZKPaths.getPathAndNode(path).getPath());
        zk.ensure(paths.history(key));
        CuratorFramework client = zk.client();
        List<CuratorOp> ops = new ArrayList<>();
        int version;
        if (current == null) {
            List<ACL> acl = zk.aclOf(ZKPaths.getPathAndNode(path).getPath());
            ops.add(zk.call(
                    "create",
                    path,
                    () -> client.transactionOp().create().withACL(acl).forPath(path, data)));
            version = 0;
            action = action == Action.SET ? Action.CREATE : action;
        } else {
            ops.add(zk.call(
                    "write",
                    path,
                    () -> client.transactionOp()
                            .setData()
                            .withVersion(current.version())
                            .forPath(path, data)));
            version = current.version() + 1;
            if (version == -1) {
                // -1 would mean "any version" to the next compare-and-set: step over it in the same transaction.
                ops.add(zk.call(
                        "write",
                        path,
                        () -> client.transactionOp().setData().withVersion(-1).forPath(path, data)));
                version = 0;
            }
        }
        ops.add(history.entry(key, action, current, data, version, rollbackTo));
        commit(key, current, ops, data, version);
        history.prune(key);
        return new Written(key, path, current == null ? null : current.version(), version, true);
    }

    /**
     * Runs the transaction; a failed version check or a concurrent create or delete is a conflict. Curator retries a
     * transaction whose answer was lost on the way back; if the first attempt had succeeded, the retry fails its check,
     * so a "conflict" that finds exactly what this transaction wrote ({@code written} at {@code writtenVersion}) is
     * this transaction's success.
     */
    private void commit(Key key, Versioned current, List<CuratorOp> ops, byte[] written, Integer writtenVersion)
            throws ConfigStoreException {
        String path = paths.path(key);
        try {
            List<CuratorTransactionResult> results =
                    zk.call("write", path, () -> zk.client().transaction().forOperations(ops));
            if (results.size() != ops.size()) {
                throw new ConfigStoreException(
                        Kind.FAILED,
                        "ZooKeeper applied " + results.size() + " of " + ops.size() + " operations on " + path
                                + ": check it with zkscale config get");
            }
        } catch (ConfigStoreException e) {
            if (e.getCause() instanceof KeeperException.BadVersionException
                    || e.getCause() instanceof KeeperException.NodeExistsException
                    || e.getCause() instanceof KeeperException.NoNodeException) {
                Versioned now = zk.read(key);
                if (written != null
                        && now != null
                        && now.version() == writtenVersion
                        && Arrays.equals(now.data(), written)) {
                    return;
                }
                throw conflict(path, current, now);
            }
            throw e;
        }
    }

    private static ConfigStoreException conflict(String path, Versioned read, Versioned current) {
        String now = current == null ? "it is now deleted" : "it is now at version " + current.version();
        String was = read == null ? "it did not exist" : "it was at version " + read.version();
        return new ConfigStoreException(
                Kind.CONFLICT,
                path + " was changed by another writer (" + was + ", " + now
                        + "); nothing changed: read it again and retry");
    }

    private static void checkExpected(String path, Versioned current, OptionalInt expected)
            throws ConfigStoreException {
        if (expected.isPresent() && expected.getAsInt() == -1) {
            throw new ConfigStoreException(
                    Kind.INVALID,
                    "expected version -1 means \"any version\" to ZooKeeper; "
                            + "give the version zkscale config get printed");
        }
        if (expected.isPresent() && current == null) {
            throw new ConfigStoreException(
                    Kind.CONFLICT,
                    path + " does not exist (expected version " + expected.getAsInt()
                            + "): another writer deleted it, or it never was; nothing changed");
        }
        if (expected.isPresent() && current.version() != expected.getAsInt()) {
            throw new ConfigStoreException(
                    Kind.CONFLICT,
                    path + " is at version " + current.version() + ", not " + expected.getAsInt()
                            + " as expected: another writer changed it; nothing changed");
        }
        if (current != null && current.version() == -1) {
            throw new ConfigStoreException(
                    Kind.FAILED,
                    path + " is at data version -1, which ZooKeeper reads as \"any version\", so it cannot be "
                            + "changed safely (compare-and-set); nothing changed. Write it once with zkCli.sh set to "
                            + "move it past -1, then retry");
        }
    }
}

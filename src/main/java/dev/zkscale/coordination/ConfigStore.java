package dev.zkscale.coordination;

import dev.zkscale.coordination.ConfigStoreException.Kind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.data.Id;

/**
 * Reads and writes the config ZNodes as {@code zkscale config} does: every write is validated first (by
 * {@link dev.zkscale.codec.ConfigNodes}, the controller's own rules and words), is a compare-and-set on the ZNode's
 * data version, and is recorded in the ZNode's history in the same ZooKeeper transaction, so a change and its history
 * entry exist together or not at all. The oldest history entries beyond the history limit are deleted.
 *
 * <p>A facade over one class per job: {@link ConfigPaths} (where the ZNodes are, the key grammar),
 * {@link StoredConfigs} (listing and validating against what is stored), {@link ConfigWriter} (compare-and-set writes,
 * deletes and rollbacks), {@link ConfigHistory} (entries, their order, pruning), {@link RootAcls} (the access policy)
 * and {@link ZkCalls} (ZooKeeper calls, each failure translated into a {@link ConfigStoreException} in one place).
 *
 * <p>ACLs: a ZNode created here gets the ACL of its parent, so that {@link #init} sets the policy once: the admin
 * identity may do everything, the controller's identity may read the config and write only the leader latch and the
 * epoch counter, nobody else may do anything.
 *
 * <p>Races: a write checks the version it read (or the one the caller expects) in the same transaction that writes, so
 * a concurrent writer's change is never overwritten: one of two writers with the same expected version fails with
 * {@link Kind#CONFLICT}. Reads of several ZNodes ({@link #list}, {@link #history}) are not one snapshot. The client is
 * the caller's: this class never closes it.
 */
public final class ConfigStore {
    /** Changes kept per config ZNode unless told otherwise. */
    public static final int DEFAULT_HISTORY_LIMIT = 100;

    private final ConfigPaths paths;
    private final StoredConfigs configs;
    private final ConfigHistory history;
    private final ConfigWriter writer;
    private final RootAcls acls;
    private final ZkCalls zk;

    /** A config ZNode: the defaults, or one target's. */
    public record Key(String namespace, String name) {
        /** The defaults ZNode. */
        public static final Key DEFAULTS = new Key(null, null);

        /**
         * {@code defaults} or {@code NAMESPACE/NAME}, checked as Kubernetes names (so never a path of its own).
         *
         * @throws ConfigStoreException {@link Kind#INVALID}, saying what a key looks like
         */
        public static Key parse(String text) throws ConfigStoreException {
            return ConfigPaths.parse(text);
        }

        public boolean isDefaults() {
            return namespace == null;
        }

        @Override
        public String toString() {
            return isDefaults() ? "defaults" : namespace + "/" + name;
        }
    }

    /**
     * A config ZNode as stored.
     *
     * @param data the bytes as stored
     * @param version the data version (32-bit, may wrap)
     * @param modified when it was last written, by ZooKeeper's clock
     */
    public record Versioned(Key key, String path, byte[] data, int version, Instant modified) {
        public String text() {
            return new String(data == null ? new byte[0] : data, StandardCharsets.UTF_8);
        }
    }

    /**
     * One config ZNode in {@link #list()}.
     *
     * @param problem why the controller rejects it (the same words), or null when it is valid
     */
    public record Listed(Key key, int version, String problem) {}

    /**
     * What a write did.
     *
     * @param fromVersion the version replaced, or null when the ZNode was created
     * @param version the version written, or the current one when nothing changed; null after a delete
     * @param changed false when the data was already there (nothing written, no history entry)
     */
    public record Written(Key key, String path, Integer fromVersion, Integer version, boolean changed) {}

    /** What a change did to a config ZNode. */
    public enum Action {
        CREATE,
        SET,
        DELETE,
        ROLLBACK;

        String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One accepted change, from the history.
     *
     * @param zxid ZooKeeper's transaction id of the change: the order of changes, wrap-free
     * @param time when, by ZooKeeper's clock
     * @param identity who: the digest user that wrote, or {@code anonymous}
     * @param fromVersion the version replaced, null for a create
     * @param from the content replaced, null for a create
     * @param toVersion the version written, null for a delete
     * @param to the content written, null for a delete
     * @param rollbackTo for a rollback, the version restored
     */
    public record Change(
            long zxid,
            Instant time,
            String identity,
            Action action,
            Integer fromVersion,
            String from,
            Integer toVersion,
            String to,
            Integer rollbackTo) {}

    /** A store with no identity (anonymous) and the default history limit. */
    public ConfigStore(CuratorFramework client, String root) {
        this(client, root, Optional.empty(), DEFAULT_HISTORY_LIMIT);
    }

    /**
     * @param client a started client authenticated as {@code credentials} (see {@link ZooKeeperClients}); the caller's
     * @param root the zkscale root ZNode, e.g. {@code /zkscale}
     * @param credentials the identity the client authenticated as, recorded in the history; empty for anonymous
     * @param historyLimit changes kept per config ZNode, at least 1
     */
    public ConfigStore(CuratorFramework client, String root, Optional<Credentials> credentials, int historyLimit) {
        this.paths = new ConfigPaths(root);
        if (historyLimit < 1) {
            throw new IllegalArgumentException("historyLimit must be >= 1, got " + historyLimit);
        }
        this.zk = new ZkCalls(client, paths, credentials);
        this.configs = new StoredConfigs(zk, paths);
        this.history = new ConfigHistory(zk, paths, historyLimit);
        this.writer = new ConfigWriter(zk, paths, configs, history);
        this.acls = new RootAcls(zk, paths);
    }

    /** The ZNode of {@code key}. */
    public String path(Key key) {
        return paths.path(key);
    }

    /** The config ZNode as stored, or empty when it does not exist. */
    public Optional<Versioned> get(Key key) throws ConfigStoreException {
        return Optional.ofNullable(zk.read(key));
    }

    /**
     * Every config ZNode (the defaults first, if any, then the targets by namespace and name), each judged as the
     * controller judges it: a target against the current defaults.
     */
    public List<Listed> list() throws ConfigStoreException {
        return configs.list();
    }

    /**
     * Validates {@code data} and writes it to {@code key}'s ZNode (creating it), with compare-and-set on the version
     * read, or on {@code expectedVersion} if given. Writing the data already there changes nothing.
     *
     * @throws ConfigStoreException {@link Kind#INVALID} (the message names the field and the rule),
     *     {@link Kind#CONFLICT} (not at the expected version, or changed meanwhile), {@link Kind#NOT_AUTHORIZED},
     *     {@link Kind#FAILED}; nothing changed
     */
    public Written set(Key key, byte[] data, OptionalInt expectedVersion) throws ConfigStoreException {
        return writer.set(key, data, expectedVersion);
    }

    /**
     * Deletes {@code key}'s ZNode, with compare-and-set on the version read or on {@code expectedVersion}, keeping its
     * content in the history. Deleting a target's ZNode stops managing it; its replicas stay as they are.
     */
    public Written delete(Key key, OptionalInt expectedVersion) throws ConfigStoreException {
        return writer.delete(key, expectedVersion);
    }

    /**
     * The accepted changes of {@code key}, oldest first (ordered by zxid, so wrapped versions and sequence numbers do
     * not disorder them). Entries that cannot be read or parsed are left out.
     */
    public List<Change> history(Key key) throws ConfigStoreException {
        return history.changes(key);
    }

    /**
     * Writes again the content {@code key} had at {@code version} (from its history; the newest occurrence of that
     * version if the counter has wrapped), validated and compare-and-set like {@link #set}, recorded as a rollback. A
     * deleted target can be restored this way.
     */
    public Written rollback(Key key, int version, OptionalInt expectedVersion) throws ConfigStoreException {
        return writer.rollback(key, version, expectedVersion);
    }

    /**
     * Sets the access policy (needs this store's identity, the admin): the root, the defaults and every target ZNode
     * give the admin all rights and {@code controller} read; the leader latch and the epoch counter (created here if
     * absent, so the controller never needs to create anything) give both all rights; the history gives the admin all
     * rights and nobody else any. Nobody else may do anything. Idempotent: run it again after a change of identity.
     *
     * @param controller the controller's identity ({@link Credentials#digestId()})
     * @return one line per ZNode group, saying what was set
     */
    public List<String> init(Id controller) throws ConfigStoreException {
        return acls.init(controller);
    }
}

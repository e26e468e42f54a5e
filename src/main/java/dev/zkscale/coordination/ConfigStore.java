package dev.zkscale.coordination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscale.codec.ConfigNodes;
import dev.zkscale.codec.InvalidInputException;
import dev.zkscale.codec.SnapshotCodec;
import dev.zkscale.coordination.ConfigStoreException.Kind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.curator.utils.PathUtils;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;

/**
 * Reads and writes the config ZNodes (CONTRACT section 3) as {@code zkscale config} does: every write is validated
 * first (by {@link ConfigNodes}, the controller's own rules and words), is a compare-and-set on the ZNode's data
 * version, and is recorded in the ZNode's history in the same ZooKeeper transaction, so a change and its history entry
 * exist together or not at all.
 *
 * <p>History: each accepted change (create, set, delete, rollback) adds a ZNode under
 * {@code <root>/history/targets/<namespace>/<name>} (or {@code <root>/history/defaults}) holding the content replaced
 * and the content written with their data versions, the action and the identity; ZooKeeper stamps its creation time.
 * ZooKeeper's 32-bit counters wrap: a ZNode's data version goes from 2147483647 to -2147483648, and a parent's child
 * counter, which numbers sequential ZNodes, sticks at 2147483647 so that every sequential create after it fails. So an
 * entry's name is unique without a counter (its creation time and a random suffix, for people listing them), and
 * entries are ordered by their creation zxid, ZooKeeper's 64-bit transaction id, which only grows. The oldest entries
 * beyond the history limit are deleted.
 *
 * <p>Version -1: ZooKeeper reads an expected version of -1 as "any version", so a ZNode at version -1 cannot be
 * compare-and-set. A write from version -2 therefore writes the data twice in its transaction and lands on 0; a ZNode
 * left at -1 by another tool is refused, with how to move it on.
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

    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern NAME =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final String ENTRY_PREFIX = "change-";

    private final CuratorFramework client;
    private final String root;
    private final String targetsPath;
    private final String defaultsPath;
    private final String historyPath;
    private final Optional<Credentials> credentials;
    private final int historyLimit;

    /** A config ZNode: the defaults, or one target's. */
    public record Key(String namespace, String name) {
        /** The defaults ZNode. */
        public static final Key DEFAULTS = new Key(null, null);

        /** {@code defaults} or {@code NAMESPACE/NAME}, checked as Kubernetes names (so never a path of its own). */
        public static Key parse(String text) throws ConfigStoreException {
            if (text.equals("defaults")) {
                return DEFAULTS;
            }
            int slash = text.indexOf('/');
            if (slash > 0
                    && NAMESPACE.matcher(text.substring(0, slash)).matches()
                    && text.length() - slash - 1 <= 253
                    && NAME.matcher(text.substring(slash + 1)).matches()) {
                return new Key(text.substring(0, slash), text.substring(slash + 1));
            }
            throw new ConfigStoreException(
                    Kind.INVALID,
                    "\"" + text + "\": must be NAMESPACE/NAME (Kubernetes names: "
                            + "lower-case letters, digits, '-', and '.' in the name) or defaults");
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
        PathUtils.validatePath(root);
        if (historyLimit < 1) {
            throw new IllegalArgumentException("historyLimit must be >= 1, got " + historyLimit);
        }
        this.client = client;
        this.root = root;
        this.targetsPath = ZKPaths.makePath(root, "targets");
        this.defaultsPath = ZKPaths.makePath(root, "defaults");
        this.historyPath = ZKPaths.makePath(root, "history");
        this.credentials = credentials;
        this.historyLimit = historyLimit;
    }

    /** The ZNode of {@code key}. */
    public String path(Key key) {
        return key.isDefaults() ? defaultsPath : ZKPaths.makePath(targetsPath, key.namespace(), key.name());
    }

    private String historyPath(Key key) {
        return key.isDefaults()
                ? ZKPaths.makePath(historyPath, "defaults")
                : ZKPaths.makePath(historyPath, "targets", key.namespace(), key.name());
    }

    private String identity() {
        return credentials.map(Credentials::user).orElse("anonymous");
    }

    /** The config ZNode as stored, or empty when it does not exist. */
    public Optional<Versioned> get(Key key) throws ConfigStoreException {
        return Optional.ofNullable(read(key));
    }

    /**
     * Every config ZNode (the defaults first, if any, then the targets by namespace and name), each judged as the
     * controller judges it: a target against the current defaults.
     */
    public List<Listed> list() throws ConfigStoreException {
        List<Listed> listed = new ArrayList<>();
        Versioned defaults = read(Key.DEFAULTS);
        String defaultsError = null;
        ObjectNode defaultsJson = SnapshotCodec.MAPPER.createObjectNode();
        if (defaults != null) {
            try {
                defaultsJson = ConfigNodes.defaults(defaults.data());
            } catch (InvalidInputException e) {
                defaultsError = e.getMessage();
            }
            listed.add(new Listed(Key.DEFAULTS, defaults.version(), defaultsError));
        }
        for (String namespace : sorted(children(targetsPath))) {
            for (String name : sorted(children(ZKPaths.makePath(targetsPath, namespace)))) {
                Versioned target = read(new Key(namespace, name));
                if (target != null) {
                    listed.add(new Listed(
                            target.key(),
                            target.version(),
                            defaultsError != null
                                    ? defaultsPath + ": " + defaultsError
                                    : problem(defaultsJson, target)));
                }
            }
        }
        return listed;
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
        try {
            Versioned current = read(key);
            return write(key, current, data, expectedVersion, Action.SET, null);
        } catch (ConfigStoreException e) {
            throw asWriteRefusal(e, "write", path(key));
        }
    }

    /**
     * Deletes {@code key}'s ZNode, with compare-and-set on the version read or on {@code expectedVersion}, keeping its
     * content in the history. Deleting a target's ZNode stops managing it; its replicas stay as they are.
     */
    public Written delete(Key key, OptionalInt expectedVersion) throws ConfigStoreException {
        Versioned current;
        try {
            current = read(key);
        } catch (ConfigStoreException e) {
            throw asWriteRefusal(e, "delete", path(key));
        }
        if (current == null) {
            throw new ConfigStoreException(Kind.NOT_FOUND, "no config ZNode " + path(key));
        }
        checkExpected(path(key), current, expectedVersion);
        String path = path(key);
        String history = historyPath(key);
        try {
            ensure(history);
            CuratorOp delete = zk(
                    "delete",
                    path,
                    () -> client.transactionOp()
                            .delete()
                            .withVersion(current.version())
                            .forPath(path));
            commit(
                    key,
                    current,
                    List.of(delete, entry(key, history, Action.DELETE, current, null, null, null)),
                    null,
                    null);
        } catch (ConfigStoreException e) {
            throw asWriteRefusal(e, "delete", path);
        }
        if (!key.isDefaults()) {
            deleteIfEmpty(ZKPaths.getPathAndNode(path).getPath());
        }
        prune(history);
        return new Written(key, path, current.version(), null, true);
    }

    /**
     * The accepted changes of {@code key}, oldest first (ordered by zxid, so wrapped versions and sequence numbers do
     * not disorder them). Entries that cannot be read or parsed are left out.
     */
    public List<Change> history(Key key) throws ConfigStoreException {
        String history = historyPath(key);
        List<Change> changes = new ArrayList<>();
        for (String name : children(history)) {
            String entryPath = ZKPaths.makePath(history, name);
            Stat stat = new Stat();
            byte[] data;
            try {
                data = zk(
                        "read",
                        entryPath,
                        () -> client.getData().storingStatIn(stat).forPath(entryPath));
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
     * Writes again the content {@code key} had at {@code version} (from its history; the newest occurrence of that
     * version if the counter has wrapped), validated and compare-and-set like {@link #set}, recorded as a rollback. A
     * deleted target can be restored this way.
     */
    public Written rollback(Key key, int version, OptionalInt expectedVersion) throws ConfigStoreException {
        try {
            return restore(key, version, expectedVersion);
        } catch (ConfigStoreException e) {
            throw asWriteRefusal(e, "write", path(key));
        }
    }

    private Written restore(Key key, int version, OptionalInt expectedVersion) throws ConfigStoreException {
        Versioned current = read(key);
        if (current != null && current.version() == version) {
            checkExpected(path(key), current, expectedVersion);
            return new Written(key, path(key), version, version, false);
        }
        List<Change> changes = history(key);
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
        try {
            return write(
                    key, current, content.getBytes(StandardCharsets.UTF_8), expectedVersion, Action.ROLLBACK, version);
        } catch (ConfigStoreException e) {
            if (e.kind() == Kind.INVALID) {
                throw new ConfigStoreException(
                        Kind.INVALID, "version " + version + " of " + key + " cannot be restored: " + e.getMessage());
            }
            throw e;
        }
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
        Credentials admin = credentials.orElseThrow(() -> new ConfigStoreException(
                Kind.NOT_AUTHORIZED,
                "config init needs the admin identity: set zkscale.zookeeper.auth-file (or ZKSCALE_ZOOKEEPER_AUTH)"));
        Id adminId = admin.digestId();
        if (adminId.equals(controller)) {
            throw new ConfigStoreException(
                    Kind.INVALID,
                    "the controller's identity must not be the admin's (\"" + admin.user()
                            + "\"): the controller must not be able to change its config");
        }
        List<ACL> config = List.of(new ACL(ZooDefs.Perms.ALL, adminId), new ACL(ZooDefs.Perms.READ, controller));
        List<ACL> internal = List.of(new ACL(ZooDefs.Perms.ALL, adminId), new ACL(ZooDefs.Perms.ALL, controller));
        List<ACL> adminOnly = List.of(new ACL(ZooDefs.Perms.ALL, adminId));
        String who = "admin " + admin.user() + " all";
        String reader =
                controller.getId().substring(0, Math.max(0, controller.getId().indexOf(':')));
        List<String> done = new ArrayList<>();
        ensure(ZKPaths.getPathAndNode(root).getPath());
        int n = restrict(root, config, new byte[0], false);
        n += restrict(targetsPath, config, new byte[0], true);
        if (read(Key.DEFAULTS) != null) {
            n += restrict(defaultsPath, config, null, false);
        }
        done.add(n + " config ZNodes (" + root + ", " + targetsPath + "/**, " + defaultsPath + "): " + who
                + ", controller " + reader + " read");
        restrict(ZKPaths.makePath(root, "leader"), internal, new byte[0], false);
        restrict(ZKPaths.makePath(root, "epoch"), internal, "0".getBytes(StandardCharsets.UTF_8), false);
        done.add(ZKPaths.makePath(root, "leader") + ", " + ZKPaths.makePath(root, "epoch") + ": " + who
                + ", controller " + reader + " all");
        n = restrict(historyPath, adminOnly, new byte[0], true);
        done.add(n + " history ZNodes (" + historyPath + "/**): " + who + ", nobody else");
        return done;
    }

    /**
     * Creates {@code path} with {@code acl} (and {@code data}) if absent, else sets its ACL; with {@code tree}, every
     * ZNode below too. A null {@code data} means: never create. Returns how many ZNodes got the ACL.
     */
    private int restrict(String path, List<ACL> acl, byte[] data, boolean tree) throws ConfigStoreException {
        boolean created = false;
        if (data != null) {
            try {
                zk("create", path, () -> client.create().withACL(acl).forPath(path, data));
                created = true;
            } catch (ConfigStoreException e) {
                if (!(e.getCause() instanceof KeeperException.NodeExistsException)) {
                    throw e;
                }
            }
        }
        if (!created) {
            zk("change the ACL of", path, () -> client.setACL().withACL(acl).forPath(path));
        }
        int count = 1;
        if (tree) {
            for (String child : children(path)) {
                count += restrict(ZKPaths.makePath(path, child), acl, null, true);
            }
        }
        return count;
    }

    private Written write(
            Key key, Versioned current, byte[] data, OptionalInt expectedVersion, Action action, Integer rollbackTo)
            throws ConfigStoreException {
        validate(key, data);
        checkExpected(path(key), current, expectedVersion);
        String path = path(key);
        if (current != null && Arrays.equals(current.data(), data)) {
            return new Written(key, path, current.version(), current.version(), false);
        }
        return write(key, current, data, action, rollbackTo, path);
    }

    /**
     * A refusal met on the way to a change (the history's ACL, a parent's) is reported as what it amounts to: this
     * identity may not change {@code path}.
     */
    private ConfigStoreException asWriteRefusal(ConfigStoreException e, String action, String path) {
        if (e.kind() != Kind.NOT_AUTHORIZED
                || e.getMessage().startsWith("not authorized to " + action + " " + path + " ")) {
            return e;
        }
        return notAuthorized(action, path, e.getCause());
    }

    private Written write(Key key, Versioned current, byte[] data, Action action, Integer rollbackTo, String path)
            throws ConfigStoreException {
        String history = historyPath(key);
        ensure(ZKPaths.getPathAndNode(path).getPath());
        ensure(history);
        List<CuratorOp> ops = new ArrayList<>();
        int version;
        if (current == null) {
            List<ACL> acl = aclOf(ZKPaths.getPathAndNode(path).getPath());
            ops.add(zk(
                    "create",
                    path,
                    () -> client.transactionOp().create().withACL(acl).forPath(path, data)));
            version = 0;
            action = action == Action.SET ? Action.CREATE : action;
        } else {
            ops.add(zk(
                    "write",
                    path,
                    () -> client.transactionOp()
                            .setData()
                            .withVersion(current.version())
                            .forPath(path, data)));
            version = current.version() + 1;
            if (version == -1) {
                // -1 would mean "any version" to the next compare-and-set: step over it in the same transaction.
                ops.add(zk(
                        "write",
                        path,
                        () -> client.transactionOp().setData().withVersion(-1).forPath(path, data)));
                version = 0;
            }
        }
        ops.add(entry(key, history, action, current, data, version, rollbackTo));
        commit(key, current, ops, data, version);
        prune(history);
        return new Written(key, path, current == null ? null : current.version(), version, true);
    }

    /** The history entry of a change, as a transaction operation. */
    private CuratorOp entry(
            Key key, String history, Action action, Versioned from, byte[] to, Integer toVersion, Integer rollbackTo)
            throws ConfigStoreException {
        ObjectNode json = SnapshotCodec.MAPPER.createObjectNode();
        json.put("action", action.json()).put("identity", identity());
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
        List<ACL> acl = aclOf(history);
        String entry = ZKPaths.makePath(
                history,
                String.format(
                        Locale.ROOT,
                        "%s%013d-%016x",
                        ENTRY_PREFIX,
                        System.currentTimeMillis(),
                        ThreadLocalRandom.current().nextLong()));
        return zk(
                "write",
                entry,
                () -> client.transactionOp()
                        .create()
                        .withMode(CreateMode.PERSISTENT)
                        .withACL(acl)
                        .forPath(entry, bytes));
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
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    private static Integer integer(JsonNode json, String field) {
        return json.hasNonNull(field) ? json.get(field).intValue() : null;
    }

    private static String text(JsonNode json, String field) {
        return json.hasNonNull(field) ? json.get(field).asText() : null;
    }

    /**
     * Runs the transaction; a failed version check or a concurrent create or delete is a conflict. Curator retries a
     * transaction whose answer was lost on the way back; if the first attempt had succeeded, the retry fails its check,
     * so a "conflict" that finds exactly what this transaction wrote ({@code written} at {@code writtenVersion}) is
     * this transaction's success.
     */
    private void commit(Key key, Versioned current, List<CuratorOp> ops, byte[] written, Integer writtenVersion)
            throws ConfigStoreException {
        String path = path(key);
        try {
            List<CuratorTransactionResult> results =
                    zk("write", path, () -> client.transaction().forOperations(ops));
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
                Versioned now = read(key);
                if (written != null
                        && now != null
                        && now.version() == writtenVersion
                        && Arrays.equals(now.data(), written)) {
                    return;
                }
                throw conflict(key, current, now);
            }
            throw e;
        }
    }

    private ConfigStoreException conflict(Key key, Versioned read, Versioned current) {
        String now = current == null ? "it is now deleted" : "it is now at version " + current.version();
        String was = read == null ? "it did not exist" : "it was at version " + read.version();
        return new ConfigStoreException(
                Kind.CONFLICT,
                path(key) + " was changed by another writer (" + was + ", " + now
                        + "); nothing changed: read it again and retry");
    }

    private void checkExpected(String path, Versioned current, OptionalInt expected) throws ConfigStoreException {
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
                    path + " is at data version -1, which ZooKeeper reads as \"any "
                            + "version\", so it cannot be changed safely (compare-and-set); nothing changed. Write it once "
                            + "with zkCli.sh set to move it past -1, then retry");
        }
    }

    /** Validates {@code data} as the controller would, against the current defaults (or all targets, for defaults). */
    private void validate(Key key, byte[] data) throws ConfigStoreException {
        if (key.isDefaults()) {
            ObjectNode defaults;
            try {
                defaults = ConfigNodes.defaults(data);
            } catch (InvalidInputException e) {
                throw new ConfigStoreException(Kind.INVALID, e.getMessage());
            }
            // Defaults that would turn a valid target invalid would take that target's changes hostage: refuse them.
            ObjectNode old = currentDefaults();
            if (old == null) {
                return; // the current defaults are invalid: no target is valid under them to protect
            }
            for (String namespace : sorted(children(targetsPath))) {
                for (String name : sorted(children(ZKPaths.makePath(targetsPath, namespace)))) {
                    Versioned target = read(new Key(namespace, name));
                    if (target != null && problem(old, target) == null) {
                        String problem = problem(defaults, target);
                        if (problem != null) {
                            throw new ConfigStoreException(
                                    Kind.INVALID,
                                    "these defaults would make " + target.path() + " invalid: " + problem);
                        }
                    }
                }
            }
            return;
        }
        ObjectNode defaults = currentDefaults();
        if (defaults == null) {
            throw new ConfigStoreException(
                    Kind.INVALID,
                    defaultsPath + " is invalid, so every target is rejected: fix "
                            + "the defaults first (zkscale config list shows why)");
        }
        try {
            ConfigNodes.target(defaults, data, key.name());
        } catch (InvalidInputException e) {
            throw new ConfigStoreException(Kind.INVALID, e.getMessage());
        }
    }

    /** The current defaults (empty when absent), or null when the defaults ZNode is invalid. */
    private ObjectNode currentDefaults() throws ConfigStoreException {
        Versioned defaults = read(Key.DEFAULTS);
        try {
            return ConfigNodes.defaults(defaults == null ? null : defaults.data());
        } catch (InvalidInputException e) {
            return null;
        }
    }

    private static String problem(ObjectNode defaults, Versioned target) {
        try {
            ConfigNodes.target(defaults, target.data(), target.key().name());
            return null;
        } catch (InvalidInputException e) {
            return e.getMessage();
        }
    }

    private Versioned read(Key key) throws ConfigStoreException {
        String path = path(key);
        Stat stat = new Stat();
        try {
            byte[] data =
                    zk("read", path, () -> client.getData().storingStatIn(stat).forPath(path));
            return new Versioned(
                    key,
                    path,
                    data == null ? new byte[0] : data,
                    stat.getVersion(),
                    Instant.ofEpochMilli(stat.getMtime()));
        } catch (ConfigStoreException e) {
            if (e.getCause() instanceof KeeperException.NoNodeException) {
                return null;
            }
            throw e;
        }
    }

    private List<String> children(String path) throws ConfigStoreException {
        try {
            return zk("read", path, () -> client.getChildren().forPath(path));
        } catch (ConfigStoreException e) {
            if (e.getCause() instanceof KeeperException.NoNodeException) {
                return List.of();
            }
            throw e;
        }
    }

    private static List<String> sorted(List<String> names) {
        List<String> copy = new ArrayList<>(names);
        copy.sort(null);
        return copy;
    }

    private List<ACL> aclOf(String path) throws ConfigStoreException {
        return zk("read the ACL of", path, () -> client.getACL().forPath(path));
    }

    /** Creates {@code path} and its missing parents, each with its parent's ACL. */
    private void ensure(String path) throws ConfigStoreException {
        if (path.equals("/") || zk("read", path, () -> client.checkExists().forPath(path)) != null) {
            return;
        }
        String parent = ZKPaths.getPathAndNode(path).getPath();
        ensure(parent);
        List<ACL> acl = aclOf(parent);
        try {
            zk("create", path, () -> client.create().withACL(acl).forPath(path, new byte[0]));
        } catch (ConfigStoreException e) {
            if (!(e.getCause() instanceof KeeperException.NodeExistsException)) {
                throw e;
            }
        }
    }

    private void deleteIfEmpty(String path) {
        try {
            client.delete().forPath(path);
        } catch (Exception e) {
            // Not empty, gone already, or not ours to delete: an empty namespace ZNode is harmless.
        }
    }

    /** Deletes the oldest entries (by zxid) beyond the limit. Best effort: a change is never refused for this. */
    private void prune(String history) {
        try {
            List<String> names = client.getChildren().forPath(history);
            if (names.size() <= historyLimit) {
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
            for (int i = 0; i < order.size() - historyLimit; i++) {
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

    private ConfigStoreException notAuthorized(String action, String path, Throwable cause) {
        boolean reading = action.startsWith("read");
        return new ConfigStoreException(
                Kind.NOT_AUTHORIZED,
                "not authorized to " + action + " " + path + " as "
                        + (credentials.isPresent() ? "identity \"" + identity() + "\"" : "an anonymous client")
                        + (reading
                                ? ": reading config needs the admin or the controller identity (zkscale.zookeeper.auth-file)"
                                : ": changing config needs the admin identity (zkscale.zookeeper.auth-file); nothing changed"),
                cause);
    }

    @FunctionalInterface
    private interface Call<T> {
        T call() throws Exception;
    }

    /**
     * Runs one ZooKeeper call; every failure becomes a {@link ConfigStoreException} whose cause is ZooKeeper's
     * exception (callers look at it for the expected ones: absent, exists, bad version).
     */
    private <T> T zk(String action, String path, Call<T> call) throws ConfigStoreException {
        try {
            return call.call();
        } catch (KeeperException.NoAuthException e) {
            throw notAuthorized(action, path, e);
        } catch (KeeperException.ConnectionLossException
                | KeeperException.SessionExpiredException
                | KeeperException.OperationTimeoutException e) {
            throw new ConfigStoreException(
                    Kind.FAILED,
                    "ZooKeeper did not answer while trying to " + action + " "
                            + path + " (" + e.code() + ")"
                            + (action.startsWith("read")
                                    ? ""
                                    : ": whether it was changed is unknown, check with zkscale config get"),
                    e);
        } catch (KeeperException e) {
            throw new ConfigStoreException(Kind.FAILED, "cannot " + action + " " + path + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConfigStoreException(Kind.FAILED, "interrupted while trying to " + action + " " + path, e);
        } catch (ConfigStoreException e) {
            throw e;
        } catch (Exception e) {
            throw new ConfigStoreException(Kind.FAILED, "cannot " + action + " " + path + ": " + e, e);
        }
    }
}

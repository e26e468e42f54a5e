package dev.zkscale.coordination;

import dev.zkscale.coordination.ConfigStore.Key;
import dev.zkscale.coordination.ConfigStore.Versioned;
import dev.zkscale.coordination.ConfigStoreException.Kind;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;

/**
 * The config store's calls to ZooKeeper, and the one place where their failures become {@link ConfigStoreException}s:
 * a refused ACL is {@link Kind#NOT_AUTHORIZED} naming the identity and what it would need, a lost or late answer is
 * {@link Kind#FAILED} saying whether a change may have happened, anything else is {@link Kind#FAILED} with ZooKeeper's
 * words. The cause is always ZooKeeper's exception, so callers tell the expected ones (absent, exists, bad version)
 * apart by it. The client is the caller's.
 */
final class ZkCalls {
    private final CuratorFramework client;
    private final ConfigPaths paths;
    private final Optional<Credentials> credentials;

    /** One ZooKeeper call. */
    @FunctionalInterface
    interface Call<T> {
        T call() throws Exception;
    }

    ZkCalls(CuratorFramework client, ConfigPaths paths, Optional<Credentials> credentials) {
        this.client = client;
        this.paths = paths;
        this.credentials = credentials;
    }

    CuratorFramework client() {
        return client;
    }

    /** The identity the client authenticated as; empty for anonymous. */
    Optional<Credentials> credentials() {
        return credentials;
    }

    /** Who writes, as the history records it: the digest user, or {@code anonymous}. */
    String identity() {
        return credentials.map(Credentials::user).orElse("anonymous");
    }

    /**
     * Runs one ZooKeeper call; every failure becomes a {@link ConfigStoreException} whose cause is ZooKeeper's
     * exception.
     *
     * @param action what the call does, for the message: {@code read}, {@code write}, {@code create}, ... (an action
     *     starting with {@code read} changes nothing, so its failure never leaves an unknown outcome)
     */
    <T> T call(String action, String path, Call<T> call) throws ConfigStoreException {
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

    ConfigStoreException notAuthorized(String action, String path, Throwable cause) {
        boolean reading = action.startsWith("read");
        return new ConfigStoreException(
                Kind.NOT_AUTHORIZED,
                "not authorized to " + action + " " + path + " as "
                        + (credentials.isPresent() ? "identity \"" + identity() + "\"" : "an anonymous client")
                        + (reading
                                ? ": reading config needs the admin or the controller identity "
                                        + "(zkscale.zookeeper.auth-file)"
                                : ": changing config needs the admin identity (zkscale.zookeeper.auth-file); "
                                        + "nothing changed"),
                cause);
    }

    /**
     * A refusal met on the way to a change (the history's ACL, a parent's) is reported as what it amounts to: this
     * identity may not change {@code path}.
     */
    ConfigStoreException asWriteRefusal(ConfigStoreException e, String action, String path) {
        if (e.kind() != Kind.NOT_AUTHORIZED
                || e.getMessage().startsWith("not authorized to " + action + " " + path + " ")) {
            return e;
        }
        return notAuthorized(action, path, e.getCause());
    }

    /** The config ZNode of {@code key} as stored, or null when it does not exist. */
    Versioned read(Key key) throws ConfigStoreException {
        String path = paths.path(key);
        Stat stat = new Stat();
        try {
            byte[] data = call(
                    "read", path, () -> client.getData().storingStatIn(stat).forPath(path));
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

    /** The children's names, or none when {@code path} does not exist. */
    List<String> children(String path) throws ConfigStoreException {
        try {
            return call("read", path, () -> client.getChildren().forPath(path));
        } catch (ConfigStoreException e) {
            if (e.getCause() instanceof KeeperException.NoNodeException) {
                return List.of();
            }
            throw e;
        }
    }

    List<ACL> aclOf(String path) throws ConfigStoreException {
        return call("read the ACL of", path, () -> client.getACL().forPath(path));
    }

    /** Creates {@code path} and its missing parents, each with its parent's ACL. */
    void ensure(String path) throws ConfigStoreException {
        if (path.equals("/") || call("read", path, () -> client.checkExists().forPath(path)) != null) {
            return;
        }
        String parent = ZKPaths.getPathAndNode(path).getPath();
        ensure(parent);
        List<ACL> acl = aclOf(parent);
        try {
            call("create", path, () -> client.create().withACL(acl).forPath(path, new byte[0]));
        } catch (ConfigStoreException e) {
            if (!(e.getCause() instanceof KeeperException.NodeExistsException)) {
                throw e;
            }
        }
    }

    /** Deletes {@code path} if it has no children; best effort. */
    void deleteIfEmpty(String path) {
        try {
            client.delete().forPath(path);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Not empty, gone already, or not ours to delete: an empty namespace ZNode is harmless.
        }
    }
}

package dev.zkscale.coordination;

import dev.zkscale.codec.ConfigNodes;
import dev.zkscale.coordination.ConfigStore.Key;
import dev.zkscale.loop.TuningSource;
import java.io.Closeable;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.KeeperException;
import org.jboss.logging.Logger;

/**
 * The managed targets from the config ZNodes, watched: a Curator {@link CuratorCache} over {@code <root>/defaults}
 * and one over {@code <root>/targets}, whose children are namespaces and theirs target names ({@link ConfigPaths}).
 * Each change is parsed and validated as it arrives ({@link TuningTable}, by {@link ConfigNodes}: defaults merged under
 * each target, capped at the controller's {@code maxReplicas} ceiling) into an immutable list that {@link #targets()}
 * hands out without reading ZooKeeper.
 *
 * <p>This source owns each target's last good config: bad data (empty, too large, not UTF-8, not a JSON object,
 * invalid, or made invalid by the defaults) gives a {@link RejectedConfig} naming the ZNode, the field and the rule,
 * and the config in force stays. A target deleted and created again starts afresh. Nothing here throws on bad data.
 *
 * <p>Trust: the caches are trusted only while the client is connected and once a full load has completed without an
 * error. A reconnect (after SUSPENDED or a new session) starts a new pair of caches, and until they have loaded the
 * whole tree again {@link #targets()} throws {@link TuningUnavailableException}, so that no pass decides on a view
 * that missed changes made while disconnected. A read the caches cannot make (not authorized, say) also makes the
 * source unavailable, naming the ZNode; each later call of {@link #targets()} tries a fresh load. Curator's cache
 * reports its first full load only once per instance, which is why each reconnect gets new caches.
 *
 * <p>Races: the view is eventually consistent. A change reaches it milliseconds after it is made, so a pass that
 * starts right after a change may still use the previous config; the next pass uses the new one.
 */
public final class ZkTuningSource implements TuningSource, Closeable {
    private static final Logger LOG = Logger.getLogger(ZkTuningSource.class);

    private final CuratorFramework client;
    private final ConfigPaths paths;
    private final AtomicReference<ZkLeadership.State> state = new AtomicReference<>(ZkLeadership.State.LATENT);
    private final ConnectionStateListener connectionListener = (c, newState) -> onConnectionState(newState);

    private final Object lock = new Object();
    /** The caches in use; replaced on each reconnect. Guarded by {@link #lock}, as are the fields below. */
    private Generation generation;

    private int generations;
    private boolean connected;
    private final TuningTable table;
    private List<Target> published = List.of();

    /**
     * @param client a client, shared and owned by the caller (close this source first, the client after)
     * @param root the zkscale root ZNode, e.g. {@code /zkscale}
     * @param maxReplicasCeiling no target's {@code maxReplicas} exceeds this
     */
    public ZkTuningSource(CuratorFramework client, String root, int maxReplicasCeiling) {
        this.paths = new ConfigPaths(root);
        if (maxReplicasCeiling < 1) {
            throw new IllegalArgumentException("maxReplicasCeiling must be >= 1, got " + maxReplicasCeiling);
        }
        this.client = client;
        this.table = new TuningTable(paths, maxReplicasCeiling);
    }

    /** Starts watching. It returns at once; the first load completes in the background once connected. */
    public void start() {
        if (!state.compareAndSet(ZkLeadership.State.LATENT, ZkLeadership.State.STARTED)) {
            throw new IllegalStateException("ZkTuningSource can be started only once; it is " + state.get());
        }
        client.getConnectionStateListenable().addListener(connectionListener);
        synchronized (lock) {
            // After the listener is in place: an event that came in between agrees with this reading.
            connected = client.getZookeeperClient().isConnected();
            replace(false);
        }
    }

    /** Stops watching. Idempotent. The client stays open. */
    @Override
    public void close() {
        if (state.getAndSet(ZkLeadership.State.CLOSED) != ZkLeadership.State.STARTED) {
            return;
        }
        client.getConnectionStateListenable().removeListener(connectionListener);
        synchronized (lock) {
            generation.close();
        }
    }

    /**
     * Every target ZNode, sorted by namespace and name: a list built when the ZNodes last changed, not a read.
     *
     * @throws TuningUnavailableException when not started, not connected, still loading, re-syncing after a reconnect,
     *     or when the last load failed (a fresh one is then started)
     */
    @Override
    public List<Target> targets() throws TuningUnavailableException {
        Exception failure;
        synchronized (lock) {
            if (state.get() != ZkLeadership.State.STARTED) {
                throw new TuningUnavailableException("the config source is " + state.get(), null);
            }
            if (!connected) {
                throw new TuningUnavailableException("ZooKeeper is not connected", null);
            }
            Generation g = generation;
            if (g.failure == null) {
                if (!g.initialized) {
                    throw new TuningUnavailableException(
                            g.afterReconnect
                                    ? "re-syncing the config ZNodes after a ZooKeeper reconnect"
                                    : "loading the config ZNodes",
                            null);
                }
                return published;
            }
            failure = g.failure;
            replace(g.afterReconnect);
        }
        throw new TuningUnavailableException(describe(failure), failure);
    }

    private String describe(Exception failure) {
        if (failure instanceof KeeperException.NoAuthException) {
            String where = firstUnreadable();
            return "not authorized to read " + (where == null ? "the config ZNodes under " + paths.targets() : where)
                    + ": the controller's identity (zkscale.zookeeper.auth-file) needs READ on every config ZNode "
                    + "(see zkscale config init)";
        }
        return "cannot read the config ZNodes: " + failure.getMessage();
    }

    /** The first config ZNode this client may not read, or null; for the message only (reads ZooKeeper). */
    private String firstUnreadable() {
        try {
            if (!readable(paths.defaults()) || !readable(paths.targets())) {
                return readable(paths.defaults()) ? paths.targets() : paths.defaults();
            }
            for (String namespace : children(paths.targets())) {
                String namespacePath = paths.targets(namespace);
                if (!readable(namespacePath)) {
                    return namespacePath;
                }
                for (String name : children(namespacePath)) {
                    String targetPath = paths.path(new Key(namespace, name));
                    if (!readable(targetPath)) {
                        return targetPath;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Only a better message is lost.
        }
        return null;
    }

    private boolean readable(String path) throws Exception {
        try {
            client.getData().forPath(path);
        } catch (KeeperException.NoNodeException absent) {
            // Absent is readable: there is nothing to refuse.
        } catch (KeeperException.NoAuthException refused) {
            return false;
        }
        return true;
    }

    private List<String> children(String path) throws Exception {
        try {
            return client.getChildren().forPath(path);
        } catch (KeeperException.NoNodeException absent) {
            return List.of();
        }
    }

    /** The one place where connection states change what this source may hand out. On Curator's event thread. */
    private void onConnectionState(ConnectionState newState) {
        synchronized (lock) {
            if (state.get() != ZkLeadership.State.STARTED) {
                return;
            }
            switch (newState) {
                case CONNECTED -> connected = true;
                case RECONNECTED -> {
                    connected = true;
                    replace(true);
                    LOG.infof("ZooKeeper RECONNECTED: re-syncing the config ZNodes; no target is decided until then");
                }
                case SUSPENDED, LOST, READ_ONLY -> {
                    connected = false;
                    generation.close();
                }
            }
        }
    }

    /** Closes the caches in use and starts new ones. Holding the lock. */
    private void replace(boolean afterReconnect) {
        if (generation != null) {
            generation.close();
        }
        generation = new Generation(++generations, afterReconnect);
        generation.start();
    }

    /**
     * One pair of caches, loaded once. Its callbacks count only while it is the generation in use and not closed.
     * Curator runs the listeners one at a time on its event thread, and the exception handler on its background thread.
     */
    private final class Generation implements CuratorCacheListener {
        final int number;
        final boolean afterReconnect;
        final CuratorCache defaultsCache;
        final CuratorCache targetsCache;
        int loading = 2;
        boolean initialized;
        boolean closed;
        Exception failure;

        Generation(int number, boolean afterReconnect) {
            this.number = number;
            this.afterReconnect = afterReconnect;
            defaultsCache = CuratorCache.builder(client, paths.defaults())
                    .withOptions(CuratorCache.Options.SINGLE_NODE_CACHE)
                    .withExceptionHandler(this::failed)
                    .build();
            targetsCache = CuratorCache.builder(client, paths.targets())
                    .withExceptionHandler(this::failed)
                    .build();
            defaultsCache.listenable().addListener(this);
            targetsCache.listenable().addListener(this);
        }

        void start() {
            defaultsCache.start();
            targetsCache.start();
        }

        void close() {
            if (!closed) {
                closed = true;
                targetsCache.close();
                defaultsCache.close();
            }
        }

        private boolean current() {
            return generation == this && !closed;
        }

        @Override
        public void event(Type type, ChildData oldData, ChildData data) {
            synchronized (lock) {
                if (current() && initialized && failure == null) {
                    rebuildOrFail();
                }
            }
        }

        @Override
        public void initialized() {
            synchronized (lock) {
                if (!current() || --loading > 0 || failure != null) {
                    return;
                }
                if (rebuildOrFail()) {
                    initialized = true;
                    LOG.infof(
                            "config ZNodes %s (cache generation %d): %d targets",
                            afterReconnect ? "re-synced after a reconnect" : "loaded", number, published.size());
                }
            }
        }

        private boolean rebuildOrFail() {
            try {
                published = table.rebuild(defaultsCache.get(paths.defaults()).orElse(null), targetsCache.stream());
                return true;
            } catch (RuntimeException e) {
                failed(e);
                return false;
            }
        }

        /** A read failed: this generation's view may lack that ZNode, so it is never trusted again. */
        private void failed(Exception e) {
            synchronized (lock) {
                if (current() && failure == null) {
                    failure = e;
                    LOG.warnf(
                            "the config ZNodes cache (generation %d) failed a read, the source is unavailable until "
                                    + "a fresh load succeeds: %s",
                            number, e.toString());
                }
            }
        }
    }
}

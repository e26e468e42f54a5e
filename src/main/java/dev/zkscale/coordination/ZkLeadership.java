package dev.zkscale.coordination;

import dev.zkscale.loop.Leadership;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.utils.PathUtils;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.jboss.logging.Logger;

/**
 * {@link Leadership} from a Curator {@link LeaderLatch} at {@code <root>/leader}, fenced by an epoch counter at
 * {@code <root>/epoch}.
 *
 * <p>Each time the latch makes this instance leader, it takes a new epoch: it reads the counter (decimal text) and its
 * version, and writes the value plus one conditioned on that version, so two instances never take the same epoch and
 * every epoch is greater than all taken before. Only once the write has succeeded does {@link #epoch()} return it. The
 * counter is persistent: epochs keep growing across restarts of every instance.
 *
 * <p>Connection states are handled in one place ({@link #onConnectionState}): SUSPENDED (and READ_ONLY) empty
 * {@link #epoch()} at once; LOST does the same and leaves the election to the latch, which drops leadership and, on
 * reconnecting with a new session, re-joins with a new node; RECONNECTED restores nothing. Writing resumes only when
 * the latch confirms leadership again and a new epoch has been taken. This relies on the client's connection-state
 * error policy treating SUSPENDED as an error (Curator's default): then the latch itself reports {@code notLeader} on
 * SUSPENDED and re-checks its node on RECONNECTED. The constructor refuses a client with any other policy.
 *
 * <p>An epoch is also bound to the ZooKeeper handle that was current when it was taken, and is void as soon as that
 * handle is not connected, which can be before Curator's listeners hear of it: when a connected client is told its
 * session expired (test tools do that), Curator first closes the old handle, which ends the session on the server and
 * hands the latch to a standby, and reports LOST only after that (about 100 ms later, measured).
 *
 * <p>Races, plainly: leadership can end while an epoch is being taken (the write may have reached ZooKeeper); such an
 * epoch is never published, because publishing is a compare-and-set against the attempt that took it and every loss
 * of leadership replaces that attempt. By the time a caller uses an epoch, leadership may already be gone, and a
 * latch can believe it leads while another does (Curator issues CURATOR-620, -696); this class cannot prevent that.
 * That is why the epoch goes with every write and the API server refuses a write older than the newest epoch seen.
 */
public final class ZkLeadership implements Leadership, Closeable {
    private static final Logger LOG = Logger.getLogger(ZkLeadership.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(500);
    private static final Duration MAX_RETRY = Duration.ofSeconds(30);

    /** The lifecycle: created, started once, closed once (closing is idempotent); {@link ZkTuningSource}'s too. */
    enum State {
        LATENT,
        STARTED,
        CLOSED
    }

    /** What this instance may do now; no term (null) means it must not write. */
    private sealed interface Term permits Taking, Held {}

    /** Leadership confirmed, epoch being taken. Compared by identity: each grant of leadership is a new attempt. */
    private static final class Taking implements Term {}

    /**
     * Leadership confirmed and this term's epoch taken, bound to the ZooKeeper handle (session) that was current when
     * the attempt began: once that handle is no longer connected, the epoch is void, even before Curator reports it.
     */
    private record Held(long epoch, ZooKeeper session) implements Term {}

    private final CuratorFramework client;
    private final String epochPath;
    private final String instanceId;
    private final LeaderLatch latch;
    private final LongConsumer epochTaken;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final AtomicReference<Term> term = new AtomicReference<>();
    /** Null until the first connection state is known. */
    private final AtomicReference<Boolean> connected = new AtomicReference<>();

    private final ScheduledExecutorService worker;
    private final ConnectionStateListener connectionListener = (c, newState) -> onConnectionState(newState);

    /**
     * @param client a started client, shared and owned by the caller (close this first, the client after)
     * @param root the zkscale root ZNode, e.g. {@code /zkscale}
     * @param instanceId this instance's name among the latch's participants (the pod name, say)
     */
    public ZkLeadership(CuratorFramework client, String root, String instanceId) {
        this(client, root, instanceId, epoch -> {});
    }

    /** As above; {@code epochTaken} runs after each epoch is written and before it is published (tests pause here). */
    ZkLeadership(CuratorFramework client, String root, String instanceId, LongConsumer epochTaken) {
        if (!client.getConnectionStateErrorPolicy().isErrorState(ConnectionState.SUSPENDED)) {
            throw new IllegalArgumentException("ZkLeadership needs a client whose connection-state error policy treats "
                    + "SUSPENDED as an error (Curator's default StandardConnectionStateErrorPolicy)");
        }
        PathUtils.validatePath(root);
        this.client = client;
        this.instanceId = instanceId;
        this.epochPath = ZKPaths.makePath(root, "epoch");
        this.latch = new LeaderLatch(client, ZKPaths.makePath(root, "leader"), instanceId);
        this.epochTaken = epochTaken;
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "zkscale-epoch-" + instanceId);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Joins the election. It returns at once; leadership, if it comes, comes later. */
    public void start() {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("ZkLeadership can be started only once; it is " + state.get());
        }
        client.getConnectionStateListenable().addListener(connectionListener);
        // After the listener is in place: an event that came in between has already set the state, and wins.
        connected.compareAndSet(null, client.getZookeeperClient().isConnected());
        latch.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                onLeader();
            }

            @Override
            public void notLeader() {
                onNotLeader();
            }
        });
        try {
            latch.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the leader latch: " + e.getMessage(), e);
        }
    }

    /**
     * Stops writing at once (a non-blocking reset), then closes the latch, which deletes its node in the background: a
     * standby takes over within milliseconds rather than after the session timeout. Idempotent. The client stays open.
     */
    @Override
    public void close() {
        State previous = state.getAndSet(State.CLOSED);
        if (previous == State.CLOSED) {
            return;
        }
        Term last = term.getAndSet(null);
        if (previous == State.STARTED) {
            try {
                latch.close();
            } catch (IOException | RuntimeException e) {
                LOG.warnf("closing the leader latch of %s failed: %s", instanceId, e.getMessage());
            }
            client.getConnectionStateListenable().removeListener(connectionListener);
        }
        worker.shutdownNow();
        if (last != null) {
            LOG.infof("no longer leader (closed, instance %s)", instanceId);
        }
    }

    @Override
    public OptionalLong epoch() {
        // Every condition is re-read here so that a caller never gets an epoch that an event has already revoked,
        // even if that event's listener has not run yet.
        if (term.get() instanceof Held held
                && state.get() == State.STARTED
                && Boolean.TRUE.equals(connected.get())
                && latch.hasLeadership()
                && held.session().getState() == ZooKeeper.States.CONNECTED) {
            return OptionalLong.of(held.epoch());
        }
        return OptionalLong.empty();
    }

    @Override
    public boolean connected() {
        return Boolean.TRUE.equals(connected.get());
    }

    /**
     * Whether the latch says this instance leads (the {@code zkscale_leader} gauge), epoch taken or not. Advisory: only
     * {@link #epoch()} may be used to write.
     */
    public boolean holdsLatch() {
        return latch.hasLeadership();
    }

    /** The one place where connection states change what this instance may do. Runs on Curator's event thread. */
    private void onConnectionState(ConnectionState newState) {
        switch (newState) {
            case CONNECTED, RECONNECTED -> {
                connected.set(true);
                if (newState == ConnectionState.RECONNECTED) {
                    LOG.infof("ZooKeeper RECONNECTED (instance %s); writing resumes only with a new epoch", instanceId);
                }
            }
            case SUSPENDED, READ_ONLY -> {
                connected.set(false);
                term.set(null);
                LOG.warnf("ZooKeeper %s, writes stopped (instance %s)", newState, instanceId);
            }
            case LOST -> {
                connected.set(false);
                term.set(null);
                LOG.warnf("ZooKeeper session LOST, leadership given up (instance %s)", instanceId);
            }
        }
    }

    /** The latch granted leadership: start a new attempt, which supersedes any earlier one. */
    private void onLeader() {
        if (state.get() != State.STARTED) {
            return;
        }
        Taking attempt = new Taking();
        term.set(attempt);
        schedule(attempt, Duration.ZERO);
    }

    /** The latch took leadership away (on SUSPENDED and LOST too, after {@link #onConnectionState}). */
    private void onNotLeader() {
        if (term.getAndSet(null) != null) {
            LOG.infof("no longer leader (instance %s)", instanceId);
        }
    }

    private void schedule(Taking attempt, Duration delay) {
        try {
            worker.schedule(() -> take(attempt, delay), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            // close() ran meanwhile: nothing to do.
        }
    }

    /** Takes an epoch for {@code attempt} and publishes it, unless leadership changed meanwhile. On the worker. */
    private void take(Taking attempt, Duration lastDelay) {
        if (term.get() != attempt) {
            return;
        }
        long epoch;
        ZooKeeper session;
        try {
            // The handle is taken before the epoch: if Curator replaces it meanwhile, the epoch is void, never stale.
            session = client.getZookeeperClient().getZooKeeper();
            epoch = nextEpoch(attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            if (term.get() == attempt) {
                Duration delay = lastDelay.isZero() ? FIRST_RETRY : min(lastDelay.multipliedBy(2), MAX_RETRY);
                LOG.warnf(
                        "leader but cannot take an epoch from %s, retrying in %d ms (instance %s): %s",
                        epochPath, delay.toMillis(), instanceId, e.toString());
                schedule(attempt, delay);
            }
            return;
        }
        if (epoch == 0) {
            return;
        }
        epochTaken.accept(epoch);
        if (term.compareAndSet(attempt, new Held(epoch, session))) {
            LOG.infof("leader, epoch %d (instance %s)", epoch, instanceId);
        } else {
            LOG.infof(
                    "epoch %d taken but leadership ended meanwhile; it is never used (instance %s)", epoch, instanceId);
        }
    }

    /** The counter plus one, written with compare-and-set; 0 when the attempt was superseded before it could write. */
    private long nextEpoch(Taking attempt) throws Exception {
        while (term.get() == attempt) {
            Stat stat = new Stat();
            byte[] data;
            try {
                data = client.getData().storingStatIn(stat).forPath(epochPath);
            } catch (KeeperException.NoNodeException absent) {
                try {
                    client.create().creatingParentsIfNeeded().forPath(epochPath, encode(1));
                    return 1;
                } catch (KeeperException.NodeExistsException raced) {
                    continue;
                }
            }
            long next = Math.addExact(decode(data), 1);
            try {
                client.setData().withVersion(stat.getVersion()).forPath(epochPath, encode(next));
                return next;
            } catch (KeeperException.BadVersionException | KeeperException.NoNodeException raced) {
                // Another instance took an epoch in between (it was leader a moment ago): read again.
            }
        }
        return 0;
    }

    private long decode(byte[] data) {
        String text = data == null ? "" : new String(data, StandardCharsets.UTF_8).trim();
        try {
            long value = Long.parseLong(text);
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalStateException(epochPath + " must hold a decimal number >= 0, got \"" + text + "\"");
    }

    private static byte[] encode(long value) {
        return Long.toString(value).getBytes(StandardCharsets.UTF_8);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}

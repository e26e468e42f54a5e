package dev.zkscale.coordination;

import dev.zkscale.loop.Leadership;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.utils.PathUtils;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.jboss.logging.Logger;

/**
 * {@link Leadership} from a Curator {@link LeaderLatch} at {@code <root>/leader}, fenced by an epoch counter at
 * {@code <root>/epoch}.
 *
 * <p>Each time the latch makes this instance leader, it takes a new epoch: it reads the counter (decimal text) and its
 * version, and writes the value plus one in one ZooKeeper {@code multi} that also checks this instance's own latch
 * node: the write is conditioned on that version, so two instances never take the same epoch and every epoch is
 * greater than all taken before, and on the latch node, so an instance whose latch node is gone (session expired, node
 * deleted) cannot take one. Only once the write has succeeded does {@link #epoch()} return it. The counter is
 * persistent: epochs keep growing across restarts of every instance. A counter that cannot be used (not a decimal
 * number, at {@code Long.MAX_VALUE}, refused with NoAuth) is logged at ERROR and counted ({@link #counterErrors()});
 * after {@value #UNUSABLE_TRIES} such tries in a term this instance gives up its latch node and joins the election
 * again, so that another instance can try rather than this one holding leadership with no epoch.
 *
 * <p>Connection states are handled in one place ({@link #onConnectionState}): SUSPENDED (and READ_ONLY) empty
 * {@link #epoch()} at once and interrupt every call running under {@link #whileLeading}; LOST does the same and leaves
 * the election to the latch, which drops leadership and, on reconnecting with a new session, re-joins with a new
 * node; RECONNECTED restores nothing. Writing resumes only when the latch confirms leadership again and a new epoch
 * has been taken. This relies on the client's connection-state error policy treating SUSPENDED as an error (Curator's
 * default): then the latch itself reports {@code notLeader} on SUSPENDED and re-checks its node on RECONNECTED. The
 * constructor refuses a client with any other policy.
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
    /** How many times a term tries an unusable counter before it gives up the latch. */
    static final int UNUSABLE_TRIES = 3;
    /** How many times {@link #advancePast} reads the counter again when another writer changed it in between. */
    private static final int ADVANCE_TRIES = 3;

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

    /** The counter as read: its value (0 when absent) and its data version (-1 when absent). */
    private record Counter(long value, int version) {}

    /** The counter cannot be used: not a number, at its maximum, or access refused. Retrying will not help. */
    private static final class UnusableCounterException extends Exception {
        UnusableCounterException(String message) {
            super(message);
        }
    }

    /** This instance's latch node is gone: it cannot take an epoch until it joins the election again. */
    private static final class LatchLostException extends Exception {
        LatchLostException(String path) {
            super("latch node " + path + " is gone");
        }
    }

    /** A thread running a call under {@link #whileLeading}, interrupted at most once, and only while it runs. */
    private static final class Guard {
        private final Thread thread = Thread.currentThread();
        private boolean running = true;
        private boolean interrupted;

        synchronized void revoke() {
            if (running && !interrupted) {
                interrupted = true;
                thread.interrupt();
            }
        }

        /** On the guarded thread, once the call returned: clears the interrupt this guard caused. */
        synchronized void end() {
            running = false;
            if (interrupted) {
                Thread.interrupted();
            }
        }
    }

    private final CuratorFramework client;
    private final String latchPath;
    private final String epochPath;
    private final String instanceId;
    private final AtomicReference<LeaderLatch> latch = new AtomicReference<>();
    private final Runnable beforeTaking;
    private final LongConsumer epochTaken;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final AtomicReference<Term> term = new AtomicReference<>();
    /** Null until the first connection state is known. */
    private final AtomicReference<Boolean> connected = new AtomicReference<>();

    private final AtomicLong counterErrors = new AtomicLong();
    private final Set<Guard> guards = ConcurrentHashMap.newKeySet();
    private final List<Runnable> termListeners = new CopyOnWriteArrayList<>();

    private final ScheduledExecutorService worker;
    private final ConnectionStateListener connectionListener = (c, newState) -> onConnectionState(newState);

    /**
     * @param client a started client, shared and owned by the caller (close this first, the client after)
     * @param root the zkscale root ZNode, e.g. {@code /zkscale}
     * @param instanceId this instance's name among the latch's participants (the pod name, say)
     */
    public ZkLeadership(CuratorFramework client, String root, String instanceId) {
        this(client, root, instanceId, () -> {}, epoch -> {});
    }

    /**
     * As above; {@code beforeTaking} runs on each try to take an epoch, before the counter is read, and
     * {@code epochTaken} after each epoch is written and before it is published (tests act or pause here).
     */
    ZkLeadership(
            CuratorFramework client, String root, String instanceId, Runnable beforeTaking, LongConsumer epochTaken) {
        if (!client.getConnectionStateErrorPolicy().isErrorState(ConnectionState.SUSPENDED)) {
            throw new IllegalArgumentException("ZkLeadership needs a client whose connection-state error policy treats "
                    + "SUSPENDED as an error (Curator's default StandardConnectionStateErrorPolicy)");
        }
        PathUtils.validatePath(root);
        this.client = client;
        this.instanceId = instanceId;
        this.latchPath = ZKPaths.makePath(root, "leader");
        this.epochPath = ZKPaths.makePath(root, "epoch");
        this.latch.set(newLatch());
        this.beforeTaking = beforeTaking;
        this.epochTaken = epochTaken;
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "zkscale-epoch-" + instanceId);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Runs {@code listener} each time this instance starts a term (its epoch is published: {@link #epoch()} answers
     * it), on the leadership's own thread: it must return at once (hand the work to another thread).
     */
    public void onTerm(Runnable listener) {
        termListeners.add(listener);
    }

    /** Joins the election. It returns at once; leadership, if it comes, comes later. */
    public void start() {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("ZkLeadership can be started only once; it is " + state.get());
        }
        client.getConnectionStateListenable().addListener(connectionListener);
        // After the listener is in place: an event that came in between has already set the state, and wins.
        connected.compareAndSet(null, client.getZookeeperClient().isConnected());
        try {
            latch.get().start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the leader latch: " + e.getMessage(), e);
        }
    }

    /** A latch whose events count only while it is this instance's current one. */
    private LeaderLatch newLatch() {
        LeaderLatch fresh = new LeaderLatch(client, latchPath, instanceId);
        fresh.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                if (latch.get() == fresh) {
                    onLeader();
                }
            }

            @Override
            public void notLeader() {
                if (latch.get() == fresh) {
                    onNotLeader();
                }
            }
        });
        return fresh;
    }

    /**
     * Gives up the latch node and joins the election again with a new one (at the end of the queue), so that another
     * instance leads if there is one. On the epoch worker or the loop's thread; the term is already ended.
     */
    private synchronized void rejoin() {
        if (state.get() != State.STARTED) {
            return;
        }
        LeaderLatch old = latch.getAndSet(newLatch());
        closeQuietly(old);
        try {
            latch.get().start();
            LOG.warnf("left the leader election and joined it again (instance %s)", instanceId);
        } catch (Exception e) {
            LOG.errorf("cannot join the leader election again (instance %s): %s", instanceId, e.toString());
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
        revokeGuards();
        if (previous == State.STARTED) {
            synchronized (this) {
                closeQuietly(latch.get());
            }
            client.getConnectionStateListenable().removeListener(connectionListener);
        }
        worker.shutdownNow();
        if (last != null) {
            LOG.infof("no longer leader (closed, instance %s)", instanceId);
        }
    }

    private void closeQuietly(LeaderLatch old) {
        try {
            old.close();
        } catch (IOException | RuntimeException e) {
            LOG.warnf("closing the leader latch of %s failed: %s", instanceId, e.getMessage());
        }
    }

    @Override
    public OptionalLong epoch() {
        // Every condition is re-read here so that a caller never gets an epoch that an event has already revoked,
        // even if that event's listener has not run yet.
        if (term.get() instanceof Held held
                && state.get() == State.STARTED
                && Boolean.TRUE.equals(connected.get())
                && latch.get().hasLeadership()
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
     * {@inheritDoc}
     *
     * <p>Reads the counter: above {@code ours}, another instance has taken an epoch since this term began, so this
     * instance steps down (its term ends, it gives up its latch node and joins the election again). Otherwise writes
     * {@code max(counter, foreign) + 1} in a {@code multi} with the check of this instance's latch node, as when an
     * epoch is taken, and makes it this term's epoch. An unusable counter is logged at ERROR and counted.
     */
    @Override
    public OptionalLong advancePast(long ours, long foreign) {
        if (!(term.get() instanceof Held held) || held.epoch() != ours || epoch().isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            for (int i = 0; i < ADVANCE_TRIES; i++) {
                String node = ourNode();
                Counter counter = readCounter();
                if (counter.value() > ours) {
                    stepDown(held, "the epoch counter is at " + counter.value() + ", above this term's " + ours);
                    return OptionalLong.empty();
                }
                long next = increment(Math.max(counter.value(), foreign));
                if (writeCounter(node, counter, next)) {
                    if (!term.compareAndSet(held, new Held(next, held.session()))) {
                        return OptionalLong.empty();
                    }
                    LOG.warnf(
                            "epoch advanced from %d to %d, past epoch %d found on a target (instance %s)",
                            ours, next, foreign, instanceId);
                    return OptionalLong.of(next);
                }
            }
            LOG.warnf(
                    "cannot advance the epoch past %d: %s keeps changing (instance %s)",
                    foreign, epochPath, instanceId);
        } catch (LatchLostException e) {
            stepDown(held, e.getMessage());
        } catch (UnusableCounterException e) {
            counterErrors.incrementAndGet();
            LOG.errorf("cannot advance the epoch past %d (instance %s): %s", foreign, instanceId, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warnf("cannot advance the epoch past %d (instance %s): %s", foreign, instanceId, e.toString());
        }
        return OptionalLong.empty();
    }

    /**
     * {@inheritDoc}
     *
     * <p>The thread is interrupted on SUSPENDED, READ_ONLY and LOST, when the latch takes leadership away, when this
     * instance steps down and on {@link #close()}; a fabric8 request abandons its HTTP call when its thread is
     * interrupted.
     */
    @Override
    public <T> T whileLeading(long epoch, Supplier<T> call) {
        Guard guard = new Guard();
        guards.add(guard);
        try {
            // After registering: a revocation that came just before is seen here, one that comes later revokes.
            OptionalLong now = epoch();
            if (now.isEmpty() || now.getAsLong() != epoch) {
                guard.revoke();
            }
            return call.get();
        } finally {
            guards.remove(guard);
            guard.end();
        }
    }

    @Override
    public long counterErrors() {
        return counterErrors.get();
    }

    /**
     * Whether the latch says this instance leads (the {@code zkscale_leader} gauge), epoch taken or not. Advisory: only
     * {@link #epoch()} may be used to write.
     */
    public boolean holdsLatch() {
        return latch.get().hasLeadership();
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
                revokeGuards();
                LOG.warnf("ZooKeeper %s, writes stopped (instance %s)", newState, instanceId);
            }
            case LOST -> {
                connected.set(false);
                term.set(null);
                revokeGuards();
                LOG.warnf("ZooKeeper session LOST, leadership given up (instance %s)", instanceId);
            }
        }
    }

    private void revokeGuards() {
        guards.forEach(Guard::revoke);
    }

    /** The latch granted leadership: start a new attempt, which supersedes any earlier one. */
    private void onLeader() {
        if (state.get() != State.STARTED) {
            return;
        }
        Taking attempt = new Taking();
        term.set(attempt);
        schedule(attempt, Duration.ZERO, 0);
    }

    /** The latch took leadership away (on SUSPENDED and LOST too, after {@link #onConnectionState}). */
    private void onNotLeader() {
        Term last = term.getAndSet(null);
        revokeGuards();
        if (last != null) {
            LOG.infof("no longer leader (instance %s)", instanceId);
        }
    }

    /** Ends the term {@code held} (if it is still current) and gives up the latch: another instance should lead. */
    private void stepDown(Held held, String why) {
        if (term.compareAndSet(held, null)) {
            revokeGuards();
            LOG.warnf("stepping down from epoch %d (instance %s): %s", held.epoch(), instanceId, why);
            rejoin();
        }
    }

    private void schedule(Taking attempt, Duration delay, int unusable) {
        try {
            worker.schedule(() -> take(attempt, delay, unusable), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            // close() ran meanwhile: nothing to do.
        }
    }

    /**
     * Takes an epoch for {@code attempt} and publishes it, unless leadership changed meanwhile. On the worker.
     * {@code unusable}: how many tries of this attempt found the counter unusable.
     */
    private void take(Taking attempt, Duration lastDelay, int unusable) {
        if (term.get() != attempt) {
            return;
        }
        long epoch;
        ZooKeeper session;
        Duration delay = lastDelay.isZero() ? FIRST_RETRY : min(lastDelay.multipliedBy(2), MAX_RETRY);
        try {
            // The handle is taken before the epoch: if Curator replaces it meanwhile, the epoch is void, never stale.
            session = client.getZookeeperClient().getZooKeeper();
            beforeTaking.run();
            epoch = nextEpoch(attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (LatchLostException e) {
            if (term.compareAndSet(attempt, null)) {
                LOG.warnf("leader, but no epoch can be taken (instance %s): %s", instanceId, e.getMessage());
                rejoin();
            }
            return;
        } catch (UnusableCounterException e) {
            counterErrors.incrementAndGet();
            LOG.errorf(
                    "leader but the epoch counter is unusable, try %d of %d (instance %s): %s",
                    unusable + 1, UNUSABLE_TRIES, instanceId, e.getMessage());
            if (unusable + 1 < UNUSABLE_TRIES) {
                schedule(attempt, delay, unusable + 1);
            } else if (term.compareAndSet(attempt, null)) {
                LOG.errorf("giving up leadership so that another instance can try (instance %s)", instanceId);
                rejoin();
            }
            return;
        } catch (Exception e) {
            if (term.get() == attempt) {
                LOG.warnf(
                        "leader but cannot take an epoch from %s, retrying in %d ms (instance %s): %s",
                        epochPath, delay.toMillis(), instanceId, e.toString());
                schedule(attempt, delay, unusable);
            }
            return;
        }
        if (epoch == 0) {
            return;
        }
        epochTaken.accept(epoch);
        if (term.compareAndSet(attempt, new Held(epoch, session))) {
            LOG.infof("leader, epoch %d (instance %s)", epoch, instanceId);
            termListeners.forEach(Runnable::run);
        } else {
            LOG.infof(
                    "epoch %d taken but leadership ended meanwhile; it is never used (instance %s)", epoch, instanceId);
        }
    }

    /** The counter plus one, written with compare-and-set; 0 when the attempt was superseded before it could write. */
    private long nextEpoch(Taking attempt) throws Exception {
        while (term.get() == attempt) {
            String node = ourNode();
            Counter counter = readCounter();
            long next = increment(counter.value());
            if (writeCounter(node, counter, next)) {
                return next;
            }
            // Another instance took an epoch in between (it was leader a moment ago): read again.
        }
        return 0;
    }

    /** This instance's latch node, as the latch knows it. */
    private String ourNode() throws LatchLostException {
        String node = latch.get().getOurPath();
        if (node == null) {
            throw new LatchLostException("(none)");
        }
        return node;
    }

    private Counter readCounter() throws Exception {
        Stat stat = new Stat();
        byte[] data;
        try {
            data = client.getData().storingStatIn(stat).forPath(epochPath);
        } catch (KeeperException.NoNodeException absent) {
            return new Counter(0, -1);
        } catch (KeeperException.NoAuthException e) {
            throw new UnusableCounterException(epochPath + " cannot be read: " + e.getMessage());
        }
        return new Counter(decode(data), stat.getVersion());
    }

    /**
     * Writes {@code value} to the counter as read (creating it when it was absent) in one {@code multi} with the check
     * of {@code node}; false when the counter changed since it was read.
     */
    private boolean writeCounter(String node, Counter read, long value) throws Exception {
        byte[] data = encode(value);
        CuratorOp write = read.version() < 0
                ? client.transactionOp().create().forPath(epochPath, data)
                : client.transactionOp().setData().withVersion(read.version()).forPath(epochPath, data);
        try {
            client.transaction().forOperations(client.transactionOp().check().forPath(node), write);
            return true;
        } catch (KeeperException e) {
            if (failedOperation(e) == 0) {
                throw new LatchLostException(node);
            }
            if (e instanceof KeeperException.BadVersionException
                    || e instanceof KeeperException.NodeExistsException
                    || e instanceof KeeperException.NoNodeException) {
                return false;
            }
            if (e instanceof KeeperException.NoAuthException || e instanceof KeeperException.InvalidACLException) {
                throw new UnusableCounterException(epochPath + " cannot be written: " + e.getMessage());
            }
            throw e;
        }
    }

    /** The index of the operation that failed a {@code multi}, or -1 when the results do not say. */
    private static int failedOperation(KeeperException e) {
        List<OpResult> results = e.getResults();
        for (int i = 0; results != null && i < results.size(); i++) {
            if (results.get(i) instanceof OpResult.ErrorResult error
                    && error.getErr() != KeeperException.Code.OK.intValue()) {
                return i;
            }
        }
        return -1;
    }

    private long increment(long value) throws UnusableCounterException {
        if (value == Long.MAX_VALUE) {
            throw new UnusableCounterException(epochPath + " is at its maximum, " + value);
        }
        return value + 1;
    }

    private long decode(byte[] data) throws UnusableCounterException {
        String text = data == null ? "" : new String(data, StandardCharsets.UTF_8).trim();
        try {
            long value = Long.parseLong(text);
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UnusableCounterException(epochPath + " must hold a decimal number >= 0, got \"" + text + "\"");
    }

    private static byte[] encode(long value) {
        return Long.toString(value).getBytes(StandardCharsets.UTF_8);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}

package dev.zkscale.campaign;

import dev.zkscale.app.ZkscaleProcess;
import dev.zkscale.demo.TcpRelay;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One {@code zkscale run} process of the campaign with its own network: a {@link TcpRelay} to each ZooKeeper member
 * (partitioned together to cut it off from ZooKeeper while it still reaches the API server) and one to the API server
 * (slowed or reset for API faults). A poller thread reads its {@code /q/metrics} every {@link #POLL} and keeps the
 * last answer, so that a frozen process only makes its own answers stale.
 */
final class Instance implements AutoCloseable {
    static final Duration POLL = Duration.ofMillis(200);

    /**
     * What the process said last.
     *
     * @param at {@code System.nanoTime()} of the answer
     * @param leader whether it reports holding the latch
     * @param epoch the epoch of its term (0: none)
     */
    record Seen(long at, boolean leader, long epoch) {}

    private final String id;
    private final Path logs;
    private final Map<String, String> settings;
    private final List<TcpRelay> zookeeper;
    private final TcpRelay api;
    private final Thread poller;
    private volatile ZkscaleProcess process;
    private volatile Seen seen = new Seen(0, false, 0);
    private volatile boolean closed;
    private int starts;

    private Instance(String id, Path logs, Map<String, String> settings, List<TcpRelay> zookeeper, TcpRelay api) {
        this.id = id;
        this.logs = logs;
        this.settings = settings;
        this.zookeeper = zookeeper;
        this.api = api;
        this.poller = new Thread(this::poll, "campaign-poll-" + id);
        poller.setDaemon(true);
    }

    /**
     * Starts {@code zkscale run} as {@code id}: its ZooKeeper connect string and API server URL point at relays of its
     * own; {@code settings} gives the rest.
     */
    static Instance start(String id, Path logs, Ensemble ensemble, FaultyApi server, Map<String, String> settings)
            throws IOException {
        List<TcpRelay> zookeeper = new ArrayList<>();
        for (int i = 0; i < Ensemble.SIZE; i++) {
            zookeeper.add(TcpRelay.open(ensemble.clientPort(i), id + "-zk" + (i + 1)));
        }
        TcpRelay api = TcpRelay.open(server.port(), id + "-api");
        Map<String, String> all = new LinkedHashMap<>(settings);
        all.put(
                "zkscale.zookeeper.connect",
                zookeeper.stream().map(TcpRelay::connectString).collect(Collectors.joining(",")));
        all.put("quarkus.kubernetes-client.api-server-url", "http://" + api.connectString() + "/");
        all.put("kubernetes.user.agent", FaultyApi.AGENT_PREFIX + id);
        Instance instance = new Instance(id, logs, all, zookeeper, api);
        instance.launch();
        instance.poller.start();
        return instance;
    }

    private void launch() throws IOException {
        starts++;
        process = ZkscaleProcess.start(id, logs.resolve("start-" + starts), settings);
    }

    String id() {
        return id;
    }

    Seen seen() {
        return seen;
    }

    boolean alive() {
        return process.alive();
    }

    /** Its output so far, for a report: the log's path. */
    Path log() {
        return process.log();
    }

    /** The exit status, once it has exited. */
    int exitValue() {
        return process.process().exitValue();
    }

    /** Whether it answers and says it leads with {@code epoch}, in an answer newer than {@code freshNanos}. */
    boolean leadsWith(long epoch, long freshNanos) {
        Seen s = seen;
        return s.leader() && s.epoch() == epoch && System.nanoTime() - s.at() < freshNanos;
    }

    /**
     * Whether the process exited at start because the HTTP port picked for it was taken meanwhile (by another process
     * of this busy machine): a race of the harness ({@link ZkscaleProcess} picks a free port before the JVM binds it),
     * not an exit of the controller.
     */
    boolean portTakenAtStart() {
        try {
            return !alive() && Files.readString(log()).contains("seems to be in use by another process");
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code kill -9}, then waits for the exit. */
    void kill() throws InterruptedException {
        process.kill();
        process.awaitExit();
    }

    /** A new process in place of one that has exited. */
    void restart() throws IOException {
        launch();
    }

    /** {@code SIGSTOP}: the JVM freezes, its session and sockets stay open. */
    void freeze() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** {@code SIGCONT}. */
    void thaw() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder(
                        "kill", "-" + name, Long.toString(process.process().pid()))
                .inheritIO()
                .start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " of " + id + " failed");
        }
    }

    /** Cuts it off from every ZooKeeper member (bytes swallowed both ways, no reset); the API stays reachable. */
    void partition() {
        zookeeper.forEach(TcpRelay::partition);
    }

    void heal() {
        zookeeper.forEach(TcpRelay::heal);
    }

    /** Holds every chunk to and from the API server this long ({@link Duration#ZERO}: no delay). */
    void apiDelay(Duration delay) {
        api.delay(delay);
    }

    /** Resets its open connections to the API server. */
    void dropApiConnections() {
        api.drop();
    }

    /** The ZooKeeper member (0-based) it is connected to now; -1 when none. */
    int zooKeeperMember() {
        for (int i = 0; i < zookeeper.size(); i++) {
            if (zookeeper.get(i).connections() > 0) {
                return i;
            }
        }
        return -1;
    }

    private void poll() {
        while (!closed) {
            ZkscaleProcess p = process;
            Map<String, Double> metrics = p.metrics();
            if (!metrics.isEmpty()) {
                Double leader = metrics.get("zkscale_leader");
                Double epoch = metrics.get("zkscale_leader_epoch");
                seen = new Seen(
                        System.nanoTime(), leader != null && leader == 1, epoch == null ? 0 : epoch.longValue());
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        poller.interrupt();
        process.close();
        zookeeper.forEach(TcpRelay::close);
        api.close();
    }

    @Override
    public String toString() {
        return process.toString();
    }
}

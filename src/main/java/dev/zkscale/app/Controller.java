package dev.zkscale.app;

import dev.zkscale.coordination.Credentials;
import dev.zkscale.coordination.ZkDecisionState;
import dev.zkscale.coordination.ZkLeadership;
import dev.zkscale.coordination.ZkTuningSource;
import dev.zkscale.coordination.ZooKeeperClients;
import dev.zkscale.kube.KubeCluster;
import dev.zkscale.loop.ControlLoop;
import dev.zkscale.loop.DecisionMemory;
import dev.zkscale.loop.TuningSource;
import dev.zkscale.monitor.DecisionRecord;
import dev.zkscale.monitor.PrometheusMonitor;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.curator.framework.CuratorFramework;
import org.jboss.logging.Logger;

/**
 * One controller instance, assembled from its real parts and owning their lifecycle: a Curator client (authenticated
 * with the configured identity, if any), the leader latch, the watched config source, the Kubernetes caches, the
 * metrics and the loop. Started in dependency order; closed in
 * reverse, the latch first so that a standby takes over at once. Plain Java, so that one process can hold several
 * (the demo runs two).
 *
 * <p>It also answers the health checks: {@link #readiness()} (ZooKeeper, config, Kubernetes caches) and
 * {@link #liveness(Duration)} (the loop's heartbeat). A follower is as ready and alive as the leader.
 */
public final class Controller implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Controller.class);
    /** How long a reader of the decision record waits for the decisions of the pass that just ended. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);

    private final CuratorFramework curator;
    private final ZkLeadership leadership;
    private final ZkTuningSource tuning;
    private final KubeCluster cluster;
    private final PrometheusMonitor monitor;
    private final DecisionRecord record;
    private final ControlLoop loop;
    private final Passes passes;
    private final ExecutorService stateSaver;
    private final Clock clock;
    private final Instant started;

    private Controller(
            CuratorFramework curator,
            ZkLeadership leadership,
            ZkTuningSource tuning,
            KubeCluster cluster,
            PrometheusMonitor monitor,
            DecisionRecord record,
            ControlLoop loop,
            ExecutorService stateSaver,
            Clock clock,
            String instanceId) {
        this.curator = curator;
        this.leadership = leadership;
        this.tuning = tuning;
        this.cluster = cluster;
        this.monitor = monitor;
        this.record = record;
        this.loop = loop;
        this.passes = new Passes(loop, instanceId);
        this.stateSaver = stateSaver;
        this.clock = clock;
        this.started = clock.instant();
    }

    /** Connects, fills the caches and joins the leader election; fails with a clear message if a part cannot start. */
    public static Controller start(
            ZkscaleSettings settings, KubernetesClient kubernetes, MeterRegistry registry, Clock clock) {
        DecisionRecord record = decisionRecord(settings);
        checkTimeouts(
                Duration.ofMillis(kubernetes.getConfiguration().getRequestTimeout()),
                settings.zookeeper().sessionTimeout());
        if (!(settings.fenceRate() > 0)) {
            throw new IllegalArgumentException(
                    "setting zkscale.fence-rate: must be more than 0 stamps per second, got " + settings.fenceRate());
        }
        Set<String> namespaces = new HashSet<>(settings.namespaces().orElse(List.of()));
        String id = settings.instanceId().orElseGet(Controller::hostName);
        ZkscaleSettings.ZooKeeper zk = settings.zookeeper();
        Optional<Credentials> credentials = Credentials.fromSettings(zk.auth(), zk.authFile());
        CuratorFramework curator = ZooKeeperClients.start(
                zk.connect(), zk.sessionTimeout(), zk.connectionTimeout(), credentials.orElse(null));
        KubeCluster cluster = new KubeCluster(kubernetes, namespaces, Clock.systemUTC(), settings.fenceRate());
        ZkTuningSource tuning = new ZkTuningSource(curator, zk.root(), settings.maxReplicasCeiling());
        ZkLeadership leadership = new ZkLeadership(curator, zk.root(), id);
        try {
            tuning.start();
            cluster.start(settings.cacheSyncTimeout());
            leadership.start();
        } catch (RuntimeException e) {
            leadership.close();
            tuning.close();
            cluster.close();
            curator.close();
            throw e;
        }
        PrometheusMonitor monitor = new PrometheusMonitor(registry, leadership, clock);
        monitor.eventsDropped(cluster.events()::dropped);
        monitor.export(record);
        // One thread saves the decision state after each pass, in order, so that a pass does not wait for ZooKeeper.
        ExecutorService stateSaver = settings.warmFailover()
                ? Executors.newSingleThreadExecutor(r -> {
                    Thread thread = new Thread(r, "zkscale-state-" + id);
                    thread.setDaemon(true);
                    return thread;
                })
                : null;
        ControlLoop loop = new ControlLoop(
                cluster.ports(leadership, tuning, monitor, record),
                clock,
                new ControlLoop.Settings(settings.maxReplicasCeiling(), settings.dryRun(), namespaces),
                stateSaver == null
                        ? null
                        : new DecisionMemory(new ZkDecisionState(curator, zk.root()), monitor, stateSaver));
        LOG.infof(
                "zkscale instance %s started: ZooKeeper %s%s as %s, namespaces %s, sync period %s, %s failover%s",
                id,
                zk.connect(),
                zk.root(),
                credentials.map(Credentials::toString).orElse("anonymous"),
                namespaces.isEmpty() ? "all" : namespaces,
                settings.syncPeriod(),
                settings.warmFailover() ? "warm" : "cold",
                settings.dryRun() ? ", DRY RUN" : "");
        return new Controller(curator, leadership, tuning, cluster, monitor, record, loop, stateSaver, clock, id);
    }

    /** The decision record the settings ask for; a setting out of range fails start-up, before anything connects. */
    private static DecisionRecord decisionRecord(ZkscaleSettings settings) {
        if (settings.decisionRecordDepth() < 1) {
            throw new IllegalArgumentException(
                    "setting zkscale.decision-record-depth: must be at least 1, got " + settings.decisionRecordDepth());
        }
        if (settings.decisionRecordMaxBytes() < 0) {
            throw new IllegalArgumentException("setting zkscale.decision-record-max-bytes: must be 0 or more (0 keeps "
                    + "only each target's latest decision), got " + settings.decisionRecordMaxBytes());
        }
        if (settings.decisionRecordQueue() < 1) {
            throw new IllegalArgumentException(
                    "setting zkscale.decision-record-queue: must be at least 1, got " + settings.decisionRecordQueue());
        }
        return new DecisionRecord(
                settings.decisionRecordDepth(),
                settings.decisionRecordMaxBytes(),
                settings.decisionRecordQueue(),
                DRAIN_TIMEOUT);
    }

    /**
     * A write in flight must not outlive leadership: the Kubernetes request timeout must be at most a third of the
     * ZooKeeper session timeout (a partitioned leader hears SUSPENDED well within the session timeout and abandons its
     * request; the timeout bounds a request that does not notice).
     */
    static void checkTimeouts(Duration request, Duration session) {
        if (request.isZero() || request.isNegative() || request.multipliedBy(3).compareTo(session) > 0) {
            throw new IllegalArgumentException("setting quarkus.kubernetes-client.request-timeout: must be more than 0"
                    + " and at most a third of zkscale.zookeeper.session-timeout (" + session.toMillis()
                    + " ms), so that no write outlives leadership; got " + request.toMillis() + " ms");
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "zkscale-" + ProcessHandle.current().pid();
        }
    }

    public ControlLoop loop() {
        return loop;
    }

    /** The scheduler's pass: none while another pass runs. */
    public void tick() {
        passes.tick();
    }

    /**
     * From now on, a pass as soon as this instance starts a term (and now, if it already leads), besides the
     * scheduler's: a new leader's first decisions need not wait up to a sync period.
     */
    public void passAtEachTerm() {
        leadership.onTerm(passes::termStarted);
        if (leadership.epoch().isPresent()) {
            passes.termStarted();
        }
    }

    public DecisionRecord record() {
        return record;
    }

    public ZkLeadership leadership() {
        return leadership;
    }

    CuratorFramework curator() {
        return curator;
    }

    /** The watched config ZNodes this controller decides with. */
    public TuningSource tuning() {
        return tuning;
    }

    /**
     * Whether this instance can do its work, part by part: its ZooKeeper session is connected, the config cache is
     * synced, and the Kubernetes caches are watching. A follower that meets these
     * is ready: it must be able to take over at once.
     */
    public Readiness readiness() {
        boolean zookeeper = leadership.connected();
        String config = zookeeper ? configProblem() : "ZooKeeper is not connected";
        return new Readiness(zookeeper, config, cluster.watching());
    }

    /** Why the config cache cannot be trusted now, or null when it can. Reads no ZNode. */
    private String configProblem() {
        try {
            tuning.targets();
            return null;
        } catch (TuningSource.TuningUnavailableException e) {
            return e.getMessage();
        }
    }

    /**
     * Whether the loop made progress within {@code timeout} (counting from start-up before the first pass): a pass
     * ended, or a long pass decided a target or sent a stamp. A pass stuck in a call, or a dead scheduler, fails it;
     * leading or following does not matter.
     */
    public Liveness liveness(Duration timeout) {
        Instant last = loop.lastPass();
        Instant progress = loop.lastProgress();
        Instant since = progress == null ? started : progress;
        Duration age = Duration.between(since, clock.instant());
        return new Liveness(age.compareTo(timeout) <= 0, last, age);
    }

    /**
     * The readiness check's parts.
     *
     * @param zookeeperConnected the ZooKeeper session is connected
     * @param configProblem why the config ZNodes cannot be read, or null when they can
     * @param kubernetesWatching every Kubernetes cache is watching
     */
    public record Readiness(boolean zookeeperConnected, String configProblem, boolean kubernetesWatching) {
        public boolean ready() {
            return zookeeperConnected && configProblem == null && kubernetesWatching;
        }
    }

    /**
     * The liveness check.
     *
     * @param alive the loop made progress within the timeout
     * @param lastPass when the last pass ended, or null before the first
     * @param age how long ago the loop last made progress (or the controller started)
     */
    public record Liveness(boolean alive, Instant lastPass, Duration age) {}

    @Override
    public void close() {
        passes.close();
        leadership.close();
        if (stateSaver != null) {
            stateSaver.shutdownNow();
        }
        tuning.close();
        monitor.close();
        record.close();
        cluster.close();
        curator.close();
    }
}

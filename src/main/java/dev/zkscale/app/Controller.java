package dev.zkscale.app;

import dev.zkscale.coordination.ZkLeadership;
import dev.zkscale.coordination.ZkTuningSource;
import dev.zkscale.coordination.ZooKeeperClients;
import dev.zkscale.kube.KubeCluster;
import dev.zkscale.loop.ControlLoop;
import dev.zkscale.loop.DecisionRecord;
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
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.ZKPaths;
import org.jboss.logging.Logger;

/**
 * One controller instance, assembled from its real parts and owning their lifecycle: a Curator client, the leader
 * latch, the config source, the Kubernetes caches, the metrics and the loop. Started in dependency order; closed in
 * reverse, the latch first so that a standby takes over at once. Plain Java, so that one process can hold several
 * (the demo runs two).
 *
 * <p>It also answers the health checks: {@link #readiness()} (ZooKeeper, config, Kubernetes caches) and
 * {@link #liveness(Duration)} (the loop's heartbeat). A follower is as ready and alive as the leader.
 */
public final class Controller implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Controller.class);

    private final CuratorFramework curator;
    private final ZkLeadership leadership;
    private final KubeCluster cluster;
    private final PrometheusMonitor monitor;
    private final DecisionRecord record;
    private final ControlLoop loop;
    private final Clock clock;
    private final String targetsPath;
    private final Instant started;

    private Controller(CuratorFramework curator, ZkLeadership leadership, KubeCluster cluster,
            PrometheusMonitor monitor, DecisionRecord record, ControlLoop loop, Clock clock, String root) {
        this.curator = curator;
        this.leadership = leadership;
        this.cluster = cluster;
        this.monitor = monitor;
        this.record = record;
        this.loop = loop;
        this.clock = clock;
        this.targetsPath = ZKPaths.makePath(root, "targets");
        this.started = clock.instant();
    }

    /** Connects, fills the caches and joins the leader election; fails with a clear message if a part cannot start. */
    public static Controller start(ZkscaleSettings settings, KubernetesClient kubernetes, MeterRegistry registry,
            Clock clock) {
        Set<String> namespaces = new HashSet<>(settings.namespaces().orElse(List.of()));
        String id = settings.instanceId().orElseGet(Controller::hostName);
        ZkscaleSettings.ZooKeeper zk = settings.zookeeper();
        CuratorFramework curator = ZooKeeperClients.start(zk.connect(), zk.sessionTimeout(), zk.connectionTimeout());
        KubeCluster cluster = new KubeCluster(kubernetes, namespaces);
        ZkLeadership leadership = new ZkLeadership(curator, zk.root(), id);
        try {
            cluster.start(settings.cacheSyncTimeout());
            leadership.start();
        } catch (RuntimeException e) {
            leadership.close();
            cluster.close();
            curator.close();
            throw e;
        }
        PrometheusMonitor monitor = new PrometheusMonitor(registry, leadership, clock);
        DecisionRecord record = new DecisionRecord(settings.decisionRecordDepth());
        ControlLoop loop = new ControlLoop(cluster, leadership,
                new ZkTuningSource(curator, zk.root(), settings.maxReplicasCeiling()), monitor, record, clock,
                new ControlLoop.Settings(settings.maxReplicasCeiling(), settings.dryRun(), namespaces));
        LOG.infof("zkscale instance %s started: ZooKeeper %s%s, namespaces %s, sync period %s%s", id, zk.connect(),
                zk.root(), namespaces.isEmpty() ? "all" : namespaces, settings.syncPeriod(),
                settings.dryRun() ? ", DRY RUN" : "");
        return new Controller(curator, leadership, cluster, monitor, record, loop, clock, zk.root());
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

    public DecisionRecord record() {
        return record;
    }

    public ZkLeadership leadership() {
        return leadership;
    }

    /**
     * Whether this instance can do its work, part by part: its ZooKeeper session is connected, the config ZNodes can
     * be read (the targets ZNode is readable now), and the Kubernetes caches are watching. A follower that meets these
     * is ready: it must be able to take over at once.
     */
    public Readiness readiness() {
        boolean zookeeper = leadership.connected();
        String config = zookeeper ? configUnreadable() : "ZooKeeper is not connected";
        return new Readiness(zookeeper, config, cluster.watching());
    }

    /** Why the config ZNodes cannot be read now, or null when they can. Does not wait for a reconnection. */
    private String configUnreadable() {
        if (!curator.getZookeeperClient().isConnected()) {
            return "ZooKeeper is not connected";
        }
        try {
            curator.checkExists().forPath(targetsPath);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while reading " + targetsPath;
        } catch (Exception e) {
            return "cannot read " + targetsPath + ": " + e;
        }
    }

    /**
     * Whether the loop made progress: a pass ended within {@code timeout} (counting from start-up before the first
     * pass). A pass stuck in a call, or a dead scheduler, fails it; leading or following does not matter.
     */
    public Liveness liveness(Duration timeout) {
        Instant last = loop.lastPass();
        Instant since = last == null ? started : last;
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
     * @param alive a pass ended within the timeout
     * @param lastPass when the last pass ended, or null before the first
     * @param age how long ago the last pass ended (or the controller started)
     */
    public record Liveness(boolean alive, Instant lastPass, Duration age) {
    }

    @Override
    public void close() {
        leadership.close();
        monitor.close();
        cluster.close();
        curator.close();
    }
}

package dev.zkscale.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The controller's settings, prefix {@code zkscale.}: from {@code application.properties}, {@code -D} system
 * properties or environment variables ({@code ZKSCALE_ZOOKEEPER_CONNECT}, ...), as Quarkus maps them. Every one is
 * listed in the README with its default.
 */
@ConfigMapping(prefix = "zkscale")
public interface ZkscaleSettings {

    ZooKeeper zookeeper();

    /** How often the leader decides for every target; passes never overlap. */
    @WithDefault("15s")
    Duration syncPeriod();

    /** The namespaces whose targets are managed; absent means all. */
    Optional<List<String>> namespaces();

    /** Caps every target's maxReplicas, hence every write. */
    @WithDefault("1000")
    int maxReplicasCeiling();

    /** Decide and record, never write. */
    @WithDefault("false")
    boolean dryRun();

    /**
     * Warm failover: the leader keeps each target's decision history (recommendations, scale events, forecast state)
     * in ZooKeeper, and a new leader continues from it; false starts every target cold at each takeover, as upstream's
     * HPA controller does.
     */
    @WithDefault("true")
    boolean warmFailover();

    /** This instance's name in the leader latch; defaults to the host name (the pod name in a cluster). */
    Optional<String> instanceId();

    /** How many decisions are kept per target for {@code /api/v1/targets/{namespace}/{name}/decisions}. */
    @WithDefault("100")
    int decisionRecordDepth();

    /**
     * How many bytes the decision record may hold over all targets (its entries are compressed JSON, well under 1 KiB
     * each for 10 pods); beyond it the oldest entries of the target holding the most go first. Each target's latest
     * decision is always kept.
     */
    @WithDefault("16777216")
    long decisionRecordMaxBytes();

    /**
     * How many decisions may wait to be compressed into the decision record (off the loop's thread); beyond it a
     * decision is left out of the record and counted in {@code zkscale_decision_record_dropped_total}.
     */
    @WithDefault("10000")
    int decisionRecordQueue();

    /**
     * How many takeover stamps a new leader sends per second at most (they go out concurrently, up to 16 at a time):
     * once its first pass has decided and written, a new leader stamps its epoch on every target the pass did not
     * write, so that an older leader's late write is refused by the API server. 10,000 targets at the default take
     * about 50 s to stamp, after the first decisions.
     */
    @WithDefault("200")
    double fenceRate();

    /** The HTTP API ({@code /api/v1/targets...}) on the management interface. */
    Api api();

    /** How long start-up waits for the Kubernetes caches to fill. */
    @WithDefault("60s")
    Duration cacheSyncTimeout();

    /**
     * How long the loop may go without progress (a pass ended, a target decided, a stamp sent) before the liveness
     * check fails (and Kubernetes restarts the container); absent means 4 sync periods, at least 60 s.
     */
    Optional<Duration> livenessTimeout();

    /**
     * Log one JSON object per line (for a cluster's log collector) instead of human-readable lines. Applied through
     * {@code quarkus.log.console.json.enabled} in {@code application.properties}; declared here to be documented.
     */
    @WithDefault("false")
    boolean logJson();

    /** Limits of the HTTP API, so that no request can exhaust the controller's memory or CPU. */
    interface Api {
        /** Requests served at once; beyond them the API answers 429 with {@code Retry-After}. */
        @WithDefault("2")
        int maxConcurrentRequests();

        /**
         * The most JSON one decision record response may hold; older decisions beyond it are left out and the
         * {@code Zkscale-Truncated} header says how many.
         */
        @WithDefault("16777216")
        long maxResponseBytes();
    }

    /** ZooKeeper connection settings. */
    interface ZooKeeper {
        /** The ensemble's connect string, {@code host:port[,host:port...]}. */
        @WithDefault("localhost:2181")
        String connect();

        /** The root ZNode under which zkscale keeps everything. */
        @WithDefault("/zkscale")
        String root();

        /**
         * The ZooKeeper session timeout: how long a silent leader keeps its latch. At least three times
         * {@code quarkus.kubernetes-client.request-timeout}, or start-up is refused.
         */
        @WithDefault("10s")
        Duration sessionTimeout();

        /** How long to wait for a connection. */
        @WithDefault("5s")
        Duration connectionTimeout();

        /**
         * This instance's ZooKeeper identity, {@code user:password} (digest). Give it as the environment variable
         * {@code ZKSCALE_ZOOKEEPER_AUTH} (from a Secret) or in a file, never as {@code -D}; absent means anonymous.
         */
        Optional<String> auth();

        /** A file holding {@code user:password} (a mounted Secret), instead of {@link #auth()}. */
        Optional<String> authFile();

        /** Config changes kept per config ZNode by {@code zkscale config} and the demo. */
        @WithDefault("100")
        int historyLimit();
    }
}

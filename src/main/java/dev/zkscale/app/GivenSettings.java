package dev.zkscale.app;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Settings given in code instead of read by Quarkus: for the demo, which runs its controllers outside the Quarkus
 * runtime, and for tests. The record's components are {@link ZkscaleSettings}' methods.
 */
public record GivenSettings(
        Zk zookeeper,
        Duration syncPeriod,
        Optional<List<String>> namespaces,
        int maxReplicasCeiling,
        boolean dryRun,
        Optional<String> instanceId,
        int decisionRecordDepth,
        long decisionRecordMaxBytes,
        Duration cacheSyncTimeout,
        Optional<Duration> livenessTimeout,
        boolean logJson)
        implements ZkscaleSettings {

    /** ZooKeeper settings given in code; the components are {@link ZkscaleSettings.ZooKeeper}'s methods. */
    public record Zk(
            String connect,
            String root,
            Duration sessionTimeout,
            Duration connectionTimeout,
            Optional<String> auth,
            Optional<String> authFile,
            int historyLimit)
            implements ZkscaleSettings.ZooKeeper {}
}

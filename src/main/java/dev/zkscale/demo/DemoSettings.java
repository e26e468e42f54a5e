package dev.zkscale.demo;

import dev.zkscale.app.StandaloneSettings;
import dev.zkscale.app.ZkscaleSettings;
import java.time.Duration;
import java.util.Map;

/**
 * One demo controller's settings: the defaults of {@code zkscale run}, except a ZooKeeper reached through the
 * instance's own {@link TcpRelay}, a short session (so that a crashed leader is replaced within seconds), the demo's
 * one namespace and a short decision record.
 */
final class DemoSettings {
    static final String ROOT = "/zkscale";
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(3);

    private DemoSettings() {}

    static ZkscaleSettings of(String connect, String instance, Duration syncPeriod) {
        return StandaloneSettings.of(Map.of(
                "zkscale.zookeeper.connect",
                connect,
                "zkscale.zookeeper.root",
                ROOT,
                "zkscale.zookeeper.session-timeout",
                SESSION_TIMEOUT.toString(),
                "zkscale.zookeeper.connection-timeout",
                "2s",
                "zkscale.sync-period",
                syncPeriod.toString(),
                "zkscale.namespaces",
                SimulatedWorkload.NAMESPACE,
                "zkscale.instance-id",
                instance,
                "zkscale.decision-record-depth",
                "10",
                "zkscale.decision-record-max-bytes",
                Integer.toString(1 << 20),
                "zkscale.cache-sync-timeout",
                "20s"));
    }
}

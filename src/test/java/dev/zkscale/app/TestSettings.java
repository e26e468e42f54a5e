package dev.zkscale.app;

import java.util.HashMap;
import java.util.Map;

/**
 * Settings for a controller in a test, from the settings mapping ({@link StandaloneSettings#of}): its defaults, with a
 * given ZooKeeper, a 3 s session and connection timeout, a 1 s sync period, an instance id, a 10 s cache sync and a
 * decision record of 100 decisions per target within 1 MiB, and whatever else the test gives over these.
 */
public final class TestSettings {
    private TestSettings() {}

    public static ZkscaleSettings of(String connect, String instance) {
        return of(connect, instance, Map.of());
    }

    /**
     * As {@link #of(String, String)}, with {@code more} settings over these (property names such as
     * {@code zkscale.dry-run}).
     */
    public static ZkscaleSettings of(String connect, String instance, Map<String, String> more) {
        Map<String, String> settings = new HashMap<>(Map.of(
                "zkscale.zookeeper.connect", connect,
                "zkscale.zookeeper.session-timeout", "3s",
                "zkscale.zookeeper.connection-timeout", "3s",
                "zkscale.sync-period", "1s",
                "zkscale.instance-id", instance,
                "zkscale.decision-record-max-bytes", Long.toString(1 << 20),
                "zkscale.cache-sync-timeout", "10s"));
        settings.putAll(more);
        return StandaloneSettings.of(settings);
    }
}

package dev.zkscale.demo;

import dev.zkscale.app.GivenSettings;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One demo controller's settings: the defaults of {@code zkscale run}, except a ZooKeeper reached through the
 * instance's own {@link ZooKeeperLink}, a short session (so that a crashed leader is replaced within seconds), the
 * demo's one namespace and a short decision record.
 */
final class DemoSettings {
    static final String ROOT = "/zkscale";
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(3);

    private DemoSettings() {}

    static GivenSettings of(String connect, String instance, Duration syncPeriod) {
        return new GivenSettings(
                new GivenSettings.Zk(
                        connect, ROOT, SESSION_TIMEOUT, Duration.ofSeconds(2), Optional.empty(), Optional.empty(), 100),
                syncPeriod,
                Optional.of(List.of(SimulatedWorkload.NAMESPACE)),
                1000,
                false,
                Optional.of(instance),
                10,
                1 << 20,
                Duration.ofSeconds(20),
                Optional.empty(),
                false);
    }
}

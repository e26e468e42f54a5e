package dev.zkscale.app;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Settings for a controller in a test: a given ZooKeeper, a 3 s session, a 1 s sync period, an instance id, an
 * optional identity file, and the namespaces to manage (empty: all).
 */
public final class TestSettings {
    private TestSettings() {
    }

    public static GivenSettings of(String connect, String instance) {
        return of(connect, instance, false, 1000);
    }

    static GivenSettings of(String connect, String instance, boolean dryRun, int ceiling) {
        return of(connect, instance, dryRun, ceiling, Optional.empty(), Set.of());
    }

    public static GivenSettings of(String connect, String instance, boolean dryRun, int ceiling,
            Optional<String> authFile, Set<String> managed) {
        return new GivenSettings(
                new GivenSettings.Zk(connect, "/zkscale", Duration.ofSeconds(3), Duration.ofSeconds(3),
                        Optional.empty(), authFile, 100),
                Duration.ofSeconds(1), managed.isEmpty() ? Optional.empty() : Optional.of(List.copyOf(managed)),
                ceiling, dryRun, Optional.of(instance), 100, Duration.ofSeconds(10), Optional.empty(), false);
    }
}

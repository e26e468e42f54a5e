package dev.zkscale.app;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Settings for a controller in a test: a given ZooKeeper, a 3 s session, a 1 s sync period, an instance id, an
 * optional identity file, the namespaces to manage (empty: all), and a decision record of 100 decisions per target
 * within 1 MiB.
 */
public final class TestSettings {
    private TestSettings() {}

    public static GivenSettings of(String connect, String instance) {
        return of(connect, instance, false, 1000);
    }

    static GivenSettings of(String connect, String instance, boolean dryRun, int ceiling) {
        return of(connect, instance, dryRun, ceiling, Optional.empty(), Set.of());
    }

    public static GivenSettings of(
            String connect,
            String instance,
            boolean dryRun,
            int ceiling,
            Optional<String> authFile,
            Set<String> managed) {
        return of(connect, instance, dryRun, ceiling, authFile, managed, 100, 1 << 20);
    }

    /** As {@link #of(String, String)}, with this decision record: depth per target and bytes over all targets. */
    static GivenSettings of(String connect, String instance, int recordDepth, long recordMaxBytes) {
        return of(connect, instance, false, 1000, Optional.empty(), Set.of(), recordDepth, recordMaxBytes);
    }

    private static GivenSettings of(
            String connect,
            String instance,
            boolean dryRun,
            int ceiling,
            Optional<String> authFile,
            Set<String> managed,
            int recordDepth,
            long recordMaxBytes) {
        return new GivenSettings(
                new GivenSettings.Zk(
                        connect,
                        "/zkscale",
                        Duration.ofSeconds(3),
                        Duration.ofSeconds(3),
                        Optional.empty(),
                        authFile,
                        100),
                Duration.ofSeconds(1),
                managed.isEmpty() ? Optional.empty() : Optional.of(List.copyOf(managed)),
                ceiling,
                dryRun,
                Optional.of(instance),
                recordDepth,
                recordMaxBytes,
                Duration.ofSeconds(10),
                Optional.empty(),
                false);
    }
}

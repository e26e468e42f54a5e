package dev.zkscale.app;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Settings for a controller in a test: a given ZooKeeper, a 3 s session, an instance id, an optional identity file,
 * and the namespaces to manage (empty: all).
 */
public record TestSettings(String connect, String instance, boolean dryRun, int ceiling, Optional<String> authFile,
        Set<String> managed)
        implements ZkscaleSettings {

    public TestSettings(String connect, String instance) {
        this(connect, instance, false, 1000);
    }

    TestSettings(String connect, String instance, boolean dryRun, int ceiling) {
        this(connect, instance, dryRun, ceiling, Optional.empty(), Set.of());
    }

    @Override
    public ZooKeeper zookeeper() {
        return new ZooKeeper() {
            @Override
            public String connect() {
                return connect;
            }

            @Override
            public String root() {
                return "/zkscale";
            }

            @Override
            public Duration sessionTimeout() {
                return Duration.ofSeconds(3);
            }

            @Override
            public Duration connectionTimeout() {
                return Duration.ofSeconds(3);
            }

            @Override
            public Optional<String> auth() {
                return Optional.empty();
            }

            @Override
            public Optional<String> authFile() {
                return authFile;
            }

            @Override
            public int historyLimit() {
                return 100;
            }
        };
    }

    @Override
    public Duration syncPeriod() {
        return Duration.ofSeconds(1);
    }

    @Override
    public Optional<List<String>> namespaces() {
        return managed.isEmpty() ? Optional.empty() : Optional.of(List.copyOf(managed));
    }

    @Override
    public int maxReplicasCeiling() {
        return ceiling;
    }

    @Override
    public Optional<String> instanceId() {
        return Optional.of(instance);
    }

    @Override
    public int decisionRecordDepth() {
        return 100;
    }

    @Override
    public Optional<Duration> livenessTimeout() {
        return Optional.empty();
    }

    @Override
    public boolean logJson() {
        return false;
    }

    @Override
    public Duration cacheSyncTimeout() {
        return Duration.ofSeconds(10);
    }
}

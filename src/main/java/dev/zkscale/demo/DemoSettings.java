package dev.zkscale.demo;

import dev.zkscale.app.ZkscaleSettings;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One demo controller's settings: the defaults of {@code zkscale run}, except a ZooKeeper reached through the
 * instance's own {@link ZooKeeperLink}, a short session (so that a crashed leader is replaced within seconds), and
 * the demo's one namespace.
 */
record DemoSettings(String connect, String instance, Duration syncPeriod) implements ZkscaleSettings {
    static final String ROOT = "/zkscale";
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(3);

    @Override
    public ZooKeeper zookeeper() {
        return new ZooKeeper() {
            @Override
            public String connect() {
                return connect;
            }

            @Override
            public String root() {
                return ROOT;
            }

            @Override
            public Duration sessionTimeout() {
                return SESSION_TIMEOUT;
            }

            @Override
            public Duration connectionTimeout() {
                return Duration.ofSeconds(2);
            }

            @Override
            public Optional<String> auth() {
                return Optional.empty();
            }

            @Override
            public Optional<String> authFile() {
                return Optional.empty();
            }

            @Override
            public int historyLimit() {
                return 100;
            }
        };
    }

    @Override
    public Optional<List<String>> namespaces() {
        return Optional.of(List.of(SimulatedWorkload.NAMESPACE));
    }

    @Override
    public int maxReplicasCeiling() {
        return 1000;
    }

    @Override
    public boolean dryRun() {
        return false;
    }

    @Override
    public Optional<String> instanceId() {
        return Optional.of(instance);
    }

    @Override
    public int decisionRecordDepth() {
        return 10;
    }

    @Override
    public Duration cacheSyncTimeout() {
        return Duration.ofSeconds(20);
    }

    @Override
    public Optional<Duration> livenessTimeout() {
        return Optional.empty();
    }

    @Override
    public boolean logJson() {
        return false;
    }
}

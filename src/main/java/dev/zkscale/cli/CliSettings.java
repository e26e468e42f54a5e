package dev.zkscale.cli;

import dev.zkscale.app.StandaloneSettings;
import dev.zkscale.app.ZkscaleSettings;
import io.smallrye.config.SmallRyeConfig;

/**
 * The settings of the offline commands, read as {@code zkscale run} reads them ({@link StandaloneSettings}): a
 * {@code -D} system property, else an environment variable ({@code ZKSCALE_MAX_REPLICAS_CEILING}), else
 * {@code application.properties}, else the default. A value that does not convert is a {@link UsageException}.
 */
final class CliSettings {
    static final String MAX_REPLICAS_CEILING = "zkscale.max-replicas-ceiling";
    static final String CONNECT = "zkscale.zookeeper.connect";
    static final String ROOT = "zkscale.zookeeper.root";
    static final String CONNECTION_TIMEOUT = "zkscale.zookeeper.connection-timeout";
    static final String HISTORY_LIMIT = "zkscale.zookeeper.history-limit";

    private CliSettings() {}

    static ZkscaleSettings read() throws UsageException {
        return environment().getConfigMapping(ZkscaleSettings.class);
    }

    /** Every setting {@code zkscale run} would read here, its own and Quarkus' ({@code quarkus.http.port}, ...). */
    static SmallRyeConfig environment() throws UsageException {
        try {
            return StandaloneSettings.environment();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** {@code value} of the setting {@code name}, which must be at least 1. */
    static int positive(String name, int value) throws UsageException {
        if (value < 1) {
            throw new UsageException("setting " + name + ": must be a positive integer, got " + value);
        }
        return value;
    }
}

package dev.zkscale.cli;

import dev.zkscale.app.ZkscaleSettings;
import dev.zkscale.coordination.ConfigStore;
import dev.zkscale.coordination.ConfigStoreException;
import dev.zkscale.coordination.Credentials;
import dev.zkscale.coordination.ZooKeeperClients;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.PathUtils;

/**
 * A connected ZooKeeper client and a {@link ConfigStore} on it, from the {@code zkscale.zookeeper.*} settings,
 * closed together. ZooKeeper's and Curator's own logging is silenced while open: {@code zkscale config} reports every
 * failure itself, in one line, and its standard output stays the data.
 */
final class ConfigSession implements AutoCloseable {
    private static final String[] LOGGERS = {"org.apache.zookeeper", "org.apache.curator"};
    private final Level[] levels = new Level[LOGGERS.length];
    private CuratorFramework client;
    private ConfigStore store;
    private String root;

    private ConfigSession() {}

    ConfigStore store() {
        return store;
    }

    /** The zkscale root ZNode the store works under. */
    String root() {
        return root;
    }

    static ConfigSession open(ZkscaleSettings settings) throws UsageException, ConfigStoreException {
        ZkscaleSettings.ZooKeeper zk = settings.zookeeper();
        Duration timeout = zk.connectionTimeout();
        int historyLimit = CliSettings.positive(CliSettings.HISTORY_LIMIT, zk.historyLimit());
        Optional<Credentials> credentials;
        try {
            credentials = Credentials.fromSettings(zk.auth(), zk.authFile());
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        try {
            PathUtils.validatePath(zk.root());
        } catch (IllegalArgumentException e) {
            throw new UsageException(
                    "setting " + CliSettings.ROOT + ": must be a ZNode path like /zkscale, got \"" + zk.root() + "\"");
        }
        ConfigSession s = new ConfigSession();
        s.quiet();
        try {
            s.client = ZooKeeperClients.start(zk.connect(), zk.sessionTimeout(), timeout, credentials.orElse(null));
            if (!s.client.blockUntilConnected(Math.toIntExact(timeout.toMillis()), TimeUnit.MILLISECONDS)) {
                throw new ConfigStoreException(
                        ConfigStoreException.Kind.FAILED,
                        "cannot connect to ZooKeeper at " + zk.connect() + " within " + timeout.toMillis()
                                + " ms (setting " + CliSettings.CONNECT + ")");
            }
            s.store = new ConfigStore(s.client, zk.root(), credentials, historyLimit);
            s.root = zk.root();
            return s;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            s.close();
            throw new ConfigStoreException(ConfigStoreException.Kind.FAILED, "interrupted while connecting");
        } catch (ConfigStoreException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void quiet() {
        for (int i = 0; i < LOGGERS.length; i++) {
            Logger logger = Logger.getLogger(LOGGERS[i]);
            levels[i] = logger.getLevel();
            logger.setLevel(Level.OFF);
        }
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
        for (int i = 0; i < LOGGERS.length; i++) {
            Logger.getLogger(LOGGERS[i]).setLevel(levels[i]);
        }
    }
}

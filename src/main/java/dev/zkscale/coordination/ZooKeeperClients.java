package dev.zkscale.coordination;

import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.StandardConnectionStateErrorPolicy;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * Builds the one Curator client an instance shares between its leader latch and its config reads. The caller owns the
 * client and closes it after everything that uses it.
 */
public final class ZooKeeperClients {
    /** First retry after this long, doubling up to {@link #MAX_RETRY_SLEEP}; then the operation fails. */
    private static final Duration BASE_RETRY_SLEEP = Duration.ofMillis(200);

    private static final Duration MAX_RETRY_SLEEP = Duration.ofSeconds(2);
    private static final int MAX_RETRIES = 3;

    private ZooKeeperClients() {}

    /**
     * A started client; it connects in the background (use {@code blockUntilConnected} to wait). The connection-state
     * error policy is Curator's standard one, stated here because {@link ZkLeadership} depends on it: SUSPENDED already
     * counts as an error, so the leader latch drops leadership as soon as the connection is in doubt.
     *
     * @param connectString ZooKeeper's {@code host:port[,host:port...]}
     * @param sessionTimeout the session timeout asked of the server (it may negotiate another within its bounds)
     * @param connectionTimeout how long one attempt waits for a connection before it counts as failed
     */
    public static CuratorFramework start(String connectString, Duration sessionTimeout, Duration connectionTimeout) {
        return start(connectString, sessionTimeout, connectionTimeout, null);
    }

    /**
     * As above, authenticated as {@code credentials} (ZooKeeper digest; null for anonymous) on every session, so that
     * the ACLs of the config ZNodes apply to this identity. Nodes this client creates get Curator's default ACL (open):
     * zkscale's own ZNodes get theirs from {@link ConfigStore}, which copies each parent's ACL.
     *
     * <p>TLS to ZooKeeper is configured outside this method, by the ZooKeeper client's system properties
     * ({@code zookeeper.client.secure}, {@code zookeeper.clientCnxnSocket}, {@code zookeeper.ssl.*}; see the README).
     */
    public static CuratorFramework start(
            String connectString, Duration sessionTimeout, Duration connectionTimeout, Credentials credentials) {
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder();
        if (credentials != null) {
            builder.authorization("digest", credentials.authBytes());
        }
        CuratorFramework client = builder.connectString(connectString)
                .sessionTimeoutMs(Math.toIntExact(sessionTimeout.toMillis()))
                .connectionTimeoutMs(Math.toIntExact(connectionTimeout.toMillis()))
                .retryPolicy(new ExponentialBackoffRetry(
                        Math.toIntExact(BASE_RETRY_SLEEP.toMillis()),
                        MAX_RETRIES,
                        Math.toIntExact(MAX_RETRY_SLEEP.toMillis())))
                .connectionStateErrorPolicy(new StandardConnectionStateErrorPolicy())
                .build();
        client.start();
        return client;
    }
}

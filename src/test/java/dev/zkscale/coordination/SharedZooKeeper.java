package dev.zkscale.coordination;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real ZooKeeper server for a whole test class and a connected client of it, both closed after the class. The tests
 * share the server; each takes a {@link #freshRoot() root of its own} so that none sees another's ZNodes. Register it
 * as a static field: {@code @RegisterExtension static final SharedZooKeeper zk = new SharedZooKeeper("/config");}.
 */
final class SharedZooKeeper implements BeforeAllCallback, AfterAllCallback {
    private final String rootPrefix;
    private final AtomicInteger roots = new AtomicInteger();
    private TestingServer server;
    private CuratorFramework client;

    /** Roots will be {@code rootPrefix} followed by a number: {@code /config1}, {@code /config2}, ... */
    SharedZooKeeper(String rootPrefix) {
        this.rootPrefix = rootPrefix;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        server = new TestingServer(true);
        client = connected(server.getConnectString(), null);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        client.close();
        server.close();
    }

    TestingServer server() {
        return server;
    }

    /** The class's client of the server (3 s session, 1 s connection timeout), connected. */
    CuratorFramework client() {
        return client;
    }

    /** A root path no other test of this class has used. */
    String freshRoot() {
        return rootPrefix + roots.incrementAndGet();
    }

    /**
     * A client of the server at {@code connectString} (3 s session, 1 s connection timeout), authenticated as
     * {@code credentials} (null: anonymous), once it has connected; fails the test if it does not within 30 s.
     */
    static CuratorFramework connected(String connectString, Credentials credentials) throws InterruptedException {
        CuratorFramework c =
                ZooKeeperClients.start(connectString, Duration.ofSeconds(3), Duration.ofSeconds(1), credentials);
        boolean up = c.blockUntilConnected(30, TimeUnit.SECONDS);
        if (!up) {
            c.close();
        }
        assertTrue(up, "not connected to " + connectString + " within 30 s");
        return c;
    }
}

package dev.zkscale.coordination;

import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real ZooKeeper server of its own for each test, and what the test {@link #open opens} on it: after the test those
 * are closed, newest first, then the server. For tests that stop, restart or expire what they use; tests that only read
 * and write ZNodes share one server ({@link SharedZooKeeper}). Register it as an instance field:
 * {@code @RegisterExtension final ZooKeeperPerTest zk = new ZooKeeperPerTest();}.
 */
final class ZooKeeperPerTest implements BeforeEachCallback, AfterEachCallback {
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private TestingServer server;

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        server = new TestingServer(true);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        while (!opened.isEmpty()) {
            opened.pop().close();
        }
        server.close();
    }

    /** This test's server. */
    TestingServer server() {
        return server;
    }

    /** {@code closeable}, to be closed after the test, before what was opened earlier. */
    <T extends AutoCloseable> T open(T closeable) {
        opened.push(closeable);
        return closeable;
    }
}

package dev.zkscale.app;

import dev.zkscale.demo.SteppedClock;
import dev.zkscale.kube.MockApi;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a test of real controllers stands on, fresh for each test: a ZooKeeper server, a CRUD mock API server and a
 * stepped clock, with the controllers the test {@link #start starts} on them. After the test the controllers are
 * closed, newest first, then the API server and ZooKeeper. Register it as an instance field:
 * {@code @RegisterExtension final ControllerRig rig = new ControllerRig();}.
 */
final class ControllerRig implements BeforeEachCallback, AfterEachCallback {
    /** The controllers' clock: it moves only when the test advances it. */
    final SteppedClock clock = new SteppedClock(Instant.parse("2026-06-01T00:00:00Z"));

    private final List<AutoCloseable> open = new ArrayList<>();
    private TestingServer zk;
    private MockApi api;

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        zk = new TestingServer();
        api = MockApi.start();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        api.close();
        zk.close();
    }

    TestingServer zk() {
        return zk;
    }

    MockApi api() {
        return api;
    }

    /** A controller with {@code settings}, its own API client and {@link #clock}, closed after the test. */
    Controller start(ZkscaleSettings settings, PrometheusMeterRegistry registry) {
        Controller c = Controller.start(settings, api.newClient(), registry, clock);
        open.add(c);
        return c;
    }
}

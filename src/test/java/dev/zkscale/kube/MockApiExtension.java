package dev.zkscale.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh {@link MockApi} for each test, a client of it for the test's own reads and writes, and the
 * {@link KubeCluster}s the test {@link #started started} on it. After the test the clusters are closed, then the server
 * and its clients. Register it as an instance field:
 * {@code @RegisterExtension final MockApiExtension kube = new MockApiExtension();}.
 */
final class MockApiExtension implements BeforeEachCallback, AfterEachCallback {
    private final List<KubeCluster> clusters = new ArrayList<>();
    private MockApi api;
    private KubernetesClient client;

    @Override
    public void beforeEach(ExtensionContext context) {
        api = MockApi.start();
        client = api.newClient();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        clusters.forEach(KubeCluster::close);
        clusters.clear();
        api.close();
    }

    MockApi api() {
        return api;
    }

    /** A client of the server (short timeouts, fabric8's default retries): the test's own. */
    KubernetesClient client() {
        return client;
    }

    /** {@code cluster}, started (its caches synced within 10 s) and closed after the test. */
    KubeCluster started(KubeCluster cluster) {
        closedAfter(cluster).start(Duration.ofSeconds(10));
        return cluster;
    }

    /** {@code cluster}, closed after the test (the test starts it, or fails to). */
    KubeCluster closedAfter(KubeCluster cluster) {
        clusters.add(cluster);
        return cluster;
    }
}

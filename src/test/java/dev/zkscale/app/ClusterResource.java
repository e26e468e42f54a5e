package dev.zkscale.app;

import dev.zkscale.kube.MockApi;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import org.apache.curator.test.TestingServer;

/**
 * A real ZooKeeper server and a CRUD mock API server, started before the application and pointed to by its settings.
 */
public class ClusterResource implements QuarkusTestResourceLifecycleManager {
    static TestingServer zk;
    static MockApi api;

    @Override
    public Map<String, String> start() {
        try {
            zk = new TestingServer();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        api = MockApi.start();
        return Map.of(
                "zkscale.zookeeper.connect",
                zk.getConnectString(),
                "zkscale.zookeeper.session-timeout",
                "3s",
                "zkscale.sync-period",
                "1s",
                "zkscale.instance-id",
                "app-test",
                "quarkus.kubernetes-client.api-server-url",
                api.server.url("/"),
                "quarkus.kubernetes-client.request-timeout",
                "1s");
    }

    @Override
    public void stop() {
        api.close();
        try {
            zk.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

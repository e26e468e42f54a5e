package dev.zkscale.app;

import static dev.zkscale.kube.Fixtures.deployment;
import static dev.zkscale.kube.Fixtures.map;
import static dev.zkscale.kube.Fixtures.podMetrics;
import static dev.zkscale.kube.Fixtures.runningPod;

import dev.zkscale.coordination.ZooKeeperClients;
import dev.zkscale.kube.KubeCluster;
import dev.zkscale.kube.MockApi;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;

/**
 * A stand-in for the cluster around a zkscale instance that runs outside the test JVM (the container image check,
 * {@code src/main/docker/verify-image.sh}): a real ZooKeeper server and a CRUD mock Kubernetes API on loopback, holding
 * one target ({@code shop/web}: a Deployment of 2 pods at 90% of their CPU request, managed at a 50% target, so a
 * working controller scales it to 4).
 *
 * <p>Usage: {@code StandInCluster ENV_FILE}. Writes the settings that point zkscale at it to ENV_FILE as
 * {@code NAME=value} lines, then serves until its standard input closes.
 */
public final class StandInCluster {
    private StandInCluster() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: StandInCluster ENV_FILE");
            System.exit(2);
        }
        try (TestingServer zk = new TestingServer(); MockApi api = MockApi.start()) {
            KubernetesClient admin = api.newClient();
            admin.apps().deployments().inNamespace("shop").resource(deployment("shop", "web", 2, Map.of("app", "web"),
                    Map.of())).createOr(r -> r.update());
            for (int i = 0; i < 2; i++) {
                admin.pods().inNamespace("shop").resource(runningPod("shop", "web-" + i, Map.of("app", "web"), "500m"))
                        .createOr(r -> r.update());
                admin.genericKubernetesResources(KubeCluster.POD_METRICS).inNamespace("shop").resource(podMetrics("shop",
                        "web-" + i, Map.of("app", "web"), Instant.now().toString(), "30s", map("app", "450m"))).createOr(r -> r.update());
            }
            try (CuratorFramework curator = ZooKeeperClients.start(zk.getConnectString(), Duration.ofSeconds(10),
                    Duration.ofSeconds(5))) {
                curator.create().creatingParentsIfNeeded().forPath("/zkscale/targets/shop/web",
                        "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":50}".getBytes(StandardCharsets.UTF_8));
            }
            String url = api.server.url("/");
            Files.writeString(Path.of(args[0]), String.join("\n",
                    "ZKSCALE_ZOOKEEPER_CONNECT=" + zk.getConnectString(),
                    "QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL=" + url.substring(0, url.length() - 1),
                    ""));
            System.out.println("stand-in cluster: ZooKeeper " + zk.getConnectString() + ", Kubernetes API " + url);
            while (System.in.read() >= 0) {
                // serve until the caller closes our standard input
            }
        }
    }
}

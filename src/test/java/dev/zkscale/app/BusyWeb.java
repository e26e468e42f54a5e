package dev.zkscale.app;

import static dev.zkscale.kube.Fixtures.deployment;
import static dev.zkscale.kube.Fixtures.map;
import static dev.zkscale.kube.Fixtures.podMetrics;
import static dev.zkscale.kube.Fixtures.runningPod;

import dev.zkscale.coordination.ZooKeeperClients;
import dev.zkscale.kube.KubeCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;

/**
 * One target a working controller must scale: {@code shop/web}, a Deployment of 2 pods at 90% of their CPU request
 * (450m of 500m), configured at a 50% target with maxReplicas 10, so the controller scales it to 4.
 */
final class BusyWeb {
    private BusyWeb() {}

    /**
     * Creates (or updates) the Deployment, its pods and their PodMetrics, sampled at {@code metricsTimestamp}, through
     * {@code admin}, and the target's config under {@code /zkscale} on the ZooKeeper at {@code zkConnect}.
     */
    static void create(KubernetesClient admin, String zkConnect, String metricsTimestamp) throws Exception {
        admin.apps()
                .deployments()
                .inNamespace("shop")
                .resource(deployment("shop", "web", 2, Map.of("app", "web"), Map.of()))
                .createOr(r -> r.update());
        for (int i = 0; i < 2; i++) {
            admin.pods()
                    .inNamespace("shop")
                    .resource(runningPod("shop", "web-" + i, Map.of("app", "web"), "500m"))
                    .createOr(r -> r.update());
            admin.genericKubernetesResources(KubeCluster.POD_METRICS)
                    .inNamespace("shop")
                    .resource(podMetrics(
                            "shop", "web-" + i, Map.of("app", "web"), metricsTimestamp, "30s", map("app", "450m")))
                    .createOr(r -> r.update());
        }
        try (CuratorFramework curator =
                ZooKeeperClients.start(zkConnect, Duration.ofSeconds(10), Duration.ofSeconds(5))) {
            curator.create()
                    .creatingParentsIfNeeded()
                    .forPath(
                            "/zkscale/targets/shop/web",
                            "{\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":50}"
                                    .getBytes(StandardCharsets.UTF_8));
        }
    }
}

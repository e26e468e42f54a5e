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
        create(admin, zkConnect, metricsTimestamp, "web", 2);
    }

    /**
     * As {@link #create(KubernetesClient, String, String)}, for the target {@code shop/<name>} of {@code pods} pods
     * (maxReplicas twice that, at least 10).
     */
    static void create(KubernetesClient admin, String zkConnect, String metricsTimestamp, String name, int pods)
            throws Exception {
        Map<String, String> labels = Map.of("app", name);
        admin.apps()
                .deployments()
                .inNamespace("shop")
                .resource(deployment("shop", name, pods, labels, Map.of()))
                .createOr(r -> r.update());
        for (int i = 0; i < pods; i++) {
            admin.pods()
                    .inNamespace("shop")
                    .resource(runningPod("shop", name + "-" + i, labels, "500m"))
                    .createOr(r -> r.update());
            admin.genericKubernetesResources(KubeCluster.POD_METRICS)
                    .inNamespace("shop")
                    .resource(podMetrics("shop", name + "-" + i, labels, metricsTimestamp, "30s", map("app", "450m")))
                    .createOr(r -> r.update());
        }
        try (CuratorFramework curator =
                ZooKeeperClients.start(zkConnect, Duration.ofSeconds(10), Duration.ofSeconds(5))) {
            curator.create()
                    .creatingParentsIfNeeded()
                    .forPath(
                            "/zkscale/targets/shop/" + name,
                            ("{\"maxReplicas\":" + Math.max(10, 2 * pods) + ",\"targetCPUUtilizationPercentage\":50}")
                                    .getBytes(StandardCharsets.UTF_8));
        }
    }
}

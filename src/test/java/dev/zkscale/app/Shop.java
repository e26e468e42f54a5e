package dev.zkscale.app;

import static dev.zkscale.kube.Fixtures.deployment;
import static dev.zkscale.kube.Fixtures.runningPod;

import dev.zkscale.coordination.ZooKeeperClients;
import dev.zkscale.kube.Fixtures;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;

/**
 * The namespace {@code shop} that the tests of real controllers scale in: a target {@code shop/<name>} is a Deployment
 * {@code <name>} selecting {@code app: <name>}, its running pods {@code <name>-0} to {@code <name>-<pods-1>} each
 * requesting 500m of CPU, their PodMetrics, and its config ZNode under {@code /zkscale}. Each piece can be made alone;
 * {@link #busyWeb} makes one whole target a working controller must scale.
 */
final class Shop {
    static final String NS = "shop";

    private Shop() {}

    /**
     * {@code shop/web}, a Deployment of 2 pods at 90% of their CPU request (450m of 500m), sampled at
     * {@code metricsTimestamp}, configured at a 50% target with maxReplicas 10: a working controller scales it to 4.
     */
    static void busyWeb(KubernetesClient admin, String zkConnect, String metricsTimestamp) throws Exception {
        busy(admin, zkConnect, metricsTimestamp, "web", 2);
    }

    /**
     * As {@link #busyWeb}, for the target {@code shop/<name>} of {@code pods} pods (maxReplicas twice that, at least
     * 10).
     */
    static void busy(KubernetesClient admin, String zkConnect, String metricsTimestamp, String name, int pods)
            throws Exception {
        deploy(admin, name, pods);
        load(admin, name, pods, metricsTimestamp, "450m");
        configure(
                zkConnect,
                name,
                "{\"maxReplicas\":" + Math.max(10, 2 * pods) + ",\"targetCPUUtilizationPercentage\":50}");
    }

    /** Creates (or updates) the Deployment {@code name} of {@code pods} replicas and its {@code pods} running pods. */
    static void deploy(KubernetesClient admin, String name, int pods) {
        Map<String, String> labels = Map.of("app", name);
        admin.apps()
                .deployments()
                .inNamespace(NS)
                .resource(deployment(NS, name, pods, labels, Map.of()))
                .createOr(r -> r.update());
        for (int i = 0; i < pods; i++) {
            admin.pods()
                    .inNamespace(NS)
                    .resource(runningPod(NS, name + "-" + i, labels, "500m"))
                    .createOr(r -> r.update());
        }
    }

    /** Sets the PodMetrics of the first {@code pods} pods of {@code name}: each uses {@code usage}, at {@code time}. */
    static void load(KubernetesClient admin, String name, int pods, String time, String usage) {
        Fixtures.usage(admin, NS, name, pods, time, usage);
    }

    /** Creates the config ZNode of the target {@code shop/<name>}, {@code config} in JSON, on the ZooKeeper given. */
    static void configure(String zkConnect, String name, String config) throws Exception {
        try (CuratorFramework curator =
                ZooKeeperClients.start(zkConnect, Duration.ofSeconds(10), Duration.ofSeconds(5))) {
            curator.create()
                    .creatingParentsIfNeeded()
                    .forPath("/zkscale/targets/" + NS + "/" + name, config.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The Deployment {@code name}'s {@code spec.replicas}. */
    static int replicas(KubernetesClient admin, String name) {
        return admin.apps()
                .deployments()
                .inNamespace(NS)
                .withName(name)
                .get()
                .getSpec()
                .getReplicas();
    }
}

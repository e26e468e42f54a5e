package dev.zkscale.kube;

import static dev.zkscale.kube.Fixtures.podMetrics;
import static dev.zkscale.kube.Fixtures.runningPod;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zkscale.core.Pod;
import dev.zkscale.core.PodMetrics;
import dev.zkscale.loop.Selector;
import dev.zkscale.loop.Workload;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The label indexes behind {@link KubeCluster#pods} and {@code podMetrics().select}, and the reuse of pod conversions:
 * they must give exactly what a scan of the namespace gives, follow every change of the cache, and never mix
 * namespaces.
 */
class KubeClusterIndexTest {
    private static final Map<String, String> WEB = Map.of("app", "web", "tier", "front");
    private static final Map<String, String> API = Map.of("app", "api", "tier", "front");

    @RegisterExtension
    final MockApiExtension kube = new MockApiExtension();

    private KubeCluster cluster;

    private void pod(String ns, String name, Map<String, String> labels) {
        kube.client()
                .pods()
                .inNamespace(ns)
                .resource(runningPod(ns, name, labels, "500m"))
                .create();
    }

    private static Workload workload(String ns, Selector selector) {
        return new Workload(ns, "Deployment", "w", 1, 1, selector, 0, "1", null, false);
    }

    private static List<String> names(List<Pod> pods) {
        return pods.stream().map(Pod::name).toList();
    }

    @Test
    @DisplayName("pods(): a broad and a narrow matchLabels entry, expressions, other namespaces: exactly the "
            + "matches, by name")
    void podsThroughTheIndex() {
        // Given "tier: front" on every pod of two namespaces and "app" telling web from api
        for (String ns : List.of("shop", "other")) {
            pod(ns, "web-2", WEB);
            pod(ns, "web-1", WEB);
            pod(ns, "api-1", API);
            pod(ns, "web-canary", Map.of("app", "web", "tier", "front", "track", "canary"));
        }
        cluster = kube.started(new KubeCluster(kube.client(), Set.of()));

        // Then each selector gets the pods of its own namespace that it matches, whichever label narrows them
        Selector web = new Selector(WEB, List.of());
        assertEquals(
                List.of("web-1", "web-2", "web-canary"),
                names(cluster.workloads().pods(workload("shop", web))));
        Selector stable = new Selector(WEB, List.of(new Selector.Requirement("track", "NotIn", List.of("canary"))));
        assertEquals(List.of("web-1", "web-2"), names(cluster.workloads().pods(workload("shop", stable))));
        Selector front = new Selector(Map.of("tier", "front"), List.of());
        assertEquals(
                List.of("api-1", "web-1", "web-2", "web-canary"),
                names(cluster.workloads().pods(workload("other", front))));
        Selector expressionsOnly =
                new Selector(Map.of(), List.of(new Selector.Requirement("app", "In", List.of("api"))));
        assertEquals(List.of("api-1"), names(cluster.workloads().pods(workload("shop", expressionsOnly))));
        Selector none = new Selector(Map.of("app", "web", "tier", "back"), List.of());
        assertEquals(List.of(), names(cluster.workloads().pods(workload("shop", none))));
    }

    @Test
    @DisplayName("pods(): a relabelled, changed, deleted or re-created pod is seen as the cache now holds it")
    void podsFollowTheCache() {
        pod("shop", "web-1", WEB);
        pod("shop", "web-2", WEB);
        cluster = kube.started(new KubeCluster(kube.client(), Set.of("shop")));
        Workload web = workload("shop", new Selector(WEB, List.of()));
        assertEquals(List.of("web-1", "web-2"), names(cluster.workloads().pods(web)));
        assertEquals(Pod.Readiness.TRUE, cluster.workloads().pods(web).get(0).ready());

        // When web-1 turns unready and web-2 moves to another app
        kube.client().pods().inNamespace("shop").withName("web-1").editStatus(p -> {
            p.getStatus().getConditions().get(0).setStatus("False");
            return p;
        });
        kube.client().pods().inNamespace("shop").withName("web-2").edit(p -> {
            p.getMetadata().setLabels(API);
            return p;
        });

        // Then the conversions are not reused for the new versions
        await().atMost(Duration.ofSeconds(5))
                .until(
                        () -> cluster.workloads().pods(web),
                        pods -> names(pods).equals(List.of("web-1"))
                                && pods.get(0).ready() == Pod.Readiness.FALSE);

        // When web-1 is deleted and created again, ready
        kube.client().pods().inNamespace("shop").withName("web-1").delete();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> cluster.workloads().pods(web).isEmpty());
        pod("shop", "web-1", WEB);
        await().atMost(Duration.ofSeconds(5))
                .until(
                        () -> cluster.workloads().pods(web),
                        pods -> names(pods).equals(List.of("web-1"))
                                && pods.get(0).ready() == Pod.Readiness.TRUE);
    }

    @Test
    @DisplayName("podMetrics().select: a broad and a narrow matchLabels entry, or expressions only, give exactly the "
            + "matches")
    void metricsThroughTheIndex() throws Exception {
        var metrics = kube.client()
                .genericKubernetesResources(KubeCluster.POD_METRICS)
                .inNamespace("shop");
        metrics.resource(podMetrics("shop", "web-1", WEB, "2026-01-01T00:10:00Z", "30s", Map.of("app", "100m")))
                .create();
        metrics.resource(podMetrics("shop", "api-1", API, "2026-01-01T00:10:00Z", "30s", Map.of("app", "200m")))
                .create();
        metrics.resource(podMetrics("shop", "web-2", WEB, "2026-01-01T00:10:00Z", "30s", Map.of("app", "300m")))
                .create();
        cluster = kube.started(new KubeCluster(kube.client(), Set.of("shop")));

        var shop = cluster.metrics().podMetrics("shop");

        assertEquals(
                List.of("web-1", "web-2"),
                shop.select(workload("shop", new Selector(WEB, List.of()))).stream()
                        .map(PodMetrics::pod)
                        .toList());
        assertEquals(
                List.of("web-1", "api-1", "web-2"),
                shop.select(workload("shop", new Selector(Map.of("tier", "front"), List.of()))).stream()
                        .map(PodMetrics::pod)
                        .toList());
        assertEquals(
                List.of("api-1"),
                shop
                        .select(workload(
                                "shop",
                                new Selector(
                                        Map.of(), List.of(new Selector.Requirement("app", "NotIn", List.of("web"))))))
                        .stream()
                        .map(PodMetrics::pod)
                        .toList());
        assertEquals(List.of(), shop.select(workload("shop", new Selector(Map.of("app", "db"), List.of()))));
    }
}

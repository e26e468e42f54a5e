package dev.zkscale.kube;

import static dev.zkscale.kube.Fixtures.container;
import static dev.zkscale.kube.Fixtures.deployment;
import static dev.zkscale.kube.Fixtures.failure;
import static dev.zkscale.kube.Fixtures.initContainer;
import static dev.zkscale.kube.Fixtures.map;
import static dev.zkscale.kube.Fixtures.pod;
import static dev.zkscale.kube.Fixtures.podMetrics;
import static dev.zkscale.kube.Fixtures.ready;
import static dev.zkscale.kube.Fixtures.requirement;
import static dev.zkscale.kube.Fixtures.runningPod;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zkscale.core.Pod;
import dev.zkscale.core.Pod.Readiness;
import dev.zkscale.core.PodMetrics;
import dev.zkscale.loop.MetricsSource.MetricsUnavailableException;
import dev.zkscale.loop.MetricsSource.NamespaceMetrics;
import dev.zkscale.loop.Selector;
import dev.zkscale.loop.Workload;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the control loop reads through {@link KubeCluster}: workloads, their pods and their PodMetrics. */
class KubeClusterReadTest {

    private static final String NS = "shop";
    private static final String METRICS_PATH = "/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods";
    private static final Map<String, String> WEB = Map.of("app", "web");

    @RegisterExtension
    final MockApiExtension kube = new MockApiExtension();

    private KubeCluster cluster;

    private KubeCluster started(Set<String> namespaces) {
        cluster = kube.started(new KubeCluster(kube.client(), namespaces));
        return cluster;
    }

    private Workload awaitWorkload(String kind, String name) {
        return await().atMost(Duration.ofSeconds(5))
                .until(() -> cluster.workloads().workload(NS, kind, name), java.util.Optional::isPresent)
                .orElseThrow();
    }

    @Test
    @DisplayName("a Deployment reads back with its replicas, selector (matchLabels and matchExpressions), epoch and "
            + "resourceVersion")
    void deploymentReadsBack() {
        // Given a Deployment with an epoch annotation and a selector with expressions, and status.replicas 2
        kube.client()
                .apps()
                .deployments()
                .inNamespace(NS)
                .resource(deployment(
                        NS,
                        "web",
                        3,
                        Map.of("app", "web"),
                        Map.of(KubeCluster.EPOCH_ANNOTATION, "42", "team", "shop"),
                        requirement("tier", "In", "frontend", "edge"),
                        requirement("track", "NotIn", "canary")))
                .create();
        kube.client().apps().deployments().inNamespace(NS).withName("web").editStatus(d -> {
            d.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder()
                    .withReplicas(2)
                    .build());
            return d;
        });
        String rv = kube.client()
                .apps()
                .deployments()
                .inNamespace(NS)
                .withName("web")
                .get()
                .getMetadata()
                .getResourceVersion();
        started(Set.of());

        // When the loop reads it
        Workload web = await().atMost(Duration.ofSeconds(5))
                .until(
                        () -> cluster.workloads().workload(NS, "Deployment", "web"),
                        w -> w.isPresent() && w.get().resourceVersion().equals(rv))
                .orElseThrow();

        // Then every field is as the API server holds it
        assertEquals(
                new Workload(
                        NS,
                        "Deployment",
                        "web",
                        3,
                        2,
                        new Selector(
                                Map.of("app", "web"),
                                List.of(
                                        new Selector.Requirement("tier", "In", List.of("frontend", "edge")),
                                        new Selector.Requirement("track", "NotIn", List.of("canary")))),
                        42,
                        rv,
                        "42",
                        true),
                web);
    }

    @Test
    @DisplayName("a StatefulSet with no spec.replicas, no status and an unreadable epoch reads as 1 replica, 0 "
            + "ready, epoch 0")
    void statefulSetDefaults() {
        // Given a StatefulSet as a hand-made object might be: no replicas, no status, a garbled annotation
        kube.client()
                .apps()
                .statefulSets()
                .inNamespace(NS)
                .resource(new StatefulSetBuilder()
                        .withNewMetadata()
                        .withNamespace(NS)
                        .withName("db")
                        .addToAnnotations(KubeCluster.EPOCH_ANNOTATION, "seven")
                        .endMetadata()
                        .withNewSpec()
                        .withNewSelector()
                        .addToMatchLabels("app", "db")
                        .endSelector()
                        .withNewTemplate()
                        .withNewMetadata()
                        .addToLabels("app", "db")
                        .endMetadata()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("db")
                        .withImage("db:1")
                        .endContainer()
                        .endSpec()
                        .endTemplate()
                        .endSpec()
                        .build())
                .create();
        started(Set.of(NS));

        // When it is read
        Workload db = awaitWorkload("StatefulSet", "db");

        // Then the Kubernetes defaults apply and the bad annotation counts as no epoch
        assertEquals(1, db.specReplicas());
        assertEquals(0, db.statusReplicas());
        assertEquals(0, db.writtenEpoch());
        assertEquals(new Selector(Map.of("app", "db"), List.of()), db.selector());
        assertTrue(cluster.workloads().workload(NS, "Deployment", "db").isEmpty(), "kinds are not confused");
    }

    @Test
    @DisplayName("pods(): only the selected pods of the namespace, by name, with sidecars, missing requests, "
            + "readiness and deletion")
    void podsReadBack() {
        // Given a Deployment selecting app=web, tier in (frontend), track notin (canary)
        kube.client()
                .apps()
                .deployments()
                .inNamespace(NS)
                .resource(deployment(
                        NS,
                        "web",
                        4,
                        WEB,
                        Map.of(),
                        requirement("tier", "In", "frontend"),
                        requirement("track", "NotIn", "canary")))
                .create();
        Map<String, String> selected = Map.of("app", "web", "tier", "frontend");
        // a ready pod with a sidecar and an ordinary init container, requests in several notations
        kube.client()
                .pods()
                .inNamespace(NS)
                .resource(pod(
                        NS,
                        "web-b",
                        selected,
                        "Running",
                        "2026-01-01T00:00:00Z",
                        List.of(ready("True", "2026-01-01T00:00:30Z")),
                        List.of(container("app", "0.5"), container("agent", "1.0001")),
                        List.of(initContainer("migrate", "1", null), initContainer("proxy", "100m", "Always"))))
                .create();
        // an unready pod whose container sets no cpu request
        kube.client()
                .pods()
                .inNamespace(NS)
                .resource(pod(
                        NS,
                        "web-a",
                        selected,
                        "Running",
                        "2026-01-01T00:01:00Z",
                        List.of(ready("False", "2026-01-01T00:01:10Z")),
                        List.of(container("app", null)),
                        List.of()))
                .create();
        // a pending pod with no Ready condition and no start time
        kube.client()
                .pods()
                .inNamespace(NS)
                .resource(pod(
                        NS, "web-d", selected, "Pending", null, List.of(), List.of(container("app", "1")), List.of()))
                .create();
        // a pod being deleted (held by a finalizer)
        kube.client()
                .pods()
                .inNamespace(NS)
                .resource(new io.fabric8.kubernetes.api.model.PodBuilder(runningPod(NS, "web-c", selected, "250m"))
                        .editMetadata()
                        .addToFinalizers("zkscale.dev/test")
                        .endMetadata()
                        .build())
                .create();
        kube.client().pods().inNamespace(NS).withName("web-c").delete();
        // pods the selector must leave out
        kube.client()
                .pods()
                .inNamespace(NS)
                .resource(
                        runningPod(NS, "web-canary", Map.of("app", "web", "tier", "frontend", "track", "canary"), "1"))
                .create();
        kube.client()
                .pods()
                .inNamespace(NS)
                .resource(runningPod(NS, "web-backend", Map.of("app", "web", "tier", "backend"), "1"))
                .create();
        kube.client()
                .pods()
                .inNamespace(NS)
                .resource(runningPod(NS, "shop-api", Map.of("app", "api"), "1"))
                .create();
        kube.client()
                .pods()
                .inNamespace("elsewhere")
                .resource(runningPod("elsewhere", "web-z", selected, "1"))
                .create();
        started(Set.of());
        Workload web = awaitWorkload("Deployment", "web");

        // When the loop lists the workload's pods
        List<Pod> pods = await().atMost(Duration.ofSeconds(5))
                .until(
                        () -> cluster.workloads().pods(web),
                        p -> p.size() == 4 && p.get(2).deleting());

        // Then they are exactly these, converted
        assertEquals(
                List.of(
                        new Pod(
                                "web-a",
                                "Running",
                                Readiness.FALSE,
                                false,
                                Instant.parse("2026-01-01T00:01:00Z"),
                                Instant.parse("2026-01-01T00:01:10Z"),
                                List.of(new Pod.Container("app", null, false))),
                        new Pod(
                                "web-b",
                                "Running",
                                Readiness.TRUE,
                                false,
                                Instant.parse("2026-01-01T00:00:00Z"),
                                Instant.parse("2026-01-01T00:00:30Z"),
                                List.of(
                                        new Pod.Container("app", 500L, false),
                                        new Pod.Container("agent", 1001L, false),
                                        new Pod.Container("proxy", 100L, true))),
                        new Pod(
                                "web-c",
                                "Running",
                                Readiness.TRUE,
                                true,
                                Instant.parse("2026-01-01T00:00:00Z"),
                                Instant.parse("2026-01-01T00:00:30Z"),
                                List.of(new Pod.Container("app", 250L, false))),
                        new Pod(
                                "web-d",
                                "Pending",
                                Readiness.NONE,
                                false,
                                null,
                                Pod.VERY_OLD,
                                List.of(new Pod.Container("app", 1000L, false)))),
                pods);
    }

    @Test
    @DisplayName("pods(): a Ready condition with status Unknown reads as UNKNOWN")
    void unknownReadiness() {
        // Given a pod whose node stopped reporting
        kube.client()
                .apps()
                .deployments()
                .inNamespace(NS)
                .resource(deployment(NS, "web", 1, WEB, Map.of()))
                .create();
        kube.client()
                .pods()
                .inNamespace(NS)
                .resource(pod(
                        NS,
                        "web-1",
                        WEB,
                        "Running",
                        "2026-01-01T00:00:00Z",
                        List.of(ready("Unknown", "2026-01-01T00:05:00Z")),
                        List.of(container("app", "200m")),
                        List.of()))
                .create();
        started(Set.of(NS));
        Workload web = awaitWorkload("Deployment", "web");

        // When it is read
        List<Pod> pods = await().atMost(Duration.ofSeconds(5))
                .until(() -> cluster.workloads().pods(web), p -> p.size() == 1);

        // Then its readiness is Unknown, not false
        assertEquals(Readiness.UNKNOWN, pods.get(0).ready());
    }

    @Test
    @DisplayName("podMetrics(): the workload's items only, cpu in millicores rounded up, Go windows parsed, missing "
            + "cpu null")
    void metricsReadBack() throws Exception {
        // Given a workload and PodMetrics as metrics-server serves them: one per pod, labels copied from the pods
        kube.client()
                .apps()
                .deployments()
                .inNamespace(NS)
                .resource(deployment(NS, "web", 3, WEB, Map.of()))
                .create();
        var metrics = kube.client()
                .genericKubernetesResources(KubeCluster.POD_METRICS)
                .inNamespace(NS);
        metrics.resource(podMetrics(
                        NS, "web-1", WEB, "2026-01-01T00:10:00Z", "1m0s", map("app", "250m", "proxy", "123456789n")))
                .create();
        metrics.resource(podMetrics(
                        NS, "web-2", WEB, "2026-01-01T00:10:05Z", "15.5s", map("app", "1.0001", "log", null)))
                .create();
        // (web-3 has no metrics at all) and another workload's pod, which must not be selected
        metrics.resource(podMetrics(
                        NS, "api-1", Map.of("app", "api"), "2026-01-01T00:10:00Z", "30s", map("app", "900m")))
                .create();
        started(Set.of(NS));
        Workload web = awaitWorkload("Deployment", "web");

        // When the loop reads the namespace's metrics and selects the workload's
        List<PodMetrics> selected = cluster.metrics().podMetrics(NS).select(web);

        // Then
        assertEquals(
                List.of(
                        new PodMetrics(
                                "web-1",
                                Instant.parse("2026-01-01T00:10:00Z"),
                                60,
                                List.of(new PodMetrics.Usage("app", 250L), new PodMetrics.Usage("proxy", 124L))),
                        new PodMetrics(
                                "web-2",
                                Instant.parse("2026-01-01T00:10:05Z"),
                                15,
                                List.of(new PodMetrics.Usage("app", 1001L), new PodMetrics.Usage("log", null)))),
                selected.stream()
                        .sorted(java.util.Comparator.comparing(PodMetrics::pod))
                        .toList());
    }

    @Test
    @DisplayName("podMetrics() sends exactly one request per namespace however many workloads select from it; pods() "
            + "and workload() send none")
    void requestCounts() throws Exception {
        // Given two workloads in one namespace, with pods and metrics
        for (String app : List.of("web", "api")) {
            kube.client()
                    .apps()
                    .deployments()
                    .inNamespace(NS)
                    .resource(deployment(NS, app, 2, Map.of("app", app), Map.of()))
                    .create();
            for (int i = 1; i <= 2; i++) {
                kube.client()
                        .pods()
                        .inNamespace(NS)
                        .resource(runningPod(NS, app + "-" + i, Map.of("app", app), "500m"))
                        .create();
                kube.client()
                        .genericKubernetesResources(KubeCluster.POD_METRICS)
                        .inNamespace(NS)
                        .resource(podMetrics(
                                NS,
                                app + "-" + i,
                                Map.of("app", app),
                                "2026-01-01T00:10:00Z",
                                "30s",
                                map("app", "400m")))
                        .create();
            }
        }
        started(Set.of());
        Workload web = awaitWorkload("Deployment", "web");
        Workload apiWorkload = awaitWorkload("Deployment", "api");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> cluster.workloads().pods(web).size() == 2
                        && cluster.workloads().pods(apiWorkload).size() == 2);
        int mark = kube.api().mark();

        // When a pass reads both workloads, their pods and the namespace's metrics once
        for (int pass = 0; pass < 3; pass++) {
            cluster.workloads().workload(NS, "Deployment", "web");
            cluster.workloads().workload(NS, "Deployment", "api");
            cluster.workloads().pods(web);
            cluster.workloads().pods(apiWorkload);
        }
        int afterCacheReads = kube.api().mark();
        NamespaceMetrics shop = cluster.metrics().podMetrics(NS);
        List<PodMetrics> forWeb = shop.select(web);
        List<PodMetrics> forApi = shop.select(apiWorkload);

        // Then the cache reads sent nothing, and the metrics cost exactly one GET
        assertEquals(List.of(), kube.api().requests(mark, r -> !r.isWatch()).subList(0, afterCacheReads - mark));
        List<RecordingDispatcher.Request> sent = kube.api().requests(afterCacheReads, r -> true);
        assertEquals(List.of(new RecordingDispatcher.Request("GET", METRICS_PATH)), sent);
        assertEquals(2, forWeb.size());
        assertEquals(2, forApi.size());
    }

    @Test
    @DisplayName("a metrics API answering 503 is MetricsUnavailableException after one request, never an empty list")
    void metrics503() {
        // Given a metrics API that is overloaded (the rest of the API is fine)
        kube.api()
                .server
                .expect()
                .get()
                .withPath(METRICS_PATH)
                .andReturn(503, failure(503, "ServiceUnavailable", "service unavailable"))
                .always();
        started(Set.of(NS));
        int mark = kube.api().mark();

        // When the loop asks for metrics
        MetricsUnavailableException e = assertThrows(
                MetricsUnavailableException.class, () -> cluster.metrics().podMetrics(NS));

        // Then the failure names the status and the namespace, and was not retried (the client's default would retry
        // 10x)
        assertTrue(e.getMessage().contains("503"), e.getMessage());
        assertTrue(e.getMessage().contains("shop"), e.getMessage());
        assertEquals(
                1, kube.api().requests(mark, r -> r.path().equals(METRICS_PATH)).size());
    }

    @Test
    @DisplayName(
            "a cluster without metrics-server (404 on metrics.k8s.io) is MetricsUnavailableException naming the 404")
    void metricsNotInstalled() {
        // Given no metrics API
        kube.api()
                .server
                .expect()
                .get()
                .withPath(METRICS_PATH)
                .andReturn(404, failure(404, "NotFound", "the server could not find the requested resource"))
                .always();
        started(Set.of(NS));

        // When / Then
        MetricsUnavailableException e = assertThrows(
                MetricsUnavailableException.class, () -> cluster.metrics().podMetrics(NS));
        assertTrue(e.getMessage().contains("404"), e.getMessage());
    }

    @Test
    @DisplayName("a metrics API that cannot be reached is MetricsUnavailableException within the request timeout")
    void metricsUnreachable() {
        // Given a started adapter whose API server then goes away
        started(Set.of(NS));
        kube.api().server.shutdown();

        // When the loop asks for metrics
        long start = System.nanoTime();
        MetricsUnavailableException e = assertThrows(
                MetricsUnavailableException.class, () -> cluster.metrics().podMetrics(NS));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        // Then it fails fast (one attempt), with the error in words
        assertTrue(took.compareTo(MockApi.REQUEST_TIMEOUT.plusSeconds(1)) < 0, "took " + took);
        assertNotNull(e.getMessage());
        assertTrue(e.getMessage().startsWith("cannot read PodMetrics"), e.getMessage());
    }

    @Test
    @DisplayName("a metrics API that does not answer in time is MetricsUnavailableException within the request timeout")
    void metricsHung() {
        // Given a metrics API slower than the client's request timeout
        kube.api()
                .server
                .expect()
                .get()
                .delay(MockApi.REQUEST_TIMEOUT.toMillis() * 3, java.util.concurrent.TimeUnit.MILLISECONDS)
                .withPath(METRICS_PATH)
                .andReturn(
                        200,
                        "{\"kind\":\"PodMetricsList\",\"apiVersion\":\"metrics.k8s.io/v1beta1\"," + "\"items\":[]}")
                .always();
        started(Set.of(NS));
        int mark = kube.api().mark();

        // When
        long start = System.nanoTime();
        MetricsUnavailableException e = assertThrows(
                MetricsUnavailableException.class, () -> cluster.metrics().podMetrics(NS));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        // Then one attempt, bounded by the request timeout
        assertTrue(took.compareTo(MockApi.REQUEST_TIMEOUT.plusSeconds(2)) < 0, "took " + took + ": " + e.getMessage());
        assertEquals(
                1, kube.api().requests(mark, r -> r.path().equals(METRICS_PATH)).size());
    }

    @Test
    @DisplayName("watching() is true once synced and turns false when the API server goes away")
    void watchingReflectsTheWatches() {
        // Given a started adapter
        started(Set.of(NS));
        assertTrue(cluster.watching());

        // When the API server goes away
        kube.api().server.shutdown();

        // Then the adapter reports that its caches no longer follow it
        await().atMost(Duration.ofSeconds(10)).until(() -> !cluster.watching());
    }

    @Test
    @DisplayName("a malformed PodMetrics item is left out and counted; the other items of the namespace still serve")
    void malformedMetrics() throws Exception {
        // Given an item whose window is not a duration, beside a good one
        var metrics = kube.client()
                .genericKubernetesResources(KubeCluster.POD_METRICS)
                .inNamespace(NS);
        metrics.resource(podMetrics(NS, "web-1", WEB, "2026-01-01T00:10:00Z", "soon", map("app", "1")))
                .create();
        metrics.resource(podMetrics(NS, "web-2", WEB, "2026-01-01T00:10:00Z", "30s", map("app", "1")))
                .create();
        started(Set.of(NS));

        // When the loop reads the namespace
        NamespaceMetrics read = cluster.metrics().podMetrics(NS);

        // Then only the bad item's pod is without metrics, and it is counted
        assertEquals(1, read.unreadable());
        Workload web = new Workload(NS, "Deployment", "web", 2, 2, new Selector(WEB, List.of()), 0, "1", null, false);
        assertEquals(
                List.of("web-2"), read.select(web).stream().map(PodMetrics::pod).toList());
    }

    @Test
    @DisplayName("only the configured namespaces are cached; others read as absent and are reported as unwatched")
    void namespaceScope() {
        // Given workloads in two namespaces, and an adapter watching one
        kube.client()
                .apps()
                .deployments()
                .inNamespace(NS)
                .resource(deployment(NS, "web", 1, WEB, Map.of()))
                .create();
        kube.client()
                .apps()
                .deployments()
                .inNamespace("other")
                .resource(deployment("other", "web", 1, WEB, Map.of()))
                .create();
        started(Set.of(NS));

        // When / Then
        awaitWorkload("Deployment", "web");
        assertTrue(cluster.workloads().watches(NS));
        assertFalse(cluster.workloads().watches("other"));
        assertTrue(cluster.workloads().workload("other", "Deployment", "web").isEmpty());
    }

    @Test
    @DisplayName("start() against an unreachable API server fails within its timeout, naming what did not sync")
    void startTimesOut() {
        // Given an API server that is gone
        kube.api().server.shutdown();
        cluster = kube.closedAfter(new KubeCluster(kube.client(), Set.of(NS)));

        // When / Then
        long start = System.nanoTime();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> cluster.start(Duration.ofSeconds(2)));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "took " + took);
        assertTrue(
                e.getMessage().contains("deployments in shop") || e.getMessage().contains("could not start"),
                e.getMessage());
    }
}

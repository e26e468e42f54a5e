package dev.zkscale.kube;

import dev.zkscale.loop.Autoscalers;
import dev.zkscale.loop.Workload;
import io.fabric8.kubernetes.api.model.autoscaling.v2.CrossVersionObjectReference;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The loop's {@link Autoscalers}: a shared informer (list, then watch) of {@code autoscaling/v2}
 * HorizontalPodAutoscalers, one per watched namespace (or one across all namespaces), indexed by the workload their
 * {@code scaleTargetRef} names. The API server serves every HPA in every version it offers, so this one watch also
 * sees HPAs created through {@code autoscaling/v1}.
 *
 * <p>A {@code scaleTargetRef} names the workload when its kind and name are the workload's and its
 * {@code apiVersion} is in the {@code apps} group (or absent). {@link #competing} reads the cache only. Threads: as
 * {@link KubeWorkloads}. {@link #close()} stops the informers; it does not close the client.
 */
final class KubeAutoscalers implements Autoscalers, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KubeAutoscalers.class);
    private static final String ALL = "";
    private static final String BY_TARGET = "scaleTargetRef";

    private final KubernetesClient client;
    private final Set<String> namespaces;
    private volatile Map<String, SharedIndexInformer<HorizontalPodAutoscaler>> informers = Map.of();
    private volatile boolean started;
    private volatile boolean closed;

    /**
     * @param client the client the informers use
     * @param namespaces the namespaces to watch; empty means all namespaces
     */
    KubeAutoscalers(KubernetesClient client, Set<String> namespaces) {
        this.client = client;
        this.namespaces = Set.copyOf(namespaces);
    }

    /**
     * Starts the informers and waits until each has listed the HPAs and started watching.
     *
     * @throws IllegalStateException when they did not sync in time or could not start (RBAC must allow list and watch
     *     of {@code horizontalpodautoscalers} in {@code autoscaling}); the informers are stopped again
     */
    synchronized void start(Duration timeout) {
        if (started || closed) {
            throw new IllegalStateException(closed ? "KubeCluster is closed" : "KubeCluster is already started");
        }
        started = true;
        Map<String, SharedIndexInformer<HorizontalPodAutoscaler>> i = new LinkedHashMap<>();
        if (namespaces.isEmpty()) {
            i.put(
                    ALL,
                    indexed(client.autoscaling()
                            .v2()
                            .horizontalPodAutoscalers()
                            .inAnyNamespace()
                            .runnableInformer(0)));
        } else {
            for (String ns : new TreeSet<>(namespaces)) {
                i.put(
                        ns,
                        indexed(client.autoscaling()
                                .v2()
                                .horizontalPodAutoscalers()
                                .inNamespace(ns)
                                .runnableInformer(0)));
            }
        }
        informers = i;
        List<CompletableFuture<Void>> starting = new ArrayList<>();
        i.values().forEach(informer -> starting.add(informer.start().toCompletableFuture()));
        try {
            CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            stopAll();
            throw new IllegalStateException(
                    "the HorizontalPodAutoscaler cache did not sync within " + timeout.toMillis() + " ms ("
                            + Requests.describe(e.getCause() == null ? e : e.getCause())
                            + "; does RBAC allow list and watch of horizontalpodautoscalers?)",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopAll();
            throw new IllegalStateException("interrupted while waiting for the HorizontalPodAutoscaler cache", e);
        }
        LOG.infof("HorizontalPodAutoscaler cache synced: %s", String.join(", ", i.keySet()));
    }

    private static SharedIndexInformer<HorizontalPodAutoscaler> indexed(
            SharedIndexInformer<HorizontalPodAutoscaler> informer) {
        informer.addIndexers(Map.of(BY_TARGET, hpa -> {
            CrossVersionObjectReference ref =
                    hpa.getSpec() == null ? null : hpa.getSpec().getScaleTargetRef();
            if (ref == null || ref.getKind() == null || ref.getName() == null || !inApps(ref.getApiVersion())) {
                return List.of();
            }
            return List.of(key(hpa.getMetadata().getNamespace(), ref.getKind(), ref.getName()));
        }));
        return informer;
    }

    private static boolean inApps(String apiVersion) {
        return apiVersion == null || apiVersion.isEmpty() || apiVersion.startsWith("apps/");
    }

    private static String key(String namespace, String kind, String name) {
        return namespace + "/" + kind + "/" + name;
    }

    /** {@inheritDoc} From the cache, no request; null when the namespace is not watched. */
    @Override
    public String competing(Workload workload) {
        if (!namespaces.isEmpty() && !namespaces.contains(workload.namespace())) {
            return null;
        }
        SharedIndexInformer<HorizontalPodAutoscaler> informer =
                informers.get(namespaces.isEmpty() ? ALL : workload.namespace());
        if (informer == null) {
            return null;
        }
        List<HorizontalPodAutoscaler> hpas =
                informer.getIndexer().byIndex(BY_TARGET, key(workload.namespace(), workload.kind(), workload.name()));
        if (hpas.isEmpty()) {
            return null;
        }
        return hpas.stream()
                .map(h -> "HorizontalPodAutoscaler " + h.getMetadata().getName() + " (autoscaling/v2)")
                .sorted()
                .collect(Collectors.joining(", "));
    }

    /** True while every informer runs and watches; false before start and after close. */
    boolean watching() {
        return started
                && !closed
                && !informers.isEmpty()
                && informers.values().stream().allMatch(i -> i.isRunning() && i.isWatching());
    }

    /** Stops the informers. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            stopAll();
        }
    }

    private void stopAll() {
        for (SharedIndexInformer<?> informer : informers.values()) {
            try {
                informer.stop();
            } catch (RuntimeException e) {
                LOG.debugf("stopping an informer failed: %s", e);
            }
        }
    }
}

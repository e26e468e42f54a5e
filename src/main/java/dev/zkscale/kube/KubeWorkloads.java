package dev.zkscale.kube;

import static dev.zkscale.kube.KubeCluster.DEPLOYMENT;
import static dev.zkscale.kube.KubeCluster.EPOCH_ANNOTATION;
import static dev.zkscale.kube.KubeCluster.STATEFUL_SET;

import dev.zkscale.core.Pod;
import dev.zkscale.loop.Workload;
import dev.zkscale.loop.Workloads;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The loop's {@link Workloads}: shared informers (list, then watch) for {@code apps/v1} Deployments and StatefulSets
 * and {@code core/v1} Pods, one per watched namespace (or one across all namespaces). {@link #workload} and
 * {@link #pods} read their caches only: they send no request. The caches lag the API server by the watch latency, so a
 * {@link Workload} may already be stale when it is returned; the write's precondition is what catches that.
 *
 * <p>Threads: all methods may be called from any thread after {@link #start}; the caches are updated by the informers'
 * threads. Cached objects are shared and never modified here. {@link #close()} stops the informers; it does not close
 * the client, which the caller owns. The informers keep the client's own retry and reconnect behaviour.
 */
public final class KubeWorkloads implements Workloads, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KubeWorkloads.class);
    private static final String ALL = "";
    private static final long LIST_PAGE = 500;
    private static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    private final KubernetesClient client;
    private final Set<String> namespaces;
    // Filled once by start(), keyed by namespace (ALL for the one informer across all namespaces).
    private volatile Map<String, WorkloadCache<Deployment>> deployments = Map.of();
    private volatile Map<String, WorkloadCache<StatefulSet>> statefulSets = Map.of();
    private volatile Map<String, PodCache> pods = Map.of();
    private final Map<String, String> badEpochWarned = new ConcurrentHashMap<>();

    private volatile boolean started;
    private volatile boolean closed;

    /**
     * Caches that have not started yet.
     *
     * @param client the client the informers use, as configured (API server, credentials, timeouts)
     * @param namespaces the namespaces to watch; empty means all namespaces
     */
    public KubeWorkloads(KubernetesClient client, Set<String> namespaces) {
        this.client = client;
        this.namespaces = Set.copyOf(namespaces);
    }

    /**
     * Starts the informers and waits until every one has listed its objects and started watching.
     *
     * @param timeout how long to wait for all caches to sync
     * @throws IllegalStateException when they did not sync in time or could not start (for example, the API server is
     *     unreachable or RBAC forbids the list); the message names the caches; the informers are stopped again
     */
    public synchronized void start(Duration timeout) {
        if (started || closed) {
            throw new IllegalStateException(closed ? "KubeCluster is closed" : "KubeCluster is already started");
        }
        started = true;
        Map<String, WorkloadCache<Deployment>> d = new LinkedHashMap<>();
        Map<String, WorkloadCache<StatefulSet>> s = new LinkedHashMap<>();
        Map<String, PodCache> p = new LinkedHashMap<>();
        for (String ns : namespaces.isEmpty() ? Set.of(ALL) : new TreeSet<>(namespaces)) {
            d.put(ns, new WorkloadCache<>(inScope(client.apps().deployments(), ns), this::deployment));
            s.put(ns, new WorkloadCache<>(inScope(client.apps().statefulSets(), ns), this::statefulSet));
            p.put(ns, new PodCache(inScope(client.pods(), ns)));
        }
        deployments = d;
        statefulSets = s;
        pods = p;
        Map<String, SharedIndexInformer<?>> all = allInformers();
        List<CompletableFuture<Void>> starting = new ArrayList<>();
        all.values().forEach(i -> starting.add(i.start().toCompletableFuture()));
        try {
            CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            String pending = all.entrySet().stream()
                    .filter(entry -> !entry.getValue().hasSynced())
                    .map(Map.Entry::getKey)
                    .collect(Collectors.joining(", "));
            stopAll();
            throw new IllegalStateException("Kubernetes caches did not sync within " + timeout.toMillis() + " ms: "
                    + pending + " (is the API server at " + client.getMasterUrl()
                    + " reachable, and does RBAC allow list and watch?)");
        } catch (ExecutionException e) {
            stopAll();
            throw new IllegalStateException(
                    "Kubernetes informers could not start at " + client.getMasterUrl() + ": "
                            + Requests.describe(e.getCause()),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopAll();
            throw new IllegalStateException("interrupted while waiting for the Kubernetes caches to sync", e);
        }
        LOG.infof("Kubernetes caches synced: %s", String.join(", ", all.keySet()));
    }

    /**
     * An informer of the resources in {@code namespace} ({@link #ALL}: in all namespaces), not started. It lists in
     * pages of {@value #LIST_PAGE}, as client-go's informers do, so that listing 150,000 pods never holds them all in
     * one response.
     */
    private static <T extends HasMetadata> SharedIndexInformer<T> inScope(
            MixedOperation<T, ?, ?> resources, String namespace) {
        return (namespace.equals(ALL) ? resources.inAnyNamespace() : resources.inNamespace(namespace))
                .withLimit(LIST_PAGE)
                .runnableInformer(0);
    }

    /** A workload informer whose store keeps each object slim and its {@link Workload}. */
    private static final class WorkloadCache<T extends HasMetadata> {
        final SharedIndexInformer<T> informer;
        final SlimStore<T, Workload> store;

        WorkloadCache(SharedIndexInformer<T> informer, Function<T, Workload> convert) {
            this.store = new SlimStore<>(KubeWorkloads::slim, convert);
            this.informer = informer.itemStore(store);
        }
    }

    /**
     * What the cache keeps of a workload: its identifying metadata, uid (for Events) and annotations but the
     * last-applied-configuration (a copy of the whole object); the rest of what is read of it is in its
     * {@link Workload}.
     */
    @SuppressWarnings("unchecked")
    private static <T extends HasMetadata> T slim(T object) {
        ObjectMeta m = object.getMetadata();
        ObjectMeta kept = Conversions.identity(m);
        kept.setUid(m.getUid());
        if (m.getAnnotations() != null) {
            Map<String, String> annotations = new HashMap<>(m.getAnnotations());
            annotations.remove(LAST_APPLIED);
            kept.setAnnotations(annotations);
        }
        T slim = object instanceof Deployment ? (T) new Deployment() : (T) new StatefulSet();
        slim.setMetadata(kept);
        return slim;
    }

    /** Stops the informers. The client stays open. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            stopAll();
        }
    }

    /**
     * True while every informer is running and its watch is established, so the caches follow the API server. False
     * before {@link #start}, after {@link #close}, and while a watch is down (the informer then retries on its own and
     * the caches keep their last content). For a readiness check.
     */
    public boolean watching() {
        Map<String, SharedIndexInformer<?>> all = allInformers();
        return started
                && !closed
                && !all.isEmpty()
                && all.values().stream().allMatch(i -> i.isRunning() && i.isWatching());
    }

    /** True when these caches hold {@code namespace} (all are watched when the namespace set was empty). */
    public boolean watches(String namespace) {
        return namespaces.isEmpty() || namespaces.contains(namespace);
    }

    /**
     * {@inheritDoc}
     *
     * <p>From the cache, no request. {@code spec.replicas} absent reads as 1 (the API server's default),
     * {@code status.replicas} absent as 0; an annotation {@value KubeCluster#EPOCH_ANNOTATION} that is not a decimal
     * long reads as epoch 0 (logged once per value). Empty when the namespace is not watched.
     *
     * @param kind {@value KubeCluster#DEPLOYMENT} or {@value KubeCluster#STATEFUL_SET}
     * @throws IllegalArgumentException for any other kind
     */
    @Override
    public Optional<Workload> workload(String namespace, String kind, String name) {
        WorkloadCache<?> cache = switch (kind) {
            case DEPLOYMENT -> informer(deployments, namespace);
            case STATEFUL_SET -> informer(statefulSets, namespace);
            default ->
                throw new IllegalArgumentException(
                        "unsupported kind \"" + kind + "\" (supported: " + DEPLOYMENT + ", " + STATEFUL_SET + ")");
        };
        return cache == null
                ? Optional.empty()
                : Optional.ofNullable(cache.store.converted(Cache.namespaceKeyFunc(namespace, name)));
    }

    /**
     * A Deployment or StatefulSet as the loop sees it, from the cache or from a response of the API server.
     *
     * @throws IllegalArgumentException for any other object
     */
    Workload workload(HasMetadata object) {
        if (object instanceof Deployment d) {
            return workload(
                    d,
                    DEPLOYMENT,
                    d.getSpec() == null ? null : d.getSpec().getReplicas(),
                    d.getStatus() == null ? null : d.getStatus().getReplicas(),
                    d.getSpec() == null ? null : d.getSpec().getSelector());
        }
        if (object instanceof StatefulSet s) {
            return workload(
                    s,
                    STATEFUL_SET,
                    s.getSpec() == null ? null : s.getSpec().getReplicas(),
                    s.getStatus() == null ? null : s.getStatus().getReplicas(),
                    s.getSpec() == null ? null : s.getSpec().getSelector());
        }
        throw new IllegalArgumentException("not a Deployment or StatefulSet: " + object.getKind());
    }

    /**
     * {@inheritDoc}
     *
     * <p>From the cache, no request: the pods of the workload's namespace whose labels match its selector, sorted by
     * name. Pods being deleted are included (flagged). Empty for an empty selector or an unwatched namespace.
     */
    @Override
    public List<Pod> pods(Workload workload) {
        PodCache cache = informer(pods, workload.namespace());
        if (cache == null || workload.selector().isEmpty()) {
            return List.of();
        }
        return cache.select(workload.namespace(), workload.selector());
    }

    /** The cached object's uid, or null when it is not cached (for the Events' {@code involvedObject}). */
    String uid(String namespace, String kind, String name) {
        WorkloadCache<?> cache = switch (kind) {
            case DEPLOYMENT -> informer(deployments, namespace);
            case STATEFUL_SET -> informer(statefulSets, namespace);
            default -> null;
        };
        HasMetadata cached =
                cache == null ? null : cache.informer.getStore().getByKey(Cache.namespaceKeyFunc(namespace, name));
        return cached == null ? null : cached.getMetadata().getUid();
    }

    private Workload deployment(Deployment d) {
        return workload(
                d,
                DEPLOYMENT,
                d.getSpec() == null ? null : d.getSpec().getReplicas(),
                d.getStatus() == null ? null : d.getStatus().getReplicas(),
                d.getSpec() == null ? null : d.getSpec().getSelector());
    }

    private Workload statefulSet(StatefulSet s) {
        return workload(
                s,
                STATEFUL_SET,
                s.getSpec() == null ? null : s.getSpec().getReplicas(),
                s.getStatus() == null ? null : s.getStatus().getReplicas(),
                s.getSpec() == null ? null : s.getSpec().getSelector());
    }

    private Workload workload(
            HasMetadata object, String kind, Integer specReplicas, Integer statusReplicas, LabelSelector selector) {
        Map<String, String> annotations = object.getMetadata().getAnnotations();
        String epoch = annotations == null ? null : annotations.get(EPOCH_ANNOTATION);
        return new Workload(
                object.getMetadata().getNamespace(),
                kind,
                object.getMetadata().getName(),
                specReplicas == null ? 1 : specReplicas,
                statusReplicas == null ? 0 : statusReplicas,
                Conversions.selector(selector),
                epochOf(object, kind, epoch),
                object.getMetadata().getResourceVersion(),
                epoch,
                annotations != null && !annotations.isEmpty());
    }

    private long epochOf(HasMetadata object, String kind, String value) {
        if (value == null) {
            return 0;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            String key = kind + " " + object.getMetadata().getNamespace() + "/"
                    + object.getMetadata().getName();
            if (!value.equals(badEpochWarned.put(key, value))) {
                LOG.warnf("%s: annotation %s=\"%s\" is not a decimal number; taken as 0", key, EPOCH_ANNOTATION, value);
            }
            return 0;
        }
    }

    private <T> T informer(Map<String, T> informers, String namespace) {
        if (!watches(namespace)) {
            return null;
        }
        return informers.get(namespaces.isEmpty() ? ALL : namespace);
    }

    private Map<String, SharedIndexInformer<?>> allInformers() {
        Map<String, SharedIndexInformer<?>> all = new LinkedHashMap<>();
        deployments.forEach((ns, c) -> all.put("deployments" + scope(ns), c.informer));
        statefulSets.forEach((ns, c) -> all.put("statefulsets" + scope(ns), c.informer));
        pods.forEach((ns, c) -> all.put("pods" + scope(ns), c.informer()));
        return all;
    }

    private static String scope(String namespace) {
        return namespace.equals(ALL) ? " in all namespaces" : " in " + namespace;
    }

    private void stopAll() {
        for (SharedIndexInformer<?> informer : allInformers().values()) {
            try {
                informer.stop();
            } catch (RuntimeException e) {
                LOG.debugf("stopping an informer failed: %s", e);
            }
        }
    }
}

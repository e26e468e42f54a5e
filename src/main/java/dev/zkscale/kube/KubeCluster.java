package dev.zkscale.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscale.core.Pod;
import dev.zkscale.core.PodMetrics;
import dev.zkscale.loop.Cluster;
import dev.zkscale.loop.Selector;
import dev.zkscale.loop.Workload;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.RequestConfig;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The control loop's {@link Cluster} on a real Kubernetes API, through a fabric8 {@link KubernetesClient}.
 *
 * <h2>Reads</h2>
 * {@link #start(Duration)} starts shared informers (list, then watch) for {@code apps/v1} Deployments and StatefulSets
 * and {@code core/v1} Pods, one per watched namespace (or one across all namespaces), and waits until their caches have
 * synced. {@link #workload} and {@link #pods} then read those caches only: they send no request. The caches lag the API
 * server by the watch latency, so a {@link Workload} may already be stale when it is returned; that is what the
 * {@code resourceVersion} test in {@link #scale} is for. {@link #podMetrics} sends exactly one request per call (a LIST
 * of {@code metrics.k8s.io/v1beta1} PodMetrics in the namespace); the loop calls it once per namespace per pass and
 * selects each workload's items from the result in memory, by the workload's selector against the PodMetrics labels
 * (metrics-server copies each pod's labels onto its PodMetrics).
 *
 * <h2>Writes</h2>
 * {@link #scale} sends one JSON Patch (RFC 6902) that tests {@code metadata.resourceVersion}, replaces
 * {@code spec.replicas} and sets the annotation {@value #EPOCH_ANNOTATION}. The test makes the API server refuse
 * the write if anyone changed the object since it was read, so a deposed leader's write cannot land after a newer
 * leader's: the newer leader's write changed the resourceVersion. {@link #event} creates a {@code core/v1} Event.
 *
 * <h2>Requests and retries</h2>
 * Every request this class sends itself (metrics, patch, re-read after a conflict, events) is made once, without the
 * client's automatic retries on 429/5xx/connection errors: the loop retries on its next pass, and a retried request
 * would stall it for the whole back-off. Each request is bounded by the client's request and connection timeouts, so
 * give the client short ones (a few seconds) where a pass must not stall. The informers keep the client's own retry
 * and reconnect behaviour.
 *
 * <h2>Threads</h2>
 * All methods may be called from any thread after {@link #start}; the caches are updated by the informers' threads.
 * Cached objects are shared and never modified here. {@link #close()} stops the informers; it does not close the
 * client, which the caller owns.
 *
 * <h2>Units</h2>
 * CPU quantities are converted to millicores, rounded up as Kubernetes' {@code Quantity.MilliValue()} does; PodMetrics
 * windows to whole seconds, rounded down.
 */
public final class KubeCluster implements Cluster, AutoCloseable {

    /** The annotation that carries the epoch of the leader that last scaled the workload (a decimal long). */
    public static final String EPOCH_ANNOTATION = "zkscale.dev/leader-epoch";
    /** The {@code kind} of a Deployment target. */
    public static final String DEPLOYMENT = "Deployment";
    /** The {@code kind} of a StatefulSet target. */
    public static final String STATEFUL_SET = "StatefulSet";
    /** The Event {@code source.component} and {@code reportingComponent}. */
    public static final String COMPONENT = "zkscale";

    public static final ResourceDefinitionContext POD_METRICS = new ResourceDefinitionContext.Builder()
            .withGroup("metrics.k8s.io")
            .withVersion("v1beta1")
            .withKind("PodMetrics")
            .withPlural("pods")
            .withNamespaced(true)
            .build();

    private static final Logger LOG = Logger.getLogger(KubeCluster.class);
    private static final String ALL = "";
    /** The pod caches' index by label: one key {@code namespace/key=value} per label of each pod. */
    private static final String LABEL_INDEX = "zkscale.dev/labels";
    /** A label bucket this small is taken at once, without looking for a smaller one among the other labels. */
    private static final int SMALL_BUCKET = 64;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_NAME = 253;
    private static final int MAX_MESSAGE = 1024;

    private final KubernetesClient client;
    private final KubernetesClient once;
    private final Set<String> namespaces;
    private final Clock clock;
    // Filled once by start(), keyed by namespace (ALL for the one informer across all namespaces).
    private volatile Map<String, SharedIndexInformer<Deployment>> deployments = Map.of();
    private volatile Map<String, SharedIndexInformer<StatefulSet>> statefulSets = Map.of();
    private volatile Map<String, SharedIndexInformer<io.fabric8.kubernetes.api.model.Pod>> pods = Map.of();
    private final Map<String, String> badEpochWarned = new ConcurrentHashMap<>();
    /** Each cached pod's conversion, by cache key, kept while the cache holds that very object (see {@link #pod}). */
    private final Map<String, Converted> converted = new ConcurrentHashMap<>();

    private volatile boolean started;
    private volatile boolean closed;

    /**
     * An adapter that has not started yet.
     *
     * @param client the client to use; its configuration (API server, credentials, timeouts) is used as is
     * @param namespaces the namespaces to watch; empty means all namespaces
     */
    public KubeCluster(KubernetesClient client, Set<String> namespaces) {
        this(client, namespaces, Clock.systemUTC());
    }

    /** As {@link #KubeCluster(KubernetesClient, Set)}, with the clock that stamps Events. */
    public KubeCluster(KubernetesClient client, Set<String> namespaces, Clock clock) {
        this.client = client;
        this.namespaces = Set.copyOf(namespaces);
        this.clock = clock;
        RequestConfig single = new RequestConfigBuilder(
                        client.getConfiguration().getRequestConfig())
                .withRequestRetryBackoffLimit(0)
                .build();
        // Shares the client's HTTP connection pool; only the per-request settings differ. Not closed here.
        this.once = client.newClient(single).adapt(KubernetesClient.class);
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
        Map<String, SharedIndexInformer<Deployment>> d = new LinkedHashMap<>();
        Map<String, SharedIndexInformer<StatefulSet>> s = new LinkedHashMap<>();
        Map<String, SharedIndexInformer<io.fabric8.kubernetes.api.model.Pod>> p = new LinkedHashMap<>();
        if (namespaces.isEmpty()) {
            d.put(
                    ALL,
                    withoutManagedFields(
                            client.apps().deployments().inAnyNamespace().runnableInformer(0)));
            s.put(
                    ALL,
                    withoutManagedFields(
                            client.apps().statefulSets().inAnyNamespace().runnableInformer(0)));
            p.put(ALL, withoutManagedFields(client.pods().inAnyNamespace().runnableInformer(0)));
        } else {
            for (String ns : new TreeSet<>(namespaces)) {
                d.put(
                        ns,
                        withoutManagedFields(
                                client.apps().deployments().inNamespace(ns).runnableInformer(0)));
                s.put(
                        ns,
                        withoutManagedFields(
                                client.apps().statefulSets().inNamespace(ns).runnableInformer(0)));
                p.put(ns, withoutManagedFields(client.pods().inNamespace(ns).runnableInformer(0)));
            }
        }
        // Without it, every target's pods() would scan every pod of its namespace: targets x pods label matches.
        p.values().forEach(i -> {
            i.addIndexers(Map.of(LABEL_INDEX, KubeCluster::labelIndexKeys));
            i.addEventHandler(new ResourceEventHandler<>() {
                @Override
                public void onAdd(io.fabric8.kubernetes.api.model.Pod pod) {}

                @Override
                public void onUpdate(io.fabric8.kubernetes.api.model.Pod old, io.fabric8.kubernetes.api.model.Pod pod) {
                    converted.computeIfPresent(Cache.metaNamespaceKeyFunc(old), (k, c) -> c.source() == old ? null : c);
                }

                @Override
                public void onDelete(io.fabric8.kubernetes.api.model.Pod pod, boolean finalStateUnknown) {
                    converted.remove(Cache.metaNamespaceKeyFunc(pod));
                }
            });
        });
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
                    "Kubernetes informers could not start at " + client.getMasterUrl() + ": " + describe(e.getCause()),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopAll();
            throw new IllegalStateException("interrupted while waiting for the Kubernetes caches to sync", e);
        }
        LOG.infof("Kubernetes caches synced: %s", String.join(", ", all.keySet()));
    }

    /**
     * The informer, caching its objects without {@code metadata.managedFields}: the API server's server-side apply
     * bookkeeping, never read here, and on a pod often larger than everything zkscale reads of it.
     */
    private static <T extends HasMetadata> SharedIndexInformer<T> withoutManagedFields(
            SharedIndexInformer<T> informer) {
        return informer.itemStore(new BasicItemStore<>(Cache::metaNamespaceKeyFunc) {
            @Override
            public T put(String key, T object) {
                object.getMetadata().setManagedFields(null);
                return super.put(key, object);
            }
        });
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

    /** True when this adapter caches {@code namespace} (all are watched when the namespace set was empty). */
    public boolean watches(String namespace) {
        return namespaces.isEmpty() || namespaces.contains(namespace);
    }

    /**
     * {@inheritDoc}
     *
     * <p>From the cache, no request. {@code spec.replicas} absent reads as 1 (the API server's default),
     * {@code status.replicas} absent as 0; an annotation {@value #EPOCH_ANNOTATION} that is not a decimal long reads as
     * 0 (logged once per value). Empty when the namespace is not watched.
     *
     * @param kind {@value #DEPLOYMENT} or {@value #STATEFUL_SET}
     * @throws IllegalArgumentException for any other kind
     */
    @Override
    public Optional<Workload> workload(String namespace, String kind, String name) {
        String key = Cache.namespaceKeyFunc(namespace, name);
        switch (kind) {
            case DEPLOYMENT -> {
                SharedIndexInformer<Deployment> informer = informer(deployments, namespace);
                Deployment d = informer == null ? null : informer.getStore().getByKey(key);
                if (d == null) {
                    return Optional.empty();
                }
                return Optional.of(workload(
                        d,
                        kind,
                        d.getSpec() == null ? null : d.getSpec().getReplicas(),
                        d.getStatus() == null ? null : d.getStatus().getReplicas(),
                        d.getSpec() == null ? null : d.getSpec().getSelector()));
            }
            case STATEFUL_SET -> {
                SharedIndexInformer<StatefulSet> informer = informer(statefulSets, namespace);
                StatefulSet s = informer == null ? null : informer.getStore().getByKey(key);
                if (s == null) {
                    return Optional.empty();
                }
                return Optional.of(workload(
                        s,
                        kind,
                        s.getSpec() == null ? null : s.getSpec().getReplicas(),
                        s.getStatus() == null ? null : s.getStatus().getReplicas(),
                        s.getSpec() == null ? null : s.getSpec().getSelector()));
            }
            default ->
                throw new IllegalArgumentException(
                        "unsupported kind \"" + kind + "\" (supported: " + DEPLOYMENT + ", " + STATEFUL_SET + ")");
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>From the cache, no request: the pods of the workload's namespace whose labels match its selector, sorted by
     * name. Pods being deleted are included (flagged). Empty for an empty selector or an unwatched namespace. The
     * candidates come from the cache's label index (the smallest bucket among the selector's {@code matchLabels}), so
     * the cost follows the workload's pods, not the namespace's; a selector of {@code matchExpressions} only scans
     * the namespace.
     */
    @Override
    public List<Pod> pods(Workload workload) {
        SharedIndexInformer<io.fabric8.kubernetes.api.model.Pod> informer = informer(pods, workload.namespace());
        if (informer == null || workload.selector().isEmpty()) {
            return List.of();
        }
        return candidates(informer.getIndexer(), workload.namespace(), workload.selector()).stream()
                .filter(p -> workload.selector().matches(p.getMetadata().getLabels()))
                .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
                .map(p -> pod(informer.getIndexer(), p))
                .toList();
    }

    /**
     * {@inheritDoc}
     *
     * <p>One LIST request, made once (no client retry), bounded by the client's request timeout. Items are converted
     * when read: CPU usage to millicores (rounded up; null when a container reports no {@code cpu}), the {@code window}
     * from Go duration text to whole seconds (rounded down). The result's {@code select} makes no request.
     *
     * @throws MetricsUnavailableException on any HTTP error (404 when the metrics API is not installed, 403, 503 ...),
     *     timeout or connection error, or an item that cannot be read; the message names the namespace and the cause
     */
    @Override
    public NamespaceMetrics podMetrics(String namespace) throws MetricsUnavailableException {
        List<GenericKubernetesResource> items;
        try {
            items = once.genericKubernetesResources(POD_METRICS)
                    .inNamespace(namespace)
                    .list()
                    .getItems();
        } catch (RuntimeException e) {
            throw new MetricsUnavailableException(
                    "cannot read PodMetrics (metrics.k8s.io/v1beta1) in namespace " + namespace + ": " + describe(e),
                    e);
        }
        List<LabelledMetrics> converted = new ArrayList<>(items.size());
        for (GenericKubernetesResource item : items) {
            try {
                Map<String, String> labels =
                        item.getMetadata() == null ? null : item.getMetadata().getLabels();
                converted.add(new LabelledMetrics(
                        labels == null ? Map.of() : Map.copyOf(labels), Conversions.podMetrics(item)));
            } catch (IllegalArgumentException e) {
                throw new MetricsUnavailableException(
                        "cannot read PodMetrics in namespace " + namespace + ": " + e.getMessage(), e);
            }
        }
        return new ListedMetrics(namespace, List.copyOf(converted), byLabel(converted));
    }

    /** The items by label ({@code key=value}), each bucket in list order. */
    private static Map<String, List<LabelledMetrics>> byLabel(List<LabelledMetrics> items) {
        Map<String, List<LabelledMetrics>> index = new HashMap<>();
        for (LabelledMetrics item : items) {
            item.labels()
                    .forEach((key, value) -> index.computeIfAbsent(key + "=" + value, k -> new ArrayList<>())
                            .add(item));
        }
        return index;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Outcomes:
     * <ul>
     * <li>{@code workload.writtenEpoch() > epoch}: {@code FENCED}, and no request is sent.</li>
     * <li>Otherwise one JSON Patch: {@code test /metadata/resourceVersion}, {@code replace /spec/replicas}, and the epoch
     * annotation. 2xx: {@code SUCCESS}.</li>
     * <li>409 or 422 (the object changed since it was read): one GET. If it now carries an epoch greater than ours,
     * {@code FENCED} (a newer leader wrote; never retry with this epoch); otherwise {@code FAILURE} (an unrelated
     * change: retry on the next pass with a fresh read). If it did not change at all, the server refused the write for
     * another reason (validation, an admission webhook): {@code FAILURE} with the server's message.</li>
     * <li>404: {@code FAILURE} "workload vanished". 429, 5xx, timeouts, connection errors, an unsupported kind:
     * {@code FAILURE} naming the status or error. A timed-out write may still have been applied. Negative replicas:
     * {@code FAILURE} without a request.</li>
     * </ul>
     */
    @Override
    public WriteResult scale(Workload workload, int replicas, long epoch) {
        if (workload.writtenEpoch() > epoch) {
            return fenced("not written: " + describe(workload) + " carries epoch " + workload.writtenEpoch()
                    + ", newer than ours (" + epoch + ")");
        }
        if (replicas < 0) {
            return failure("not written: " + replicas + " replicas for " + describe(workload));
        }
        Resource<? extends HasMetadata> resource;
        String patch;
        try {
            resource = resource(workload);
            patch = scalePatch(workload, replicas, epoch);
        } catch (RuntimeException e) {
            return failure("not written: " + e.getMessage());
        }
        try {
            resource.patch(PatchContext.of(PatchType.JSON), patch);
            return new WriteResult(
                    WriteResult.Result.SUCCESS,
                    describe(workload) + " scaled from " + workload.specReplicas() + " to " + replicas
                            + " replicas at epoch " + epoch);
        } catch (KubernetesClientException e) {
            int code = e.getCode();
            if (code == 409 || code == 422) {
                return afterConflict(workload, resource, epoch, e);
            }
            if (code == 404) {
                return failure("workload vanished: " + describe(workload) + " was not found (HTTP 404)");
            }
            return failure("write of " + describe(workload) + " failed: " + describe(e));
        } catch (RuntimeException e) {
            return failure("write of " + describe(workload) + " failed: " + describe(e));
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>One request, made once. The Event's {@code involvedObject} is {@code apps/v1} {@code kind} {@code name} in
     * {@code namespace}, with the uid from the cache when the object is cached; {@code source.component} is
     * {@value #COMPONENT}; count 1; first and last timestamps now; a unique name ({@code <name>.<16 hex digits>}). A
     * message longer than 1024 characters is cut.
     */
    @Override
    public void event(String namespace, String kind, String name, boolean warning, String reason, String message) {
        String now = DateTimeFormatter.ISO_INSTANT.format(Instant.now(clock).truncatedTo(ChronoUnit.SECONDS));
        String suffix = String.format(".%016x", ThreadLocalRandom.current().nextLong());
        String base = name.length() + suffix.length() > MAX_NAME ? name.substring(0, MAX_NAME - suffix.length()) : name;
        String text = message == null ? "" : message;
        if (text.length() > MAX_MESSAGE) {
            text = text.substring(0, MAX_MESSAGE - 3) + "...";
        }
        Event event = new EventBuilder()
                .withNewMetadata()
                .withName(base + suffix)
                .withNamespace(namespace)
                .endMetadata()
                .withNewInvolvedObject()
                .withApiVersion("apps/v1")
                .withKind(kind)
                .withName(name)
                .withNamespace(namespace)
                .withUid(uid(namespace, kind, name))
                .endInvolvedObject()
                .withType(warning ? "Warning" : "Normal")
                .withReason(reason)
                .withMessage(text)
                .withNewSource()
                .withComponent(COMPONENT)
                .endSource()
                .withReportingComponent(COMPONENT)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withCount(1)
                .build();
        try {
            once.v1().events().inNamespace(namespace).resource(event).create();
        } catch (RuntimeException e) {
            LOG.warnf(
                    "could not record Event %s (%s) on %s %s/%s: %s",
                    reason, warning ? "Warning" : "Normal", kind, namespace, name, describe(e));
        }
    }

    // --- internals -------------------------------------------------------------------------------------------------

    /** A cached pod and its conversion. */
    private record Converted(io.fabric8.kubernetes.api.model.Pod source, Pod pod) {}

    /**
     * The pod converted, once per version: cached objects are replaced, never changed, so a conversion is reused while
     * the cache holds the very object it was made from. Converting every pod of every target on every pass would
     * spend most of a pass parsing times and quantities, and would give each recorded decision its own copies.
     *
     * <p>Entries go when the informer reports the pod deleted (or replaced). A conversion stored just after such a
     * report would outlive it, so it is kept only if the cache still holds its object after it was stored.
     */
    private Pod pod(Indexer<io.fabric8.kubernetes.api.model.Pod> indexer, io.fabric8.kubernetes.api.model.Pod source) {
        String key = Cache.metaNamespaceKeyFunc(source);
        Converted known = converted.get(key);
        if (known != null && known.source() == source) {
            return known.pod();
        }
        Converted fresh = new Converted(source, Conversions.pod(source));
        converted.put(key, fresh);
        if (indexer.getByKey(key) != source) {
            converted.remove(key, fresh);
        }
        return fresh.pod();
    }

    /** The label index keys of an object: {@code namespace/key=value} for each label. */
    static List<String> labelIndexKeys(HasMetadata object) {
        Map<String, String> labels = object.getMetadata().getLabels();
        if (labels == null || labels.isEmpty()) {
            return List.of();
        }
        String namespace = object.getMetadata().getNamespace();
        List<String> keys = new ArrayList<>(labels.size());
        labels.forEach((key, value) -> keys.add(namespace + "/" + key + "=" + value));
        return keys;
    }

    /**
     * A superset of the namespace's pods that match {@code selector}: the smallest label bucket among its
     * {@code matchLabels} (every match carries each of those labels), or the whole namespace when it has none.
     */
    private static List<io.fabric8.kubernetes.api.model.Pod> candidates(
            Indexer<io.fabric8.kubernetes.api.model.Pod> indexer, String namespace, Selector selector) {
        if (selector.matchLabels().isEmpty()) {
            return indexer.byIndex(Cache.NAMESPACE_INDEX, namespace);
        }
        List<String> smallest = null;
        for (Map.Entry<String, String> label : selector.matchLabels().entrySet()) {
            List<String> keys =
                    indexer.indexKeys(LABEL_INDEX, namespace + "/" + label.getKey() + "=" + label.getValue());
            if (smallest == null || keys.size() < smallest.size()) {
                smallest = keys;
            }
            if (smallest.size() <= SMALL_BUCKET) {
                break;
            }
        }
        List<io.fabric8.kubernetes.api.model.Pod> pods = new ArrayList<>(smallest.size());
        for (String key : smallest) {
            io.fabric8.kubernetes.api.model.Pod pod = indexer.getByKey(key);
            if (pod != null) {
                pods.add(pod);
            }
        }
        return pods;
    }

    private WriteResult afterConflict(
            Workload workload,
            Resource<? extends HasMetadata> resource,
            long epoch,
            KubernetesClientException refused) {
        HasMetadata current;
        try {
            current = resource.get();
        } catch (RuntimeException e) {
            return failure("conflict, retry next pass: " + describe(workload) + " changed since it was read ("
                    + describe(refused) + "), and re-reading it failed: " + describe(e));
        }
        if (current == null) {
            return failure("workload vanished: " + describe(workload) + " changed since it was read and is now gone");
        }
        long written = epochOf(current, workload.kind());
        if (workload.resourceVersion().equals(current.getMetadata().getResourceVersion())) {
            // Unchanged since the read, so the refusal was not the resourceVersion test: validation or admission.
            return failure("write of " + describe(workload) + " rejected: " + describe(refused));
        }
        if (written > epoch) {
            return fenced("refused by the API server: " + describe(workload) + " was written at epoch " + written
                    + ", newer than ours (" + epoch + ")");
        }
        return failure("conflict, retry next pass: " + describe(workload)
                + " changed since it was read (resourceVersion " + workload.resourceVersion() + ", now "
                + current.getMetadata().getResourceVersion() + ")");
    }

    private String scalePatch(Workload workload, int replicas, long epoch) {
        if (workload.resourceVersion() == null || workload.resourceVersion().isEmpty()) {
            throw new IllegalArgumentException(
                    describe(workload) + " has no resourceVersion to condition the write on");
        }
        ArrayNode ops = JSON.createArrayNode();
        ops.addObject()
                .put("op", "test")
                .put("path", "/metadata/resourceVersion")
                .put("value", workload.resourceVersion());
        ops.addObject().put("op", "replace").put("path", "/spec/replicas").put("value", replicas);
        if (readWithAnnotations(workload)) {
            ops.addObject()
                    .put("op", "add")
                    .put("path", "/metadata/annotations/" + pointerToken(EPOCH_ANNOTATION))
                    .put("value", Long.toString(epoch));
        } else {
            ObjectNode add = ops.addObject().put("op", "add").put("path", "/metadata/annotations");
            add.putObject("value").put(EPOCH_ANNOTATION, Long.toString(epoch));
        }
        return ops.toString();
    }

    /**
     * Whether the object, as it was when {@code workload} was read, has an annotations map. Known from the cache while it
     * still holds that version. If the cache has moved on (or lost the object), the object changed since the read, so
     * the patch's resourceVersion test fails whatever follows it: the answer then does not matter.
     */
    private boolean readWithAnnotations(Workload workload) {
        HasMetadata cached = cached(workload.namespace(), workload.kind(), workload.name());
        if (cached == null
                || !workload.resourceVersion().equals(cached.getMetadata().getResourceVersion())) {
            return true;
        }
        Map<String, String> annotations = cached.getMetadata().getAnnotations();
        return annotations != null && !annotations.isEmpty();
    }

    /** RFC 6901: "~" becomes "~0" and "/" becomes "~1". */
    static String pointerToken(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    /**
     * The workload as a fabric8 resource bound to a stub object (namespace and name only). fabric8's
     * {@code patch(PatchContext, String)} GETs the object first unless the operation already holds an item; the stub
     * saves that request. Its {@code get()} still reads the object from the server.
     */
    private Resource<? extends HasMetadata> resource(Workload workload) {
        ObjectMeta meta = new ObjectMetaBuilder()
                .withNamespace(workload.namespace())
                .withName(workload.name())
                .build();
        return switch (workload.kind()) {
            case DEPLOYMENT ->
                once.apps()
                        .deployments()
                        .inNamespace(workload.namespace())
                        .resource(new DeploymentBuilder().withMetadata(meta).build());
            case STATEFUL_SET ->
                once.apps()
                        .statefulSets()
                        .inNamespace(workload.namespace())
                        .resource(new StatefulSetBuilder().withMetadata(meta).build());
            default ->
                throw new IllegalArgumentException("unsupported kind \"" + workload.kind() + "\" (supported: "
                        + DEPLOYMENT + ", " + STATEFUL_SET + ")");
        };
    }

    private HasMetadata cached(String namespace, String kind, String name) {
        String key = Cache.namespaceKeyFunc(namespace, name);
        SharedIndexInformer<? extends HasMetadata> informer = switch (kind) {
            case DEPLOYMENT -> informer(deployments, namespace);
            case STATEFUL_SET -> informer(statefulSets, namespace);
            default -> null;
        };
        return informer == null ? null : informer.getStore().getByKey(key);
    }

    private String uid(String namespace, String kind, String name) {
        HasMetadata cached = cached(namespace, kind, name);
        return cached == null ? null : cached.getMetadata().getUid();
    }

    private Workload workload(
            HasMetadata object, String kind, Integer specReplicas, Integer statusReplicas, LabelSelector selector) {
        Selector converted = Conversions.selector(selector);
        return new Workload(
                object.getMetadata().getNamespace(),
                kind,
                object.getMetadata().getName(),
                specReplicas == null ? 1 : specReplicas,
                statusReplicas == null ? 0 : statusReplicas,
                converted,
                epochOf(object, kind),
                object.getMetadata().getResourceVersion());
    }

    private long epochOf(HasMetadata object, String kind) {
        Map<String, String> annotations = object.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(EPOCH_ANNOTATION);
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

    private <T> SharedIndexInformer<T> informer(Map<String, SharedIndexInformer<T>> informers, String namespace) {
        if (!watches(namespace)) {
            return null;
        }
        return informers.get(namespaces.isEmpty() ? ALL : namespace);
    }

    private Map<String, SharedIndexInformer<?>> allInformers() {
        Map<String, SharedIndexInformer<?>> all = new LinkedHashMap<>();
        deployments.forEach((ns, i) -> all.put("deployments" + scope(ns), i));
        statefulSets.forEach((ns, i) -> all.put("statefulsets" + scope(ns), i));
        pods.forEach((ns, i) -> all.put("pods" + scope(ns), i));
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

    private static WriteResult fenced(String detail) {
        return new WriteResult(WriteResult.Result.FENCED, detail);
    }

    private static WriteResult failure(String detail) {
        return new WriteResult(WriteResult.Result.FAILURE, detail);
    }

    private static String describe(Workload workload) {
        return workload.kind() + " " + workload.namespace() + "/" + workload.name();
    }

    /** An error in words: the HTTP status and the server's message, or the underlying error. */
    static String describe(Throwable error) {
        if (error instanceof KubernetesClientException k && k.getCode() > 0) {
            String reason = k.getStatus() == null ? null : k.getStatus().getReason();
            String message = k.getStatus() == null || k.getStatus().getMessage() == null
                    ? k.getMessage()
                    : k.getStatus().getMessage();
            return "HTTP " + k.getCode() + (reason == null || reason.isEmpty() ? "" : " " + reason) + ": " + message;
        }
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        return error instanceof KubernetesClientException ? "no response from the API server (" + text + ")" : text;
    }

    /** A namespace's converted PodMetrics items, each with the labels it was listed with. */
    private record LabelledMetrics(Map<String, String> labels, PodMetrics metrics) {}

    /**
     * A namespace's PodMetrics with an index by label, so that selecting a workload's items looks at the smallest
     * bucket among its selector's {@code matchLabels} rather than at every item of the namespace (a selector of
     * {@code matchExpressions} only scans them all). Items come out in list order either way.
     */
    private record ListedMetrics(
            String namespace, List<LabelledMetrics> items, Map<String, List<LabelledMetrics>> byLabel)
            implements NamespaceMetrics {
        @Override
        public List<PodMetrics> select(Workload workload) {
            if (!namespace.equals(workload.namespace())) {
                throw new IllegalArgumentException(
                        "metrics of namespace " + namespace + " cannot serve " + describe(workload));
            }
            List<LabelledMetrics> candidates = items;
            if (!workload.selector().matchLabels().isEmpty()) {
                for (Map.Entry<String, String> label :
                        workload.selector().matchLabels().entrySet()) {
                    List<LabelledMetrics> bucket =
                            byLabel.getOrDefault(label.getKey() + "=" + label.getValue(), List.of());
                    if (candidates == items || bucket.size() < candidates.size()) {
                        candidates = bucket;
                    }
                }
            }
            return candidates.stream()
                    .filter(item -> workload.selector().matches(item.labels()))
                    .map(LabelledMetrics::metrics)
                    .toList();
        }
    }
}

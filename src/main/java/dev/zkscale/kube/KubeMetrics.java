package dev.zkscale.kube;

import dev.zkscale.core.PodMetrics;
import dev.zkscale.loop.MetricsSource;
import dev.zkscale.loop.Workload;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The loop's {@link MetricsSource}: one LIST of {@code metrics.k8s.io/v1beta1} PodMetrics per call. The loop calls it
 * once per namespace per pass and selects each workload's items from the result in memory, by the workload's selector
 * against the PodMetrics labels (metrics-server copies each pod's labels onto its PodMetrics).
 *
 * <p>The response is read as bytes through the client's HTTP client (its authentication, TLS and connection pool)
 * and parsed by {@link PodMetricsList}, which keeps only what the decision reads; an item that cannot be read is left
 * out and counted ({@link NamespaceMetrics#unreadable()}), and logged when what is wrong changes.
 *
 * <p>Units: CPU usage in millicores, rounded up as Kubernetes' {@code Quantity.MilliValue()} does; windows in whole
 * seconds, rounded down. Thread-safe.
 */
public final class KubeMetrics implements MetricsSource {
    private static final Logger LOG = Logger.getLogger(KubeMetrics.class);

    private final KubernetesClient once;
    private final long timeoutMillis;
    /** The unreadable-items message last logged, by namespace: each is logged when it changes. */
    private final Map<String, String> unreadableWarned = new ConcurrentHashMap<>();

    /** @param once the client to send the request with, once (see {@link Requests#once}) */
    KubeMetrics(KubernetesClient once) {
        this.once = once;
        Integer timeout = once.getConfiguration().getRequestTimeout();
        this.timeoutMillis = timeout == null || timeout <= 0 ? 10_000 : timeout;
    }

    /**
     * {@inheritDoc}
     *
     * <p>One GET, made once (no client retry), bounded by the client's request timeout. The result's {@code select}
     * makes no request.
     *
     * @throws MetricsUnavailableException on any HTTP error (404 when the metrics API is not installed, 403, 503 ...),
     *     timeout or connection error, or a response that is not JSON; the message names the namespace and the cause
     */
    @Override
    public NamespaceMetrics podMetrics(String namespace) throws MetricsUnavailableException {
        PodMetricsList.Parsed parsed;
        try {
            parsed = PodMetricsList.parse(list(namespace));
        } catch (IOException | KubernetesClientException e) {
            throw new MetricsUnavailableException(
                    "cannot read PodMetrics (metrics.k8s.io/v1beta1) in namespace " + namespace + ": "
                            + (e instanceof IOException ? e.getMessage() : Requests.describe(e)),
                    e);
        }
        if (parsed.unreadable() > 0
                && !parsed.firstError().equals(unreadableWarned.put(namespace, parsed.firstError()))) {
            LOG.warnf(
                    "namespace %s: %d PodMetrics item(s) unreadable, their pods taken as without metrics; first: %s",
                    namespace, parsed.unreadable(), parsed.firstError());
        } else if (parsed.unreadable() == 0) {
            unreadableWarned.remove(namespace);
        }
        return new ListedMetrics(namespace, parsed.items(), byLabel(parsed.items()), parsed.unreadable());
    }

    /** The namespace's PodMetricsList response body. */
    private byte[] list(String namespace) throws IOException {
        HttpClient http = once.getHttpClient();
        HttpRequest request = http.newHttpRequestBuilder()
                .uri(once.getMasterUrl() + "apis/metrics.k8s.io/v1beta1/namespaces/" + namespace + "/pods")
                .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .build();
        HttpResponse<byte[]> response;
        try {
            // fabric8 ends the request after its timeout; the wait's own bound is a backstop.
            response = http.sendAsync(request, byte[].class).get(timeoutMillis * 2 + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException(Requests.describe(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("no response within " + timeoutMillis + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (!response.isSuccessful()) {
            throw new KubernetesClientException(status(response));
        }
        return response.body();
    }

    /** The Status an API server answers an error with, or one made of the HTTP code when the body is not one. */
    private static Status status(HttpResponse<byte[]> response) {
        try {
            Status status = Serialization.unmarshal(new String(response.body()), Status.class);
            if (status != null && status.getCode() != null) {
                return status;
            }
        } catch (RuntimeException e) {
            // not a Status: fall through
        }
        Status status = new Status();
        status.setCode(response.code());
        status.setMessage(response.message());
        return status;
    }

    /**
     * The items by label key, then value, each bucket in list order (two lookups instead of a {@code key=value} string
     * made per label of every item, every pass).
     */
    private static Map<String, Map<String, List<PodMetricsList.Item>>> byLabel(List<PodMetricsList.Item> items) {
        Map<String, Map<String, List<PodMetricsList.Item>>> index = new HashMap<>();
        for (PodMetricsList.Item item : items) {
            item.labels()
                    .forEach((key, value) -> index.computeIfAbsent(key, k -> new HashMap<>())
                            .computeIfAbsent(value, v -> new ArrayList<>())
                            .add(item));
        }
        return index;
    }

    /**
     * A namespace's PodMetrics with an index by label, so that selecting a workload's items looks at the smallest
     * bucket among its selector's {@code matchLabels} rather than at every item of the namespace (a selector of
     * {@code matchExpressions} only scans them all). Items come out in list order either way.
     */
    private record ListedMetrics(
            String namespace,
            List<PodMetricsList.Item> items,
            Map<String, Map<String, List<PodMetricsList.Item>>> byLabel,
            int unreadable)
            implements NamespaceMetrics {
        @Override
        public List<PodMetrics> select(Workload workload) {
            if (!namespace.equals(workload.namespace())) {
                throw new IllegalArgumentException(
                        "metrics of namespace " + namespace + " cannot serve " + Requests.describe(workload));
            }
            List<PodMetricsList.Item> candidates = items;
            if (!workload.selector().matchLabels().isEmpty()) {
                for (Map.Entry<String, String> label :
                        workload.selector().matchLabels().entrySet()) {
                    List<PodMetricsList.Item> bucket =
                            byLabel.getOrDefault(label.getKey(), Map.of()).getOrDefault(label.getValue(), List.of());
                    if (candidates == items || bucket.size() < candidates.size()) {
                        candidates = bucket;
                    }
                }
            }
            return candidates.stream()
                    .filter(item -> workload.selector().matches(item.labels()))
                    .map(PodMetricsList.Item::metrics)
                    .toList();
        }
    }
}

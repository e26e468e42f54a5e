package dev.zkscale.kube;

import static dev.zkscale.kube.KubeCluster.POD_METRICS;

import dev.zkscale.core.PodMetrics;
import dev.zkscale.loop.MetricsSource;
import dev.zkscale.loop.Workload;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The loop's {@link MetricsSource}: one LIST of {@code metrics.k8s.io/v1beta1} PodMetrics per call. The loop calls it
 * once per namespace per pass and selects each workload's items from the result in memory, by the workload's selector
 * against the PodMetrics labels (metrics-server copies each pod's labels onto its PodMetrics).
 *
 * <p>Units: CPU usage in millicores, rounded up as Kubernetes' {@code Quantity.MilliValue()} does; windows in whole
 * seconds, rounded down. Thread-safe.
 */
public final class KubeMetrics implements MetricsSource {
    private final KubernetesClient once;

    /** @param once the client to send the request with, once (see {@link Requests#once}) */
    KubeMetrics(KubernetesClient once) {
        this.once = once;
    }

    /**
     * {@inheritDoc}
     *
     * <p>One LIST request, made once (no client retry), bounded by the client's request timeout. Items are converted
     * when read: CPU usage to millicores (null when a container reports no {@code cpu}), the {@code window} from Go
     * duration text to whole seconds. The result's {@code select} makes no request.
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
                    "cannot read PodMetrics (metrics.k8s.io/v1beta1) in namespace " + namespace + ": "
                            + Requests.describe(e),
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
                        "metrics of namespace " + namespace + " cannot serve " + Requests.describe(workload));
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

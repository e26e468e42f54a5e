package dev.zkscale.loop;

import dev.zkscale.core.Pod;
import dev.zkscale.core.PodMetrics;
import java.util.List;
import java.util.Optional;

/**
 * The loop's view of Kubernetes: workloads and pods from watch-fed caches (no request per target per pass), PodMetrics
 * with one request per namespace, fenced scale writes, and Events.
 */
public interface Cluster {

    /**
     * The workload from the cache, or empty when it does not exist (or is not yet cached).
     *
     * @throws IllegalArgumentException for a kind other than {@code Deployment} or {@code StatefulSet}
     */
    Optional<Workload> workload(String namespace, String kind, String name);

    /** The pods the workload's selector lists, from the cache, in a stable order. */
    List<Pod> pods(Workload workload);

    /**
     * Every PodMetrics item of the namespace: one request to {@code metrics.k8s.io}.
     *
     * @throws MetricsUnavailableException when the metrics API cannot be read; the caller must not decide on it
     */
    NamespaceMetrics podMetrics(String namespace) throws MetricsUnavailableException;

    /**
     * Sets the workload's replicas and its {@code zkscale.dev/leader-epoch} annotation to {@code epoch}, conditioned so
     * that the API server refuses the write if the workload changed since {@code workload} was read (and it is never
     * sent when {@code workload.writtenEpoch()} is already newer than {@code epoch}). Never throws.
     */
    WriteResult scale(Workload workload, int replicas, long epoch);

    /** Records a Kubernetes Event on the object; failures are logged, never thrown. */
    void event(String namespace, String kind, String name, boolean warning, String reason, String message);

    /** A namespace's PodMetrics, selectable by workload. */
    interface NamespaceMetrics {
        /** The items whose labels match the workload's selector, as the metrics API would list them for it. */
        List<PodMetrics> select(Workload workload);
    }

    /** The metrics API failed; the message says how. */
    final class MetricsUnavailableException extends Exception {
        public MetricsUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * What became of a scale write.
     *
     * @param result {@link Result#SUCCESS}, {@link Result#FENCED} (a newer leader's epoch is on the object: never retry
     *     with this epoch), or {@link Result#FAILURE} (an unrelated change, an API error or a timeout: retry on the
     *     next pass with a fresh read)
     * @param detail what happened, for logs and Events
     */
    record WriteResult(Result result, String detail) {
        /** The kinds of outcome, as counted in {@code zkscale_scale_operations_total{result}}. */
        public enum Result {
            SUCCESS,
            FENCED,
            FAILURE
        }
    }
}

package dev.zkscale.loop;

import dev.zkscale.core.PodMetrics;
import java.util.List;

/** The resource metrics API: the loop reads each namespace's PodMetrics once per pass and selects from them. */
public interface MetricsSource {

    /**
     * Every PodMetrics item of the namespace: one request to {@code metrics.k8s.io}.
     *
     * @throws MetricsUnavailableException when the metrics API cannot be read; the caller must not decide on it
     */
    NamespaceMetrics podMetrics(String namespace) throws MetricsUnavailableException;

    /** A namespace's PodMetrics, selectable by workload. */
    interface NamespaceMetrics {
        /** The items whose labels match the workload's selector, as the metrics API would list them for it. */
        List<PodMetrics> select(Workload workload);

        /** How many items of the namespace could not be read and were left out (their pods have no metrics). */
        int unreadable();
    }

    /** The metrics API failed; the message says how. */
    final class MetricsUnavailableException extends Exception {
        public MetricsUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

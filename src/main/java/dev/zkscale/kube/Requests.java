package dev.zkscale.kube;

import dev.zkscale.loop.Workload;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.RequestConfig;
import io.fabric8.kubernetes.client.RequestConfigBuilder;

/**
 * How the adapters send their own requests (metrics, the write and its diagnosis, Events): each one once, without the
 * client's automatic retries on 429/5xx/connection errors, since the loop retries on its next pass and a retried
 * request would stall it for the whole back-off; and how they word a failed request.
 */
final class Requests {
    private Requests() {}

    /**
     * A client that sends each request once. It shares {@code client}'s HTTP connection pool; only the per-request
     * settings differ. Closing it is not needed: the caller owns {@code client}.
     */
    static KubernetesClient once(KubernetesClient client) {
        RequestConfig single = new RequestConfigBuilder(
                        client.getConfiguration().getRequestConfig())
                .withRequestRetryBackoffLimit(0)
                .build();
        return client.newClient(single).adapt(KubernetesClient.class);
    }

    /** The workload in words: {@code Deployment shop/web}. */
    static String describe(Workload workload) {
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
}

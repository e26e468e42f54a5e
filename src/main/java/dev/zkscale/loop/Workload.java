package dev.zkscale.loop;

/**
 * A scale target as the API server last showed it.
 *
 * @param namespace its namespace
 * @param kind {@code Deployment} or {@code StatefulSet}
 * @param name its name
 * @param specReplicas {@code spec.replicas}
 * @param statusReplicas {@code status.replicas}
 * @param selector its pod selector
 * @param writtenEpoch the leader epoch in its {@code zkscale.dev/leader-epoch} annotation, or 0 when it has none
 * @param resourceVersion its {@code metadata.resourceVersion}, for conditional writes
 */
public record Workload(
        String namespace,
        String kind,
        String name,
        int specReplicas,
        int statusReplicas,
        Selector selector,
        long writtenEpoch,
        String resourceVersion) {}

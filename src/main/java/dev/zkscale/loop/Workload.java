package dev.zkscale.loop;

/**
 * A scale target as the API server last showed it, with what a conditional write of it needs.
 *
 * @param namespace its namespace
 * @param kind {@code Deployment} or {@code StatefulSet}
 * @param name its name
 * @param specReplicas {@code spec.replicas}
 * @param statusReplicas {@code status.replicas}
 * @param selector its pod selector
 * @param writtenEpoch the leader epoch in its {@code zkscale.dev/leader-epoch} annotation, or 0 when it has none (or
 *     one that is not a number)
 * @param resourceVersion its {@code metadata.resourceVersion}: the write's precondition
 * @param epochAnnotation the text of its {@code zkscale.dev/leader-epoch} annotation, or null when it has none: the
 *     write's precondition too
 * @param annotated whether it has any annotation at all (a write must then add the map)
 */
public record Workload(
        String namespace,
        String kind,
        String name,
        int specReplicas,
        int statusReplicas,
        Selector selector,
        long writtenEpoch,
        String resourceVersion,
        String epochAnnotation,
        boolean annotated) {}

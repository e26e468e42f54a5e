package dev.zkscale.core;

import java.time.Instant;
import java.util.List;

/**
 * Everything one decision needs, and nothing else: feeding the same snapshot to {@link Decider#decide} always gives
 * the same decision, which is what makes a live decision replayable offline.
 *
 * @param now the time of the decision
 * @param target the target's identity
 * @param config the target's config
 * @param specReplicas the scale subresource's {@code spec.replicas}: the current size
 * @param statusReplicas the scale subresource's {@code status.replicas} (reported, not used by the CPU formula)
 * @param pods the pods the target's selector lists
 * @param podMetrics the PodMetrics the metrics API returned for that selector
 * @param metricsError why the metrics API could not be read, or null when it was (then {@code podMetrics} is unused)
 * @param history what earlier decisions left, or null for a target the controller has never seen
 * @param competingAutoscaler the other autoscalers that scale the same workload (an HPA), described for people, or
 *     null when there is none: else the decision keeps the size and says why
 *     ({@link Outcome.Reason#COMPETING_AUTOSCALER})
 */
public record Snapshot(
        Instant now,
        TargetRef target,
        TargetConfig config,
        int specReplicas,
        int statusReplicas,
        List<Pod> pods,
        List<PodMetrics> podMetrics,
        String metricsError,
        History history,
        String competingAutoscaler) {

    public Snapshot {
        pods = List.copyOf(pods);
        podMetrics = List.copyOf(podMetrics);
    }

    /** A snapshot with no competing autoscaler. */
    public Snapshot(
            Instant now,
            TargetRef target,
            TargetConfig config,
            int specReplicas,
            int statusReplicas,
            List<Pod> pods,
            List<PodMetrics> podMetrics,
            String metricsError,
            History history) {
        this(now, target, config, specReplicas, statusReplicas, pods, podMetrics, metricsError, history, null);
    }
}

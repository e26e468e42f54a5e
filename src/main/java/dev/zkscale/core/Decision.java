package dev.zkscale.core;

import java.util.List;

/**
 * The outcome of one decision (CONTRACT section 5).
 *
 * @param target the target decided for
 * @param currentReplicas the current size (the scale's spec replicas)
 * @param desiredReplicas the size to write; equal to {@code currentReplicas} when nothing should change
 * @param recommendedReplicas the formula's proposal before stabilization, rate limits and bounds; null when none
 *     was computed
 * @param utilizationPercent the request-weighted CPU utilization, or null when not computed
 * @param rawAverageMilliCpu the average usage of the pods with samples, or null when not computed
 * @param readyPods how many pods counted as ready with a sample
 * @param unreadyPods the pods left out as unready (sorted)
 * @param missingPods the pods without a sample (sorted)
 * @param ignoredPods the deleting and failed pods (sorted)
 * @param conditions the conditions the HPA would set if the write of {@code desiredReplicas} succeeded
 * @param reason why the size changes ({@code "cpu resource utilization (percentage of request) above target"},
 *     ...), or null when it does not
 * @param error why no decision could be made, or null
 * @param history the history to pass with the next snapshot of this target
 */
public record Decision(
        TargetRef target,
        int currentReplicas,
        int desiredReplicas,
        Integer recommendedReplicas,
        Integer utilizationPercent,
        Long rawAverageMilliCpu,
        int readyPods,
        List<String> unreadyPods,
        List<String> missingPods,
        List<String> ignoredPods,
        List<Condition> conditions,
        String reason,
        String error,
        History history) {

    /** True when the decision asks for a different size. */
    public boolean rescale() {
        return desiredReplicas != currentReplicas;
    }
}

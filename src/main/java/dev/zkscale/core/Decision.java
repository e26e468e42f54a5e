package dev.zkscale.core;

import java.time.Instant;
import java.util.List;

/**
 * The outcome of one decision, as {@code zkscale explain} prints it.
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
 * @param outcome the decision's direction and its cause, in closed sets of words (for metrics, Events and logs)
 * @param policy what the target's {@link Policy} recommended, beside the HPA's proposal; null without a policy or
 *     when no proposal was computed
 * @param time the time of the decision (the snapshot's)
 * @param behavior the behavior rules it was made under, or null for the legacy rules: they decide how a write is
 *     remembered ({@link #historyAfterWrite()})
 * @param historyBeforeWrite the history to pass with the next snapshot when {@code desiredReplicas} was not written
 *     (not needed, refused, dry run): this decision's recommendation recorded, the scale events as they were
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
        Outcome outcome,
        PolicyRecommendation policy,
        Instant time,
        Behavior behavior,
        History historyBeforeWrite) {

    /** True when the decision asks for a different size. */
    public boolean rescale() {
        return desiredReplicas != currentReplicas;
    }

    /**
     * The history to pass with the next snapshot once {@code desiredReplicas} was written: {@link #historyBeforeWrite}
     * with this scale event recorded ({@link History#afterScale}). The same as {@code historyBeforeWrite} when the
     * size does not change.
     */
    public History historyAfterWrite() {
        return historyBeforeWrite.afterScale(behavior, currentReplicas, desiredReplicas, time);
    }

    /** The condition of that type, or null when the decision sets none. */
    public Condition condition(ConditionType type) {
        for (Condition c : conditions) {
            if (c.type() == type) {
                return c;
            }
        }
        return null;
    }
}

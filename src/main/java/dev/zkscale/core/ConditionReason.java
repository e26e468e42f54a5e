package dev.zkscale.core;

/**
 * The reason of an HPA status condition; the constant's name is the reason the Kubernetes HPA controller writes.
 * Grouped by the {@link ConditionType} that carries it.
 */
public enum ConditionReason {
    // AbleToScale
    /** The target's scale was read. */
    SucceededGetScale,
    /** The decision changes the size (the conditions are those of a successful write). */
    SucceededRescale,
    /** The decision keeps the formula's proposal: no stabilization window changed it. */
    ReadyForNewScale,
    /** The scale-up window's lowest recent recommendation was taken. */
    ScaleUpStabilized,
    /** The scale-down window's highest recent recommendation was taken. */
    ScaleDownStabilized,

    // ScalingActive
    /** A replica count was computed from the metrics. */
    ValidMetricFound,
    /** The target has 0 replicas, which switches scaling off. */
    ScalingDisabled,
    /** No replica count could be computed from whole-pod CPU. */
    FailedGetResourceMetric,
    /** No replica count could be computed from one container's CPU. */
    FailedGetContainerResourceMetric,
    /**
     * Another autoscaler (an HPA) scales the same workload: zkscale does not write it while that one exists, as the HPA
     * controller stops on {@code AmbiguousSelector}. Not an upstream reason: upstream cannot see zkscale.
     */
    CompetingAutoscaler,

    // ScalingLimited
    /** Neither a rate limit nor a bound changed the size. */
    DesiredWithinRange,
    /** Raised to minReplicas. */
    TooFewReplicas,
    /** Lowered to maxReplicas. */
    TooManyReplicas,
    /** Held back by a scale-up rate limit. */
    ScaleUpLimit,
    /** Held back by a scale-down rate limit. */
    ScaleDownLimit
}

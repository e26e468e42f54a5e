package dev.zkscale.core;

/** The type of an HPA status condition; the constant's name is the Kubernetes condition type. */
public enum ConditionType {
    /** Whether the target's scale could be read and written. */
    AbleToScale,
    /** Whether a replica count could be computed from the metrics. */
    ScalingActive,
    /** Whether the computed count was held back by a rate limit or a bound. */
    ScalingLimited
}

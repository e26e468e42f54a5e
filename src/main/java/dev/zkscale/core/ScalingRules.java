package dev.zkscale.core;

import java.util.List;

/**
 * The HPA v2 scaling rules of one direction, with every default already applied.
 *
 * @param stabilizationWindowSeconds how far back recommendations are consulted, in seconds
 * @param selectPolicy how the policies combine
 * @param policies the rate limits, never empty
 * @param tolerance this direction's tolerance, or null for the target's top-level tolerance
 */
public record ScalingRules(
        int stabilizationWindowSeconds, SelectPolicy selectPolicy, List<ScalingPolicy> policies, Double tolerance) {

    public ScalingRules {
        policies = List.copyOf(policies);
    }

    /** Which policy wins: the one allowing the most change, the least, or none at all. */
    public enum SelectPolicy {
        Max,
        Min,
        Disabled
    }
}

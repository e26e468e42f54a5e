package dev.zkscale.core;

/**
 * One target's validated config, with every default applied. Immutable.
 *
 * @param kind the workload kind, {@code Deployment} or {@code StatefulSet}
 * @param workloadName the workload's name
 * @param minReplicas lower bound, at least 1
 * @param maxReplicas upper bound, at least {@code minReplicas}
 * @param targetCPUUtilizationPercentage target average utilization, percent of request
 * @param container the only container whose CPU counts, or null for the whole pod
 * @param tolerance no change while the usage ratio is within 1 &plusmn; tolerance (both directions unless
 *     {@code behavior} overrides one)
 * @param downscaleStabilizationSeconds the scale-down window when {@code behavior} is absent
 * @param cpuInitializationPeriodSeconds HPA's cpu-initialization-period
 * @param initialReadinessDelaySeconds HPA's initial-readiness-delay
 * @param behavior the behavior rules, or null for the legacy normalization
 * @param mode how the controller treats the target
 * @param policy the scaling policy the target opts into, or null to be decided as the HPA decides
 */
public record TargetConfig(
        String kind,
        String workloadName,
        int minReplicas,
        int maxReplicas,
        int targetCPUUtilizationPercentage,
        String container,
        double tolerance,
        int downscaleStabilizationSeconds,
        long cpuInitializationPeriodSeconds,
        long initialReadinessDelaySeconds,
        Behavior behavior,
        Mode mode,
        Policy policy) {

    /** The tolerance applied below a usage ratio of 1. */
    public double scaleDownTolerance() {
        return behavior != null && behavior.scaleDown().tolerance() != null
                ? behavior.scaleDown().tolerance()
                : tolerance;
    }

    /** The tolerance applied above a usage ratio of 1. */
    public double scaleUpTolerance() {
        return behavior != null && behavior.scaleUp().tolerance() != null
                ? behavior.scaleUp().tolerance()
                : tolerance;
    }

    /** This config with {@code maxReplicas} (and {@code minReplicas}, if need be) capped at {@code ceiling}. */
    public TargetConfig cappedAt(int ceiling) {
        if (maxReplicas <= ceiling) {
            return this;
        }
        return new TargetConfig(
                kind,
                workloadName,
                Math.min(minReplicas, ceiling),
                ceiling,
                targetCPUUtilizationPercentage,
                container,
                tolerance,
                downscaleStabilizationSeconds,
                cpuInitializationPeriodSeconds,
                initialReadinessDelaySeconds,
                behavior,
                mode,
                policy);
    }

    /**
     * This config with the scale-down stabilization window set to {@code seconds} (in {@code behavior} when present,
     * else the legacy window): how the forecast policy, whose recommendation already carries its own margin, replaces
     * the HPA's long wait for a peak to pass.
     */
    TargetConfig withScaleDownWindow(int seconds) {
        Behavior rules = behavior == null
                ? null
                : new Behavior(
                        behavior.scaleUp(),
                        new ScalingRules(
                                seconds,
                                behavior.scaleDown().selectPolicy(),
                                behavior.scaleDown().policies(),
                                behavior.scaleDown().tolerance()));
        return new TargetConfig(
                kind,
                workloadName,
                minReplicas,
                maxReplicas,
                targetCPUUtilizationPercentage,
                container,
                tolerance,
                seconds,
                cpuInitializationPeriodSeconds,
                initialReadinessDelaySeconds,
                rules,
                mode,
                policy);
    }
}

package dev.zkscale.core;

/**
 * One HPA rate-limit policy: at most {@code value} pods, or {@code value} percent, of change within any window of
 * {@code periodSeconds}.
 */
public record ScalingPolicy(Type type, int value, int periodSeconds) {
    /** The unit of {@link ScalingPolicy#value()}. */
    public enum Type {
        Pods,
        Percent
    }
}

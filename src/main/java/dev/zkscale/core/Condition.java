package dev.zkscale.core;

/** An HPA status condition: {@code AbleToScale}, {@code ScalingActive} or {@code ScalingLimited}. */
public record Condition(String type, String status, String reason, String message) {}

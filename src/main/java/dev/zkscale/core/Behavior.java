package dev.zkscale.core;

/** HPA v2 {@code behavior}: the scaling rules for each direction, defaults applied. */
public record Behavior(ScalingRules scaleUp, ScalingRules scaleDown) {}

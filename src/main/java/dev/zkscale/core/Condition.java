package dev.zkscale.core;

/**
 * An HPA status condition.
 *
 * @param type which condition
 * @param status true for Kubernetes' status {@code "True"}, false for {@code "False"}
 * @param reason why, as the HPA controller words it
 * @param message the same in a sentence
 */
public record Condition(ConditionType type, boolean status, ConditionReason reason, String message) {}

package dev.zkscale.core;

import java.util.List;
import java.util.Locale;

/**
 * What a pass did with one target and why, in two closed sets of words, so that an operator can ask a dashboard "why
 * is it (not) scaling?" without reading logs: the labels {@code action} and {@code reason} of
 * {@code zkscale_decisions_total} and {@code zkscale_target_last_decision}.
 *
 * <p>{@link Decider} classifies each decision as it makes it ({@link Decision#outcome()}), so the same words come out
 * of a live pass and of a replay with {@code zkscale explain}. Dry runs are classified as what they decided; that the
 * write was skipped is in the decision record, not here. The loop adds the reasons for which it makes no decision
 * ({@link Reason#PAUSED}, {@link Reason#WORKLOAD_MISSING}, {@link Reason#SELECTOR_MISSING}).
 *
 * @param action {@link Action#UP} or {@link Action#DOWN} when the decision changes the size, else {@link Action#NONE}
 * @param reason why: for UP and DOWN the cause of the change; for NONE what kept the size
 */
public record Outcome(Action action, Reason reason) {

    /** The direction of a decision. */
    public enum Action {
        UP,
        DOWN,
        NONE;

        /** The label value: {@code up}, {@code down}, {@code none}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Why a decision is what it is. The label value is the lower-case name. */
    public enum Reason {
        /** UP: the utilization is above target (beyond the tolerance). */
        CPU_ABOVE_TARGET,
        /** DOWN: the utilization is below target (beyond the tolerance). */
        CPU_BELOW_TARGET,
        /** UP: the current size is below minReplicas; metrics are not read. */
        BELOW_MIN_REPLICAS,
        /** DOWN: the current size is above maxReplicas (or the ceiling); metrics are not read. */
        ABOVE_MAX_REPLICAS,
        /** UP, DOWN or NONE: a stabilization window chose a size other than the formula's. */
        STABILIZED,
        /** NONE: the formula proposes the current size (within the tolerance, or a rebalance that would flip). */
        NO_CHANGE_RECOMMENDED,
        /** NONE: more replicas are wanted but the target is at maxReplicas. */
        AT_MAX_REPLICAS,
        /** NONE: fewer replicas are wanted but the target is at minReplicas. */
        AT_MIN_REPLICAS,
        /** NONE: a change is wanted but the scaling policies allow none now. */
        RATE_LIMITED,
        /** NONE: the workload has 0 replicas, which switches scaling off (as the HPA does). */
        SCALING_DISABLED,
        /** NONE: the target's mode is Paused. */
        PAUSED,
        /** NONE, no decision: the workload does not exist. */
        WORKLOAD_MISSING,
        /** NONE, no decision: the workload has no selector. */
        SELECTOR_MISSING,
        /** NONE, no decision: the metrics API could not be read. */
        METRICS_API_UNAVAILABLE,
        /** NONE, no decision: the metrics API returned nothing for the target. */
        NO_METRICS,
        /** NONE, no decision: the selector lists no pod. */
        NO_PODS,
        /** NONE, no decision: no ready pod has a CPU sample. */
        NO_READY_POD_METRICS,
        /** NONE, no decision: a container has no CPU request. */
        MISSING_CPU_REQUEST,
        /** NONE, no decision: the configured container is not in a pod. */
        CONTAINER_NOT_FOUND,
        /** NONE, no decision: no sample belongs to a listed pod. */
        METRICS_MATCH_NO_PODS,
        /** NONE, no decision: another autoscaler (an HPA) scales the workload; zkscale does not write it. */
        COMPETING_AUTOSCALER,
        /**
         * NONE, no decision: any other reason. Nothing produces it today; its series stay so that dashboards and
         * alerts written against them keep working.
         */
        OTHER;

        /** The label value, e.g. {@code cpu_above_target}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Every (action, reason) pair that {@link Decider} and the loop can produce, for zero-valued counters. */
    public static final List<Outcome> ALL = List.of(
            new Outcome(Action.UP, Reason.CPU_ABOVE_TARGET),
            new Outcome(Action.UP, Reason.BELOW_MIN_REPLICAS),
            new Outcome(Action.UP, Reason.STABILIZED),
            new Outcome(Action.DOWN, Reason.CPU_BELOW_TARGET),
            new Outcome(Action.DOWN, Reason.ABOVE_MAX_REPLICAS),
            new Outcome(Action.DOWN, Reason.STABILIZED),
            new Outcome(Action.NONE, Reason.NO_CHANGE_RECOMMENDED),
            new Outcome(Action.NONE, Reason.STABILIZED),
            new Outcome(Action.NONE, Reason.AT_MAX_REPLICAS),
            new Outcome(Action.NONE, Reason.AT_MIN_REPLICAS),
            new Outcome(Action.NONE, Reason.RATE_LIMITED),
            new Outcome(Action.NONE, Reason.SCALING_DISABLED),
            new Outcome(Action.NONE, Reason.PAUSED),
            new Outcome(Action.NONE, Reason.WORKLOAD_MISSING),
            new Outcome(Action.NONE, Reason.SELECTOR_MISSING),
            new Outcome(Action.NONE, Reason.METRICS_API_UNAVAILABLE),
            new Outcome(Action.NONE, Reason.NO_METRICS),
            new Outcome(Action.NONE, Reason.NO_PODS),
            new Outcome(Action.NONE, Reason.NO_READY_POD_METRICS),
            new Outcome(Action.NONE, Reason.MISSING_CPU_REQUEST),
            new Outcome(Action.NONE, Reason.CONTAINER_NOT_FOUND),
            new Outcome(Action.NONE, Reason.METRICS_MATCH_NO_PODS),
            new Outcome(Action.NONE, Reason.COMPETING_AUTOSCALER),
            new Outcome(Action.NONE, Reason.OTHER));

    /**
     * The reasons for which no decision is made for a managed target, as counted in
     * {@code zkscale_metrics_errors_total{reason}} (with the loop's {@code tuning_unavailable}, which concerns no
     * target). Listed, not derived from the enum's order, so that reordering it changes no label set.
     */
    public static final List<Reason> FAILURES = List.of(
            Reason.WORKLOAD_MISSING,
            Reason.SELECTOR_MISSING,
            Reason.METRICS_API_UNAVAILABLE,
            Reason.NO_METRICS,
            Reason.NO_PODS,
            Reason.NO_READY_POD_METRICS,
            Reason.MISSING_CPU_REQUEST,
            Reason.CONTAINER_NOT_FOUND,
            Reason.METRICS_MATCH_NO_PODS,
            Reason.COMPETING_AUTOSCALER,
            Reason.OTHER);

    /** No change, for {@code reason}: the target is paused, its workload is missing, no metrics, ... */
    public static Outcome none(Reason reason) {
        return new Outcome(Action.NONE, reason);
    }
}

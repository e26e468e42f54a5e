package dev.zkscale.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The decision: one pure function of a {@link Snapshot} (which carries the config and the time) to a {@link Decision},
 * computed as the Kubernetes HPA controller does for a CPU utilization target. No I/O, no clock, no state: what the
 * next decision must remember travels in {@link Decision#history()}.
 *
 * <p>{@code run}, {@code demo}, {@code simulate} and {@code explain} all call this one method.
 */
public final class Decider {
    private static final String WHOLE_POD_METRIC = "cpu resource utilization (percentage of request)";
    private static final String CONTAINER_METRIC = "cpu container resource utilization (percentage of request)";

    private Decider() {}

    /** Decides the size of {@code snapshot.target()} at {@code snapshot.now()}. Never throws for valid records. */
    public static Decision decide(Snapshot snapshot) {
        TargetConfig config = snapshot.config();
        Instant now = snapshot.now();
        int current = snapshot.specReplicas();
        History history = snapshot.history();
        List<History.Entry> recommendations =
                new ArrayList<>(history == null ? List.of(new History.Entry(now, current)) : history.recommendations());
        List<History.Entry> upEvents = history == null ? List.of() : history.scaleUpEvents();
        List<History.Entry> downEvents = history == null ? List.of() : history.scaleDownEvents();
        ForecastState forecast = history == null ? null : history.forecast();
        PolicyRecommendation policy = null;

        Conditions conditions = new Conditions();
        conditions.set(
                ConditionType.AbleToScale,
                true,
                ConditionReason.SucceededGetScale,
                "the HPA controller was able to get the target's current scale");
        ReplicaCalculator.Grouping grouping = ReplicaCalculator.Grouping.NONE;
        Integer recommended = null;
        Integer utilization = null;
        Long rawAverage = null;
        String error = null;
        String reason = null;
        Outcome.Reason cause;
        int desired;

        if (snapshot.competingAutoscaler() != null) {
            // Two autoscalers of one workload undo each other's writes: hold off, as upstream on AmbiguousSelector.
            error = "another autoscaler scales this workload: " + snapshot.competingAutoscaler()
                    + "; zkscale does not write it until that one is gone";
            desired = current;
            cause = Outcome.Reason.COMPETING_AUTOSCALER;
            conditions.set(ConditionType.ScalingActive, false, ConditionReason.CompetingAutoscaler, error);
        } else if (current == 0) {
            // minReplicas is at least 1: a target scaled to zero by hand is switched off, as upstream.
            desired = 0;
            cause = Outcome.Reason.SCALING_DISABLED;
            conditions.set(
                    ConditionType.ScalingActive,
                    false,
                    ConditionReason.ScalingDisabled,
                    "scaling is disabled since the replica count of the target is zero");
        } else if (current > config.maxReplicas()) {
            // Out of bounds: the size goes straight to the violated bound without reading metrics.
            desired = config.maxReplicas();
            cause = Outcome.Reason.ABOVE_MAX_REPLICAS;
            reason = "Current number of replicas above Spec.MaxReplicas";
        } else if (current < config.minReplicas()) {
            desired = config.minReplicas();
            cause = Outcome.Reason.BELOW_MIN_REPLICAS;
            reason = "Current number of replicas below Spec.MinReplicas";
        } else {
            boolean containerMode = config.container() != null;
            ReplicaCalculator.Proposal proposal = ReplicaCalculator.calculate(snapshot);
            grouping = proposal.grouping();
            if (proposal.failure() != null) {
                error = "failed to get cpu utilization: " + proposal.error();
                desired = current;
                cause = proposal.failure();
                conditions.set(
                        ConditionType.ScalingActive,
                        false,
                        containerMode
                                ? ConditionReason.FailedGetContainerResourceMetric
                                : ConditionReason.FailedGetResourceMetric,
                        "the HPA was unable to compute the replica count: " + error);
            } else {
                String metric = containerMode ? CONTAINER_METRIC : WHOLE_POD_METRIC;
                recommended = proposal.replicas();
                utilization = proposal.utilization();
                rawAverage = proposal.rawAverage();
                String active = "the HPA was able to successfully calculate a replica count from " + metric;
                int decided = recommended;
                TargetConfig rules = config;
                if (config.policy() != null) {
                    // The demand all serving pods carry: the formula's utilization is that of the pods it counts, and a
                    // pod that turned Ready within a metrics window before its sample serves without being counted.
                    int serving = servingPods(snapshot, grouping);
                    Forecaster.Verdict verdict = Forecaster.decide(
                            config.policy(),
                            forecast,
                            new Forecaster.Observation(
                                    now,
                                    (double) utilization * serving / config.targetCPUUtilizationPercentage(),
                                    metricsLagSeconds(snapshot),
                                    metricsWindowSeconds(snapshot),
                                    current,
                                    serving,
                                    recommended,
                                    config.behavior() == null
                                            ? config.downscaleStabilizationSeconds()
                                            : config.behavior().scaleDown().stabilizationWindowSeconds(),
                                    config.scaleUpTolerance()));
                    forecast = verdict.state();
                    policy = recommendation(config.policy(), recommended, verdict);
                    active = active + "; " + policy.describe();
                    if (!config.policy().shadow()) {
                        decided = verdict.replicas();
                        // No scale-down window: the upper bound carries the margin the window exists for, and the
                        // policy's floor holds a scale-up the metrics called for until its pods serve.
                        rules = config.withScaleDownWindow(0);
                    }
                }
                conditions.set(ConditionType.ScalingActive, true, ConditionReason.ValidMetricFound, active);
                // As upstream, the reason follows the proposal's direction, before stabilization and limits.
                reason = decided > current
                        ? metric + " above target"
                        : decided < current ? "All metrics below target" : "";
                Normalizer.Limited limited = Normalizer.normalize(
                        rules, current, decided, now, recommendations, upEvents, downEvents, conditions);
                desired = limited.replicas();
                cause = cause(current, decided, desired, limited);
            }
        }

        if (desired != current) {
            conditions.set(
                    ConditionType.AbleToScale,
                    true,
                    ConditionReason.SucceededRescale,
                    "the HPA controller was able to update the target scale to " + desired);
        } else {
            reason = null;
        }
        Outcome.Action action =
                desired > current ? Outcome.Action.UP : desired < current ? Outcome.Action.DOWN : Outcome.Action.NONE;
        return new Decision(
                snapshot.target(),
                current,
                desired,
                recommended,
                utilization,
                rawAverage,
                grouping.readyPods(),
                List.copyOf(grouping.unready()),
                List.copyOf(grouping.missing()),
                List.copyOf(grouping.ignored()),
                conditions.list(),
                reason,
                error,
                new Outcome(action, cause),
                policy,
                now,
                config.behavior(),
                new History(recommendations, upEvents, downEvents, forecast));
    }

    /**
     * The pods that served when their samples were taken: those the formula counts as ready, and those it leaves out as
     * unready although they are Running and Ready with a sample taken after they turned Ready (a pod within its CPU
     * initialization period counts only a full metrics window after that).
     */
    private static int servingPods(Snapshot snapshot, ReplicaCalculator.Grouping grouping) {
        Map<String, Instant> sampled = new HashMap<>();
        snapshot.podMetrics().forEach(m -> sampled.put(m.pod(), m.timestamp()));
        int serving = grouping.readyPods();
        for (Pod pod : snapshot.pods()) {
            Instant at = sampled.get(pod.name());
            if (grouping.unready().contains(pod.name())
                    && "Running".equals(pod.phase())
                    && pod.ready() == Pod.Readiness.TRUE
                    && at != null
                    && !at.isBefore(pod.readyTransitionTime())) {
                serving++;
            }
        }
        return serving;
    }

    /** The window of the newest sample, in seconds; 0 when there is none. */
    private static double metricsWindowSeconds(Snapshot snapshot) {
        return snapshot.podMetrics().stream()
                .max(Comparator.comparing(PodMetrics::timestamp))
                .map(PodMetrics::windowSeconds)
                .orElse(0L);
    }

    /** How old the newest sample is at {@code snapshot.now()}, in seconds; 0 when none is older than now. */
    private static double metricsLagSeconds(Snapshot snapshot) {
        Instant newest = null;
        for (PodMetrics m : snapshot.podMetrics()) {
            if (!m.timestamp().isAfter(snapshot.now())
                    && (newest == null || m.timestamp().isAfter(newest))) {
                newest = m.timestamp();
            }
        }
        return newest == null ? 0 : Duration.between(newest, snapshot.now()).toNanos() / 1e9;
    }

    private static PolicyRecommendation recommendation(Policy policy, int hpaReplicas, Forecaster.Verdict verdict) {
        return new PolicyRecommendation(
                policy.type(),
                policy.shadow(),
                hpaReplicas,
                verdict.forecastReplicas(),
                Double.isNaN(verdict.upperReplicas()) ? null : verdict.upperReplicas(),
                verdict.horizonSeconds(),
                verdict.replicas());
    }

    /** Why a size decided from the formula's {@code recommended} is {@code desired}. */
    private static Outcome.Reason cause(int current, int recommended, int desired, Normalizer.Limited limited) {
        if (desired > current && recommended > current) {
            return Outcome.Reason.CPU_ABOVE_TARGET;
        }
        if (desired < current && recommended < current) {
            return Outcome.Reason.CPU_BELOW_TARGET;
        }
        if (desired != current) {
            // The formula did not ask for this direction: a stabilization window's earlier recommendation did.
            return Outcome.Reason.STABILIZED;
        }
        return recommended == current ? Outcome.Reason.NO_CHANGE_RECOMMENDED : limited.holdsBecause();
    }
}
